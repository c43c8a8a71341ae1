//! The admin's messages (`POST /admin/messages`): one endpoint that writes
//! either into an order's chat or straight to an account, so it belongs to
//! neither the order nor the account alone.

use crate::handler::{CreatedResponse, not_found_named, parse_id, require};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::{AccountId, MessageId, OrderId, Role};
use platform::{Caller, FieldError, Json, Problem};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The longest direct message, in characters (as an order's chat message).
const DIRECT_MESSAGE_CHARS: usize = 4_000;

/// `POST /admin/messages`: exactly one of `order_id` and `account_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminMessageRequest {
    /// Post into this order's chat.
    pub order_id: Option<String>,
    /// Or write to this account directly (emailed by the notifier).
    pub account_id: Option<String>,
    /// 1 to 4000 characters.
    pub text: String,
}

/// An admin writes into an order's chat (201, the message id) or to an
/// account directly (202: recorded for the notifier to email).
#[utoipa::path(post, path = "/api/v1/commands/admin/messages", tag = "admin",
    request_body = AdminMessageRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "posted into the order's chat", body = CreatedResponse),
        (status = 202, description = "recorded for delivery to the account", body = CreatedResponse),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order or account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn admin_message(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<AdminMessageRequest>,
) -> Result<Response, ApiError> {
    require(&caller, &[Role::Admin])?;
    match (req.order_id, req.account_id) {
        (Some(order_id), None) => {
            let order_id: OrderId = parse_id(&order_id, "order_id")?;
            let message_id =
                crate::order::post(&state.pool, &caller, order_id, MessageId::new(), req.text)
                    .await?;
            Ok((
                StatusCode::CREATED,
                Json(CreatedResponse {
                    id: message_id.as_uuid(),
                }),
            )
                .into_response())
        }
        (None, Some(account_id)) => {
            let account_id: AccountId = parse_id(&account_id, "account_id")?;
            let text = req.text.trim();
            if text.is_empty() || text.chars().count() > DIRECT_MESSAGE_CHARS {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "text",
                    "must be 1 to 4000 characters",
                )]));
            }
            // No aggregate holds direct messages: a row in `admin_messages`,
            // which the notifier turns into a notification and a mail once.
            let id = Uuid::now_v7();
            let inserted = sqlx::query(
                "INSERT INTO admin_messages (id, account_id, admin_id, text) \
                 SELECT $1, account_id, $3, $4 FROM credentials WHERE account_id = $2",
            )
            .bind(id)
            .bind(account_id.as_uuid())
            .bind(caller.account_id.as_uuid())
            .bind(text)
            .execute(&state.pool)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(not_found_named("account"));
            }
            Ok((StatusCode::ACCEPTED, Json(CreatedResponse { id })).into_response())
        }
        (Some(_), Some(_)) => Err(ApiError::Validation(vec![FieldError::new(
            "account_id",
            "give either order_id or account_id, not both",
        )])),
        (None, None) => Err(ApiError::Validation(vec![FieldError::new(
            "order_id",
            "give order_id or account_id",
        )])),
    }
}
