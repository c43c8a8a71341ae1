//! Wire types of the HTTP contract (`/work/contract.md`), as the SPA reads and sends them.

use serde::{Deserialize, Serialize};

/// Who the signed-in account is; decides the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Orders services.
    Client,
    /// Performs services of its service types.
    Provider,
    /// Handles complaints, sees everything.
    Admin,
    /// Reads the ledger.
    Auditor,
}

/// An amount of money; the amount stays a decimal string so no float ever touches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Decimal string, e.g. `"1500.00"`.
    pub amount: String,
    /// ISO 4217 code, e.g. `"RUB"`.
    pub currency: String,
}

impl Money {
    /// Amount with the currency sign (or code) after it, as Russian and English readers both expect.
    pub fn display(&self) -> String {
        let sign = match self.currency.as_str() {
            "RUB" => "₽",
            "USD" => "$",
            "EUR" => "€",
            other => other,
        };
        format!("{} {sign}", self.amount)
    }
}

/// Answer of login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque token for `/auth/refresh` and `/auth/logout`.
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The account signed in.
    pub account_id: String,
    /// Its role.
    pub role: Role,
}

/// Company part of a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Legal name.
    pub name: String,
    /// Russian taxpayer number (10 or 12 digits).
    pub inn: String,
}

/// Body of `POST /auth/register/client` and `/auth/register/provider`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// Login e-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// The company.
    pub company: Company,
    /// Person to talk to.
    pub contact_name: String,
    /// Only for providers: the service types it performs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_types: Option<Vec<String>>,
}

/// One service type of the catalog with its prices.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogItem {
    /// Stable code, e.g. `"legal"`.
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Russian name.
    pub name_ru: String,
    /// Price of a one-off request.
    pub one_off_price: Money,
    /// Price per month of a monthly subscription.
    pub monthly_price: Money,
}

/// `GET /catalog`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Catalog {
    /// All service types.
    pub items: Vec<CatalogItem>,
}

/// A subscription (a client's request, once accepted a running service).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Subscription {
    /// Its id.
    pub id: String,
    /// The client that asked.
    pub client_id: String,
    /// The provider that accepted, if any.
    pub provider_id: Option<String>,
    /// Service type code.
    pub service_type: String,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// What the client needs.
    pub description: String,
    /// `requested`, `active`, `past_due`, `suspended`, `cancelled`, `expired` or `completed`.
    pub status: String,
    /// Price per period.
    pub price: Money,
    /// Money held for it.
    pub escrow: Money,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; when an unaccepted request expires.
    #[serde(default)]
    pub acceptance_deadline: Option<String>,
    /// RFC 3339.
    pub updated_at: String,
}

/// A page of a cursor-paginated list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Cursor of the next page, `None` on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Body of `POST /commands/subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSubscription {
    /// Service type code.
    pub service_type: String,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// What the client needs.
    pub description: String,
}

/// Answer carrying a created id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Created {
    /// The new id.
    pub id: String,
}

/// `GET /wallet`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Wallet {
    /// Available money.
    pub balance: Money,
    /// Money owed to the account and not yet paid out.
    pub pending_payouts: Money,
}

/// `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Me {
    /// The account.
    pub account_id: String,
    /// Its role.
    pub role: Role,
    /// Login e-mail.
    pub email: String,
    /// Its company, none for staff.
    pub company: Option<Company>,
    /// Person to talk to.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// Provider's service types.
    #[serde(default)]
    pub service_types: Vec<String>,
}

/// One field at fault in a problem.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldProblem {
    /// Field path as sent, e.g. `"company.inn"`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// RFC 9457 problem details, as every API answers an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Problem {
    /// Problem type URI.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Short summary.
    #[serde(default)]
    pub title: Option<String>,
    /// HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What happened, for a person.
    #[serde(default)]
    pub detail: Option<String>,
    /// Fields at fault.
    #[serde(default)]
    pub errors: Vec<FieldProblem>,
    /// Domain rule broken, when one was.
    #[serde(default)]
    pub rule: Option<String>,
    /// Id to quote to support.
    #[serde(default)]
    pub request_id: Option<String>,
}
