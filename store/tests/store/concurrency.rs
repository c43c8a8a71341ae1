//! Optimistic concurrency: conflicts are retried, bounded, and never double an effect.

use crate::tally::{Gate, Tally, TallyCommand, TallyError, sequences};
use cqrs_es::EventStore;
use std::sync::Arc;
use store::{
    CommandError, CqrsOptions, EventMetadata, HubEventStore, TestDb, build_cqrs, execute_with_retry,
};
use uuid::Uuid;

async fn total(db: &TestDb, id: &str, snapshot_every: usize) -> (u64, Option<String>) {
    let store = HubEventStore::<Tally>::new(db.pool().clone()).with_snapshots(snapshot_every);
    let context = store.load_aggregate(id).await.expect("load");
    (context.aggregate.total, context.aggregate.claimed_by)
}

#[tokio::test]
async fn of_two_colliding_commands_one_commits_and_the_other_is_retried() {
    let mut db = TestDb::create().await.expect("test database");
    // Both handlers wait for each other, so both decide on version 0.
    let gate = Gate::hold(2);
    let cqrs = Arc::new(build_cqrs::<Tally>(
        db.pool().clone(),
        gate.clone(),
        CqrsOptions::new(),
    ));
    let id = Uuid::new_v4().to_string();
    let run = |n: u64| {
        let (cqrs, id) = (cqrs.clone(), id.clone());
        tokio::spawn(async move {
            execute_with_retry(
                &cqrs,
                &id,
                || TallyCommand::Add { n },
                &EventMetadata::system(),
                3,
            )
            .await
        })
    };
    let (a, b) = (run(1), run(10));
    a.await.expect("join").expect("first command");
    b.await.expect("join").expect("second command");

    // Two decisions collided, one of them was retried: three handler calls.
    assert_eq!(gate.calls(), 3);
    assert_eq!(sequences(db.pool(), &id).await, [1, 2]);
    assert_eq!(total(&db, &id, 0).await.0, 11);
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn a_retried_command_is_decided_again_and_may_be_refused() {
    let mut db = TestDb::create().await.expect("test database");
    let cqrs = Arc::new(build_cqrs::<Tally>(
        db.pool().clone(),
        Gate::hold(2),
        CqrsOptions::new(),
    ));
    let id = Uuid::new_v4().to_string();
    let claim = |by: &'static str| {
        let (cqrs, id) = (cqrs.clone(), id.clone());
        tokio::spawn(async move {
            execute_with_retry(
                &cqrs,
                &id,
                || TallyCommand::Claim { by: by.into() },
                &EventMetadata::system(),
                3,
            )
            .await
        })
    };
    let (a, b) = (claim("a"), claim("b"));
    let outcomes = [a.await.expect("join"), b.await.expect("join")];
    let won: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
    let refused: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o, Err(CommandError::Rule(TallyError::AlreadyClaimed(_)))))
        .collect();
    assert_eq!((won.len(), refused.len()), (1, 1), "{outcomes:?}");
    assert_eq!(sequences(db.pool(), &id).await, [1]);
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn a_conflict_that_outlasts_the_attempts_is_reported_and_stores_nothing() {
    let mut db = TestDb::create().await.expect("test database");
    let writers = 12;
    let cqrs = Arc::new(build_cqrs::<Tally>(
        db.pool().clone(),
        Gate::hold(writers),
        CqrsOptions::new(),
    ));
    let id = Uuid::new_v4().to_string();
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let (cqrs, id) = (cqrs.clone(), id.clone());
            tokio::spawn(async move {
                execute_with_retry(
                    &cqrs,
                    &id,
                    || TallyCommand::Add { n: 1 },
                    &EventMetadata::system(),
                    1,
                )
                .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(()) => ok += 1,
            Err(CommandError::Conflict { attempts: 1 }) => conflicts += 1,
            Err(other) => panic!("unexpected outcome: {other:?}"),
        }
    }
    assert_eq!((ok, conflicts), (1, writers - 1));
    assert_eq!(sequences(db.pool(), &id).await, [1]);
    assert_eq!(total(&db, &id, 0).await.0, 1);
    db.drop_db().await.expect("drop");
}

/// Many writers, a snapshot every 5 events: every command lands exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_on_a_snapshotting_aggregate_never_duplicate_an_effect() {
    let mut db = TestDb::create().await.expect("test database");
    let gate = Gate::open();
    let cqrs = Arc::new(build_cqrs::<Tally>(
        db.pool().clone(),
        gate.clone(),
        CqrsOptions::new().snapshot_every(5),
    ));
    let id = Uuid::new_v4().to_string();
    let (writers, each) = (8u64, 15u64);
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (cqrs, id) = (cqrs.clone(), id.clone());
            tokio::spawn(async move {
                for i in 0..each {
                    // Multi-event commands cross snapshot boundaries mid-command.
                    let command = if i % 3 == 0 {
                        TallyCommand::AddMany { count: 2 }
                    } else {
                        TallyCommand::Add { n: w + 1 }
                    };
                    execute_with_retry(
                        &cqrs,
                        &id,
                        || command.clone(),
                        &EventMetadata::system(),
                        200,
                    )
                    .await
                    .expect("every command eventually lands");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("join");
    }
    let per_writer_many = each.div_ceil(3);
    let expected_events = writers * (each + per_writer_many);
    let expected_total: u64 = (0..writers)
        .map(|w| per_writer_many * 2 + (each - per_writer_many) * (w + 1))
        .sum();
    let stored = sequences(db.pool(), &id).await;
    assert_eq!(
        stored,
        (1..=i64::try_from(expected_events).unwrap()).collect::<Vec<_>>()
    );
    assert_eq!(
        total(&db, &id, 5).await.0,
        expected_total,
        "through the snapshot"
    );
    assert_eq!(
        total(&db, &id, 0).await.0,
        expected_total,
        "from every event"
    );
    eprintln!(
        "{} handler calls for {} commands",
        gate.calls(),
        writers * each
    );
    db.drop_db().await.expect("drop");
}
