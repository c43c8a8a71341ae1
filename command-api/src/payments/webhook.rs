//! `POST /api/v1/payments/webhook`: the acquirer's signed verdict on a
//! payment. No bearer token: the HMAC signature is the authentication, and it
//! is checked over the raw bytes before anything in the body is believed.

use super::lookup::{PaymentStatus, find_top_up};
use super::lookup_error;
use crate::handler::{correlation_id, run};
use crate::wallet::wallet_error;
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use domain::TransferId;
use domain::wallet::{WalletCommand, WalletError};
use platform::{Json, Problem};
use serde::{Deserialize, Serialize};
use store::{CommandError, EventMetadata, Store};
use utoipa::ToSchema;
use uuid::Uuid;

/// The acquirer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    /// The money was taken: settle the top-up.
    Succeeded,
    /// The payment will not happen: fail the top-up.
    Failed,
}

impl CallbackStatus {
    /// The wire name (also the sandbox outbox's `status` column).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// From the wire name; the outbox's CHECK allows only the two.
    pub(crate) fn parse(raw: &str) -> Self {
        if raw == "succeeded" {
            Self::Succeeded
        } else {
            Self::Failed
        }
    }
}

/// The body of a callback. Unknown fields are ignored, so an acquirer may
/// send more than this.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookBody {
    /// The payment, as the top-up's answer named it.
    pub payment_id: Uuid,
    /// What happened.
    pub status: CallbackStatus,
    /// Why it failed (1..=500 characters; a default is used when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the webhook did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookApplied {
    /// The payment.
    pub payment_id: Uuid,
    /// Its top-up.
    #[schema(value_type = Uuid)]
    pub transfer_id: TransferId,
    /// The top-up's state now (a repeated callback changes nothing).
    pub status: PaymentStatus,
}

/// The reason recorded when a failed callback gives none.
const DEFAULT_REASON: &str = "the payment gateway declined the payment";

fn refused(reason: &super::signature::SignatureError) -> ApiError {
    tracing::warn!(%reason, "payment webhook refused: signature");
    ApiError::from(
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "webhook-signature",
            "Webhook signature refused",
        )
        .with_detail(reason.to_string()),
    )
}

/// Settles (`succeeded`) or fails (`failed`) the top-up a payment pays.
/// Signed as Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256
/// of "{webhook-id}.{webhook-timestamp}.{raw body}">` with
/// `HUB_PAYMENTS__WEBHOOK_SECRET`; timestamps more than 5 minutes off are
/// refused. A repeated callback answers 200 and moves nothing.
#[utoipa::path(post, path = "/api/v1/payments/webhook", tag = "payments",
    params(
        ("webhook-id" = String, Header, description = "the callback's id, the same across its retries"),
        ("webhook-timestamp" = i64, Header, description = "Unix seconds when it was signed; at most 300 s from now"),
        ("webhook-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>`, several separated by spaces allowed"),
    ),
    request_body = WebhookBody,
    responses(
        (status = 200, description = "applied, or already applied before", body = WebhookApplied),
        (status = 400, description = "the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "missing or wrong signature, or a timestamp more than 5 minutes off (a replay); nothing moved", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no top-up has this payment id; nothing moved", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the verdict contradicts the one already applied (settled vs failed)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "the body exceeds the limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a field is missing or invalid; `errors` names it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the wallet kept changing; nothing moved, send the callback again", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(webhook.id, payment.id))]
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WebhookApplied>, ApiError> {
    let body = body.map_err(|rej| {
        ApiError::from(if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
            )
            .with_detail("the request body exceeds the limit")
        } else {
            Problem::bad_request(rej.body_text())
        })
    })?;
    let now = chrono::Utc::now().timestamp();
    let webhook_id = state
        .payments
        .keys
        .verify(&headers, &body, now)
        .map_err(|e| refused(&e))?;
    let span = tracing::Span::current();
    span.record("webhook.id", webhook_id.as_str());
    let callback: WebhookBody = platform::json::from_slice(&body).map_err(ApiError::from)?;
    span.record("payment.id", tracing::field::display(callback.payment_id));
    let Some(top_up) = find_top_up(&state.pool, callback.payment_id)
        .await
        .map_err(lookup_error)?
    else {
        tracing::warn!("payment webhook refused: unknown payment");
        return Err(ApiError::from(
            Problem::not_found().with_detail("no top-up has this payment id"),
        ));
    };
    let transfer_id = top_up.transfer_id;
    let (command, status) = match callback.status {
        CallbackStatus::Succeeded => (
            WalletCommand::SettleTopUp { transfer_id },
            PaymentStatus::Settled,
        ),
        CallbackStatus::Failed => (
            WalletCommand::FailTopUp {
                transfer_id,
                reason: callback.reason.unwrap_or_else(|| DEFAULT_REASON.to_owned()),
            },
            PaymentStatus::Failed,
        ),
    };
    let mut metadata = EventMetadata::system().correlated_with(correlation_id());
    if let Ok(cause) = Uuid::parse_str(&webhook_id) {
        metadata = metadata.caused_by(cause);
    }
    let wallets = Store::new(state.pool.clone()).wallets();
    let owner = top_up.owner.to_string();
    let turns = state.turns.clone();
    // Spawned: the payer's money must not depend on the acquirer hanging up.
    platform::request_id::spawn(async move {
        let _turn = turns.take(&owner).await;
        run(&wallets, &owner, command, &metadata)
            .await
            .map_err(|e| match e {
                CommandError::Rule(WalletError::TransferNotPending { state }) => {
                    tracing::warn!(state, "payment webhook contradicts the top-up's outcome");
                    ApiError::from(Problem::conflict(format!("the top-up is already {state}")))
                }
                // Not the acquirer's 409 ("contradicts"): this one must be
                // retried, and acquirers retry what is not 2xx or 4xx.
                CommandError::Conflict { .. } => ApiError::from(
                    Problem::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "busy",
                        "The wallet is busy",
                    )
                    .with_detail(
                        "the wallet kept changing; nothing moved, send the callback again",
                    ),
                ),
                other => wallet_error(other),
            })
    })
    .await??;
    tracing::info!(transfer.id = %transfer_id, ?status, "payment webhook applied");
    Ok(Json(WebhookApplied {
        payment_id: callback.payment_id,
        transfer_id,
        status,
    }))
}
