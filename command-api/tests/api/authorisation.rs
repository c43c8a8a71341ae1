//! The authorisation matrix of every route in the command API's OpenAPI
//! document: who gets past its gate. Each route is called by each caller
//! with a body that passes the extractors (so a refusal is the gate's, not
//! the body's) and ids that name nothing; the finer rules (whose order,
//! which state) are work_matrix.rs's and money_matrix.rs's. A route served
//! in the document but missing from the table fails the test.

use crate::helpers::*;
use domain::{AccountId, Role};
use platform::openapi::operations;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

/// What one caller gets from one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    /// 401: a token is required.
    U,
    /// 403: the caller's role may not.
    F,
    /// Past the gate: the route's own answer, never 401, 403 or a 5xx.
    A,
    /// A public route: it ignores the token, so every caller gets the same
    /// status (never a 5xx).
    P,
}
use Out::{A, F, P, U};

/// The callers, in the order of [`Row::expect`].
const CALLERS: [&str; 5] = ["anonymous", "client", "provider", "admin", "auditor"];
const PUBLIC: [Out; 5] = [P, P, P, P, P];
const SIGNED_IN: [Out; 5] = [U, A, A, A, A];
const ADMIN: [Out; 5] = [U, F, F, A, F];
const CLIENT: [Out; 5] = [U, A, F, F, F];
const PROVIDER: [Out; 5] = [U, F, A, F, F];
const PARTIES: [Out; 5] = [U, A, A, F, F];
const PARTIES_AND_ADMIN: [Out; 5] = [U, A, A, A, F];
const CLIENT_AND_ADMIN: [Out; 5] = [U, A, F, A, F];

/// One route: its method and path as the document spells them, who gets
/// past it, and a body that passes its extractors (`{n}` is the caller's
/// index, for bodies that must differ per call).
struct Row {
    method: &'static str,
    path: &'static str,
    expect: [Out; 5],
    body: Option<&'static str>,
}

const fn row(
    method: &'static str,
    path: &'static str,
    expect: [Out; 5],
    body: Option<&'static str>,
) -> Row {
    Row {
        method,
        path,
        expect,
        body,
    }
}

// One line a route reads as a table.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    let r = row;
    let reason = Some(r#"{"reason": "because"}"#);
    let reassign =
        Some(r#"{"provider_id": "7f1b0c84-5a5e-4a8e-9c1e-3d5f0c6e2b11", "reason": "because"}"#);
    vec![
        // Identity: public, but for who am I.
        r("POST", "/api/v1/auth/login", PUBLIC, Some(r#"{"email": "nobody@example.ru", "password": "wrong password"}"#)),
        r("POST", "/api/v1/auth/logout", PUBLIC, Some(r#"{"refresh_token": "not-a-token"}"#)),
        r("POST", "/api/v1/auth/refresh", PUBLIC, Some(r#"{"refresh_token": "not-a-token"}"#)),
        r("POST", "/api/v1/auth/register/client", PUBLIC, Some(r#"{"email": "buyer{n}@example.ru", "password": "correct horse battery", "company": {"name": "Roga", "inn": "7707083893"}, "contact_name": "Ivan"}"#)),
        r("POST", "/api/v1/auth/register/provider", PUBLIC, Some(r#"{"email": "seller{n}@example.ru", "password": "correct horse battery", "company": {"name": "Kopyta", "inn": "7707083893"}, "service_types": ["legal"]}"#)),
        r("GET", "/api/v1/auth/whoami", SIGNED_IN, None),
        // Accounts: one's own; blocking is the admin's.
        r("POST", "/api/v1/commands/accounts/me/language", SIGNED_IN, Some(r#"{"language": "en"}"#)),
        r("POST", "/api/v1/commands/accounts/me/profile", SIGNED_IN, Some(r#"{"contact_name": "Ivan"}"#)),
        r("POST", "/api/v1/commands/admin/accounts/{id}/block", ADMIN, reason),
        r("POST", "/api/v1/commands/admin/accounts/{id}/unblock", ADMIN, None),
        // The catalog is the admin's.
        r("POST", "/api/v1/commands/admin/catalog/service-types", ADMIN, Some(r#"{"code": "audit{n}", "name_en": "Audit", "name_ru": "Аудит", "one_off_price": "5000.00", "monthly_price": "20000.00"}"#)),
        r("POST", "/api/v1/commands/admin/catalog/service-types/{code}/prices", ADMIN, Some(r#"{"one_off_price": "5000.00", "monthly_price": "20000.00"}"#)),
        r("POST", "/api/v1/commands/admin/catalog/service-types/{code}/restore", ADMIN, None),
        r("POST", "/api/v1/commands/admin/catalog/service-types/{code}/retire", ADMIN, None),
        // Complaints: the admin's desk; filing and withdrawing are the parties'.
        r("POST", "/api/v1/commands/admin/complaints/{id}/notes", ADMIN, Some(r#"{"text": "noted"}"#)),
        r("POST", "/api/v1/commands/admin/complaints/{id}/resolve", ADMIN, Some(r#"{"to_client": "100.00", "to_provider": "0.00", "note": "split"}"#)),
        r("POST", "/api/v1/commands/admin/complaints/{id}/review", ADMIN, None),
        r("POST", "/api/v1/commands/complaints/{id}/withdraw", PARTIES, None),
        r("POST", "/api/v1/commands/orders/{id}/complaints", PARTIES, Some(r#"{"reason": "nothing delivered"}"#)),
        // The admin's controls.
        r("POST", "/api/v1/commands/admin/messages", ADMIN, Some(r#"{"text": "hello"}"#)),
        r("POST", "/api/v1/commands/admin/orders/{id}/complete", ADMIN, reason),
        r("POST", "/api/v1/commands/admin/orders/{id}/reassign", ADMIN, reassign),
        r("POST", "/api/v1/commands/admin/subscriptions/{id}/cancel", ADMIN, reason),
        r("POST", "/api/v1/commands/admin/subscriptions/{id}/deadline", ADMIN, Some(r#"{"until": "2030-01-01T12:00:00Z", "reason": "because"}"#)),
        r("POST", "/api/v1/commands/admin/subscriptions/{id}/reassign", ADMIN, reassign),
        // One's own notifications.
        r("POST", "/api/v1/commands/notifications/read-all", SIGNED_IN, None),
        r("POST", "/api/v1/commands/notifications/{id}/read", SIGNED_IN, None),
        // Orders: the client creates, the provider takes, the parties
        // complete, the parties and the admin talk.
        r("POST", "/api/v1/commands/orders/{id}/attachments", PARTIES_AND_ADMIN, Some("%PDF-1.4\n%%EOF\n")),
        r("POST", "/api/v1/commands/orders/{id}/complete", PARTIES, None),
        r("POST", "/api/v1/commands/orders/{id}/messages", PARTIES_AND_ADMIN, Some(r#"{"text": "any news?"}"#)),
        r("POST", "/api/v1/commands/orders/{id}/take", PROVIDER, None),
        r("POST", "/api/v1/commands/subscriptions/{id}/orders", CLIENT, Some(r#"{"title": "Audit", "details": ""}"#)),
        // Subscriptions: the client requests, a provider answers, the
        // client (or the admin) extends and cancels.
        r("POST", "/api/v1/commands/subscriptions", CLIENT, Some(r#"{"service_type": "legal", "plan": "monthly", "description": "contracts"}"#)),
        r("POST", "/api/v1/commands/subscriptions/{id}/accept", PROVIDER, None),
        r("POST", "/api/v1/commands/subscriptions/{id}/reject", PROVIDER, None),
        r("POST", "/api/v1/commands/subscriptions/{id}/cancel", CLIENT_AND_ADMIN, None),
        r("POST", "/api/v1/commands/subscriptions/{id}/deadline", CLIENT_AND_ADMIN, Some(r#"{"until": "2030-01-01T12:00:00Z"}"#)),
        // Money moves for those who hold a wallet.
        r("POST", "/api/v1/commands/wallet/top-ups", PARTIES, Some(r#"{"amount": "1000.00"}"#)),
        r("POST", "/api/v1/commands/wallet/withdrawals", PARTIES, Some(r#"{"amount": "500.00", "bank": {"bik": "044525225", "account": "40702810400000000001"}}"#)),
        // The payment gateway's side: no token, a signature or a payment id.
        r("GET", "/api/v1/payments/sandbox/{payment_id}", PUBLIC, None),
        r("POST", "/api/v1/payments/sandbox/{payment_id}/approve", PUBLIC, None),
        r("POST", "/api/v1/payments/sandbox/{payment_id}/decline", PUBLIC, None),
        r("POST", "/api/v1/payments/webhook", PUBLIC, Some(r#"{"payment_id": "p-1", "status": "succeeded"}"#)),
    ]
}

/// `row` at `path` as the `n`th caller, with a fresh `Idempotency-Key` or none.
async fn send(
    app: &TestApp,
    row: &Row,
    path: &str,
    n: usize,
    token: Option<&str>,
    with_key: bool,
) -> reqwest::Response {
    let method = Method::from_bytes(row.method.as_bytes()).expect("method");
    let mut req = app.client.request(method, app.url(path));
    if with_key {
        req = req.header("idempotency-key", Uuid::new_v4().to_string());
    }
    if let Some(body) = row.body {
        let kind = if row.path.ends_with("/attachments") {
            "application/octet-stream"
        } else {
            "application/json"
        };
        req = req
            .header("content-type", kind)
            .body(body.replace("{n}", &n.to_string()));
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request")
}

#[tokio::test]
async fn every_route_of_the_document_is_in_the_matrix_and_gated_as_it_says() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let table = table();
    let documented = operations(&doc);
    for op in &documented {
        assert!(
            table
                .iter()
                .any(|r| r.method.eq_ignore_ascii_case(&op.method) && r.path == op.path),
            "{} {} is in the OpenAPI document but not in this matrix: add who may call it",
            op.method.to_uppercase(),
            op.path
        );
    }

    let tokens: Vec<Option<String>> = [
        None,
        Some(Role::Client),
        Some(Role::Provider),
        Some(Role::Admin),
        Some(Role::Auditor),
    ]
    .into_iter()
    .map(|role| role.map(|r| app.tokens().issue(AccountId::new(), r).expect("token")))
    .collect();
    let mut failures = Vec::new();
    for row in &table {
        let op = documented
            .iter()
            .find(|o| o.method.eq_ignore_ascii_case(row.method) && o.path == row.path)
            .unwrap_or_else(|| {
                panic!("{} {} is not in the OpenAPI document", row.method, row.path)
            });
        // Documented answers only: a public route never refuses with 403,
        // a gated one documents 401 and 403.
        if row.expect.contains(&U) {
            assert!(
                op.secured,
                "{} {} is gated but documented as public",
                row.method, row.path
            );
        }
        let path = row
            .path
            .replace("{code}", "nosuchtype")
            .replace("{id}", &Uuid::new_v4().to_string())
            .replace("{payment_id}", &Uuid::new_v4().to_string());
        let mut public = Vec::new();
        for (n, ((who, token), want)) in CALLERS.iter().zip(&tokens).zip(row.expect).enumerate() {
            let res = send(&app, row, &path, n, token.as_deref(), true).await;
            let got = res.status().as_u16();
            let cell = format!("{who} {} {}: {got}", row.method, row.path);
            if !op.statuses.contains(&got) {
                failures.push(format!("{cell} is not documented"));
            }
            let fine = match want {
                U => got == 401,
                F => got == 403,
                A => ![401, 403].contains(&got) && got < 500,
                P => {
                    public.push(got);
                    got < 500
                }
            };
            if !fine {
                let body = res.text().await.unwrap_or_default();
                failures.push(format!("{cell}, expected {want:?}: {body}"));
            }
            // A route that wants an `Idempotency-Key` says so in the document.
            if want == A {
                let res = send(&app, row, &path, n, token.as_deref(), false).await;
                let body: Value = res.json().await.unwrap_or_default();
                let wants_key = body["errors"][0]["field"] == "Idempotency-Key";
                let documents_key = doc["paths"][row.path][row.method.to_lowercase()]["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
                if wants_key && !documents_key {
                    failures.push(format!("{cell}: requires an undocumented Idempotency-Key"));
                }
            }
        }
        if public.windows(2).any(|w| w[0] != w[1]) {
            failures.push(format!(
                "{} {}: a public route answered the callers differently: {public:?}",
                row.method, row.path
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
