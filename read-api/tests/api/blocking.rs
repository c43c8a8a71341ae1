//! A blocked account is refused at once (DESIGN §7): its still-valid access
//! token gets 403 `account_blocked` on every query and on the SSE stream, and
//! an open stream of it is closed. The block is written exactly as
//! command-api writes it (`platform::blocklist::record_block`, committed).

use crate::helpers::*;
use domain::{AccountId, Role};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

async fn switch(app: &TestApp, who: &Account, blocked: bool) {
    let mut tx = app.pool.begin().await.expect("begin");
    let id = AccountId::from(who.id);
    if blocked {
        platform::blocklist::record_block(&mut tx, id).await
    } else {
        platform::blocklist::record_unblock(&mut tx, id).await
    }
    .expect("record");
    tx.commit().await.expect("commit");
}

/// Polls `GET path` as `who` until it answers `status`; how long that took.
async fn until(app: &TestApp, who: &Account, path: &str, status: u16) -> Duration {
    let start = Instant::now();
    loop {
        let (got, body) = app.get(Some(who), path).await;
        if got == status {
            if status == 403 {
                assert_eq!(body["rule"], "account_blocked", "{body}");
            }
            return start.elapsed();
        }
        assert!(start.elapsed() < WAIT, "{path} still answers {got}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn a_blocked_accounts_queries_and_stream_are_refused_and_others_are_not() {
    let app = TestApp::spawn().await;
    app.state.blocklist.wait_fresh().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    let b = account(&app.pool, Role::Client, &[]).await;
    assert_eq!(app.get(Some(&a), "/api/v1/me").await.0, 200);
    let mut stream = app
        .http
        .get(app.url("/api/v1/events/stream"))
        .bearer_auth(app.token(&a))
        .send()
        .await
        .expect("open stream");
    assert_eq!(stream.status(), 200);
    let ticket = app.ticket(&a).await;

    switch(&app, &a, true).await;
    let took = until(&app, &a, "/api/v1/me", 403).await;
    eprintln!("read-api refused the blocked account {took:?} after the commit");
    for path in [
        "/api/v1/wallet",
        "/api/v1/subscriptions",
        "/api/v1/notifications",
    ] {
        let (status, body) = app.get(Some(&a), path).await;
        assert_eq!(
            (status, &body["rule"]),
            (403, &"account_blocked".into()),
            "{path}"
        );
    }
    // The open stream ends; a new one is refused.
    let end = tokio::time::timeout(WAIT, async {
        loop {
            match stream.chunk().await {
                Ok(Some(_)) => {}
                other => return other.map(|_| ()),
            }
        }
    })
    .await
    .expect("the stream of a blocked account is closed");
    assert!(end.is_ok(), "{end:?}");
    let (status, body) = app.get(Some(&a), "/api/v1/events/stream").await;
    assert_eq!((status, &body["rule"]), (403, &"account_blocked".into()));
    // Nor does a ticket issued before the block open one, nor may it get a new one.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/events/stream?ticket={ticket}")))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 403);
    let res = app
        .http
        .post(app.url("/api/v1/events/tickets"))
        .bearer_auth(app.token(&a))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 403);

    // Others are untouched.
    assert_eq!(app.get(Some(&b), "/api/v1/me").await.0, 200);
    let other = app
        .http
        .get(app.url("/api/v1/events/stream"))
        .bearer_auth(app.token(&b))
        .send()
        .await
        .expect("open stream");
    assert_eq!(other.status(), 200);

    switch(&app, &a, false).await;
    until(&app, &a, "/api/v1/me", 200).await;
}

#[tokio::test]
async fn while_the_listener_is_down_each_check_asks_postgres() {
    let app = TestApp::spawn().await;
    app.state.blocklist.wait_fresh().await;
    let a = account(&app.pool, Role::Client, &[]).await;
    // Cut the blocklist's LISTEN connection; until it is back, checks query.
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN \"hub_blocked_accounts\"%'",
    )
    .execute(&app.pool)
    .await
    .expect("terminate");
    // A block written with no notification at all still holds at once.
    sqlx::query("INSERT INTO blocked_accounts (account_id) VALUES ($1)")
        .bind(a.id)
        .execute(&app.pool)
        .await
        .expect("insert");
    let start = Instant::now();
    while app.state.blocklist.is_fresh() && start.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let took = until(&app, &a, "/api/v1/me", 403).await;
    assert!(took < WAIT);
}
