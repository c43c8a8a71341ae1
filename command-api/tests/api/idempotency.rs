//! `Idempotency-Key` on a real money route: the top-up. What the request
//! creates derives from (caller, key); its answer commits with its events.

use crate::helpers::*;
use serde_json::{Value, json};
use std::sync::Arc;

const TOP_UP: &str = "/api/v1/commands/wallet/top-ups";

async fn app() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let (token, _) = app.signed_in_client("a@example.ru").await;
    (app, token)
}

async fn send(app: &TestApp, token: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(TOP_UP))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.unwrap()
}

async fn effects(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'TopUpRequested'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn fifty_concurrent_identical_requests_have_one_effect() {
    let (app, token) = app().await;
    let app = Arc::new(app);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, token) = (app.clone(), token.clone());
        set.spawn(async move {
            let res = send(&app, &token, Some("key-1"), &json!({"amount": "100.00"})).await;
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        });
    }
    let answers = set.join_all().await;
    assert_eq!(effects(&app).await, 1);
    let first = &answers[0].1;
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body, first);
    }
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_without_a_second_effect() {
    let (app, token) = app().await;
    let first = send(&app, &token, Some("k"), &json!({"amount": "5.00"})).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(&app, &token, Some("k"), &json!({"amount": "5.00"})).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(effects(&app).await, 1);
}

#[tokio::test]
async fn the_answer_commits_in_the_same_transaction_as_the_events() {
    let (app, token) = app().await;
    let res = send(&app, &token, Some("one-commit"), &json!({"amount": "5.00"})).await;
    assert_eq!(res.status(), 201);
    // xmin of the stored answer is the transaction that wrote the events.
    let same: bool = sqlx::query_scalar(
        "SELECT (SELECT xmin::text FROM idempotency_keys WHERE key = 'one-commit') \
              = (SELECT (tx_id::text::numeric % 4294967296)::text FROM events \
                  WHERE event_type = 'TopUpRequested')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(same, "the answer and the events were committed apart");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let (app, token) = app().await;
    send(&app, &token, Some("k"), &json!({"amount": "5.00"})).await;
    let res = send(&app, &token, Some("k"), &json!({"amount": "6.00"})).await;
    assert_problem(res, 422, Some("Idempotency-Key")).await;
    assert_eq!(effects(&app).await, 1);
}

#[tokio::test]
async fn a_missing_key_is_400() {
    let (app, token) = app().await;
    let res = send(&app, &token, None, &json!({"amount": "5.00"})).await;
    assert_problem(res, 400, Some("Idempotency-Key")).await;
    assert_eq!(effects(&app).await, 0);
}

#[tokio::test]
async fn a_refused_request_leaves_the_key_free() {
    let (app, token) = app().await;
    let first = send(&app, &token, Some("k"), &json!({"amount": "five"})).await;
    assert_problem(first, 422, Some("amount")).await;
    // Nothing committed, so nothing is held: the corrected request runs.
    let fixed = send(&app, &token, Some("k"), &json!({"amount": "5.00"})).await;
    assert_eq!(fixed.status(), 201);
    assert!(fixed.headers().get("idempotent-replayed").is_none());
    assert_eq!(effects(&app).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_account() {
    let (app, token) = app().await;
    let (other, _) = app.signed_in_client("b@example.ru").await;
    send(&app, &token, Some("shared"), &json!({"amount": "1.00"})).await;
    let res = send(&app, &other, Some("shared"), &json!({"amount": "2.00"})).await;
    assert_eq!(res.status(), 201);
    assert_eq!(effects(&app).await, 2);
}

#[tokio::test]
async fn without_a_token_the_layer_answers_401() {
    let (app, _) = app().await;
    let res = app
        .client
        .post(app.url(TOP_UP))
        .header("idempotency-key", "k")
        .json(&json!({"amount": "1.00"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, None).await;
}
