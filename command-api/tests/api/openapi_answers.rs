//! The OpenAPI document lists every status a route can answer (DESIGN §8),
//! and money has one shape in it: decimal strings in requests,
//! `{amount, currency}` in responses.

use crate::money_support::*;
use platform::openapi::{DocumentedOperation, operations};
use reqwest::Method;
use serde_json::Value;

/// Sends `body` (with `content_type`) to `op` at `path`; the failure, if the
/// answer is not documented or not problem+json.
async fn probe(
    w: &World,
    op: &DocumentedOperation,
    case: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &'static str,
) -> Option<String> {
    let method = Method::from_bytes(op.method.to_uppercase().as_bytes()).expect("method");
    let mut req = w
        .app
        .client
        .request(method, w.app.url(path))
        .header("content-type", content_type)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .body(body);
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
    let w = World::new().await;
    let doc: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("doc")
        .json()
        .await
        .expect("json");
    let ops = operations(&doc);
    assert!(ops.len() > 25, "{} operations", ops.len());
    let mut failures = Vec::new();
    for op in &ops {
        let some_id = op.path_with(&uuid::Uuid::new_v4().to_string());
        let json = "application/json";
        if op.secured {
            failures.extend(probe(&w, op, "no token", &some_id, None, json, "{}").await);
        }
        if op.has_body {
            for token in [&w.admin, &w.client_a] {
                let (a, b) = (
                    probe(
                        &w,
                        op,
                        "malformed JSON",
                        &some_id,
                        Some(token),
                        json,
                        "{\"x\": ",
                    )
                    .await,
                    probe(
                        &w,
                        op,
                        "text/plain body",
                        &some_id,
                        Some(token),
                        "text/plain",
                        "{}",
                    )
                    .await,
                );
                failures.extend(a.into_iter().chain(b));
            }
        }
        if op.path_params.iter().any(|(_, uuid)| *uuid) {
            let bad = op.path_with("not-a-uuid");
            for token in [&w.admin, &w.client_a] {
                failures.extend(probe(&w, op, "non-UUID id", &bad, Some(token), json, "{}").await);
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
async fn money_is_a_decimal_string_in_requests_and_an_object_in_responses() {
    let w = World::new().await;
    let doc: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("doc")
        .json()
        .await
        .expect("json");
    let failures = platform::openapi::money_shape_failures(&doc);
    assert!(
        failures.is_empty(),
        "money of the wrong shape:\n{failures:#?}"
    );
}
