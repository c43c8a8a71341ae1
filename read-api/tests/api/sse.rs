//! Live changes over `/api/v1/events/stream`.

use crate::helpers::*;
use domain::Role;
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

/// Reads server-sent events from a streaming response.
pub(crate) struct SseReader {
    pub(crate) res: reqwest::Response,
    buf: String,
}

impl SseReader {
    pub(crate) async fn open(app: &TestApp, url: String, bearer: Option<String>) -> Self {
        let mut req = app.http.get(url);
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("open stream");
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        Self {
            res,
            buf: String::new(),
        }
    }

    /// The next event (name, JSON data), skipping comments; `None` on timeout or end.
    pub(crate) async fn next(&mut self, within: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(n) = line.strip_prefix("event:") {
                        name = Some(n.trim().to_owned());
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                if let Some(name) = name {
                    return Some((name, serde_json::from_str(&data).expect("JSON data")));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

async fn set_status(app: &TestApp, id: Uuid, status: &str) {
    sqlx::query("UPDATE read.subscriptions SET status = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(&app.pool)
        .await
        .unwrap();
}

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_subscription_change_reaches_its_client_and_providers_of_the_type_only() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let b = account(&app.pool, Role::Client, &[]).await;
    let legal = account(&app.pool, Role::Provider, &["legal"]).await;
    let other = account(&app.pool, Role::Provider, &["accounting"]).await;
    let sub = NewSubscription::requested(&a, "legal")
        .insert(&app.pool)
        .await;

    // EventSource style: a one-time ticket in the query.
    let mut sa = SseReader::open(
        &app,
        app.url(&format!(
            "/api/v1/events/stream?ticket={}",
            app.ticket(&a).await
        )),
        None,
    )
    .await;
    // fetch style: the token in the header.
    let mut sb = SseReader::open(&app, app.url("/api/v1/events/stream"), Some(app.token(&b))).await;
    let mut sp = SseReader::open(
        &app,
        app.url("/api/v1/events/stream"),
        Some(app.token(&legal)),
    )
    .await;
    let mut so = SseReader::open(
        &app,
        app.url("/api/v1/events/stream"),
        Some(app.token(&other)),
    )
    .await;
    app.state.events.wait_listening().await;

    app.notify(json!({"kind": "subscription", "id": sub, "client_id": a.id, "service_type": "legal", "status": "requested"})).await;
    // Then something for B and for the other provider: what each receives first shows
    // whether A's change leaked to them (the fan-out keeps order).
    wallet(&app.pool, &b, "10").await;
    app.notify(json!({"kind": "wallet", "id": b.id})).await;
    wallet(&app.pool, &other, "20").await;
    app.notify(json!({"kind": "wallet", "id": other.id})).await;

    let (event, data) = sa
        .next(WAIT)
        .await
        .expect("client A hears of its subscription");
    assert_eq!(event, "subscription");
    assert_eq!(data["id"], sub.to_string());
    assert_eq!(data["status"], "requested");
    assert_eq!(
        data["price"],
        json!({"amount": "1500.00", "currency": "RUB"})
    );
    // The same shape as the REST item.
    let (_, rest) = app
        .get(Some(&a), &format!("/api/v1/subscriptions/{sub}"))
        .await;
    assert_eq!(data, rest);

    let (event, data) = sp
        .next(WAIT)
        .await
        .expect("the provider of the type hears of the request");
    assert_eq!(
        (event.as_str(), data["id"].as_str()),
        ("subscription", Some(sub.to_string().as_str()))
    );

    let (event, data) = sb
        .next(WAIT)
        .await
        .expect("client B hears of its own wallet");
    assert_eq!(
        event, "wallet",
        "client B must not see A's subscription: {data}"
    );
    assert_eq!(data["available"]["amount"], "10.00");

    let (event, _) = so
        .next(WAIT)
        .await
        .expect("the other provider hears of its own wallet");
    assert_eq!(
        event, "wallet",
        "a provider of another type must not see the request"
    );

    // Once someone else accepted it, the other providers of its type hear it
    // once more, without who took it, so it leaves their lists live.
    let winner = account(&app.pool, Role::Provider, &["legal"]).await;
    sqlx::query("UPDATE read.subscriptions SET provider_id = $2 WHERE id = $1")
        .bind(sub)
        .bind(winner.id)
        .execute(&app.pool)
        .await
        .unwrap();
    set_status(&app, sub, "active").await;
    app.notify(json!({"kind": "subscription", "id": sub})).await;
    app.notify(json!({"kind": "wallet", "id": legal.id})).await;
    let (event, data) = sa.next(WAIT).await.unwrap();
    assert_eq!(
        (event.as_str(), data["status"].as_str()),
        ("subscription", Some("active"))
    );
    let (event, data) = sp.next(WAIT).await.unwrap();
    assert_eq!(
        (event.as_str(), data["status"].as_str()),
        ("subscription", Some("active")),
        "a losing provider hears that the request was taken"
    );
    assert!(data["provider_id"].is_null(), "but not by whom: {data}");
    let (event, _) = sp.next(WAIT).await.unwrap();
    assert_eq!(
        event, "wallet",
        "and nothing after that of this subscription"
    );
}

#[tokio::test]
async fn order_and_message_changes_reach_the_parties_and_admins() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let b = account(&app.pool, Role::Client, &[]).await;
    let p = account(&app.pool, Role::Provider, &["legal"]).await;
    let admin = account(&app.pool, Role::Admin, &[]).await;
    let mut s = NewSubscription::requested(&a, "legal");
    s.status = "active";
    s.provider = Some(&p);
    let sub = s.insert(&app.pool).await;
    let ord = order(&app.pool, sub, &a, &p).await;
    let msg = message(&app.pool, ord, &p, 1, "Готово").await;

    let mut streams = Vec::new();
    for who in [&a, &p, &admin, &b] {
        streams.push(
            SseReader::open(&app, app.url("/api/v1/events/stream"), Some(app.token(who))).await,
        );
    }
    app.state.events.wait_listening().await;
    app.notify(json!({"kind": "message", "id": msg})).await;
    app.notify(json!({"kind": "order", "id": ord})).await;
    app.notify(json!({"kind": "wallet", "id": b.id})).await;
    for s in &mut streams[..3] {
        let (event, data) = s.next(WAIT).await.unwrap();
        assert_eq!(
            (event.as_str(), data["id"].as_str()),
            ("message", Some(msg.to_string().as_str()))
        );
        assert_eq!(data["text"], "Готово");
        let (event, data) = s.next(WAIT).await.unwrap();
        assert_eq!(
            (event.as_str(), data["id"].as_str()),
            ("order", Some(ord.to_string().as_str()))
        );
    }
    let (event, _) = streams[3].next(WAIT).await.unwrap();
    assert_eq!(event, "wallet", "client B sees nothing of A's order");
}

#[tokio::test]
async fn the_stream_refuses_a_missing_or_bad_token() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get(None, "/api/v1/events/stream").await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = app
        .get(None, "/api/v1/events/stream?access_token=garbage")
        .await;
    assert_eq!(status, 401);
    let (status, body) = app.get(None, "/api/v1/events/stream?ticket=garbage").await;
    assert_eq!((status, body["status"].as_u64()), (401, Some(401)));
}

#[tokio::test]
async fn the_listener_reconnects_when_postgres_drops_it_and_asks_streams_to_resync() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let sub = NewSubscription::requested(&a, "legal")
        .insert(&app.pool)
        .await;
    let mut sa = SseReader::open(&app, app.url("/api/v1/events/stream"), Some(app.token(&a))).await;
    app.state.events.wait_listening().await;

    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%hub_changes%'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        killed,
        vec![true],
        "exactly one `hub_changes` LISTEN connection per process (the blocklist has its own)"
    );

    let (event, _) = sa
        .next(Duration::from_secs(15))
        .await
        .expect("resync after reconnecting");
    assert_eq!(event, "resync");
    app.notify(json!({"kind": "subscription", "id": sub})).await;
    let (event, data) = sa.next(WAIT).await.expect("changes flow again");
    assert_eq!(
        (event.as_str(), data["id"].as_str()),
        ("subscription", Some(sub.to_string().as_str()))
    );
}

#[tokio::test]
async fn streams_end_when_the_hub_closes() {
    let app = TestApp::spawn().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let mut sa = SseReader::open(&app, app.url("/api/v1/events/stream"), Some(app.token(&a))).await;
    app.state.events.close();
    let chunk = tokio::time::timeout(WAIT, sa.res.chunk())
        .await
        .expect("the stream ends promptly");
    assert!(matches!(chunk, Ok(None)), "{chunk:?}");
}
