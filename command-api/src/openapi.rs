//! The OpenAPI 3.1 document at `/api/v1/openapi.json` and an interactive
//! reference (Scalar, loaded from its CDN by the browser) at `/api/v1/docs`.

use crate::AppState;
use crate::auth::{dto, handlers};

use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_scalar::{Scalar, Servable};

/// The command API's document. New endpoints add their handler to `paths`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Hub command API", description = "The write side: identity and commands."),
    paths(
        handlers::register_client,
        handlers::register_provider,
        handlers::login,
        handlers::refresh,
        handlers::logout,
        handlers::whoami,
        crate::wallet::top_up,
        crate::wallet::withdraw,
        crate::subscription::request,
        crate::subscription::accept,
        crate::subscription::reject,
        crate::subscription::extend_deadline,
        crate::subscription::cancel,
        crate::account::change_profile,
        crate::account::choose_language,
        crate::account::block,
        crate::account::unblock,
        crate::catalog::add_service_type,
        crate::catalog::change_prices,
        crate::catalog::retire,
        crate::catalog::restore,
        crate::order::create_order,
        crate::order::take_order,
        crate::order::post_message,
        crate::order::complete_order,
        crate::attachment::post_attachment,
        crate::complaint::file_complaint,
        crate::complaint::withdraw_complaint,
        crate::complaint::admin::review_complaint,
        crate::complaint::admin::add_note,
        crate::complaint::admin::resolve_complaint,
        crate::admin::admin_message,
        crate::admin_controls::reassign_subscription,
        crate::admin_controls::reassign_order,
        crate::admin_controls::cancel_subscription,
        crate::admin_controls::extend_deadline,
        crate::admin_controls::complete_order,
        crate::notification::mark_read,
        crate::notification::mark_all_read,
        crate::payments::webhook::receive,
        crate::payments::sandbox::show,
        crate::payments::sandbox::approve,
        crate::payments::sandbox::decline,
    ),
    components(schemas(
        dto::CompanyBody,
        dto::RegisterClientRequest,
        dto::RegisterProviderRequest,
        dto::RegisteredResponse,
        dto::LoginRequest,
        dto::RefreshRequest,
        dto::TokenResponse,
        crate::wallet::TopUpRequest,
        crate::notification::Marked,
        crate::wallet::WithdrawalRequest,
        crate::wallet::BankBody,
        crate::wallet::TransferCreated,
        crate::wallet::TopUpCreated,
        crate::payments::webhook::WebhookBody,
        crate::payments::webhook::CallbackStatus,
        crate::payments::webhook::WebhookApplied,
        crate::payments::sandbox::SandboxPayment,
        crate::payments::lookup::PaymentStatus,
        crate::payments::MoneyBody,
        crate::subscription::SubscriptionRequest,
        crate::subscription::SubscriptionCreated,
        crate::subscription::DeadlineRequest,
        crate::account::ChangeProfileRequest,
        crate::account::LanguageRequest,
        crate::account::BlockRequest,
        crate::catalog::AddServiceTypeRequest,
        crate::catalog::ChangePricesRequest,
        crate::catalog::ServiceTypeCreated,
        crate::admin_controls::ReassignRequest,
        crate::admin_controls::ReasonRequest,
        crate::admin_controls::AdminDeadlineRequest,
        crate::attachment::AttachmentCreated,
        platform::Problem,
        platform::FieldError,
    )),
    modifiers(&BearerAuth, &COMMON_ANSWERS),
    tags(
        (name = "auth", description = "Registration, login and tokens"),
        (name = "wallet", description = "Top-ups and withdrawals"),
        (name = "payments", description = "The payment gateway's signed webhook and the sandbox acquirer"),
        (name = "subscriptions", description = "Requests, accepts, rejects, deadlines, cancels"),
        (name = "accounts", description = "Profiles and blocking"),
        (name = "catalog", description = "The admin's service types and prices"),
    )
)]
pub struct ApiDoc;

/// The answers every route shares (a malformed path id names nothing: 404).
const COMMON_ANSWERS: platform::openapi::CommonAnswers = platform::openapi::CommonAnswers {
    problem_schema: "Problem",
    malformed_id: 404,
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

/// `GET /api/v1/openapi.json` and `GET /api/v1/docs`.
pub fn routes() -> Router<AppState> {
    let doc = ApiDoc::openapi();
    let json = doc.clone();
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move { axum::Json(json) }
            }),
        )
        .merge(Scalar::with_url("/api/v1/docs", doc))
}
