//! The sandbox acquirer: Hub's stand-in for a real payment gateway, for
//! `hub dev`, tests and demos. It opens payments without storing anything,
//! shows a payment's state, and on approve or decline calls the webhook back
//! after a short delay, signed like a real acquirer would — so a top-up
//! settles through exactly the path production uses.
//!
//! It takes no card and checks nobody: whoever knows a payment id may approve
//! it. Never configure it where real money moves.

use super::gateway::{GatewayError, PaymentGateway, PaymentPage, payment_id_of};
use super::lookup::{PaymentStatus, TopUpRef, find_top_up, status_of};
use super::signature::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookKeys};
use super::webhook::{CallbackStatus, WebhookBody};
use super::{MoneyBody, lookup_error};
use crate::handler::parse_id_or_404;
use crate::{ApiError, AppState};
use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{AccountId, Money, TransferId};
use platform::{Json, Problem};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;
use utoipa::ToSchema;
use uuid::Uuid;

/// How many times the sandbox tries to deliver one callback.
const DELIVERY_ATTEMPTS: u32 = 5;

/// The sandbox gateway; see the module docs.
pub struct SandboxGateway {
    http: reqwest::Client,
    webhook_url: String,
    keys: WebhookKeys,
    delay: Duration,
}

impl SandboxGateway {
    /// A sandbox calling `webhook_url`, signing with the current key of
    /// `keys`, `delay` after each verdict.
    pub fn new(webhook_url: String, keys: WebhookKeys, delay: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            http,
            webhook_url,
            keys,
            delay,
        }
    }

    /// Where callbacks go.
    pub fn webhook_url(&self) -> &str {
        &self.webhook_url
    }

    /// Posts the signed verdict to the webhook after the delay, in the
    /// background (the payer's request does not wait), retrying a few times
    /// with the same `webhook-id` as an acquirer does.
    fn call_back(&self, body: WebhookBody) {
        let http = self.http.clone();
        let url = self.webhook_url.clone();
        let keys = self.keys.clone();
        let delay = self.delay;
        let webhook_id = Uuid::now_v7().to_string();
        let span = tracing::info_span!("sandbox_callback", payment.id = %body.payment_id, webhook.id = %webhook_id);
        tokio::spawn(
            async move {
                tokio::time::sleep(delay).await;
                let Ok(raw) = serde_json::to_vec(&body) else {
                    return;
                };
                let mut backoff = Duration::from_millis(250);
                for attempt in 1..=DELIVERY_ATTEMPTS {
                    let timestamp = chrono::Utc::now().timestamp();
                    let sent = http
                        .post(&url)
                        .header(ID_HEADER, &webhook_id)
                        .header(TIMESTAMP_HEADER, timestamp.to_string())
                        .header(SIGNATURE_HEADER, keys.sign(&webhook_id, timestamp, &raw))
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(raw.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(res) if res.status().is_success() => {
                            tracing::info!(attempt, "sandbox callback delivered");
                            return;
                        }
                        // The webhook refused this callback for good (signature,
                        // unknown payment, contradicting verdict): retrying
                        // the same bytes cannot help.
                        Ok(res) if res.status().is_client_error() => {
                            tracing::warn!(status = %res.status(), "sandbox callback refused");
                            return;
                        }
                        Ok(res) => {
                            tracing::warn!(attempt, status = %res.status(), "sandbox callback failed")
                        }
                        Err(e) => tracing::warn!(attempt, error = %e, "sandbox callback failed"),
                    }
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                tracing::error!("sandbox callback not delivered; approve or decline again");
            }
            .instrument(span),
        );
    }
}

#[async_trait]
impl PaymentGateway for SandboxGateway {
    /// Everything is derived: the page finds the top-up in the event store
    /// when it is opened.
    async fn create_payment(
        &self,
        transfer_id: TransferId,
        _owner: AccountId,
        _amount: Money,
    ) -> Result<PaymentPage, GatewayError> {
        let payment_id = payment_id_of(transfer_id);
        Ok(PaymentPage {
            payment_id,
            url: format!("/pay/{payment_id}"),
        })
    }
}

/// A payment as the sandbox's page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SandboxPayment {
    /// The payment.
    pub payment_id: Uuid,
    /// The top-up it pays.
    #[schema(value_type = Uuid)]
    pub transfer_id: TransferId,
    /// How much.
    pub amount: MoneyBody,
    /// `pending` until the webhook settles or fails the top-up.
    pub status: PaymentStatus,
}

impl SandboxPayment {
    fn of(payment_id: Uuid, top_up: &TopUpRef, status: PaymentStatus) -> Self {
        Self {
            payment_id,
            transfer_id: top_up.transfer_id,
            amount: MoneyBody::from(top_up.amount),
            status,
        }
    }
}

fn sandbox(state: &AppState) -> Result<Arc<SandboxGateway>, ApiError> {
    state
        .payments
        .sandbox
        .clone()
        .ok_or_else(|| ApiError::from(Problem::not_found()))
}

async fn load(state: &AppState, raw_id: &str) -> Result<(Uuid, TopUpRef, PaymentStatus), ApiError> {
    let payment_id = parse_id_or_404(raw_id)?;
    let top_up = find_top_up(&state.pool, payment_id)
        .await
        .map_err(lookup_error)?
        .ok_or_else(|| ApiError::from(Problem::not_found()))?;
    let status = status_of(&state.pool, &top_up)
        .await
        .map_err(lookup_error)?;
    Ok((payment_id, top_up, status))
}

/// A payment of the sandbox: what it pays and where it stands.
#[utoipa::path(get, path = "/api/v1/payments/sandbox/{payment_id}", tag = "payments",
    params(("payment_id" = Uuid, Path, description = "from the top-up's answer")),
    responses(
        (status = 200, body = SandboxPayment),
        (status = 404, description = "no such payment (or not a UUID)", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state), fields(payment.id = %payment_id))]
pub async fn show(
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
) -> Result<Json<SandboxPayment>, ApiError> {
    sandbox(&state)?;
    let (id, top_up, status) = load(&state, &payment_id).await?;
    Ok(Json(SandboxPayment::of(id, &top_up, status)))
}

/// Approves a pending payment, as the payer would at the acquirer: the
/// sandbox calls the webhook back with `succeeded` shortly after.
#[utoipa::path(post, path = "/api/v1/payments/sandbox/{payment_id}/approve", tag = "payments",
    params(("payment_id" = Uuid, Path, description = "from the top-up's answer")),
    responses(
        (status = 202, description = "the callback is on its way; the payment is still pending", body = SandboxPayment),
        (status = 404, description = "no such payment (or not a UUID)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the payment is already settled or failed", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state), fields(payment.id = %payment_id))]
pub async fn approve(
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
) -> Result<(StatusCode, Json<SandboxPayment>), ApiError> {
    verdict(state, &payment_id, CallbackStatus::Succeeded).await
}

/// Declines a pending payment: the sandbox calls the webhook back with
/// `failed` shortly after; no money moves.
#[utoipa::path(post, path = "/api/v1/payments/sandbox/{payment_id}/decline", tag = "payments",
    params(("payment_id" = Uuid, Path, description = "from the top-up's answer")),
    responses(
        (status = 202, description = "the callback is on its way; the payment is still pending", body = SandboxPayment),
        (status = 404, description = "no such payment (or not a UUID)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the payment is already settled or failed", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state), fields(payment.id = %payment_id))]
pub async fn decline(
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
) -> Result<(StatusCode, Json<SandboxPayment>), ApiError> {
    verdict(state, &payment_id, CallbackStatus::Failed).await
}

async fn verdict(
    state: AppState,
    raw_id: &str,
    status: CallbackStatus,
) -> Result<(StatusCode, Json<SandboxPayment>), ApiError> {
    let gateway = sandbox(&state)?;
    let (payment_id, top_up, current) = load(&state, raw_id).await?;
    if current != PaymentStatus::Pending {
        return Err(ApiError::from(Problem::conflict(format!(
            "the payment is already {}",
            match current {
                PaymentStatus::Settled => "settled",
                _ => "failed",
            }
        ))));
    }
    let reason = (status == CallbackStatus::Failed).then(|| "declined in the sandbox".to_owned());
    gateway.call_back(WebhookBody {
        payment_id,
        status,
        reason,
    });
    tracing::info!(?status, "sandbox verdict given");
    Ok((
        StatusCode::ACCEPTED,
        Json(SandboxPayment::of(payment_id, &top_up, current)),
    ))
}
