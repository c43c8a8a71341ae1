//! The money-moving and catalog commands under `/api/v1/commands/`: wallet
//! top-ups and withdrawals, subscriptions (request, accept, reject,
//! cancel), profile and blocking, and the admin's catalog.
//!
//! Handlers authenticate, look facts up (prices, service types, owners) and
//! map refusals to HTTP; every rule lives in the aggregates.

pub mod accounts;
pub mod amount;
pub mod catalog;
pub mod subscriptions;
pub mod support;
pub mod wallet;

pub use catalog::seed_catalog;

use crate::{AppState, idempotency};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use platform::Env;
use std::time::Duration;

/// Settings of the money commands (the gateway's are
/// [`crate::payments::PaymentSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneySettings {
    /// `HUB_DISPATCH__ACCEPT_WITHIN_SECS`, default 24 h: how long a request
    /// waits for a provider.
    pub accept_within: Duration,
}

impl Default for MoneySettings {
    fn default() -> Self {
        Self {
            accept_within: Duration::from_secs(24 * 3600),
        }
    }
}

impl MoneySettings {
    /// Reads `HUB_DISPATCH__ACCEPT_WITHIN_SECS`.
    pub fn load(env: &Env) -> Result<Self, platform::ConfigError> {
        let d = Self::default();
        Ok(Self {
            accept_within: Duration::from_secs(env.parse_or(
                "HUB_DISPATCH__ACCEPT_WITHIN_SECS",
                d.accept_within.as_secs(),
            )?),
        })
    }
}

/// The routes of this module, with their full paths (merge, don't nest).
pub fn routes(state: &AppState) -> Router<AppState> {
    let keyed = Router::new()
        .route("/api/v1/commands/wallet/top-ups", post(wallet::top_up))
        .route(
            "/api/v1/commands/wallet/withdrawals",
            post(wallet::withdraw),
        )
        .route(
            "/api/v1/commands/subscriptions",
            post(subscriptions::request),
        )
        .route(
            "/api/v1/commands/subscriptions/{id}/cancel",
            post(subscriptions::cancel),
        )
        .route_layer(from_fn_with_state(state.clone(), idempotency::layer));
    Router::new()
        .merge(keyed)
        .route(
            "/api/v1/commands/subscriptions/{id}/accept",
            post(subscriptions::accept),
        )
        .route(
            "/api/v1/commands/subscriptions/{id}/reject",
            post(subscriptions::reject),
        )
        .route(
            "/api/v1/commands/accounts/me/profile",
            post(accounts::change_profile),
        )
        .route(
            "/api/v1/commands/admin/accounts/{id}/block",
            post(accounts::block),
        )
        .route(
            "/api/v1/commands/admin/accounts/{id}/unblock",
            post(accounts::unblock),
        )
        .route(
            "/api/v1/commands/admin/catalog/service-types",
            post(catalog::add_service_type),
        )
        .route(
            "/api/v1/commands/admin/catalog/service-types/{code}/prices",
            post(catalog::change_prices),
        )
        .route(
            "/api/v1/commands/admin/catalog/service-types/{code}/retire",
            post(catalog::retire),
        )
        .route(
            "/api/v1/commands/admin/catalog/service-types/{code}/restore",
            post(catalog::restore),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_a_day() {
        let s = MoneySettings::load(&Env::from_pairs(Vec::<(String, String)>::new())).unwrap();
        assert_eq!(s, MoneySettings::default());
        assert_eq!(s.accept_within, Duration::from_secs(86_400));
    }

    #[test]
    fn settings_read_the_environment() {
        let env = Env::from_pairs([("HUB_DISPATCH__ACCEPT_WITHIN_SECS", "600")]);
        let s = MoneySettings::load(&env).unwrap();
        assert_eq!(s.accept_within, Duration::from_secs(600));
        let bad = Env::from_pairs([("HUB_DISPATCH__ACCEPT_WITHIN_SECS", "soon")]);
        assert!(MoneySettings::load(&bad).is_err());
    }
}
