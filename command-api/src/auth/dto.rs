//! Request and response bodies of the identity endpoints.

use super::password::Password;
use domain::{AccountId, Email, Inn, Role, ServiceType};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A company as given at registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyBody {
    /// Legal name, 1 to 200 characters.
    pub name: String,
    /// Taxpayer number: 10 or 12 digits with valid check digits.
    #[schema(value_type = String, example = "7707083893")]
    pub inn: Inn,
}

/// `POST /api/v1/auth/register/client`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterClientRequest {
    /// Login and contact address.
    #[schema(value_type = String, format = Email, example = "buyer@example.ru")]
    pub email: Email,
    /// 10 to 128 characters.
    #[schema(value_type = String, min_length = 10, max_length = 128)]
    pub password: Password,
    /// The buying company.
    pub company: CompanyBody,
    /// The person to talk to.
    pub contact_name: String,
    /// `ru` (the default) or `en`: the language of the account's mail and
    /// notifications.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ru")]
    pub language: Option<domain::Language>,
}

/// `POST /api/v1/auth/register/provider`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterProviderRequest {
    /// Login and contact address.
    #[schema(value_type = String, format = Email, example = "seller@example.ru")]
    pub email: Email,
    /// 10 to 128 characters.
    #[schema(value_type = String, min_length = 10, max_length = 128)]
    pub password: Password,
    /// The serving company.
    pub company: CompanyBody,
    /// Service type codes served, e.g. `["legal"]`.
    #[schema(value_type = Vec<String>, example = json!(["legal"]))]
    pub service_types: Vec<ServiceType>,
    /// The person to talk to; the company name when absent.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// `ru` (the default) or `en`: the language of the account's mail and
    /// notifications.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ru")]
    pub language: Option<domain::Language>,
}

/// The new account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegisteredResponse {
    /// The account id.
    #[schema(value_type = uuid::Uuid)]
    pub account_id: AccountId,
    /// `client` or `provider`.
    #[schema(value_type = String)]
    pub role: Role,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The registered email.
    pub email: String,
    /// The password.
    #[schema(value_type = String)]
    pub password: String,
}

/// `POST /api/v1/auth/refresh` and `/logout`: the body is optional. Browsers
/// send none and present the `hub_refresh` cookie instead; API clients (the
/// CLI, the bench, scripts) may pass the token here.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh; when absent, the
    /// `hub_refresh` cookie's.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// A token pair.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Single use: exchange it at `/refresh` for a new pair. The answer also
    /// sets it as the `hub_refresh` cookie (HttpOnly), which is all a browser
    /// needs; it is left out here when the refresh came from that cookie, so a
    /// script in the page never sees a refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The signed-in account, so the SPA needs no second round trip.
    #[schema(value_type = String, format = Uuid)]
    pub account_id: domain::AccountId,
    /// Its role: `client`, `provider`, `admin` or `auditor`.
    #[schema(value_type = String)]
    pub role: Role,
    /// Its email (a reloaded SPA learns it here).
    pub email: String,
}
