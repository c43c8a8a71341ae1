//! Snapshots: long streams load from their latest state, and a snapshot is
//! written in the events' own transaction.

use crate::tally::{Gate, TYPE, Tally, TallyCommand, TallyEvent, sequences};
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, EventStore};
use postgres_es::PostgresEventRepository;
use std::time::{Duration, Instant};
use store::{CqrsOptions, EventMetadata, HubEventStore, TestDb, build_cqrs, execute_with_retry};
use uuid::Uuid;

/// (last_sequence, current_snapshot, payload.total)
async fn snapshot_row(db: &TestDb, id: &str) -> Option<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT last_sequence, current_snapshot, (payload->>'total')::bigint
           FROM snapshots WHERE aggregate_type = $1 AND aggregate_id = $2",
    )
    .bind(TYPE)
    .bind(id)
    .fetch_optional(db.pool())
    .await
    .expect("read snapshot")
}

async fn last_event(db: &TestDb, id: &str) -> TallyEvent {
    let payload: serde_json::Value = sqlx::query_scalar(
        "SELECT payload FROM events WHERE aggregate_type = $1 AND aggregate_id = $2
          ORDER BY sequence DESC LIMIT 1",
    )
    .bind(TYPE)
    .bind(id)
    .fetch_one(db.pool())
    .await
    .expect("last event");
    serde_json::from_value(payload).expect("a tally event")
}

async fn timed<F: std::future::Future<Output = ()>>(f: F) -> Duration {
    let started = Instant::now();
    f.await;
    started.elapsed()
}

#[tokio::test]
async fn an_aggregate_with_ten_thousand_events_loads_through_its_snapshot() {
    let mut db = TestDb::create().await.expect("test database");
    let cqrs = build_cqrs::<Tally>(
        db.pool().clone(),
        Gate::open(),
        CqrsOptions::new().snapshot_every(100),
    );
    let metadata = EventMetadata::system();
    let (long, fresh) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    let started = Instant::now();
    for _ in 0..100 {
        execute_with_retry(
            &cqrs,
            &long,
            || TallyCommand::AddMany { count: 100 },
            &metadata,
            1,
        )
        .await
        .expect("append 100 events");
    }
    eprintln!("10,000 events appended in {:?}", started.elapsed());
    assert_eq!(snapshot_row(&db, &long).await, Some((10_000, 100, 10_000)));

    let add = |id: &str| {
        let id = id.to_owned();
        let (cqrs, metadata) = (&cqrs, &metadata);
        async move {
            execute_with_retry(cqrs, &id, || TallyCommand::Add { n: 1 }, metadata, 1)
                .await
                .expect("add");
        }
    };
    let on_long = timed(add(&long)).await;
    // The command saw only what the snapshot did not cover: nothing.
    assert_eq!(
        last_event(&db, &long).await,
        TallyEvent::Added {
            n: 1,
            applied_before: 0
        }
    );
    let on_long_again = timed(add(&long)).await;
    assert_eq!(
        last_event(&db, &long).await,
        TallyEvent::Added {
            n: 1,
            applied_before: 1
        }
    );
    let on_fresh = timed(add(&fresh)).await;

    // For comparison: the same load without the snapshot.
    let replaying = HubEventStore::<Tally>::new(db.pool().clone());
    let started = Instant::now();
    let replayed = replaying.load_aggregate(&long).await.expect("replay");
    let full_replay = started.elapsed();
    assert_eq!(replayed.aggregate.total, 10_002);
    assert_eq!(replayed.aggregate.applied_since_load, 10_002);
    let through_snapshot = HubEventStore::<Tally>::new(db.pool().clone())
        .with_snapshots(100)
        .load_aggregate(&long)
        .await
        .expect("load");
    assert_eq!(through_snapshot.aggregate.total, 10_002);
    assert_eq!(through_snapshot.aggregate.applied_since_load, 2);

    eprintln!(
        "one command on a 10,000-event aggregate through its snapshot: {on_long:?} \
         (then {on_long_again:?}); on a fresh aggregate: {on_fresh:?}; \
         loading all 10,002 events without the snapshot: {full_replay:?}"
    );
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn a_command_crossing_a_boundary_snapshots_the_state_after_all_its_events() {
    let mut db = TestDb::create().await.expect("test database");
    let cqrs = build_cqrs::<Tally>(
        db.pool().clone(),
        Gate::open(),
        CqrsOptions::new().snapshot_every(4),
    );
    let id = Uuid::new_v4().to_string();
    let metadata = EventMetadata::system();
    for count in [5, 8] {
        execute_with_retry(&cqrs, &id, || TallyCommand::AddMany { count }, &metadata, 1)
            .await
            .expect("add many");
    }
    // Not doubled (cqrs-es re-applies the events before snapshotting) and
    // not stamped 13 while holding the state at 12 (postgres-es).
    assert_eq!(snapshot_row(&db, &id).await, Some((13, 2, 13)));
    let loaded = HubEventStore::<Tally>::new(db.pool().clone())
        .with_snapshots(4)
        .load_aggregate(&id)
        .await
        .expect("load");
    assert_eq!((loaded.aggregate.total, loaded.current_sequence), (13, 13));
    db.drop_db().await.expect("drop");
}

/// Another writer moves the snapshot on between our load and our commit
/// (its number no longer matches ours). postgres-es checks the snapshot
/// UPDATE's rows-affected only after committing the events, so it answers a
/// conflict for events it stored and a retry would apply the command twice.
/// Our store has no such check: the events' key is the only guard.
#[tokio::test]
async fn a_snapshot_moved_on_mid_command_never_turns_stored_events_into_a_conflict() {
    let mut db = TestDb::create().await.expect("test database");
    let metadata = EventMetadata::system();
    let cqrs = build_cqrs::<Tally>(
        db.pool().clone(),
        Gate::open(),
        CqrsOptions::new().snapshot_every(2),
    );

    // postgres-es, for the record (fails loudly if an upgrade fixes it).
    let theirs = PersistedEventStore::<_, Tally>::new_snapshot_store(
        PostgresEventRepository::new(db.pool().clone()),
        2,
    );
    let ours = HubEventStore::<Tally>::new(db.pool().clone()).with_snapshots(2);
    let skew = |id: String| {
        let pool = db.pool().clone();
        async move {
            sqlx::query("UPDATE snapshots SET current_snapshot = current_snapshot + 7 WHERE aggregate_id = $1")
                .bind(id)
                .execute(&pool)
                .await
                .expect("skew the snapshot number");
        }
    };
    let two_more = || {
        vec![
            TallyEvent::Added {
                n: 1,
                applied_before: 2,
            },
            TallyEvent::Added {
                n: 1,
                applied_before: 3,
            },
        ]
    };

    let id = Uuid::new_v4().to_string();
    execute_with_retry(
        &cqrs,
        &id,
        || TallyCommand::AddMany { count: 2 },
        &metadata,
        1,
    )
    .await
    .expect("add many");
    let mut context = theirs.load_aggregate(&id).await.expect("load");
    skew(id.clone()).await;
    for event in two_more() {
        context.aggregate.apply(event);
    }
    let outcome = theirs.commit(two_more(), context, metadata.to_map()).await;
    assert!(
        matches!(outcome, Err(AggregateError::AggregateConflict)),
        "{:?}",
        outcome.map(|_| ())
    );
    assert_eq!(
        sequences(db.pool(), &id).await,
        [1, 2, 3, 4],
        "postgres-es stored the events it called a conflict"
    );

    let id = Uuid::new_v4().to_string();
    execute_with_retry(
        &cqrs,
        &id,
        || TallyCommand::AddMany { count: 2 },
        &metadata,
        1,
    )
    .await
    .expect("add many");
    let mut context = ours.load_aggregate(&id).await.expect("load");
    skew(id.clone()).await;
    for event in two_more() {
        context.aggregate.apply(event);
    }
    ours.commit(two_more(), context, metadata.to_map())
        .await
        .expect("committed once, reported as committed");
    assert_eq!(sequences(db.pool(), &id).await, [1, 2, 3, 4]);
    assert_eq!(snapshot_row(&db, &id).await, Some((4, 2, 4)));
    db.drop_db().await.expect("drop");
}

/// cqrs-es 0.5 applies a command's events to the aggregate a second time
/// before snapshotting it (fails loudly if an upgrade fixes it).
#[tokio::test]
async fn postgres_es_snapshots_hold_a_doubled_state() {
    let mut db = TestDb::create().await.expect("test database");
    let theirs = postgres_es::postgres_snapshot_cqrs::<Tally>(
        db.pool().clone(),
        Vec::new(),
        2,
        Gate::open(),
    );
    let id = Uuid::new_v4().to_string();
    for _ in 0..2 {
        execute_with_retry(
            &theirs,
            &id,
            || TallyCommand::Add { n: 1 },
            &EventMetadata::system(),
            1,
        )
        .await
        .expect("add");
    }
    assert_eq!(snapshot_row(&db, &id).await, Some((2, 1, 3)));
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn a_snapshot_that_no_longer_deserialises_is_replaced_after_a_replay() {
    let mut db = TestDb::create().await.expect("test database");
    let cqrs = build_cqrs::<Tally>(
        db.pool().clone(),
        Gate::open(),
        CqrsOptions::new().snapshot_every(2),
    );
    let id = Uuid::new_v4().to_string();
    let metadata = EventMetadata::system();
    execute_with_retry(
        &cqrs,
        &id,
        || TallyCommand::AddMany { count: 3 },
        &metadata,
        1,
    )
    .await
    .expect("add many");
    sqlx::query(
        r#"UPDATE snapshots SET payload = '{"total": "not a number"}' WHERE aggregate_id = $1"#,
    )
    .bind(&id)
    .execute(db.pool())
    .await
    .expect("break the snapshot");
    execute_with_retry(&cqrs, &id, || TallyCommand::Add { n: 1 }, &metadata, 1)
        .await
        .expect("add");
    assert_eq!(
        last_event(&db, &id).await,
        TallyEvent::Added {
            n: 1,
            applied_before: 3
        }
    );
    assert_eq!(snapshot_row(&db, &id).await, Some((4, 1, 4)));
    db.drop_db().await.expect("drop");
}
