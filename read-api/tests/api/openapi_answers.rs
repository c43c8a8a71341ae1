//! The OpenAPI document lists every status a route can answer (DESIGN §8),
//! and money in responses is `{amount, currency}`.

use crate::helpers::*;
use domain::Role;
use platform::openapi::{DocumentedOperation, money_shape_failures, operations};
use reqwest::Method;
use serde_json::Value;

async fn document(app: &TestApp) -> Value {
    app.http
        .get(app.url(read_api::openapi::SPEC_PATH))
        .send()
        .await
        .expect("doc")
        .json()
        .await
        .expect("json")
}

/// Sends `op` at `path`; the failure, if the answer is not documented or
/// not problem+json.
async fn probe(
    app: &TestApp,
    op: &DocumentedOperation,
    case: &str,
    path: &str,
    token: Option<String>,
    query: &str,
) -> Option<String> {
    let method = Method::from_bytes(op.method.to_uppercase().as_bytes()).expect("method");
    let mut req = app.http.request(method, app.url(&format!("{path}{query}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let op_name = format!("{} {}", op.method.to_uppercase(), op.path);
    if !op.statuses.contains(&status) {
        return Some(format!("{op_name} ({case}): {status} is not documented"));
    }
    if status >= 400 && kind != platform::problem::CONTENT_TYPE {
        return Some(format!("{op_name} ({case}): {status} answered as `{kind}`"));
    }
    None
}

#[tokio::test]
async fn every_answer_to_a_bad_request_is_documented_for_its_route() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() >= 12, "{} operations", ops.len());
    let mut who = Vec::new();
    for role in [Role::Client, Role::Provider, Role::Admin, Role::Auditor] {
        who.push(account(&app.pool, role, &["legal"]).await);
    }
    let mut failures = Vec::new();
    for op in &ops {
        assert!(!op.has_body, "a query with a body: {}", op.path);
        let some_id = op.path_with(&uuid::Uuid::new_v4().to_string());
        if op.secured {
            failures.extend(probe(&app, op, "no token", &some_id, None, "").await);
            let forged = Some("not.a.token".to_owned());
            failures.extend(probe(&app, op, "forged token", &some_id, forged, "").await);
        }
        if op.path.ends_with("/stream") {
            // Its answer is endless; the token cases above cover it.
            continue;
        }
        for w in &who {
            let token = Some(app.token(w));
            failures.extend(probe(&app, op, "valid", &some_id, token.clone(), "").await);
            let q = "?limit=banana&nonsense=1";
            failures.extend(probe(&app, op, "bad query", &some_id, token.clone(), q).await);
            if op.path_params.iter().any(|(_, uuid)| *uuid) {
                let bad = op.path_with("not-a-uuid");
                failures.extend(probe(&app, op, "non-UUID id", &bad, token, "").await);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "undocumented answers:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn money_in_responses_is_an_amount_with_its_currency() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let failures = money_shape_failures(&doc);
    assert!(
        failures.is_empty(),
        "money of the wrong shape:\n{}",
        failures.join("\n")
    );
    // The check sees the money there is.
    let wallet = &doc["components"]["schemas"]["Wallet"];
    assert!(wallet.is_object(), "no Wallet schema");
}
