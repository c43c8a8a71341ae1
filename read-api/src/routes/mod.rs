//! The `GET /api/v1/...` queries, and `POST /api/v1/events/tickets` (a
//! one-time ticket for the stream: the read API's one write).

pub mod admin;
pub mod attachments;
pub mod catalog;
pub mod complaints;
pub mod documents;
pub mod ledger;
pub mod me;
pub mod notifications;
pub mod orders;
pub mod subscriptions;
pub mod wallet;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Every query route, relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me::get))
        .route("/catalog", get(catalog::get))
        .route("/wallet", get(wallet::get))
        .route("/wallet/history", get(wallet::history))
        .route("/wallet/payouts", get(wallet::payouts))
        .route("/subscriptions", get(subscriptions::list))
        .route("/subscriptions/{id}", get(subscriptions::get))
        .route("/subscriptions/{id}/orders", get(subscriptions::orders))
        .route("/requests/available", get(subscriptions::available))
        .route("/orders/{id}", get(orders::get))
        .route("/orders/{id}/messages", get(orders::messages))
        // Complaints for the order's parties, and the admin console (admin/).
        .route("/complaints/{id}", get(complaints::get))
        .route("/orders/{id}/complaints", get(complaints::of_order))
        .route("/admin/complaints", get(admin::complaints::list))
        .route("/admin/complaints/{id}", get(admin::complaints::get))
        .route("/admin/orders", get(admin::orders::list))
        .route("/admin/subscriptions", get(admin::subscriptions::list))
        .route("/admin/escrow", get(admin::escrow::get))
        .route("/admin/accounts", get(admin::accounts::list))
        .route(
            "/orders/{id}/attachments/{attachment_id}",
            get(attachments::download),
        )
        .route(
            "/admin/orders/{id}/history",
            get(crate::history::route::get),
        )
        .route("/ledger/head", get(ledger::head))
        .route("/ledger/export", get(ledger::export))
        .route("/documents", get(documents::list))
        .route("/documents/register", get(documents::register))
        .route("/documents/{id}/pdf", get(documents::pdf))
        .route("/notifications", get(notifications::list))
        .route("/notifications/unread", get(notifications::unread))
        .route("/events/stream", get(crate::events::stream::handler))
        .route("/events/tickets", post(crate::events::tickets::issue))
}

/// A resource id from the path; anything but a UUID is a 400 naming `id`
/// (axum's own `Path` rejection is plain text).
#[derive(Debug, Clone, Copy)]
pub struct Id(pub uuid::Uuid);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = platform::Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| platform::Problem::bad_request(e.body_text()))?;
        raw.parse().map(Id).map_err(|_| {
            platform::Problem::bad_request("path parameter `id`: not a UUID")
                .with_field("id", "not a UUID")
        })
    }
}
