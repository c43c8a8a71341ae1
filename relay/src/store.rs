//! The relay's SQL: the lock, the checkpoint and the commit-ordered tail.

use bus::EventEnvelope;

use sqlx::{FromRow, PgConnection};

/// `hubr`: the advisory-lock class shared by relays; the relay's name picks
/// the key within it.
const LOCK_CLASS: i32 = 0x6875_6272;

/// A position in commit order: everything at or before it is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Checkpoint {
    /// The transaction that wrote the event (`xid8`, as a number).
    pub tx_id: i64,
    /// The event's global position within that transaction's events.
    pub global_position: i64,
}

/// An event with the transaction that wrote it (the relay's order).
#[derive(Debug, FromRow)]
pub(crate) struct EventRow {
    #[sqlx(flatten)]
    event: EventEnvelope,
    tx_id: i64,
}

impl EventRow {
    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            tx_id: self.tx_id,
            global_position: self.event.global_position,
        }
    }

    pub(crate) fn into_envelope(self) -> EventEnvelope {
        self.event
    }
}

/// Takes the relay's session-level lock if free; never waits.
pub(crate) async fn try_lock(db: &mut PgConnection, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
        .bind(LOCK_CLASS)
        .bind(name)
        .fetch_one(db)
        .await
}

/// Reads the checkpoint, creating it at the very beginning the first time.
pub(crate) async fn load_checkpoint(
    db: &mut PgConnection,
    name: &str,
) -> Result<Checkpoint, sqlx::Error> {
    sqlx::query("INSERT INTO relay_checkpoint (relay_name) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(name)
        .execute(&mut *db)
        .await?;
    let (tx_id, global_position): (i64, i64) = sqlx::query_as(
        "SELECT tx_id::text::bigint, global_position FROM relay_checkpoint WHERE relay_name = $1",
    )
    .bind(name)
    .fetch_one(db)
    .await?;
    Ok(Checkpoint {
        tx_id,
        global_position,
    })
}

/// Moves the checkpoint; false if the row is gone.
pub(crate) async fn store_checkpoint(
    db: &mut PgConnection,
    name: &str,
    at: Checkpoint,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE relay_checkpoint \
         SET tx_id = $2::text::xid8, global_position = $3, updated_at = now() \
         WHERE relay_name = $1",
    )
    .bind(name)
    .bind(at.tx_id.to_string())
    .bind(at.global_position)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The next events after `after` in commit order, only from transactions
/// older than every transaction still running: a transaction that commits
/// later can only hold events after these (DESIGN §3).
pub(crate) async fn next_events(
    db: &mut PgConnection,
    after: Checkpoint,
    limit: u32,
) -> Result<Vec<EventRow>, sqlx::Error> {
    // Qualified: a bare `tx_id` would name the output column (the cast), which
    // no index sorts (a full scan a batch) and which, as text, is not commit order.
    sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, \
                payload, metadata, global_position, tx_id::text::bigint AS tx_id, recorded_at \
         FROM events \
         WHERE (tx_id, global_position) > ($1::text::xid8, $2) \
           AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY events.tx_id, events.global_position \
         LIMIT $3",
    )
    .bind(after.tx_id.to_string())
    .bind(after.global_position)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}
