//! Blocking takes effect at once (DESIGN §7): the account's still-valid
//! access token is refused, its refresh tokens are revoked, other accounts
//! are untouched; unblocking restores access, refresh only after a new login.

use crate::helpers::*;
use crate::money_support::*;
use domain::AccountId;
use platform::Blocklist;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn tokens(app: &TestApp, email: &str) -> (String, String) {
    let res = app.login(email, PASSWORD).await;
    assert_eq!(res.status(), 200, "login {email}");
    let body: Value = res.json().await.expect("json");
    (
        body["access_token"].as_str().expect("access").to_owned(),
        body["refresh_token"].as_str().expect("refresh").to_owned(),
    )
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": token}))
        .await
}

async fn change_profile(w: &World, token: &str) -> reqwest::Response {
    w.send(
        "/api/v1/commands/accounts/me/profile",
        Some(token),
        None,
        &json!({"contact_name": "Someone Else"}),
    )
    .await
}

async fn assert_blocked(res: reqwest::Response) {
    let body = assert_problem(res, 403, None).await;
    assert_eq!(body["rule"], "account_blocked", "{body}");
}

#[tokio::test]
async fn a_blocked_accounts_valid_tokens_are_refused_at_once_and_others_are_not() {
    let w = World::new().await;
    let (access, refresh_token) = tokens(&w.app, "b@example.ru").await;
    let (_, b_id) = login_token(&w.app, "b@example.ru").await;
    assert_eq!(change_profile(&w, &access).await.status(), 204);

    let res = w
        .send(
            &format!("/api/v1/commands/admin/accounts/{b_id}/block"),
            Some(&w.admin),
            None,
            &json!({"reason": "fraud"}),
        )
        .await;
    assert_eq!(res.status(), 204);

    // The very next requests: a command, a money command, a query of its own.
    assert_blocked(change_profile(&w, &access).await).await;
    assert_blocked(w.request_top_up(&access, "100.00").await).await;
    assert_blocked(w.app.get_with_token("/api/v1/auth/whoami", &access).await).await;
    // Its refresh tokens are revoked: 401, like any token that is no good.
    assert_problem(refresh(&w.app, &refresh_token).await, 401, None).await;
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM refresh_tokens WHERE account_id = $1::uuid AND NOT revoked",
    )
    .bind(&b_id)
    .fetch_one(&w.app.pool)
    .await
    .expect("count");
    assert_eq!(live, 0);

    // Everyone else goes on.
    assert_eq!(change_profile(&w, &w.client_a).await.status(), 204);
    assert_eq!(w.top_up(&w.client_a, "100.00").await.status(), 201);
    let (_, other_refresh) = tokens(&w.app, "a@example.ru").await;
    assert_eq!(refresh(&w.app, &other_refresh).await.status(), 200);

    let res = w
        .send(
            &format!("/api/v1/commands/admin/accounts/{b_id}/unblock"),
            Some(&w.admin),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    // Access is back, but the revoked refresh token stays revoked: log in again.
    assert_eq!(change_profile(&w, &access).await.status(), 204);
    assert_eq!(refresh(&w.app, &refresh_token).await.status(), 401);
    let (_, fresh_refresh) = tokens(&w.app, "b@example.ru").await;
    assert_eq!(refresh(&w.app, &fresh_refresh).await.status(), 200);
}

#[tokio::test]
async fn another_role_learns_of_a_block_through_the_notification() {
    let w = World::new().await;
    let (_, b_id) = login_token(&w.app, "b@example.ru").await;
    let b = AccountId::from(uuid::Uuid::parse_str(&b_id).expect("uuid"));
    // Another process's blocklist (read-api, a second command-api replica).
    let other = Blocklist::start(w.app.pool.clone());
    other.wait_fresh().await;
    assert!(!other.is_blocked(b).await.expect("check"));

    let block = format!("/api/v1/commands/admin/accounts/{b_id}/block");
    let res = w
        .send(&block, Some(&w.admin), None, &json!({"reason": "fraud"}))
        .await;
    assert_eq!(res.status(), 204);
    let answered = Instant::now();
    while !other.is_blocked(b).await.expect("check") {
        assert!(
            answered.elapsed() < Duration::from_secs(2),
            "the block never reached the other role"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    eprintln!(
        "block reached another role {:?} after the answer",
        answered.elapsed()
    );

    let unblock = format!("/api/v1/commands/admin/accounts/{b_id}/unblock");
    let res = w.send(&unblock, Some(&w.admin), None, &json!({})).await;
    assert_eq!(res.status(), 204);
    let answered = Instant::now();
    while other.is_blocked(b).await.expect("check") {
        assert!(answered.elapsed() < Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn a_refused_block_leaves_no_row_and_revokes_nothing() {
    let w = World::new().await;
    let (_, admin_id) = login_token(&w.app, "admin@hub.example").await;
    let (_, refresh_token) = tokens(&w.app, "admin@hub.example").await;
    let res = w
        .send(
            &format!("/api/v1/commands/admin/accounts/{admin_id}/block"),
            Some(&w.admin),
            None,
            &json!({"reason": "myself"}),
        )
        .await;
    assert_eq!(
        assert_problem(res, 422, None).await["rule"],
        "cannot_block_self"
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM blocked_accounts")
        .fetch_one(&w.app.pool)
        .await
        .expect("count");
    assert_eq!(rows, 0);
    assert_eq!(refresh(&w.app, &refresh_token).await.status(), 200);
}

#[tokio::test]
async fn the_migration_carries_over_accounts_blocked_before_it() {
    let w = World::new().await;
    let (_, b_id) = login_token(&w.app, "b@example.ru").await;
    let block = format!("/api/v1/commands/admin/accounts/{b_id}/block");
    let res = w
        .send(&block, Some(&w.admin), None, &json!({"reason": "fraud"}))
        .await;
    assert_eq!(res.status(), 204);
    // Replay the migration's backfill over an emptied table.
    sqlx::query("DELETE FROM blocked_accounts")
        .execute(&w.app.pool)
        .await
        .expect("delete");
    let sql = include_str!("../../../store/migrations/20261130000500_blocked_accounts.sql");
    let backfill = &sql[sql.find("INSERT INTO blocked_accounts").expect("backfill")..];
    let backfill = &backfill[..=backfill.find(';').expect("end")];
    sqlx::query(backfill)
        .execute(&w.app.pool)
        .await
        .expect("backfill");
    let blocked: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT account_id FROM blocked_accounts")
        .fetch_all(&w.app.pool)
        .await
        .expect("rows");
    assert_eq!(blocked, vec![uuid::Uuid::parse_str(&b_id).expect("uuid")]);
}

/// Why the check is an in-memory set: the same answer as the indexed query,
/// measured side by side on the test database.
#[tokio::test]
async fn the_in_memory_check_is_cheaper_than_the_indexed_query() {
    let w = World::new().await;
    let list = Blocklist::start(w.app.pool.clone());
    list.wait_fresh().await;
    let id = AccountId::new();
    const N: u32 = 2000;
    let start = Instant::now();
    for _ in 0..N {
        assert!(!list.is_blocked(id).await.expect("check"));
    }
    let memory = start.elapsed() / N;
    let start = Instant::now();
    for _ in 0..N {
        let blocked: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM blocked_accounts WHERE account_id = $1)",
        )
        .bind(id.as_uuid())
        .fetch_one(&w.app.pool)
        .await
        .expect("query");
        assert!(!blocked);
    }
    let query = start.elapsed() / N;
    eprintln!("blocked check: in memory {memory:?}, indexed query {query:?} per request");
    assert!(memory < query);
}
