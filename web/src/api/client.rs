//! HTTP calls (relative URLs, same origin) with bearer auth and one refresh on 401.

use futures_util::lock::Mutex;
use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::attachment::{Attachment, filename_from_disposition};
use super::types::{
    Catalog, CatalogItem, Created, Document, LedgerExportQuery, LedgerHead, Movement,
    NewSubscription, Notification, Page, Payout, Problem, Registration, SandboxPayment,
    Subscription, TokenResponse, TopUp, TopUpCreated, TransferCreated, UnreadCount, Wallet,
    Withdrawal,
};
use crate::i18n::Strings;
use crate::session::{self, Session};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The API answered with problem details.
    Problem(Box<Problem>),
    /// No answer, or one that is not ours (proxy error page, broken JSON).
    Network,
    /// The session is gone: refresh failed too. The session has been cleared.
    Unauthorized,
}

impl ApiError {
    /// A message for a person, in the current language.
    pub fn message(&self, t: &Strings) -> String {
        match self {
            ApiError::Problem(p) => p
                .detail
                .clone()
                .or_else(|| p.title.clone())
                .unwrap_or_else(|| t.unexpected_error.to_string()),
            ApiError::Network => t.network_error.to_string(),
            ApiError::Unauthorized => t.session_expired.to_string(),
        }
    }
}

/// What every JSON call accepts (errors come as `application/problem+json` either way).
const JSON: &str = "application/json";

/// Serialises refreshes: parallel 401s must not spend the same refresh token twice.
static REFRESH_LOCK: Mutex<()> = Mutex::new(());

async fn send(
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
    token: Option<&str>,
) -> Result<Response, ApiError> {
    send_keyed(method, path, body, token, None, JSON).await
}

async fn send_keyed(
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
    token: Option<&str>,
    idempotency_key: Option<&str>,
    accept: &str,
) -> Result<Response, ApiError> {
    let mut builder = RequestBuilder::new(path)
        .method(method)
        .header("Accept", accept);
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(key) = idempotency_key {
        builder = builder.header("Idempotency-Key", key);
    }
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|_| ApiError::Network)?;
    request.send().await.map_err(|_| ApiError::Network)
}

/// Reads the body of a failed answer as problem details.
pub(super) async fn problem(resp: Response) -> ApiError {
    let status = resp.status();
    match resp.text().await {
        Ok(text) => match serde_json::from_str::<Problem>(&text) {
            Ok(mut p) => {
                if p.status == 0 {
                    p.status = status;
                }
                ApiError::Problem(Box::new(p))
            }
            Err(_) if status >= 500 || status == 0 => ApiError::Network,
            Err(_) => ApiError::Problem(Box::new(Problem {
                status,
                title: Some(resp_status_title(status)),
                ..Problem::default()
            })),
        },
        Err(_) => ApiError::Network,
    }
}

fn resp_status_title(status: u16) -> String {
    format!("HTTP {status}")
}

pub(super) async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(|_| ApiError::Network)
    } else {
        Err(problem(resp).await)
    }
}

pub(super) async fn expect_empty(resp: Response) -> Result<(), ApiError> {
    if resp.ok() {
        Ok(())
    } else {
        Err(problem(resp).await)
    }
}

/// After a 401 with `used_token`: makes sure the session holds a fresher token.
/// A refused refresh ends the session; a network failure keeps it for the next try.
pub(super) async fn refresh_after_401(used_token: &str) -> Result<(), ApiError> {
    let _guard = REFRESH_LOCK.lock().await;
    let Some(current) = session::current() else {
        return Err(ApiError::Unauthorized);
    };
    if current.access_token != used_token {
        // Another call refreshed while this one waited for the lock.
        return Ok(());
    }
    match refresh_tokens().await {
        Ok(tokens) => {
            session::set(Session::from_tokens(tokens));
            Ok(())
        }
        Err(ApiError::Network) => Err(ApiError::Network),
        Err(_) => {
            session::clear();
            Err(ApiError::Unauthorized)
        }
    }
}

/// On start: signs back in with the refresh cookie, if the browser holds a
/// live one (a reload, a new tab), then marks the restore done either way.
pub async fn restore_session() {
    {
        let _guard = REFRESH_LOCK.lock().await;
        if session::current().is_none()
            && let Ok(tokens) = refresh_tokens().await
        {
            session::set(Session::from_tokens(tokens));
        }
    }
    session::restored();
}

/// A call as the signed-in account, refreshing the tokens once on 401.
pub(super) async fn authed(
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<Response, ApiError> {
    authed_keyed(method, path, body, None).await
}

/// [`authed`] with an `Idempotency-Key` (the same on the retry after a refresh:
/// a 401 means nothing committed, and the key is the submit's).
pub(super) async fn authed_keyed(
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
    key: Option<&str>,
) -> Result<Response, ApiError> {
    authed_accepting(method, path, body, key, JSON).await
}

/// [`authed_keyed`] asking for `accept` (a file rather than JSON).
async fn authed_accepting(
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
    key: Option<&str>,
    accept: &str,
) -> Result<Response, ApiError> {
    let Some(s) = session::current() else {
        return Err(ApiError::Unauthorized);
    };
    let resp = send_keyed(
        method.clone(),
        path,
        body.as_ref(),
        Some(&s.access_token),
        key,
        accept,
    )
    .await?;
    if resp.status() != 401 {
        return Ok(resp);
    }
    refresh_after_401(&s.access_token).await?;
    let Some(s) = session::current() else {
        return Err(ApiError::Unauthorized);
    };
    let resp = send_keyed(
        method,
        path,
        body.as_ref(),
        Some(&s.access_token),
        key,
        accept,
    )
    .await?;
    if resp.status() == 401 {
        session::clear();
        return Err(ApiError::Unauthorized);
    }
    Ok(resp)
}

pub(super) fn json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|_| ApiError::Network)
}

/// Makes sure the access token is fresh enough to open the event stream with
/// (EventSource cannot tell a 401 from a dropped connection).
pub async fn ensure_fresh_token() -> Result<(), ApiError> {
    authed(Method::GET, "/api/v1/me", None).await.map(drop)
}

/// `POST /auth/refresh` with no body: the browser sends the HttpOnly refresh
/// cookie (same origin), and the answer sets its successor.
async fn refresh_tokens() -> Result<TokenResponse, ApiError> {
    decode(send(Method::POST, "/api/v1/auth/refresh", None, None).await?).await
}

/// `POST /auth/login`; keeps the session in memory on success (the refresh
/// token stays in its HttpOnly cookie).
pub async fn login(email: &str, password: &str) -> Result<Session, ApiError> {
    let body = serde_json::json!({ "email": email, "password": password });
    let tokens: TokenResponse =
        decode(send(Method::POST, "/api/v1/auth/login", Some(&body), None).await?).await?;
    let s = Session::from_tokens(tokens);
    session::set(s.clone());
    Ok(s)
}

/// `POST /auth/logout` (best effort: the server revokes the cookie's token
/// and clears the cookie), then forgets the session.
pub async fn logout() {
    let _ = send(Method::POST, "/api/v1/auth/logout", None, None).await;
    session::clear();
}

/// `POST /auth/register/client` or `/auth/register/provider` (when `service_types` is set).
pub async fn register(reg: &Registration) -> Result<(), ApiError> {
    let path = if reg.service_types.is_some() {
        "/api/v1/auth/register/provider"
    } else {
        "/api/v1/auth/register/client"
    };
    expect_empty(send(Method::POST, path, Some(&json(reg)?), None).await?).await
}

/// `GET /catalog` (public).
pub async fn catalog() -> Result<Vec<CatalogItem>, ApiError> {
    let c: Catalog = decode(send(Method::GET, "/api/v1/catalog", None, None).await?).await?;
    Ok(c.items)
}

pub(super) fn with_cursor(path: &str, cursor: Option<&str>) -> String {
    match cursor {
        // Cursors are opaque; keep them intact in the query.
        Some(c) => format!("{path}?cursor={}", encode_query_value(c)),
        None => path.to_string(),
    }
}

/// `path` with the non-empty `params` as its query (empty ones mean "no filter").
pub(super) fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /subscriptions`: the caller's own, won or (admin) all subscriptions.
pub async fn subscriptions(cursor: Option<&str>) -> Result<Page<Subscription>, ApiError> {
    let path = with_cursor("/api/v1/subscriptions", cursor);
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /requests/available` (provider).
pub async fn available_requests(cursor: Option<&str>) -> Result<Page<Subscription>, ApiError> {
    let path = with_cursor("/api/v1/requests/available", cursor);
    decode(authed(Method::GET, &path, None).await?).await
}

/// `POST /commands/subscriptions` with `key` (it moves the first period's money) → the new id.
pub async fn create_subscription(req: &NewSubscription, key: &str) -> Result<String, ApiError> {
    let created: Created = decode(
        authed_keyed(
            Method::POST,
            "/api/v1/commands/subscriptions",
            Some(json(req)?),
            Some(key),
        )
        .await?,
    )
    .await?;
    Ok(created.id)
}

/// `POST /commands/subscriptions/{id}/accept`.
pub async fn accept(id: &str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/commands/subscriptions/{}/accept",
        encode_query_value(id)
    );
    expect_empty(authed(Method::POST, &path, None).await?).await
}

/// `POST /commands/subscriptions/{id}/reject`.
pub async fn reject(id: &str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/commands/subscriptions/{}/reject",
        encode_query_value(id)
    );
    expect_empty(authed(Method::POST, &path, None).await?).await
}

/// `GET /notifications`: the caller's, newest first.
pub async fn notifications(cursor: Option<&str>) -> Result<Page<Notification>, ApiError> {
    let path = with_cursor("/api/v1/notifications", cursor);
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /notifications/unread`.
pub async fn unread_notifications() -> Result<UnreadCount, ApiError> {
    decode(authed(Method::GET, "/api/v1/notifications/unread", None).await?).await
}

/// `POST /commands/notifications/read-all`.
pub async fn mark_notifications_read() -> Result<(), ApiError> {
    expect_empty(
        authed(
            Method::POST,
            "/api/v1/commands/notifications/read-all",
            None,
        )
        .await?,
    )
    .await
}

/// `GET /wallet`.
pub async fn wallet() -> Result<Wallet, ApiError> {
    decode(authed(Method::GET, "/api/v1/wallet", None).await?).await
}

/// `GET /wallet/history`: movements, newest first.
pub async fn wallet_history(cursor: Option<&str>) -> Result<Page<Movement>, ApiError> {
    let path = with_cursor("/api/v1/wallet/history", cursor);
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /wallet/payouts`: withdrawals, newest first.
pub async fn wallet_payouts(cursor: Option<&str>) -> Result<Page<Payout>, ApiError> {
    let path = with_cursor("/api/v1/wallet/payouts", cursor);
    decode(authed(Method::GET, &path, None).await?).await
}

/// `POST /commands/wallet/top-ups` with `key` → where to pay.
pub async fn top_up(req: &TopUp, key: &str) -> Result<TopUpCreated, ApiError> {
    let path = "/api/v1/commands/wallet/top-ups";
    decode(authed_keyed(Method::POST, path, Some(json(req)?), Some(key)).await?).await
}

/// `POST /commands/wallet/withdrawals` with `key`.
pub async fn withdraw(req: &Withdrawal, key: &str) -> Result<TransferCreated, ApiError> {
    let path = "/api/v1/commands/wallet/withdrawals";
    decode(authed_keyed(Method::POST, path, Some(json(req)?), Some(key)).await?).await
}

/// `GET /subscriptions/{id}`.
pub async fn subscription(id: &str) -> Result<Subscription, ApiError> {
    let path = format!("/api/v1/subscriptions/{}", encode_query_value(id));
    decode(authed(Method::GET, &path, None).await?).await
}

/// `POST /commands/accounts/me/language`.
pub async fn choose_language(code: &str) -> Result<(), ApiError> {
    let body = serde_json::json!({ "language": code });
    let path = "/api/v1/commands/accounts/me/language";
    expect_empty(authed(Method::POST, path, Some(body)).await?).await
}

/// `POST /commands/subscriptions/{id}/deadline`: a new deadline (RFC 3339),
/// or `None` to keep waiting without one.
pub async fn extend_deadline(id: &str, until: Option<String>) -> Result<(), ApiError> {
    let body = serde_json::json!({ "until": until });
    let path = format!(
        "/api/v1/commands/subscriptions/{}/deadline",
        encode_query_value(id)
    );
    expect_empty(authed(Method::POST, &path, Some(body)).await?).await
}

/// `POST /commands/subscriptions/{id}/cancel` with `key`.
pub async fn cancel_subscription(id: &str, key: &str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/commands/subscriptions/{}/cancel",
        encode_query_value(id)
    );
    expect_empty(authed_keyed(Method::POST, &path, None, Some(key)).await?).await
}

/// A call to the payment sandbox: as the signed-in account when there is
/// one (the page is the gateway's and may be opened signed out).
async fn sandbox(method: Method, path: &str) -> Result<Response, ApiError> {
    if session::current().is_some() {
        authed(method, path, None).await
    } else {
        send(method, path, None, None).await
    }
}

/// `GET /payments/sandbox/{payment_id}`.
pub async fn sandbox_payment(payment_id: &str) -> Result<SandboxPayment, ApiError> {
    let path = format!(
        "/api/v1/payments/sandbox/{}",
        encode_query_value(payment_id)
    );
    decode(sandbox(Method::GET, &path).await?).await
}

/// `POST /payments/sandbox/{payment_id}/approve` (`approve`) or `/decline`.
pub async fn sandbox_decide(payment_id: &str, approve: bool) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/payments/sandbox/{}/{}",
        encode_query_value(payment_id),
        if approve { "approve" } else { "decline" }
    );
    expect_empty(sandbox(Method::POST, &path).await?).await
}

/// `GET /ledger/head` (auditor, admin).
pub async fn ledger_head() -> Result<LedgerHead, ApiError> {
    decode(authed(Method::GET, "/api/v1/ledger/head", None).await?).await
}

/// `GET /ledger/export` (auditor, admin): the whole file, CSV or JSON Lines as `q.format` says.
pub async fn ledger_export(q: &LedgerExportQuery) -> Result<Attachment, ApiError> {
    let path = with_query(
        "/api/v1/ledger/export",
        &[
            ("from", &q.from),
            ("to", &q.to),
            ("account", &q.account),
            ("format", &q.format),
        ],
    );
    let accept = if q.format == "jsonl" {
        "application/x-ndjson, application/problem+json"
    } else {
        "text/csv, application/problem+json"
    };
    attachment(&path, accept).await
}

/// `GET /documents`: the closing documents the caller may see, newest first.
pub async fn documents(cursor: Option<&str>) -> Result<Page<Document>, ApiError> {
    let path = with_cursor("/api/v1/documents", cursor);
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /documents/{id}/pdf`: one act as PDF.
pub async fn document_pdf(document_id: &str) -> Result<Attachment, ApiError> {
    let path = format!("/api/v1/documents/{}/pdf", encode_query_value(document_id));
    attachment(&path, "application/pdf, application/problem+json").await
}

/// `GET /documents/register` (auditor, admin): the acts of the days `from`..=`to` as CSV.
pub async fn documents_register(from: &str, to: &str) -> Result<Attachment, ApiError> {
    let path = with_query("/api/v1/documents/register", &[("from", from), ("to", to)]);
    attachment(&path, "text/csv, application/problem+json").await
}

/// A `GET` answered with a file, read whole: the browser can only be handed
/// a file the app holds (see [`Attachment`]). An error is problem details as usual.
pub(super) async fn attachment(path: &str, accept: &str) -> Result<Attachment, ApiError> {
    let resp = authed_accepting(Method::GET, path, None, None, accept).await?;
    if !resp.ok() {
        return Err(problem(resp).await);
    }
    let headers = resp.headers();
    let content_type = headers
        .get("Content-Type")
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let filename = headers
        .get("Content-Disposition")
        .as_deref()
        .and_then(filename_from_disposition);
    let bytes = resp.binary().await.map_err(|_| ApiError::Network)?;
    Ok(Attachment {
        bytes,
        content_type,
        filename,
    })
}

/// `POST /events/tickets`: a one-time ticket to open the event stream with
/// (EventSource cannot send the token, and a token in the URL would stay in
/// proxies' logs). It works once, for about 30 s: fetch one per connection.
pub async fn stream_ticket() -> Result<String, ApiError> {
    #[derive(serde::Deserialize)]
    struct Ticket {
        ticket: String,
    }
    let t: Ticket = decode(authed(Method::POST, "/api/v1/events/tickets", None).await?).await?;
    Ok(t.ticket)
}

/// URL of the event stream opened with `ticket` (from [`stream_ticket`]).
pub fn event_stream_url(ticket: &str) -> String {
    format!(
        "/api/v1/events/stream?ticket={}",
        encode_query_value(ticket)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_keep_unreserved_and_encode_the_rest() {
        assert_eq!(encode_query_value("aZ09-_.~"), "aZ09-_.~");
        assert_eq!(encode_query_value("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert_eq!(encode_query_value("ж"), "%D0%B6");
    }

    #[test]
    fn empty_query_values_are_left_out_and_the_rest_encoded() {
        assert_eq!(
            with_query("/x", &[("from", ""), ("to", "")]),
            "/x",
            "no filter, no query"
        );
        assert_eq!(
            with_query(
                "/api/v1/ledger/export",
                &[
                    ("from", "2026-11-01"),
                    ("to", ""),
                    ("account", "wallet:0f0e"),
                    ("format", "csv")
                ]
            ),
            "/api/v1/ledger/export?from=2026-11-01&account=wallet%3A0f0e&format=csv"
        );
    }

    #[test]
    fn stream_url_carries_the_ticket_never_the_token() {
        assert_eq!(
            event_stream_url("a-b_c"),
            "/api/v1/events/stream?ticket=a-b_c"
        );
    }

    #[test]
    fn problem_message_prefers_detail_then_title() {
        let t = &crate::i18n::EN;
        let p = Problem {
            title: Some("Conflict".into()),
            detail: Some("Already accepted".into()),
            ..Problem::default()
        };
        assert_eq!(
            ApiError::Problem(Box::new(p)).message(t),
            "Already accepted"
        );
        let p = Problem {
            title: Some("Conflict".into()),
            ..Problem::default()
        };
        assert_eq!(ApiError::Problem(Box::new(p)).message(t), "Conflict");
        assert_eq!(ApiError::Network.message(t), t.network_error);
    }
}
