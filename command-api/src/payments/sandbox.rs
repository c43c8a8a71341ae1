//! The sandbox acquirer: Hub's stand-in for a real payment gateway, for
//! `hub dev`, tests and demos. It opens payments without storing anything,
//! shows a payment's state, and on approve or decline calls the webhook back
//! after a short delay, signed like a real acquirer would — so a top-up
//! settles through exactly the path production uses. A verdict is stored
//! before it is answered and retried until the webhook takes it, so a
//! restart in between delays the callback but never loses it.
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
use sqlx::PgPool;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tracing::Instrument;
use utoipa::ToSchema;
use uuid::Uuid;

/// Callbacks one delivery round claims at most.
const BATCH: i64 = 16;
/// How long a claimed callback is left to its replica before another may
/// deliver it (the HTTP timeout is 10 s).
const LEASE_SECS: f64 = 30.0;
/// The longest wait between two tries of one callback.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often the delivery task looks for due callbacks when nobody woke it.
const POLL: Duration = Duration::from_millis(250);

/// The sandbox gateway; see the module docs.
pub struct SandboxGateway {
    pool: PgPool,
    delay: Duration,
    wake: Arc<Notify>,
    delivery: Mutex<Option<Delivery>>,
}

/// What the delivery task needs besides the gateway.
struct Delivery {
    pool: PgPool,
    http: reqwest::Client,
    webhook_url: String,
    keys: WebhookKeys,
}

impl SandboxGateway {
    /// A sandbox calling `webhook_url`, signing with the current key of
    /// `keys`, `delay` after each verdict. Its callbacks wait in
    /// `sandbox_callbacks` until delivered, by a task that
    /// [`Self::deliver_in_background`] starts and that stops soon after the
    /// gateway is dropped.
    pub fn start(
        pool: PgPool,
        webhook_url: String,
        keys: WebhookKeys,
        delay: Duration,
    ) -> Arc<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Arc::new(Self {
            pool: pool.clone(),
            delay,
            wake: Arc::new(Notify::new()),
            delivery: Mutex::new(Some(Delivery {
                pool,
                http,
                webhook_url,
                keys,
            })),
        })
    }

    /// Starts delivering callbacks, once: when the routes that take the
    /// verdicts are mounted, so a gateway that is built and then replaced
    /// by the final settings never delivers with the wrong secret.
    pub fn deliver_in_background(self: &Arc<Self>) {
        let delivery = self
            .delivery
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(delivery) = delivery {
            tokio::spawn(delivery.run(Arc::downgrade(self), self.wake.clone()));
        }
    }

    /// Stores the signed verdict for delivery after the delay; the payer's
    /// request does not wait for it. Each callback has its own `webhook-id`,
    /// kept across its retries as an acquirer does.
    async fn call_back(&self, body: &WebhookBody) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO sandbox_callbacks (webhook_id, payment_id, status, reason, due_at) \
             VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))",
        )
        .bind(Uuid::now_v7())
        .bind(body.payment_id)
        .bind(body.status.as_str())
        .bind(body.reason.as_deref())
        .bind(self.delay.as_secs_f64())
        .execute(&self.pool)
        .await?;
        self.wake.notify_one();
        Ok(())
    }
}

impl Delivery {
    /// Delivers due callbacks until the gateway is gone.
    async fn run(self, gateway: Weak<SandboxGateway>, wake: Arc<Notify>) {
        loop {
            if gateway.strong_count() == 0 {
                return;
            }
            let delivered = match self.round().await {
                Ok(n) => n,
                Err(error) => {
                    tracing::warn!(%error, "sandbox callbacks could not be claimed; retrying");
                    0
                }
            };
            if delivered < BATCH as usize {
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    }

    /// Claims the due callbacks and tries each once; returns how many it claimed.
    async fn round(&self) -> Result<usize, sqlx::Error> {
        let claimed: Vec<(Uuid, Uuid, String, Option<String>, i32)> = sqlx::query_as(
            "UPDATE sandbox_callbacks SET attempts = attempts + 1, \
                 due_at = now() + make_interval(secs => $2) \
             WHERE webhook_id IN (SELECT webhook_id FROM sandbox_callbacks WHERE due_at <= now() \
                 ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
             RETURNING webhook_id, payment_id, status, reason, attempts",
        )
        .bind(BATCH)
        .bind(LEASE_SECS)
        .fetch_all(&self.pool)
        .await?;
        let count = claimed.len();
        // Each callback waits on the webhook, not on the others.
        let outcomes = futures_util::future::join_all(claimed.into_iter().map(
            |(webhook_id, payment_id, status, reason, attempts)| {
                self.attempt(webhook_id, payment_id, status, reason, attempts)
            },
        ))
        .await;
        outcomes.into_iter().collect::<Result<Vec<()>, _>>()?;
        Ok(count)
    }

    /// Tries one claimed callback: deleted once delivered, else due again
    /// after a backoff.
    async fn attempt(
        &self,
        webhook_id: Uuid,
        payment_id: Uuid,
        status: String,
        reason: Option<String>,
        attempts: i32,
    ) -> Result<(), sqlx::Error> {
        let span = tracing::info_span!("sandbox_callback", payment.id = %payment_id, webhook.id = %webhook_id, attempt = attempts);
        let body = WebhookBody {
            payment_id,
            status: CallbackStatus::parse(&status),
            reason,
        };
        match self
            .deliver(&webhook_id.to_string(), &body)
            .instrument(span.clone())
            .await
        {
            Ok(()) => {
                sqlx::query("DELETE FROM sandbox_callbacks WHERE webhook_id = $1")
                    .bind(webhook_id)
                    .execute(&self.pool)
                    .await?;
            }
            Err(error) => {
                let shift = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
                let wait = (Duration::from_millis(250) * 2u32.pow(shift)).min(MAX_BACKOFF);
                span.in_scope(
                    || tracing::warn!(%error, retry_in = ?wait, "sandbox callback failed"),
                );
                sqlx::query(
                    "UPDATE sandbox_callbacks SET due_at = now() + make_interval(secs => $2), \
                         last_error = $3 WHERE webhook_id = $1",
                )
                .bind(webhook_id)
                .bind(wait.as_secs_f64())
                .bind(&error)
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Posts one signed callback. `Ok` when the webhook took it, or refused
    /// it for good (malformed, unknown payment, contradicting verdict):
    /// retrying the same bytes cannot help. Anything else is retried, a
    /// refused signature too (a secret being rotated).
    async fn deliver(&self, webhook_id: &str, body: &WebhookBody) -> Result<(), String> {
        let raw = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        let timestamp = chrono::Utc::now().timestamp();
        let res = self
            .http
            .post(&self.webhook_url)
            .header(ID_HEADER, webhook_id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(
                SIGNATURE_HEADER,
                self.keys.sign(webhook_id, timestamp, &raw),
            )
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(raw)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if res.status().is_success() {
            tracing::info!("sandbox callback delivered");
            Ok(())
        } else if matches!(res.status().as_u16(), 400 | 404 | 409 | 413 | 422) {
            tracing::warn!(status = %res.status(), "sandbox callback refused");
            Ok(())
        } else {
            Err(format!("the webhook answered {}", res.status()))
        }
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
    gateway
        .call_back(&WebhookBody {
            payment_id,
            status,
            reason,
        })
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(?status, "sandbox verdict given");
    Ok((
        StatusCode::ACCEPTED,
        Json(SandboxPayment::of(payment_id, &top_up, current)),
    ))
}
