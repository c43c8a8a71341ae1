//! Payments: the seam to the acquirer that brings money in (DESIGN §5).
//!
//! - [`gateway`]: the [`PaymentGateway`] trait a top-up calls, and payment
//!   ids derived from transfer ids;
//! - [`sandbox`]: [`SandboxGateway`], the stand-in acquirer with its routes;
//! - [`webhook`]: `POST /api/v1/payments/webhook`, the only way a top-up
//!   settles or fails;
//! - [`signature`]: Standard Webhooks HMAC signing and checking;
//! - [`lookup`]: from a payment id back to its top-up in the event store;
//! - [`settings`]: the `HUB_PAYMENTS__*` variables.
//!
//! `docs/payments.md` describes the contract for a real acquirer.

pub mod gateway;
pub mod lookup;
pub mod sandbox;
pub mod settings;
pub mod signature;
pub mod webhook;

pub use gateway::{GatewayError, PaymentGateway, PaymentPage, payment_id_of};
pub use sandbox::SandboxGateway;
pub use settings::{GatewayKind, PaymentSettings};
pub use signature::WebhookKeys;

use crate::{ApiError, AppState};
use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The gateway a top-up calls and the keys its callbacks are checked with.
#[derive(Clone)]
pub struct Payments {
    /// Opens payments for requested top-ups.
    pub gateway: Arc<dyn PaymentGateway>,
    /// Verifies the webhook's signatures (current and previous secret).
    pub keys: WebhookKeys,
    /// The sandbox, when it is the gateway: its routes are mounted only then.
    pub sandbox: Option<Arc<SandboxGateway>>,
}

impl Payments {
    /// The gateway `settings` name. The sandbox keeps its pending callbacks
    /// in `pool` and delivers them from a task that lives as long as it does.
    pub fn new(settings: &PaymentSettings, pool: &sqlx::PgPool) -> Self {
        let keys = WebhookKeys::new(
            settings.webhook_secret.clone(),
            settings.previous_webhook_secret.clone(),
        );
        match settings.gateway {
            GatewayKind::Sandbox => {
                let sandbox = SandboxGateway::start(
                    pool.clone(),
                    settings.webhook_url.clone(),
                    keys.clone(),
                    settings.sandbox_delay,
                );
                Self {
                    gateway: sandbox.clone(),
                    keys,
                    sandbox: Some(sandbox),
                }
            }
        }
    }
}

/// Money in a response: `{"amount": "1500.00", "currency": "RUB"}` (the
/// `Money` schema every response shares).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Money)]
pub struct MoneyBody {
    /// Two decimal places, never a float.
    #[schema(example = "1500.00")]
    pub amount: String,
    /// ISO 4217 code.
    #[schema(example = "RUB")]
    pub currency: String,
}

impl From<domain::Money> for MoneyBody {
    fn from(m: domain::Money) -> Self {
        let mut amount = m.amount();
        amount.rescale(2);
        Self {
            amount: amount.to_string(),
            currency: m.currency().to_string(),
        }
    }
}

/// 502: the acquirer did not open the payment.
pub(crate) fn gateway_error(e: GatewayError) -> ApiError {
    tracing::warn!(error = %e, "payment gateway failed");
    ApiError::from(
        platform::Problem::new(
            axum::http::StatusCode::BAD_GATEWAY,
            "payment-gateway",
            "Payment gateway unavailable",
        )
        .with_detail("the top-up is requested but its payment could not be opened; retry"),
    )
}

pub(crate) fn lookup_error(e: lookup::LookupError) -> ApiError {
    ApiError::internal(e)
}

/// The webhook always; the sandbox's pages only when it is the gateway
/// (whose callbacks then start going out).
/// Full paths (merge, don't nest): the Ingress must send `/api/v1/payments/`
/// to command-api.
pub fn routes(state: &AppState) -> Router<AppState> {
    let router = Router::new().route("/api/v1/payments/webhook", post(webhook::receive));
    let Some(sandbox) = &state.payments.sandbox else {
        return router;
    };
    sandbox.deliver_in_background();
    router
        .route("/api/v1/payments/sandbox/{payment_id}", get(sandbox::show))
        .route(
            "/api/v1/payments/sandbox/{payment_id}/approve",
            post(sandbox::approve),
        )
        .route(
            "/api/v1/payments/sandbox/{payment_id}/decline",
            post(sandbox::decline),
        )
}
