//! Two replicas of one relay: one publishes, the other waits on the lock and
//! takes over when the first dies.

use std::{sync::atomic::Ordering::Relaxed, time::Duration};

use crate::support::{
    TestBus, TestDb, amqp_url, eventually, message_id, relay_config, spawn_relay,
};

#[tokio::test]
async fn a_standby_replica_takes_over_when_the_active_one_dies() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;
    let cfg = relay_config(&db.url, &amqp_url(), &bus.topology, "replicated");

    let first = spawn_relay(cfg.clone());
    eventually(
        Duration::from_secs(10),
        || first.metrics.active.load(Relaxed),
        || "first active".into(),
    )
    .await;
    let second = spawn_relay(cfg);
    tokio::time::sleep(Duration::from_millis(300)).await;

    for seq in 1..=20 {
        db.append("f", seq).await;
    }
    bus.wait_for(20, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let standby = second.metrics.snapshot();
    assert!(!standby.active);
    assert_eq!(
        (standby.published, standby.batches),
        (0, 0),
        "standby made no progress"
    );
    assert_eq!(first.metrics.snapshot().published, 20);

    // Killed, not shut down: the task is dropped mid-flight with its
    // connections, which releases the lock server-side.
    first.handle.abort();
    eventually(
        Duration::from_secs(10),
        || second.metrics.active.load(Relaxed),
        || "second takes over".into(),
    )
    .await;

    for seq in 21..=40 {
        db.append("f", seq).await;
    }
    bus.wait_for(40, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let counts = bus.counts();
    for seq in 1..=40 {
        assert_eq!(counts.get(&message_id("f", seq)), Some(&1), "event {seq}");
    }
    assert_eq!(second.metrics.snapshot().published, 20);

    second.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
}
