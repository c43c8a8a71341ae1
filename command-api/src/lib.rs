//! Hub's write side over HTTP: identity under `/api/v1/auth/` (register,
//! login, refresh, logout), the `Idempotency-Key` layer for money POSTs, one
//! endpoint per command under `/api/v1/commands/`, and the payment gateway's
//! webhook (and sandbox) under `/api/v1/payments/`.
//!
//! Command handlers are grouped by resource, mirroring `domain/`:
//! [`wallet`], [`subscription`], [`order`], [`complaint`] (with the admin's
//! handling in [`complaint::admin`]), [`account`] and [`catalog`]; the
//! admin's messages, which go either into an order's chat or straight to an
//! account, are [`admin`]; the admin's controls over subscriptions and
//! orders (reassign, cancel with a refund, deadline, force-complete) are
//! [`admin_controls`]; files posted into an order's chat, [`attachment`].
//! What they share is [`handler`].
//!
//! [`router`] builds the whole role (API routes, OpenAPI, health, metrics and
//! the common layers); [`api_routes`] only the API, for `hub dev` to mount;
//! [`command_routes`] lists every command route in one place.

pub mod account;
pub mod admin;
pub mod admin_controls;
pub mod amount;
pub mod attachment;
pub mod auth;
pub mod catalog;
pub mod complaint;
pub mod error;
pub mod handler;
pub mod housekeeping;
pub mod idempotency;
pub mod notification;
pub mod openapi;
pub mod order;
pub mod payments;
pub mod state;
pub mod subscription;
pub mod turns;
pub mod wallet;

pub use auth::staff::{StaffError, bootstrap_staff};
pub use catalog::seed_catalog;
pub use error::ApiError;
pub use state::{AppState, LoginLimits, MoneySettings, RegistrationLimits};

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;

/// The API routes of this role, with their state applied, without the
/// common layers (request id, timeout, metrics…).
pub fn api_routes(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1/auth", auth::routes())
        .merge(command_routes(&state))
        .merge(payments::routes(&state))
        .merge(openapi::routes())
        .with_state(state)
}

/// Every route under `/api/v1/commands/`, with its full path. Money that
/// moves (top-ups, withdrawals, subscribe, cancel, resolve) sits behind the
/// `Idempotency-Key` layer.
pub fn command_routes(state: &AppState) -> Router<AppState> {
    let keyed = Router::new()
        .route("/api/v1/commands/wallet/top-ups", post(wallet::top_up))
        .route(
            "/api/v1/commands/wallet/withdrawals",
            post(wallet::withdraw),
        )
        .route(
            "/api/v1/commands/subscriptions",
            post(subscription::request),
        )
        .route(
            "/api/v1/commands/subscriptions/{id}/cancel",
            post(subscription::cancel),
        )
        .route(
            "/api/v1/commands/admin/complaints/{id}/resolve",
            post(complaint::admin::resolve_complaint),
        )
        // Admin controls that move money.
        .route(
            "/api/v1/commands/admin/subscriptions/{id}/cancel",
            post(admin_controls::cancel_subscription),
        )
        .route(
            "/api/v1/commands/admin/orders/{id}/complete",
            post(admin_controls::complete_order),
        )
        .route_layer(from_fn_with_state(state.clone(), idempotency::layer));
    Router::new()
        .merge(keyed)
        .route(
            "/api/v1/commands/subscriptions/{id}/accept",
            post(subscription::accept),
        )
        .route(
            "/api/v1/commands/subscriptions/{id}/reject",
            post(subscription::reject),
        )
        .route(
            "/api/v1/commands/subscriptions/{id}/deadline",
            post(subscription::extend_deadline),
        )
        .route(
            "/api/v1/commands/subscriptions/{id}/orders",
            post(order::create_order),
        )
        .route("/api/v1/commands/orders/{id}/take", post(order::take_order))
        .route(
            "/api/v1/commands/orders/{id}/messages",
            post(order::post_message),
        )
        .route(
            "/api/v1/commands/orders/{id}/attachments",
            post(attachment::post_attachment),
        )
        .route(
            "/api/v1/commands/orders/{id}/complete",
            post(order::complete_order),
        )
        .route(
            "/api/v1/commands/orders/{id}/complaints",
            post(complaint::file_complaint),
        )
        .route(
            "/api/v1/commands/complaints/{id}/withdraw",
            post(complaint::withdraw_complaint),
        )
        .route(
            "/api/v1/commands/admin/complaints/{id}/review",
            post(complaint::admin::review_complaint),
        )
        .route(
            "/api/v1/commands/admin/complaints/{id}/notes",
            post(complaint::admin::add_note),
        )
        .route(
            "/api/v1/commands/admin/messages",
            post(admin::admin_message),
        )
        // Admin controls.
        .route(
            "/api/v1/commands/admin/subscriptions/{id}/reassign",
            post(admin_controls::reassign_subscription),
        )
        .route(
            "/api/v1/commands/admin/subscriptions/{id}/deadline",
            post(admin_controls::extend_deadline),
        )
        .route(
            "/api/v1/commands/admin/orders/{id}/reassign",
            post(admin_controls::reassign_order),
        )
        .route(
            "/api/v1/commands/accounts/me/profile",
            post(account::change_profile),
        )
        .route(
            "/api/v1/commands/accounts/me/language",
            post(account::choose_language),
        )
        .route(
            "/api/v1/commands/admin/accounts/{id}/block",
            post(account::block),
        )
        .route(
            "/api/v1/commands/admin/accounts/{id}/unblock",
            post(account::unblock),
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
        .route(
            "/api/v1/commands/notifications/{id}/read",
            post(notification::mark_read),
        )
        .route(
            "/api/v1/commands/notifications/read-all",
            post(notification::mark_all_read),
        )
}

/// The whole command-api role: API routes, OpenAPI and its UI, `/healthz`,
/// `/readyz`, wrapped in [`platform::http::with_common_layers`]. Not
/// `/metrics`: that has its own listener ([`platform::metrics::serve`]).
pub fn router(state: AppState) -> Router {
    let http = state.http.clone();
    let routes = api_routes(state.clone()).merge(platform::health::router(state.pool.clone()));
    platform::http::with_common_layers(routes, &http)
}
