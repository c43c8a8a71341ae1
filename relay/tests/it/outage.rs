//! RabbitMQ or PostgreSQL going away: the relay waits, reconnects with
//! backoff and catches up, losing nothing.

use std::time::Duration;

use crate::support::{Proxy, TestBus, TestDb, amqp_url, message_id, relay_config, spawn_relay};

const RABBITMQ: &str = "127.0.0.1:5672";
const POSTGRES: &str = "127.0.0.1:5432";

#[tokio::test]
async fn relay_catches_up_after_rabbitmq_comes_back() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;
    let proxy = Proxy::start(RABBITMQ).await;
    let via_proxy = format!("amqp://guest:guest@{}/%2f", proxy.addr);
    let relay = spawn_relay(relay_config(&db.url, &via_proxy, &bus.topology, "outage"));

    for seq in 1..=5 {
        db.append("r", seq).await;
    }
    bus.wait_for(5, Duration::from_secs(10)).await;

    proxy.cut();
    for seq in 6..=10 {
        db.append("r", seq).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        bus.ids().len(),
        5,
        "nothing gets through while RabbitMQ is away"
    );
    assert!(relay.metrics.snapshot().failures > 0, "the relay noticed");

    proxy.restore();
    bus.wait_for(10, Duration::from_secs(15)).await;
    let counts = bus.counts();
    for seq in 1..=10 {
        assert!(
            counts.contains_key(&message_id("r", seq)),
            "event {seq} missing"
        );
    }
    eventually_checkpointed(&db, "outage", 10).await;

    relay.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
    drop(proxy);
    let _ = amqp_url();
}

#[tokio::test]
async fn relay_catches_up_after_postgres_comes_back() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;
    let proxy = Proxy::start(POSTGRES).await;
    let (_, name) = db.url.rsplit_once('/').expect("db name");
    let via_proxy = format!("postgres://postgres@{}/{name}", proxy.addr);
    let relay = spawn_relay(relay_config(
        &via_proxy,
        &amqp_url(),
        &bus.topology,
        "pg-outage",
    ));

    for seq in 1..=5 {
        db.append("p", seq).await;
    }
    bus.wait_for(5, Duration::from_secs(10)).await;

    proxy.cut();
    for seq in 6..=10 {
        db.append("p", seq).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(bus.ids().len(), 5);
    assert!(relay.metrics.snapshot().failures > 0, "the relay noticed");

    proxy.restore();
    bus.wait_for(10, Duration::from_secs(15)).await;
    let counts = bus.counts();
    for seq in 1..=10 {
        assert!(
            counts.contains_key(&message_id("p", seq)),
            "event {seq} missing"
        );
    }
    eventually_checkpointed(&db, "pg-outage", 10).await;

    relay.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
}

/// Waits until the checkpoint covers the `n`-th event inserted.
async fn eventually_checkpointed(db: &TestDb, relay: &str, n: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, pos) = db.checkpoint(relay).await;
        let last: i64 = sqlx::query_scalar("SELECT max(global_position) FROM events")
            .fetch_one(&db.pool)
            .await
            .expect("max position");
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&db.pool)
            .await
            .expect("count");
        if pos == last && count == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "checkpoint stuck at {pos}, last {last}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
