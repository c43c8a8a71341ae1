//! Hub's write side over HTTP: identity under `/api/v1/auth/` (register,
//! login, refresh, logout), the `Idempotency-Key` layer for money POSTs, one
//! endpoint per command under `/api/v1/commands/`, and the payment gateway's
//! webhook (and sandbox) under `/api/v1/payments/`.
//!
//! [`router`] builds the whole role (API routes, OpenAPI, health, metrics and
//! the common layers); [`api_routes`] only the API, for `hub dev` to mount.

pub mod accounts;
pub mod auth;
pub mod error;
pub mod idempotency;
pub mod money;
pub mod openapi;
pub mod payments;
pub mod state;
pub mod work;

pub use auth::staff::{StaffError, bootstrap_staff};
pub use error::ApiError;
pub use state::{AppState, LoginLimits};

use axum::Router;

/// The API routes of this role, with their state applied, without the
/// common layers (request id, timeout, metrics…).
pub fn api_routes(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1/auth", auth::routes())
        .merge(money::routes(&state))
        .merge(payments::routes(&state))
        .merge(openapi::routes())
        .merge(work::routes(&state))
        .with_state(state)
}

/// The whole command-api role: API routes, OpenAPI and its UI, `/healthz`,
/// `/readyz`, `/metrics`, wrapped in [`platform::http::with_common_layers`].
pub fn router(state: AppState) -> Router {
    let http = state.http.clone();
    let routes = api_routes(state.clone())
        .merge(platform::health::router(state.pool.clone()))
        .merge(platform::metrics::router());
    platform::http::with_common_layers(routes, &http)
}
