//! Opening the stream without a token in the URL (security review of [9]):
//! one-time tickets, spent once on any replica, and the caps on how many
//! streams a replica holds.

use crate::helpers::*;
use crate::sse::SseReader;
use domain::Role;
use read_api::events::limits::StreamSettings;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

async fn open_with_ticket(app: &TestApp, ticket: &str) -> reqwest::Response {
    app.http
        .get(app.url(&format!("/api/v1/events/stream?ticket={ticket}")))
        .send()
        .await
        .expect("request")
}

async fn assert_problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(platform::problem::CONTENT_TYPE)
    );
    res.json().await.expect("problem JSON")
}

#[tokio::test]
async fn a_ticket_opens_the_callers_stream_once() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let res = app
        .http
        .post(app.url("/api/v1/events/tickets"))
        .bearer_auth(app.token(&a))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let ticket = body["ticket"].as_str().expect("ticket").to_owned();
    let expires: chrono::DateTime<chrono::Utc> = body["expires_at"]
        .as_str()
        .expect("expires_at")
        .parse()
        .expect("RFC 3339");
    let ttl = expires - chrono::Utc::now();
    assert!(
        ttl > chrono::Duration::seconds(20) && ttl <= chrono::Duration::seconds(31),
        "{ttl}"
    );
    // The table holds its SHA-256, never the ticket itself.
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT ticket_hash FROM stream_tickets")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, vec![Sha256::digest(ticket.as_bytes()).to_vec()]);

    let mut stream = SseReader::open(
        &app,
        app.url(&format!("/api/v1/events/stream?ticket={ticket}")),
        None,
    )
    .await;
    app.state.events.wait_listening().await;
    wallet(&app.pool, &a, "42").await;
    app.notify(json!({"kind": "wallet", "id": a.id})).await;
    let (event, data) = stream.next(WAIT).await.expect("the caller's own change");
    assert_eq!(event, "wallet");
    assert_eq!(data["available"]["amount"], "42.00");

    let body = assert_problem(open_with_ticket(&app, &ticket).await, 401).await;
    assert_eq!(body["detail"], "the ticket is unknown, spent or expired");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM stream_tickets")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "spending deleted it");
}

#[tokio::test]
async fn an_expired_ticket_is_refused_and_purged() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let expired = app.ticket(&a).await;
    let unspent = app.ticket(&a).await;
    sqlx::query("UPDATE stream_tickets SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_problem(open_with_ticket(&app, &expired).await, 401).await;
    let fresh = app.ticket(&a).await;
    let purged = read_api::events::tickets::purge_expired(&app.state.pool)
        .await
        .expect("the read API's login purges");
    assert_eq!(purged, 1, "the expired one nobody spent");
    assert_problem(open_with_ticket(&app, &unspent).await, 401).await;
    assert_eq!(open_with_ticket(&app, &fresh).await.status(), 200);
}

#[tokio::test]
async fn an_access_token_in_the_url_no_longer_opens_anything() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let res = app
        .http
        .get(app.url(&format!(
            "/api/v1/events/stream?access_token={}",
            app.token(&a)
        )))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 401).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("not taken from the URL"),
        "{body}"
    );
    // A ticket is only for the bearer of a valid token.
    let res = app
        .http
        .post(app.url("/api/v1/events/tickets"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
    let res = app
        .http
        .post(app.url("/api/v1/events/tickets"))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn an_account_over_its_cap_gets_429_until_one_of_its_streams_ends() {
    let app = TestApp::spawn_with(|state| {
        state.with_streams(StreamSettings {
            max_per_account: 2,
            max_total: 3,
            ..StreamSettings::default()
        })
    })
    .await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let b = account(&app.pool, Role::Client, &[]).await;
    let c = account(&app.pool, Role::Client, &[]).await;
    let open = |who: &Account| {
        app.http
            .get(app.url("/api/v1/events/stream"))
            .bearer_auth(app.token(who))
            .send()
    };
    let first = open(&a).await.unwrap();
    let second = open(&a).await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );

    let refused = open(&a).await.unwrap();
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body = assert_problem(refused, 429).await;
    assert_eq!(body["type"], "/problems/too-many-requests");
    // Through a ticket too (the refusal spends it: ask for another).
    let ticket = app.ticket(&a).await;
    assert_problem(open_with_ticket(&app, &ticket).await, 429).await;

    let other = open(&b).await.unwrap();
    assert_eq!(other.status(), 200, "another account has its own share");
    // The replica's cap (3) counts every account.
    assert_problem(open(&c).await.unwrap(), 429).await;

    // A client that goes away frees its slot.
    drop(first);
    let start = Instant::now();
    let reopened = loop {
        let res = open(&a).await.unwrap();
        if res.status() == 200 {
            break res;
        }
        assert_eq!(res.status(), 429);
        assert!(start.elapsed() < WAIT, "the slot is still held");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    eprintln!(
        "a closed stream's slot was free again after {:?}",
        start.elapsed()
    );
    drop((second, other, reopened));
    let start = Instant::now();
    while app.state.streams.open(a.id).0 > 0 {
        assert!(start.elapsed() < WAIT, "slots still held");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
