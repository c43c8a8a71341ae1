//! Clients that hang up mid-request must leave nothing behind in PostgreSQL:
//! a peer on the same crates kept pooled connections `idle in transaction`,
//! holding row locks until restart, after exactly this kind of load.

use crate::helpers::client_body;
use crate::money_support::World;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Sends a whole HTTP request, then closes the socket after `wait` without
/// reading the answer.
async fn hang_up(
    addr: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
    key: Option<String>,
    wait: Duration,
) {
    let Ok(mut tcp) = TcpStream::connect(addr).await else {
        return;
    };
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(k) = key {
        head.push_str(&format!("Idempotency-Key: {k}\r\n"));
    }
    head.push_str("\r\n");
    let _ = tcp.write_all(head.as_bytes()).await;
    let _ = tcp.write_all(body.as_bytes()).await;
    tokio::time::sleep(wait).await;
    drop(tcp);
}

#[tokio::test]
async fn clients_hanging_up_under_load_leave_no_transaction_or_lock_behind() {
    let w = World::new().await;
    let addr = w.app.base.trim_start_matches("http://").to_owned();
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&w.app.pool)
        .await
        .expect("db name");

    let mut load = tokio::task::JoinSet::new();
    for i in 0..240u64 {
        let addr = addr.clone();
        let token = w.client_a.clone();
        let wait = Duration::from_millis(i % 25);
        load.spawn(async move {
            match i % 3 {
                // Money: an idempotency claim plus two aggregate commands.
                0 => {
                    let key = Some(uuid::Uuid::new_v4().to_string());
                    hang_up(&addr, "/api/v1/commands/wallet/top-ups", Some(&token), r#"{"amount":"10.00"}"#, key, wait)
                        .await;
                }
                // Registration: a credentials row in an open transaction while the aggregate commits.
                1 => {
                    let body = client_body(&format!("hangup-{i}@example.ru")).to_string();
                    hang_up(&addr, "/api/v1/auth/register/client", None, &body, None, wait).await;
                }
                // A subscription: escrow, request and funding in one unit.
                _ => {
                    let body = r#"{"service_type":"delivery","plan":"one_off","description":"hang-up load"}"#;
                    let key = Some(uuid::Uuid::new_v4().to_string());
                    hang_up(&addr, "/api/v1/commands/subscriptions", Some(&token), body, key, wait).await;
                }
            }
        });
    }
    while load.join_next().await.is_some() {}

    // Whatever the server kept doing after the hang-ups must finish on its own.
    let mut idle = -1i64;
    let mut locks = -1i64;
    for _ in 0..100 {
        idle = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'",
        )
        .bind(&db)
        .fetch_one(&w.app.pool)
        .await
        .expect("pg_stat_activity");
        locks = sqlx::query_scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
             WHERE d.datname = $1 AND l.locktype IN ('relation', 'tuple', 'transactionid', 'advisory') \
             AND l.pid <> pg_backend_pid()",
        )
        .bind(&db)
        .fetch_one(&w.app.pool)
        .await
        .expect("pg_locks");
        if idle == 0 && locks == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(idle, 0, "connections left idle in transaction");
    assert_eq!(locks, 0, "locks left behind");

    // And the service still answers normally afterwards.
    let res = w.top_up(&w.client_a, "1.00").await;
    assert_eq!(res.status(), 201);
}

/// A subscription cut off at any moment — before, during or after its
/// commit — and then retried with its key ends with exactly one request,
/// and every rouble is either in the wallet or in that request's escrow.
#[tokio::test]
async fn a_subscription_cut_at_any_point_and_retried_has_exactly_one_effect() {
    use serde_json::json;
    let w = World::new().await;
    let addr = w.app.base.trim_start_matches("http://").to_owned();
    assert_eq!(w.top_up(&w.client_a, "300000.00").await.status(), 201);
    let body =
        json!({"service_type": "legal", "plan": "one_off", "description": "cut and retried"});
    let cuts = 20u64;
    for i in 0..cuts {
        let key = format!("cut-{i}");
        hang_up(
            &addr,
            "/api/v1/commands/subscriptions",
            Some(&w.client_a),
            &body.to_string(),
            Some(key.clone()),
            Duration::from_micros(i * 1500),
        )
        .await;
        let retried = w
            .send(
                "/api/v1/commands/subscriptions",
                Some(&w.client_a),
                Some(&key),
                &body,
            )
            .await;
        assert_eq!(retried.status(), 201, "retry {i}");
    }
    assert_eq!(
        w.events_of("Subscription", "SubscriptionRequested").await,
        i64::try_from(cuts).unwrap()
    );
    assert_eq!(
        w.events_of("Wallet", "FundsMovedToEscrow").await,
        i64::try_from(cuts).unwrap()
    );
    let escrowed: rust_decimal::Decimal = sqlx::query_scalar(
        "SELECT COALESCE(sum((payload->'EscrowFunded'->'amount'->>'amount')::numeric), 0) \
           FROM events WHERE event_type = 'EscrowFunded'",
    )
    .fetch_one(&w.app.pool)
    .await
    .expect("escrow");
    let wallet: rust_decimal::Decimal = w.balance(&w.client_a_id).await.parse().unwrap();
    assert_eq!(wallet + escrowed, rust_decimal::Decimal::new(300_000, 0));
}
