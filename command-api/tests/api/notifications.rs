//! Marking in-app notifications read: one, or all; only the caller's own.

use crate::helpers::*;
use serde_json::Value;
use uuid::Uuid;

async fn account_of(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT account_id FROM credentials WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .expect("registered")
}

async fn notify(app: &TestApp, to: Uuid) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, link, subject, text, message_id) \
         VALUES ($1, $2, 'order_done', '/orders/x', 'Subject', 'Text', 'Order:x:2')",
    )
    .bind(id)
    .bind(to)
    .execute(&app.pool)
    .await
    .expect("a notification");
    id
}

async fn unread(app: &TestApp, of: Uuid) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(of)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

async fn post(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_notification_is_marked_read_by_its_owner_only() {
    let app = TestApp::spawn().await;
    let (alice, _) = app.signed_in_client("alice@firm.example").await;
    let (bob, _) = app.signed_in_client("bob@firm.example").await;
    let alice_id = account_of(&app, "alice@firm.example").await;
    let first = notify(&app, alice_id).await;
    notify(&app, alice_id).await;

    let res = post(
        &app,
        &format!("/api/v1/commands/notifications/{first}/read"),
        &bob,
    )
    .await;
    assert_problem(res, 404, None).await;
    assert_eq!(unread(&app, alice_id).await, 2);

    let res = post(
        &app,
        &format!("/api/v1/commands/notifications/{first}/read"),
        &alice,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.expect("json")["marked"], 1);
    let again = post(
        &app,
        &format!("/api/v1/commands/notifications/{first}/read"),
        &alice,
    )
    .await;
    assert_eq!(again.json::<Value>().await.expect("json")["marked"], 0);
    assert_eq!(unread(&app, alice_id).await, 1);

    let res = post(&app, "/api/v1/commands/notifications/read-all", &alice).await;
    assert_eq!(res.json::<Value>().await.expect("json")["marked"], 1);
    assert_eq!(unread(&app, alice_id).await, 0);

    let res = post(
        &app,
        "/api/v1/commands/notifications/not-a-uuid/read",
        &alice,
    )
    .await;
    assert_problem(res, 404, None).await;
}
