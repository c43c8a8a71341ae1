//! The public catalog, notifications, OpenAPI, probes and metrics.

use crate::helpers::*;
use domain::Role;

#[tokio::test]
async fn the_catalog_is_public_and_priced_in_money() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "INSERT INTO read.catalog (code, name_en, name_ru, one_off_price, one_off_currency, monthly_price, monthly_currency, active) VALUES \
         ('legal', 'Legal', 'Юридические услуги', 5000, 'RUB', 20000.5, 'RUB', true), \
         ('retired', 'Old', 'Старое', 1, 'RUB', 1, 'RUB', false)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, body) = app.get(None, "/api/v1/catalog").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"items": [{
            "code": "legal", "name_en": "Legal", "name_ru": "Юридические услуги",
            "one_off_price": {"amount": "5000.00", "currency": "RUB"},
            "monthly_price": {"amount": "20000.50", "currency": "RUB"},
            "retired": false
        }]})
    );
}

async fn notify(app: &TestApp, to: &Account, kind: &str, minutes_ago: i32) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, link, subject, text, message_id, created_at) \
         VALUES ($1, $2, $3, '/wallet', 'Subject', 'Text', 'Wallet:x:1', now() - make_interval(mins => $4))",
    )
    .bind(id)
    .bind(to.id)
    .bind(kind)
    .bind(minutes_ago)
    .execute(&app.pool)
    .await
    .expect("a notification");
    id
}

#[tokio::test]
async fn notifications_are_the_callers_own_newest_first_with_an_unread_count() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let other = account(&app.pool, Role::Client, &[]).await;
    let older = notify(&app, &client, "top_up_settled", 5).await;
    let newer = notify(&app, &client, "order_done", 1).await;
    notify(&app, &other, "payout_settled", 1).await;

    let (status, body) = app.get(Some(&client), "/api/v1/notifications").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [newer.to_string(), older.to_string()]);
    assert_eq!(body["items"][0]["kind"], "order_done");
    assert_eq!(body["items"][0]["link"], "/wallet");
    assert!(body["items"][0]["read_at"].is_null());

    let (_, first) = app
        .get(Some(&client), "/api/v1/notifications?limit=1")
        .await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = app
        .get(
            Some(&client),
            &format!("/api/v1/notifications?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(second["items"][0]["id"], older.to_string());

    let (_, count) = app.get(Some(&client), "/api/v1/notifications/unread").await;
    assert_eq!(count, serde_json::json!({"unread": 2}));
    let (_, count) = app.get(Some(&other), "/api/v1/notifications/unread").await;
    assert_eq!(count, serde_json::json!({"unread": 1}));
    assert_eq!(app.get(None, "/api/v1/notifications").await.0, 401);
    assert_eq!(app.get(None, "/api/v1/notifications/unread").await.0, 401);
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_query() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get(None, "/api/v1/read/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/me",
        "/api/v1/catalog",
        "/api/v1/wallet",
        "/api/v1/subscriptions",
        "/api/v1/subscriptions/{id}",
        "/api/v1/subscriptions/{id}/orders",
        "/api/v1/requests/available",
        "/api/v1/orders/{id}",
        "/api/v1/orders/{id}/messages",
        "/api/v1/admin/complaints",
        "/api/v1/notifications",
        "/api/v1/events/stream",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let ui = app
        .http
        .get(app.url("/api/v1/read/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 200);
}

#[tokio::test]
async fn probes_metrics_and_unknown_paths() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get(None, "/healthz").await.0, 200);
    let (status, body) = app.get(None, "/readyz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    // Metrics have their own listener (HUB_METRICS__ADDR), not the API's port.
    let (status, body) = app.get(None, "/metrics").await;
    assert_eq!(
        (status, body["type"].as_str()),
        (404, Some("/problems/not-found"))
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = listener.local_addr().unwrap();
    tokio::spawn(platform::metrics::serve(listener, std::future::pending()));
    let res = app
        .http
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("http_requests_total"));
    let (status, body) = app.get(None, "/api/v1/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["type"], "/problems/not-found");
}

#[tokio::test]
async fn answers_carry_the_security_headers_and_no_hsts_over_plain_http() {
    let app = TestApp::spawn().await;
    for (path, status) in [
        ("/api/v1/catalog", 200),
        ("/api/v1/me", 401),
        ("/nowhere", 404),
    ] {
        // Not behind a trusted ingress here: its `X-Forwarded-Proto` is the client's word.
        let res = app
            .http
            .get(app.url(path))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), status, "{path}");
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(!h.contains_key("strict-transport-security"), "{path}");
    }
}
