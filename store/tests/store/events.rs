//! What lands in `events`, and that it stays there.

use crate::tally::{Gate, TYPE, Tally, TallyCommand};
use domain::{AccountId, Actor, Role};
use std::collections::HashMap;
use store::{CqrsOptions, EventMetadata, TestDb, build_cqrs, execute_with_retry};
use uuid::Uuid;

#[tokio::test]
async fn events_land_with_their_metadata_position_transaction_and_time() {
    let mut db = TestDb::create().await.expect("test database");
    let cqrs = build_cqrs::<Tally>(db.pool().clone(), Gate::open(), CqrsOptions::new());
    let actor = Actor::new(AccountId::new(), Role::Client);
    let cause = Uuid::new_v4();
    let metadata = EventMetadata::by(actor).caused_by(cause);
    let id = Uuid::new_v4().to_string();

    execute_with_retry(
        &cqrs,
        &id,
        || TallyCommand::AddMany { count: 2 },
        &metadata,
        3,
    )
    .await
    .expect("command applied");
    execute_with_retry(
        &cqrs,
        &id,
        || TallyCommand::Add { n: 5 },
        &EventMetadata::system(),
        3,
    )
    .await
    .expect("command applied");

    let rows: Vec<(
        i64,
        String,
        serde_json::Value,
        i64,
        String,
        chrono::DateTime<chrono::Utc>,
    )> = sqlx::query_as(
        "SELECT sequence, event_type, metadata, global_position, tx_id::text, recorded_at
               FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
    )
    .bind(TYPE)
    .bind(&id)
    .fetch_all(db.pool())
    .await
    .expect("read events");

    assert_eq!(rows.len(), 3);
    let stored: HashMap<String, String> =
        serde_json::from_value(rows[0].2.clone()).expect("metadata is a string map");
    let mut keys: Vec<_> = stored.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "actor_id",
            "actor_role",
            "causation_id",
            "correlation_id",
            "occurred_at"
        ]
    );
    assert_eq!(EventMetadata::from_map(&stored), Ok(metadata));
    let system: HashMap<String, String> =
        serde_json::from_value(rows[2].2.clone()).expect("metadata is a string map");
    assert_eq!(system["actor_role"], "system");

    // One command, one transaction; positions follow sequence; all filled.
    assert_eq!(rows[0].4, rows[1].4, "one command's events share a tx_id");
    assert_ne!(rows[1].4, rows[2].4, "two commands, two transactions");
    assert!(rows[0].3 < rows[1].3 && rows[1].3 < rows[2].3, "{rows:?}");
    let age = chrono::Utc::now() - rows[2].5;
    assert!(
        age.num_seconds().abs() < 60,
        "recorded_at is now-ish: {age}"
    );
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn the_store_refuses_to_update_delete_or_truncate_events() {
    let mut db = TestDb::create().await.expect("test database");
    let cqrs = build_cqrs::<Tally>(db.pool().clone(), Gate::open(), CqrsOptions::new());
    let id = Uuid::new_v4().to_string();
    execute_with_retry(
        &cqrs,
        &id,
        || TallyCommand::Add { n: 1 },
        &EventMetadata::system(),
        1,
    )
    .await
    .expect("command applied");

    // The owner is stopped by the triggers, a writer already by its rights.
    for (pool, refusal) in [
        (db.owner_pool(), "events are immutable"),
        (db.pool(), "permission denied"),
    ] {
        for statement in [
            "UPDATE events SET payload = '{}'",
            "DELETE FROM events",
            "TRUNCATE events",
        ] {
            let error = sqlx::query(statement)
                .execute(pool)
                .await
                .expect_err(statement);
            assert!(error.to_string().contains(refusal), "{statement}: {error}");
        }
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(count, 1);
    db.drop_db().await.expect("drop");
}
