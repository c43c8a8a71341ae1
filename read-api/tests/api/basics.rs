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
            "monthly_price": {"amount": "20000.50", "currency": "RUB"}
        }]})
    );
}

#[tokio::test]
async fn notifications_are_an_empty_page_for_now() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let (status, body) = app.get(Some(&client), "/api/v1/notifications").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"items": [], "next_cursor": null}));
    assert_eq!(app.get(None, "/api/v1/notifications").await.0, 401);
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
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let (status, body) = app.get(None, "/api/v1/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["type"], "/problems/not-found");
}
