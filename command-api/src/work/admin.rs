//! What admins do about complaints, and their messages to the parties.

use super::complaints::{complaint_field, settlement_transfer, visible_complaint};
use super::{CreatedResponse, metadata, not_found, parse_id, refused, require, run};
use crate::accounts::MAX_ATTEMPTS;
use crate::idempotency::IdempotencyKey;
use crate::money::amount::Share;
use crate::money::support::{credit_wallets, stores};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::complaint::ComplaintCommand;
use domain::order::{OrderCommand, OrderError};
use domain::subscription::{SubscriptionCommand, SubscriptionError};
use domain::wallet::WalletError;
use domain::{AccountId, ComplaintId, Money, OrderId, Role};
use platform::{Caller, FieldError, Json, Problem};
use serde::Deserialize;
use store::{Attempts, Store, UnitOfWork};
use utoipa::ToSchema;
use uuid::Uuid;

/// The longest direct message, in characters (as an order's chat message).
const DIRECT_MESSAGE_CHARS: usize = 4_000;

/// `POST /admin/complaints/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNoteRequest {
    /// 1 to 4000 characters.
    pub text: String,
}

/// `POST /admin/complaints/{id}/resolve`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveComplaintRequest {
    /// Roubles back to the client, e.g. `"100.00"` (zero allowed).
    #[schema(value_type = String, example = "100.00")]
    pub to_client: Share,
    /// Roubles to the provider, e.g. `"50.00"` (zero allowed).
    #[schema(value_type = String, example = "50.00")]
    pub to_provider: Share,
    /// The reasoning, 1 to 4000 characters.
    pub note: String,
}

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

/// An admin starts looking into a complaint.
#[utoipa::path(post, path = "/api/v1/commands/admin/complaints/{id}/review", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the complaint")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "in review"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn review_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    visible_complaint(&state.pool, &caller, complaint_id).await?;
    let at = chrono::Utc::now();
    run(
        &Store::new(state.pool.clone()).complaints(),
        &complaint_id.to_string(),
        || ComplaintCommand::TakeIntoReview {
            actor: caller.actor(),
            at,
        },
        &metadata(&caller),
        complaint_field("text"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin records a finding on a complaint.
#[utoipa::path(post, path = "/api/v1/commands/admin/complaints/{id}/notes", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the complaint")),
    request_body = AddNoteRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "noted"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AddNoteRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    visible_complaint(&state.pool, &caller, complaint_id).await?;
    let at = chrono::Utc::now();
    run(
        &Store::new(state.pool.clone()).complaints(),
        &complaint_id.to_string(),
        || ComplaintCommand::AddNote {
            actor: caller.actor(),
            text: req.text.clone(),
            at,
        },
        &metadata(&caller),
        complaint_field("text"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin decides how the frozen escrow is split; the subscription
/// settles it and the order thaws.
#[utoipa::path(post, path = "/api/v1/commands/admin/complaints/{id}/resolve", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the complaint")),
    request_body = ResolveComplaintRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "resolved"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(complaint.id = %id))]
pub async fn resolve_complaint(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(id): Path<String>,
    Json(req): Json<ResolveComplaintRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    let complaint = visible_complaint(&state.pool, &caller, complaint_id).await?;
    let (complaints, orders, subscriptions) = (
        stores::complaints(&state.pool),
        stores::orders(&state.pool),
        stores::subscriptions(&state.pool),
    );
    let subscription_id = complaint.subscription_id();
    let (cid, oid, sid) = (
        complaint_id.to_string(),
        complaint.order_id().to_string(),
        subscription_id.to_string(),
    );
    let (to_client, to_provider) = (req.to_client.0, req.to_provider.0);
    let at = chrono::Utc::now();
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    // The decision, the split out of escrow, both wallets' credits and the
    // thawed order commit together: the split cannot leave escrow without
    // reaching the wallets.
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata(&caller));
        let subscription = unit
            .state(&subscriptions, &sid)
            .await
            .map_err(refused(|_: &SubscriptionError| None))?;
        // A complaint splits only the escrow it froze: when another complaint
        // of the same subscription holds it, this one has nothing to split.
        let holds_escrow = subscription.frozen_by() == Some(complaint_id);
        let escrow_available = if holds_escrow {
            subscription.escrow()
        } else {
            Money::zero(subscription.escrow().currency())
        };
        unit.execute(
            &complaints,
            &cid,
            ComplaintCommand::Resolve {
                actor: caller.actor(),
                to_client,
                to_provider,
                escrow_available,
                note: req.note.clone(),
                at,
            },
        )
        .await
        .map_err(refused(complaint_field("note")))?;
        if holds_escrow {
            let events = unit
                .execute(
                    &subscriptions,
                    &sid,
                    SubscriptionCommand::SettleComplaint {
                        complaint_id,
                        transfer_id: settlement_transfer(complaint_id),
                        to_client,
                        to_provider,
                    },
                )
                .await
                .map_err(refused(|_: &SubscriptionError| None))?;
            credit_wallets(&mut unit, &state.pool, subscription_id, &events)
                .await
                .map_err(refused(|_: &WalletError| None))?;
        }
        unit.execute(&orders, &oid, OrderCommand::Unfreeze { complaint_id, at })
            .await
            .map_err(refused(|_: &OrderError| None))?;
        key.answer::<()>(&mut unit, StatusCode::NO_CONTENT, None)?;
        if attempts.commit(unit).await? {
            break;
        }
    }
    tracing::info!("complaint resolved");
    Ok(StatusCode::NO_CONTENT)
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
            let message_id = super::orders::post(&state.pool, &caller, order_id, req.text).await?;
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
            // No aggregate holds direct messages: a row the notifier (a
            // later issue) picks up and emails.
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
                return Err(not_found("account"));
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
