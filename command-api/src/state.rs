//! What every handler can reach.

use crate::accounts::Accounts;
use axum::extract::FromRef;
use platform::{AuthSettings, Blocklist, HttpSettings, TokenKeys};
use sqlx::PgPool;
use std::time::Duration;

/// Login rate limits: failures counted in a sliding window.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failures per email within `window` before 429.
    pub per_account: i64,
    /// Failures per client IP within `window` before 429.
    pub per_ip: i64,
    /// The window.
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_ip: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Shared state of the command-api role; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The PostgreSQL pool (event store and identity tables).
    pub pool: PgPool,
    /// Signs and verifies access tokens.
    /// Blocked accounts, refused on every request.
    pub blocklist: Blocklist,
    pub tokens: TokenKeys,
    /// How long refresh tokens live.
    pub refresh_ttl: Duration,
    /// Login rate limits.
    pub login_limits: LoginLimits,
    /// Listener and per-request limits (the idempotency layer reuses the body limit).
    pub http: HttpSettings,
    /// The Account aggregate's command handler.
    pub accounts: Accounts,
    /// Request deadlines (`HUB_DISPATCH__*`).
    pub money: crate::money::MoneySettings,
    /// The payment gateway and the webhook's keys (`HUB_PAYMENTS__*`).
    pub payments: crate::payments::Payments,
}

impl AppState {
    /// State from a pool and the role's settings, with default login limits
    /// and the sandbox gateway calling back this role's own address with a
    /// random secret (a role outside `hub dev` sets [`Self::with_payments`]).
    pub fn new(pool: PgPool, auth: &AuthSettings, http: HttpSettings) -> Self {
        let payments = crate::payments::PaymentSettings::sandbox_with_random_secret(format!(
            "http://{}/api/v1/payments/webhook",
            http.addr
        ));
        Self {
            payments: crate::payments::Payments::new(&payments),
            accounts: Accounts::new(pool.clone()),
            blocklist: Blocklist::start(pool.clone()),
            pool,
            tokens: TokenKeys::new(auth),
            refresh_ttl: auth.refresh_ttl,
            login_limits: LoginLimits::default(),
            http,
            money: crate::money::MoneySettings::default(),
        }
    }
}

impl AppState {
    /// The same state with the gateway `settings` name.
    pub fn with_payments(mut self, settings: &crate::payments::PaymentSettings) -> Self {
        self.payments = crate::payments::Payments::new(settings);
        self
    }
}

impl FromRef<AppState> for TokenKeys {
    fn from_ref(s: &AppState) -> Self {
        s.tokens.clone()
    }
}

impl FromRef<AppState> for Blocklist {
    fn from_ref(s: &AppState) -> Self {
        s.blocklist.clone()
    }
}
