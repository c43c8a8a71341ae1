//! The OpenAPI 3.1 description of read-api, at `/api/v1/read/openapi.json`
//! (command-api owns `/api/v1/openapi.json`), with an interactive UI at
//! `/api/v1/read/docs`.

use crate::events;
use crate::model::{
    AdminAccount, Catalog, CatalogItem, Company, Complaint, Me, Message, MessageAttachment,
    Movement, Notification, Order, Payout, Resolution, Subscription, UnreadCount, Wallet,
};
use crate::money::Money;
use crate::page::Page;
use crate::routes;
use crate::routes::admin::escrow::EscrowTotals;
use crate::routes::documents::{ClosingDocument, DocumentParty};
use crate::routes::ledger::LedgerHead;
use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_scalar::{Scalar, Servable};

/// Where the description is served.
pub const SPEC_PATH: &str = "/api/v1/read/openapi.json";
/// Where its UI is served.
pub const UI_PATH: &str = "/api/v1/read/docs";

/// An RFC 9457 problem, as every error is answered (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDoc {
    /// A URI reference naming the kind of problem, e.g. `/problems/bad-request`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// This occurrence, explained for a person.
    pub detail: Option<String>,
    /// The request path.
    pub instance: Option<String>,
    /// The fields (query parameters) at fault: `[{field, message}]`.
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<Vec<serde_json::Value>>,
    /// The request id, to quote to support.
    pub request_id: Option<String>,
}

/// The answers every route shares (a malformed path id is a 400 naming `id`).
const COMMON_ANSWERS: platform::openapi::CommonAnswers = platform::openapi::CommonAnswers {
    problem_schema: "ProblemDoc",
    malformed_id: 400,
};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// read-api's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Hub read-api", description = "Queries over the read models, cursor-paginated, and live changes over SSE."),
    paths(
        routes::me::get,
        routes::catalog::get,
        routes::wallet::get,
        routes::wallet::history,
        routes::wallet::payouts,
        routes::subscriptions::list,
        routes::subscriptions::get,
        routes::subscriptions::orders,
        routes::subscriptions::available,
        routes::orders::get,
        routes::orders::messages,
        routes::complaints::get,
        routes::complaints::of_order,
        routes::admin::complaints::list,
        routes::admin::complaints::get,
        routes::admin::orders::list,
        routes::admin::subscriptions::list,
        routes::admin::escrow::get,
        routes::admin::accounts::list,
        routes::attachments::download,
        routes::notifications::list,
        routes::notifications::unread,
        routes::ledger::head,
        routes::ledger::export,
        routes::documents::list,
        routes::documents::pdf,
        routes::documents::register,
        events::stream::handler,
        events::tickets::issue,
        crate::history::route::get,
    ),
    components(schemas(ProblemDoc, Money, Subscription, Order, Message, MessageAttachment, Complaint, Resolution, Wallet, Me, Company,
                       Catalog, CatalogItem, Notification, UnreadCount, Movement, Payout, Page<Subscription>, Page<Order>,
                       Page<Message>, Page<Complaint>, Page<Notification>, Page<Movement>, Page<Payout>,
                       LedgerHead, ClosingDocument, DocumentParty, Page<ClosingDocument>,
                       AdminAccount, Page<AdminAccount>, EscrowTotals,
                       crate::history::History, crate::history::Step, crate::history::StepActor,
                       crate::history::Kind, crate::history::OrderView, events::tickets::StreamTicket)),
    modifiers(&BearerAuth, &COMMON_ANSWERS),
)]
pub struct ApiDoc;

/// The description and its UI.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let doc = ApiDoc::openapi();
    let json = doc.clone();
    Router::new()
        .route(SPEC_PATH, get(move || async move { axum::Json(json) }))
        .merge(Scalar::with_url(UI_PATH, doc))
}
