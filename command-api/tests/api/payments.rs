//! The payment gateway: top-up → sandbox approve/decline → signed webhook →
//! wallet settled or failed; forged, replayed and unknown callbacks refused.

use crate::helpers::*;
use crate::money_support::*;
use command_api::payments::signature::sign;
use serde_json::{Value, json};

const WEBHOOK: &str = "/api/v1/payments/webhook";

/// A requested (pending) top-up of client A: `(transfer_id, payment_id)`.
async fn pending_top_up(w: &World, amount: &str) -> (String, String) {
    let res = w.request_top_up(&w.client_a, amount).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (
        body["transfer_id"].as_str().unwrap().to_owned(),
        body["payment_id"].as_str().unwrap().to_owned(),
    )
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Posts `body` to the webhook with the given headers (`None` leaves one out).
async fn deliver(
    w: &World,
    id: Option<&str>,
    timestamp: Option<i64>,
    signature: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut req = w
        .app
        .client
        .post(w.app.url(WEBHOOK))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(id) = id {
        req = req.header("webhook-id", id);
    }
    if let Some(ts) = timestamp {
        req = req.header("webhook-timestamp", ts.to_string());
    }
    if let Some(sig) = signature {
        req = req.header("webhook-signature", sig);
    }
    req.send().await.unwrap()
}

/// Posts `body` signed with the webhook's secret at `timestamp`.
async fn deliver_signed(w: &World, id: &str, timestamp: i64, body: &str) -> reqwest::Response {
    let sig = sign(WEBHOOK_SECRET.as_bytes(), id, timestamp, body.as_bytes());
    deliver(w, Some(id), Some(timestamp), Some(&sig), body).await
}

async fn sandbox_page(w: &World, payment: &str) -> reqwest::Response {
    w.app
        .client
        .get(w.app.url(&format!("/api/v1/payments/sandbox/{payment}")))
        .send()
        .await
        .unwrap()
}

async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    res.json().await.unwrap()
}

#[tokio::test]
async fn an_approved_payment_settles_the_top_up_through_the_signed_webhook() {
    let w = World::new().await;
    let (transfer, payment) = pending_top_up(&w, "1500.50").await;

    let page: Value = sandbox_page(&w, &payment).await.json().await.unwrap();
    assert_eq!(page["payment_id"], payment.as_str());
    assert_eq!(page["transfer_id"], transfer.as_str());
    assert_eq!(
        page["amount"],
        json!({"amount": "1500.50", "currency": "RUB"})
    );
    assert_eq!(page["status"], "pending");

    assert_eq!(w.sandbox(&payment, "approve").await.status(), 202);
    assert_eq!(
        w.outcome_of(&transfer).await.as_deref(),
        Some("TopUpSettled")
    );
    assert_eq!(w.balance(&w.client_a_id).await, "1500.50");
    let page: Value = sandbox_page(&w, &payment).await.json().await.unwrap();
    assert_eq!(page["status"], "settled");

    // The gateway, not the client, settled it.
    let metadata: Value =
        sqlx::query_scalar("SELECT metadata::jsonb FROM events WHERE event_type = 'TopUpSettled'")
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    assert_eq!(metadata["actor_role"], "system");
    assert_eq!(metadata["actor_id"], "");

    // A settled payment takes no second verdict.
    problem(w.sandbox(&payment, "approve").await, 409).await;
    problem(w.sandbox(&payment, "decline").await, 409).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(w.events_of("Wallet", "TopUpSettled").await, 1);
    assert_eq!(w.events_of("Wallet", "TopUpFailed").await, 0);
}

#[tokio::test]
async fn a_declined_payment_fails_the_top_up_and_moves_nothing() {
    let w = World::new().await;
    w.top_up(&w.client_a, "100.00").await;
    let (transfer, payment) = pending_top_up(&w, "700.00").await;
    assert_eq!(w.sandbox(&payment, "decline").await.status(), 202);
    assert_eq!(
        w.outcome_of(&transfer).await.as_deref(),
        Some("TopUpFailed")
    );
    assert_eq!(w.balance(&w.client_a_id).await, "100.00");
    let page: Value = sandbox_page(&w, &payment).await.json().await.unwrap();
    assert_eq!(page["status"], "failed");
    let reason: String = sqlx::query_scalar(
        "SELECT payload -> 'TopUpFailed' ->> 'reason' FROM events WHERE event_type = 'TopUpFailed'",
    )
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(reason, "declined in the sandbox");
    // Failed is final: a late approval cannot bring the money in.
    problem(w.sandbox(&payment, "approve").await, 409).await;
    let late = json!({"payment_id": payment, "status": "succeeded"}).to_string();
    let body = problem(deliver_signed(&w, "late", now(), &late).await, 409).await;
    assert!(body["detail"].as_str().unwrap().contains("failed"));
    assert_eq!(w.events_of("Wallet", "TopUpSettled").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "100.00");
}

#[tokio::test]
async fn forged_replayed_and_unknown_callbacks_are_refused_and_move_nothing() {
    let w = World::new().await;
    let (_, payment) = pending_top_up(&w, "500.00").await;
    let body = json!({"payment_id": payment, "status": "succeeded"}).to_string();
    let before = w.events().await;

    // Unsigned.
    problem(deliver(&w, None, None, None, &body).await, 401).await;
    problem(deliver(&w, Some("m1"), Some(now()), None, &body).await, 401).await;
    // Wrongly signed: another secret, or a signature of another body.
    let forged = sign(
        b"not-the-secret-not-the-secret-xx",
        "m2",
        now(),
        body.as_bytes(),
    );
    problem(
        deliver(&w, Some("m2"), Some(now()), Some(&forged), &body).await,
        401,
    )
    .await;
    let other = json!({"payment_id": payment, "status": "failed"}).to_string();
    let swapped = sign(WEBHOOK_SECRET.as_bytes(), "m3", now(), other.as_bytes());
    problem(
        deliver(&w, Some("m3"), Some(now()), Some(&swapped), &body).await,
        401,
    )
    .await;
    // Replayed: a genuine callback captured ten minutes ago.
    let old = now() - 600;
    let p = problem(deliver_signed(&w, "m4", old, &body).await, 401).await;
    assert!(p["detail"].as_str().unwrap().contains("webhook-timestamp"));
    // Unknown payment, correctly signed.
    let unknown = json!({"payment_id": uuid::Uuid::new_v4(), "status": "succeeded"}).to_string();
    problem(deliver_signed(&w, "m5", now(), &unknown).await, 404).await;

    assert_eq!(w.events().await, before, "no event was written");
    assert_eq!(w.balance(&w.client_a_id).await, "0.00");
}

#[tokio::test]
async fn a_duplicate_delivery_settles_once() {
    let w = World::new().await;
    let (transfer, payment) = pending_top_up(&w, "250.00").await;
    let body = json!({"payment_id": payment, "status": "succeeded"}).to_string();
    let ts = now();
    for _ in 0..3 {
        let res = deliver_signed(&w, "msg_dup", ts, &body).await;
        assert_eq!(res.status(), 200);
        let applied: Value = res.json().await.unwrap();
        assert_eq!(applied["transfer_id"], transfer.as_str());
        assert_eq!(applied["status"], "settled");
    }
    assert_eq!(w.events_of("Wallet", "TopUpSettled").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "250.00");
}

#[tokio::test]
async fn a_malformed_callback_names_the_field() {
    let w = World::new().await;
    let (_, payment) = pending_top_up(&w, "10.00").await;
    let before = w.events().await;
    for (body, field) in [
        (json!({"payment_id": payment, "status": "maybe"}), "status"),
        (json!({"status": "succeeded"}), "payment_id"),
        (
            json!({"payment_id": "nope", "status": "failed"}),
            "payment_id",
        ),
        (
            json!({"payment_id": payment, "status": "failed", "reason": "x".repeat(501)}),
            "reason",
        ),
    ] {
        let p = problem(
            deliver_signed(&w, "bad", now(), &body.to_string()).await,
            422,
        )
        .await;
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, [field], "{body}");
    }
    problem(deliver_signed(&w, "bad", now(), "{not json").await, 400).await;
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(70 * 1024));
    problem(deliver_signed(&w, "big", now(), &huge).await, 413).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn the_sandbox_knows_only_its_payments() {
    let w = World::new().await;
    problem(sandbox_page(&w, "not-a-uuid").await, 404).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    problem(sandbox_page(&w, &unknown).await, 404).await;
    problem(w.sandbox(&unknown, "approve").await, 404).await;
    problem(w.sandbox(&unknown, "decline").await, 404).await;
}

#[tokio::test]
async fn the_openapi_documents_every_answer_of_the_payment_routes() {
    let w = World::new().await;
    let doc: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, method, statuses) in [
        (
            WEBHOOK,
            "post",
            &["200", "400", "401", "404", "409", "413", "422"][..],
        ),
        (
            "/api/v1/payments/sandbox/{payment_id}",
            "get",
            &["200", "404"],
        ),
        (
            "/api/v1/payments/sandbox/{payment_id}/approve",
            "post",
            &["202", "404", "409"],
        ),
        (
            "/api/v1/payments/sandbox/{payment_id}/decline",
            "post",
            &["202", "404", "409"],
        ),
    ] {
        let responses = &doc["paths"][path][method]["responses"];
        for s in statuses {
            assert!(responses[s].is_object(), "{method} {path} {s}");
        }
    }
    let top_up = &doc["components"]["schemas"]["TopUpCreated"]["properties"];
    for field in ["transfer_id", "payment_id", "payment_url"] {
        assert!(top_up[field].is_object(), "{field}");
    }
}
