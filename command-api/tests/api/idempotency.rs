//! The `Idempotency-Key` layer around a route with a real effect.

use crate::helpers::*;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use command_api::{AppState, idempotency};
use platform::{Caller, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Effect {
    amount: i64,
}

/// Inserts a row: the effect that must happen once per key.
async fn effect(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<Effect>,
) -> (StatusCode, Json<Value>) {
    // Widen the race window.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let id: i64 =
        sqlx::query_scalar("INSERT INTO effects (account_id, amount) VALUES ($1, $2) RETURNING id")
            .bind(caller.account_id.as_uuid())
            .bind(body.amount)
            .fetch_one(&state.pool)
            .await
            .unwrap();
    (StatusCode::CREATED, Json(json!({"effect_id": id})))
}

fn with_effect_route(state: AppState) -> Router {
    let effect_routes = Router::new()
        .route("/effect", post(effect))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .with_state(state.clone());
    platform::http::with_common_layers(
        command_api::api_routes(state.clone()).merge(effect_routes),
        &state.http,
    )
}

async fn app() -> (TestApp, String) {
    let app = TestApp::spawn_with(|_| {}, with_effect_route).await;
    sqlx::query("CREATE TABLE effects (id bigserial PRIMARY KEY, account_id uuid NOT NULL, amount bigint NOT NULL)")
        .execute(&app.pool)
        .await
        .unwrap();
    let (token, _) = app.signed_in_client("a@example.ru").await;
    (app, token)
}

async fn send(app: &TestApp, token: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/effect"))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.unwrap()
}

async fn effects(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM effects")
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
            let res = send(&app, &token, Some("key-1"), &json!({"amount": 100})).await;
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
    let first = send(&app, &token, Some("k"), &json!({"amount": 5})).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(&app, &token, Some("k"), &json!({"amount": 5})).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(effects(&app).await, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let (app, token) = app().await;
    send(&app, &token, Some("k"), &json!({"amount": 5})).await;
    let res = send(&app, &token, Some("k"), &json!({"amount": 6})).await;
    assert_problem(res, 422, Some("Idempotency-Key")).await;
    assert_eq!(effects(&app).await, 1);
}

#[tokio::test]
async fn a_missing_key_is_400() {
    let (app, token) = app().await;
    let res = send(&app, &token, None, &json!({"amount": 5})).await;
    assert_problem(res, 400, Some("Idempotency-Key")).await;
    assert_eq!(effects(&app).await, 0);
}

#[tokio::test]
async fn a_refused_body_is_replayed_too() {
    let (app, token) = app().await;
    let bad = json!({"amount": "five"});
    let first = send(&app, &token, Some("k"), &bad).await;
    assert_problem(first, 422, Some("amount")).await;
    let again = send(&app, &token, Some("k"), &bad).await;
    assert_eq!(again.status(), 422);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
}

#[tokio::test]
async fn keys_belong_to_their_account() {
    let (app, token) = app().await;
    let (other, _) = app.signed_in_client("b@example.ru").await;
    send(&app, &token, Some("shared"), &json!({"amount": 1})).await;
    let res = send(&app, &other, Some("shared"), &json!({"amount": 2})).await;
    assert_eq!(res.status(), 201);
    assert_eq!(effects(&app).await, 2);
}

#[tokio::test]
async fn without_a_token_the_layer_answers_401() {
    let (app, _) = app().await;
    let res = app
        .client
        .post(app.url("/effect"))
        .header("idempotency-key", "k")
        .json(&json!({"amount": 1}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, None).await;
}
