//! Commit order, not insertion order: a transaction that commits late is
//! never skipped.

use std::time::Duration;

use crate::support::{TestBus, TestDb, append, message_id, relay_config, spawn_relay};

#[tokio::test]
async fn a_transaction_committing_after_a_later_one_is_not_skipped() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;
    db.append("early", 1).await;

    // A inserts first (lower global_position), B second; B commits first.
    let mut tx_a = db.pool.begin().await.expect("begin A");
    let pos_a = append(&mut *tx_a, "a", 1).await;
    let mut tx_b = db.pool.begin().await.expect("begin B");
    let pos_b = append(&mut *tx_b, "b", 1).await;
    assert!(pos_a < pos_b);
    tx_b.commit().await.expect("commit B");

    let relay = spawn_relay(relay_config(
        &db.url,
        &crate::support::amqp_url(),
        &bus.topology,
        "order",
    ));
    bus.wait_for(1, Duration::from_secs(10)).await;
    // Several polls later B is still held back: A is running and older.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(bus.ids(), vec![message_id("early", 1)]);
    assert_eq!(relay.metrics.snapshot().published, 1);

    tx_a.commit().await.expect("commit A");
    bus.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(
        bus.ids(),
        vec![
            message_id("early", 1),
            message_id("a", 1),
            message_id("b", 1)
        ]
    );

    relay.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
}

#[tokio::test]
async fn events_follow_transaction_order_even_against_global_position() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;

    // A takes its transaction id first but inserts last: its event has the
    // lower tx_id and the higher global_position. B commits while A runs.
    let mut tx_a = db.pool.begin().await.expect("begin A");
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *tx_a)
        .await
        .expect("assign A's xid");
    let mut tx_b = db.pool.begin().await.expect("begin B");
    let pos_b = append(&mut *tx_b, "b", 1).await;
    let pos_a = append(&mut *tx_a, "a", 1).await;
    assert!(pos_b < pos_a);
    tx_b.commit().await.expect("commit B");

    let relay = spawn_relay(relay_config(
        &db.url,
        &crate::support::amqp_url(),
        &bus.topology,
        "order",
    ));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        bus.ids().is_empty(),
        "B must wait for the older A: {:?}",
        bus.ids()
    );

    tx_a.commit().await.expect("commit A");
    bus.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(bus.ids(), vec![message_id("a", 1), message_id("b", 1)]);
    let snap = relay.metrics.snapshot();
    assert_eq!(snap.last_global_position, pos_b);
    assert_eq!(db.checkpoint("order").await.1, pos_b);

    relay.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_rolled_back_transaction_does_not_stall_the_relay() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;
    let relay = spawn_relay(relay_config(
        &db.url,
        &crate::support::amqp_url(),
        &bus.topology,
        "rollback",
    ));

    let mut tx_a = db.pool.begin().await.expect("begin A");
    append(&mut *tx_a, "a", 1).await;
    db.append("b", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(bus.ids().is_empty());
    tx_a.rollback().await.expect("roll back A");

    bus.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(bus.ids(), vec![message_id("b", 1)]);

    relay.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
}
