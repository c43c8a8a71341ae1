//! A relay that dies between the broker's confirms and its checkpoint
//! republishes on restart: duplicates, never a gap.

use std::time::Duration;

use relay::{FaultHook, FaultPoint, Relay, RelayError};
use tokio_util::sync::CancellationToken;

use crate::support::{TestBus, TestDb, amqp_url, message_id, relay_config, spawn_relay, within};

#[tokio::test]
async fn crash_before_checkpoint_gives_duplicates_not_gaps() {
    let db = TestDb::create().await;
    let bus = TestBus::create().await;
    db.append_many("c", 10).await;

    let mut cfg = relay_config(&db.url, &amqp_url(), &bus.topology, "crashy");
    cfg.batch_size = 4;
    cfg.fault = Some(FaultHook::new(|point| {
        point == FaultPoint::AfterConfirmsBeforeCheckpoint { batch: 2 }
    }));
    let outcome = within(20, Relay::new(cfg.clone()).run(CancellationToken::new())).await;
    assert!(matches!(
        outcome,
        Err(RelayError::Crashed(
            FaultPoint::AfterConfirmsBeforeCheckpoint { batch: 2 }
        ))
    ));
    bus.wait_for(8, Duration::from_secs(10)).await;
    let fourth: i64 = sqlx::query_scalar(
        "SELECT global_position FROM events WHERE aggregate_id = 'c' AND sequence = 4",
    )
    .fetch_one(&db.pool)
    .await
    .expect("fourth event");
    assert_eq!(
        db.checkpoint("crashy").await.1,
        fourth,
        "only batch 1 checkpointed"
    );

    cfg.fault = None;
    let restarted = spawn_relay(cfg);
    bus.wait_for(14, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let counts = bus.counts();
    for seq in 1..=10 {
        let expected = if (5..=8).contains(&seq) { 2 } else { 1 };
        assert_eq!(
            counts.get(&message_id("c", seq)),
            Some(&expected),
            "event {seq}"
        );
    }
    assert_eq!(bus.ids().len(), 14);
    assert_eq!(restarted.metrics.snapshot().published, 6);

    restarted.stop().await;
    bus.cleanup().await;
    db.cleanup().await;
}
