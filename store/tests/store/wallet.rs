//! A wallet with 10,000 events: commands load it through its snapshot.

use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::{Aggregate, EventStore};
use domain::wallet::{Wallet, WalletCommand, WalletEvent};
use domain::{AccountId, Actor, Money, Role, TransferId};
use rust_decimal::Decimal;
use std::time::{Duration, Instant};
use store::cqrs::LONG_LIVED_SNAPSHOT_EVERY;
use store::{EventMetadata, HubEventStore, Store, TestDb, execute_with_retry};

fn hundred() -> Money {
    Money::rub(Decimal::new(100, 0))
}

async fn top_up(store: &Store, owner: AccountId) -> Duration {
    let actor = Actor::new(owner, Role::Client);
    let transfer_id = TransferId::new();
    let started = Instant::now();
    execute_with_retry(
        &store.wallets(),
        &owner.to_string(),
        || WalletCommand::RequestTopUp {
            actor,
            owner,
            transfer_id,
            amount: hundred(),
        },
        &EventMetadata::by(actor),
        3,
    )
    .await
    .expect("top-up requested");
    started.elapsed()
}

#[tokio::test]
async fn a_wallet_with_ten_thousand_events_loads_through_its_snapshot() {
    let mut db = TestDb::create().await.expect("test database");
    let store = Store::new(db.pool().clone());
    let snapshotting =
        HubEventStore::<Wallet>::new(db.pool().clone()).with_snapshots(LONG_LIVED_SNAPSHOT_EVERY);
    let owner = AccountId::new();
    let id = owner.to_string();

    // 5,000 settled top-ups, committed 50 at a time the way cqrs-es commits
    // a command's events (the context already holds them).
    let started = Instant::now();
    let metadata = EventMetadata::system().to_map();
    for _ in 0..100 {
        let mut context: EventStoreAggregateContext<Wallet> =
            snapshotting.load_aggregate(&id).await.expect("load");
        let events: Vec<WalletEvent> = (0..50)
            .flat_map(|_| {
                let transfer_id = TransferId::new();
                [
                    WalletEvent::TopUpRequested {
                        owner,
                        transfer_id,
                        amount: hundred(),
                    },
                    WalletEvent::TopUpSettled {
                        transfer_id,
                        amount: hundred(),
                    },
                ]
            })
            .collect();
        for event in events.clone() {
            context.aggregate.apply(event);
        }
        snapshotting
            .commit(events, context, metadata.clone())
            .await
            .expect("commit 100 events");
    }
    eprintln!("wallet: 10,000 events appended in {:?}", started.elapsed());
    let snapshot: (i64, i64) = sqlx::query_as(
        "SELECT last_sequence, current_snapshot FROM snapshots
          WHERE aggregate_type = 'Wallet' AND aggregate_id = $1",
    )
    .bind(&id)
    .fetch_one(db.pool())
    .await
    .expect("the snapshot row exists");
    assert_eq!(snapshot, (10_000, 100));
    let snapshot_bytes: i32 = sqlx::query_scalar(
        "SELECT octet_length(payload::text) FROM snapshots
          WHERE aggregate_type = 'Wallet' AND aggregate_id = $1",
    )
    .bind(&id)
    .fetch_one(db.pool())
    .await
    .expect("snapshot size");
    eprintln!("wallet: snapshot of 5,000 transfers is {snapshot_bytes} bytes of JSON");

    let on_long = top_up(&store, owner).await;
    let on_long_again = top_up(&store, owner).await;
    let on_fresh = top_up(&store, AccountId::new()).await;

    // Loading reads the snapshot plus the two events after it.
    assert_eq!(
        snapshotting
            .events_after(&id, 10_000)
            .await
            .expect("tail")
            .len(),
        2
    );
    let loaded = snapshotting.load_aggregate(&id).await.expect("load");
    assert_eq!(loaded.current_sequence, 10_002);
    assert_eq!(loaded.current_snapshot, Some(100));
    let started = Instant::now();
    let replayed = HubEventStore::<Wallet>::new(db.pool().clone())
        .load_aggregate(&id)
        .await
        .expect("replay");
    let full_replay = started.elapsed();
    assert_eq!(loaded.aggregate.balance(), replayed.aggregate.balance());
    assert_eq!(
        loaded.aggregate.balance(),
        Money::rub(Decimal::new(500_000, 0)),
        "5,000 settled top-ups of 100 RUB"
    );

    eprintln!(
        "wallet: one top-up on a 10,000-event wallet through its snapshot: {on_long:?} \
         (then {on_long_again:?}); on a fresh wallet: {on_fresh:?}; \
         replaying all 10,002 events without the snapshot: {full_replay:?}"
    );
    db.drop_db().await.expect("drop");
}
