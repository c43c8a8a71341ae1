//! The admin console's side of the API: complaints, the order's chat and
//! timeline, the work overview, accounts and the catalog. Wire types live
//! here with the calls, so the console's shapes stay in one place.

use gloo_net::http::Method;
use serde::{Deserialize, Serialize};

use super::client::{authed, authed_keyed, decode, expect_empty, json, problem, with_query};
use super::types::{Money, Page, Subscription};
use super::{ApiError, encode_query_value};

/// One admin's note on a complaint (private to admins).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Note {
    /// Who wrote it.
    pub admin_id: String,
    /// What it says.
    pub text: String,
    /// RFC 3339.
    pub at: String,
}

/// How an admin split a complaint's escrow.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Resolution {
    /// Back to the client.
    pub to_client: Money,
    /// To the provider.
    pub to_provider: Money,
    /// The admin's reasoning.
    #[serde(default)]
    pub note: Option<String>,
}

/// A complaint about an order (`GET /admin/complaints`, the `complaint` event).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Complaint {
    /// The complaint.
    pub id: String,
    /// The order complained about.
    pub order_id: String,
    /// The order's subscription (whose escrow is frozen).
    pub subscription_id: String,
    /// The order's client.
    pub client_id: String,
    /// The order's provider.
    pub provider_id: String,
    /// Who filed it.
    pub filed_by: String,
    /// `client` or `provider`.
    pub filed_by_role: String,
    /// Why.
    pub reason: String,
    /// `filed`, `in_review`, `resolved` or `withdrawn`.
    pub status: String,
    /// The admin reviewing it.
    #[serde(default)]
    pub reviewer_id: Option<String>,
    /// Admins' notes, oldest first.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The split, once resolved.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// RFC 3339.
    pub filed_at: String,
    /// RFC 3339; when resolved or withdrawn.
    #[serde(default)]
    pub closed_at: Option<String>,
    /// RFC 3339.
    pub updated_at: String,
}

impl Complaint {
    /// Whether an admin may still act on it.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "filed" | "in_review")
    }
}

pub use super::orders::{Message, Order};

/// Who did a step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StepActor {
    /// `client`, `provider`, `admin` or `system`.
    pub role: String,
    /// The account.
    #[serde(default)]
    pub id: Option<String>,
}

/// One event of an order's timeline with the order's state after it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Step {
    /// 0, 1, 2… in commit order.
    pub position: u32,
    /// `order`, `subscription`, `complaint` or `money`.
    pub kind: String,
    /// The aggregate the event belongs to.
    pub aggregate_type: String,
    /// Its id.
    pub aggregate_id: String,
    /// The event's sequence in that aggregate.
    pub sequence: i64,
    /// e.g. `ComplaintResolved`.
    pub event_type: String,
    /// RFC 3339.
    pub at: String,
    /// Who caused it; none for the system's own steps.
    #[serde(default)]
    pub actor: Option<StepActor>,
    /// The event as stored.
    #[serde(default)]
    pub payload: serde_json::Value,
    /// The order as it stood after this step (field → value).
    #[serde(default)]
    pub state: serde_json::Map<String, serde_json::Value>,
    /// Fields of `state` this step changed.
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `GET /admin/orders/{id}/history`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct History {
    /// The order.
    pub order_id: String,
    /// Its steps, oldest first.
    pub steps: Vec<Step>,
}

/// `GET /admin/escrow`: money held for subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EscrowTotals {
    /// Held in all escrows.
    pub total: Money,
    /// Subscriptions holding some.
    pub subscriptions: i64,
    /// Held by escrows a complaint froze.
    pub frozen: Money,
    /// Subscriptions frozen.
    pub frozen_subscriptions: i64,
}

/// One account of `GET /admin/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    /// The account.
    pub account_id: String,
    /// `client`, `provider`, `admin` or `auditor`.
    pub role: String,
    /// Login e-mail.
    pub email: String,
    /// Its company, none for staff.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Its INN, none for staff.
    #[serde(default)]
    pub inn: Option<String>,
    /// A provider's service types.
    #[serde(default)]
    pub service_types: Vec<String>,
    /// Whether it is blocked.
    #[serde(default)]
    pub blocked: bool,
    /// RFC 3339.
    pub registered_at: String,
}

/// One service type of `GET /catalog?include_retired=true`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceType {
    /// Stable code.
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Russian name.
    pub name_ru: String,
    /// One-off price.
    pub one_off_price: Money,
    /// Monthly price.
    pub monthly_price: Money,
    /// No longer offered to new subscriptions.
    #[serde(default)]
    pub retired: bool,
}

#[derive(Deserialize)]
struct ServiceTypes {
    items: Vec<ServiceType>,
}

/// Body of `POST /commands/admin/catalog/service-types`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewServiceType {
    /// 2-32 lowercase latin letters, digits or `_`.
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Russian name.
    pub name_ru: String,
    /// Roubles, e.g. `"5000.00"`.
    pub one_off_price: String,
    /// Roubles.
    pub monthly_price: String,
}

/// Body of `POST /commands/admin/complaints/{id}/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolveBody {
    /// Roubles back to the client (zero allowed).
    pub to_client: String,
    /// Roubles to the provider (zero allowed).
    pub to_provider: String,
    /// The reasoning.
    pub note: String,
}

fn id_path(prefix: &str, id: &str, suffix: &str) -> String {
    format!("{prefix}/{}{suffix}", encode_query_value(id))
}

async fn get<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(authed(Method::GET, path, None).await?).await
}

async fn post(path: &str, body: Option<serde_json::Value>) -> Result<(), ApiError> {
    expect_empty(authed(Method::POST, path, body).await?).await
}

const COMPLAINTS: &str = "/api/v1/admin/complaints";
const COMPLAINT_COMMANDS: &str = "/api/v1/commands/admin/complaints";

/// `GET /admin/complaints?status=`: newest first; `status` empty for all.
pub async fn complaints(status: &str, cursor: Option<&str>) -> Result<Page<Complaint>, ApiError> {
    let path = with_query(
        COMPLAINTS,
        &[("status", status), ("cursor", cursor.unwrap_or(""))],
    );
    get(&path).await
}

/// `GET /admin/complaints/{id}`.
pub async fn complaint(id: &str) -> Result<Complaint, ApiError> {
    get(&id_path(COMPLAINTS, id, "")).await
}

/// `POST /commands/admin/complaints/{id}/review`.
pub async fn review(id: &str) -> Result<(), ApiError> {
    post(&id_path(COMPLAINT_COMMANDS, id, "/review"), None).await
}

/// `POST /commands/admin/complaints/{id}/notes`.
pub async fn add_note(id: &str, text: &str) -> Result<(), ApiError> {
    let body = serde_json::json!({ "text": text });
    post(&id_path(COMPLAINT_COMMANDS, id, "/notes"), Some(body)).await
}

/// `POST /commands/admin/complaints/{id}/resolve` with `key` (it moves the escrow).
pub async fn resolve(id: &str, body: &ResolveBody, key: &str) -> Result<(), ApiError> {
    let path = id_path(COMPLAINT_COMMANDS, id, "/resolve");
    expect_empty(authed_keyed(Method::POST, &path, Some(json(body)?), Some(key)).await?).await
}

/// `GET /orders/{id}`.
pub async fn order(id: &str) -> Result<Order, ApiError> {
    get(&id_path("/api/v1/orders", id, "")).await
}

/// `GET /orders/{id}/messages`: newest first.
pub async fn messages(order_id: &str, cursor: Option<&str>) -> Result<Page<Message>, ApiError> {
    let path = with_query(
        &id_path("/api/v1/orders", order_id, "/messages"),
        &[("cursor", cursor.unwrap_or(""))],
    );
    get(&path).await
}

/// Where an admin message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To<'a> {
    /// Into this order's chat.
    Order(&'a str),
    /// To this account directly (the notifier mails it).
    Account(&'a str),
}

/// `POST /commands/admin/messages`.
pub async fn message(to: To<'_>, text: &str) -> Result<(), ApiError> {
    let body = match to {
        To::Order(id) => serde_json::json!({ "order_id": id, "text": text }),
        To::Account(id) => serde_json::json!({ "account_id": id, "text": text }),
    };
    let resp = authed(Method::POST, "/api/v1/commands/admin/messages", Some(body)).await?;
    // 201 or 202 with the new id, which the console does not need.
    expect_empty(resp).await
}

/// `GET /admin/orders/{id}/history`: the raw JSON (for the export) and what it says.
pub async fn history(order_id: &str) -> Result<(String, History), ApiError> {
    let path = id_path("/api/v1/admin/orders", order_id, "/history");
    let resp = authed(Method::GET, &path, None).await?;
    if !resp.ok() {
        return Err(problem(resp).await);
    }
    let raw = resp.text().await.map_err(|_| ApiError::Network)?;
    let parsed = serde_json::from_str(&raw).map_err(|_| ApiError::Network)?;
    Ok((raw, parsed))
}

/// `GET /admin/orders?status=&frozen=`.
pub async fn orders(
    status: &str,
    frozen: &str,
    cursor: Option<&str>,
) -> Result<Page<Order>, ApiError> {
    let path = with_query(
        "/api/v1/admin/orders",
        &[
            ("status", status),
            ("frozen", frozen),
            ("cursor", cursor.unwrap_or("")),
        ],
    );
    get(&path).await
}

/// `GET /admin/subscriptions?status=&overdue=`.
pub async fn subscriptions(
    status: &str,
    overdue: bool,
    cursor: Option<&str>,
) -> Result<Page<Subscription>, ApiError> {
    let path = with_query(
        "/api/v1/admin/subscriptions",
        &[
            ("status", status),
            ("overdue", if overdue { "true" } else { "" }),
            ("cursor", cursor.unwrap_or("")),
        ],
    );
    get(&path).await
}

/// `GET /admin/escrow`.
pub async fn escrow() -> Result<EscrowTotals, ApiError> {
    get("/api/v1/admin/escrow").await
}

/// An admin's control over a subscription or an order; each carries its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Give the subscription to another provider.
    ReassignSubscription { provider_id: String },
    /// Cancel the subscription, refunding its escrow.
    CancelSubscription,
    /// A new acceptance deadline (RFC 3339).
    Deadline { until: String },
    /// Give the order to another provider.
    ReassignOrder { provider_id: String },
    /// Complete the order without waiting for both sides.
    CompleteOrder,
}

/// `POST /commands/admin/subscriptions/{id}/…` or `/orders/{id}/…` for `control`,
/// with `key` (cancelling and completing move money; the other routes ignore it).
pub async fn control(id: &str, control: &Control, reason: &str, key: &str) -> Result<(), ApiError> {
    const SUBS: &str = "/api/v1/commands/admin/subscriptions";
    const ORDERS: &str = "/api/v1/commands/admin/orders";
    let (path, body) = match control {
        Control::ReassignSubscription { provider_id } => (
            id_path(SUBS, id, "/reassign"),
            serde_json::json!({ "provider_id": provider_id, "reason": reason }),
        ),
        Control::CancelSubscription => (
            id_path(SUBS, id, "/cancel"),
            serde_json::json!({ "reason": reason }),
        ),
        Control::Deadline { until } => (
            id_path(SUBS, id, "/deadline"),
            serde_json::json!({ "until": until, "reason": reason }),
        ),
        Control::ReassignOrder { provider_id } => (
            id_path(ORDERS, id, "/reassign"),
            serde_json::json!({ "provider_id": provider_id, "reason": reason }),
        ),
        Control::CompleteOrder => (
            id_path(ORDERS, id, "/complete"),
            serde_json::json!({ "reason": reason }),
        ),
    };
    expect_empty(authed_keyed(Method::POST, &path, Some(body), Some(key)).await?).await
}

/// `GET /admin/accounts?role=&q=`.
pub async fn accounts(
    role: &str,
    q: &str,
    cursor: Option<&str>,
) -> Result<Page<Account>, ApiError> {
    let path = with_query(
        "/api/v1/admin/accounts",
        &[("role", role), ("q", q), ("cursor", cursor.unwrap_or(""))],
    );
    get(&path).await
}

/// `POST /commands/admin/accounts/{id}/block` (with the reason) or `/unblock`.
pub async fn set_blocked(id: &str, blocked: bool, reason: &str) -> Result<(), ApiError> {
    const ACCOUNTS: &str = "/api/v1/commands/admin/accounts";
    if blocked {
        let body = serde_json::json!({ "reason": reason });
        post(&id_path(ACCOUNTS, id, "/block"), Some(body)).await
    } else {
        post(&id_path(ACCOUNTS, id, "/unblock"), None).await
    }
}

const SERVICE_TYPES: &str = "/api/v1/commands/admin/catalog/service-types";

/// `GET /catalog?include_retired=true`.
pub async fn service_types() -> Result<Vec<ServiceType>, ApiError> {
    let list: ServiceTypes = get("/api/v1/catalog?include_retired=true").await?;
    Ok(list.items)
}

/// `POST /commands/admin/catalog/service-types`.
pub async fn add_service_type(body: &NewServiceType) -> Result<(), ApiError> {
    let resp = authed(Method::POST, SERVICE_TYPES, Some(json(body)?)).await?;
    expect_empty(resp).await
}

/// `POST /commands/admin/catalog/service-types/{code}/prices`.
pub async fn change_prices(code: &str, one_off: &str, monthly: &str) -> Result<(), ApiError> {
    let body = serde_json::json!({ "one_off_price": one_off, "monthly_price": monthly });
    post(&id_path(SERVICE_TYPES, code, "/prices"), Some(body)).await
}

/// `POST /commands/admin/catalog/service-types/{code}/retire` or `/restore`.
pub async fn set_retired(code: &str, retired: bool) -> Result<(), ApiError> {
    let suffix = if retired { "/retire" } else { "/restore" };
    post(&id_path(SERVICE_TYPES, code, suffix), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_reads_as_the_read_api_writes_it() {
        let c: Complaint = serde_json::from_str(
            r#"{"id":"c1","order_id":"o1","subscription_id":"s1","client_id":"a","provider_id":"b",
                "filed_by":"a","filed_by_role":"client","reason":"Nothing was delivered",
                "status":"resolved","reviewer_id":"adm",
                "notes":[{"admin_id":"adm","text":"Called both","at":"2026-11-02T10:00:00Z"}],
                "resolution":{"to_client":{"amount":"900.00","currency":"RUB"},
                              "to_provider":{"amount":"600.00","currency":"RUB"},"note":"60/40"},
                "filed_at":"2026-11-01T10:00:00Z","closed_at":"2026-11-03T10:00:00Z",
                "updated_at":"2026-11-03T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(c.notes[0].text, "Called both");
        assert!(!c.is_open());
        assert_eq!(c.resolution.unwrap().to_client.amount, "900.00");
    }

    #[test]
    fn a_step_keeps_its_state_and_changed_fields() {
        let s: Step = serde_json::from_str(
            r#"{"position":3,"kind":"complaint","aggregate_type":"complaint","aggregate_id":"c1",
                "sequence":2,"event_type":"ComplaintResolved","at":"2026-11-03T10:00:00Z",
                "actor":{"role":"admin","id":"adm"},"payload":{"note":"x"},
                "state":{"status":"in_progress","frozen_by":null},"changed":["frozen_by"]}"#,
        )
        .unwrap();
        assert_eq!(s.changed, ["frozen_by"]);
        assert!(s.state.contains_key("frozen_by"));
        assert_eq!(s.actor.unwrap().role, "admin");
    }
}
