//! The projector: applies one event to one projection inside a transaction,
//! exactly once per `(projection, aggregate_type, aggregate_id, sequence)`.

use async_trait::async_trait;
use sqlx::{PgConnection, PgPool};

use crate::ProjectionError;
use crate::event::{StoredEvent, load_range};
use crate::notify::{self, Change};

/// The schema live read models are in.
pub const LIVE_SCHEMA: &str = "read";

/// A read model built from events of some aggregate types.
///
/// `apply` runs inside the transaction that also moves the projection's
/// position, with `search_path` set to the schema being written (`read`, or
/// `read_rebuild` during a rebuild): its SQL names tables unqualified.
#[async_trait]
pub trait Projection: Send + Sync {
    /// The name in queues (`hub.projections.<name>`), positions and `rebuild <name>`.
    fn name(&self) -> &'static str;
    /// The aggregate types it reads; its queue binds `<type>.*` for each.
    fn aggregate_types(&self) -> &'static [&'static str];
    /// The tables it owns in the `read` schema (what a rebuild replaces).
    fn tables(&self) -> &'static [&'static str];
    /// True when no statement `apply` sends for one aggregate's event reads
    /// or writes a row another aggregate's events touch (every row is keyed
    /// by its aggregate). A rebuild may then replay different aggregates on
    /// different connections at once, each aggregate's events still in
    /// order on one. False unless a projection says so.
    fn independent_aggregates(&self) -> bool {
        false
    }
    /// Applies one event, pushing live changes onto `changes` when there
    /// are live readers to tell. `None` (a rebuild) skips the changes and any
    /// query made only to build one: the rows written are the same.
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &StoredEvent,
        changes: Option<&mut Vec<Change>>,
    ) -> Result<(), ProjectionError>;
}

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied, after `filled` earlier events read from the store.
    Applied {
        /// How many missing events were applied first.
        filled: usize,
    },
    /// Already applied before (a redelivery): nothing changed.
    Duplicate,
}

/// Applies `event` to `projection` in the caller's transaction, whose
/// `search_path` already points at the target schema. A duplicate is
/// skipped; a gap is filled from the store first. Changes are collected and
/// sent only when `live` (a rebuild must not push stale rows to browsers).
pub async fn apply_in_tx(
    conn: &mut PgConnection,
    projection: &dyn Projection,
    event: &StoredEvent,
    live: bool,
) -> Result<Outcome, ProjectionError> {
    let name = projection.name();
    // The row lock serialises replicas working on the same aggregate: the
    // second waits, then sees the first's sequence.
    sqlx::query(
        "INSERT INTO projection_positions (projection, aggregate_type, aggregate_id, last_sequence) \
         VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING",
    )
    .bind(name)
    .bind(&event.aggregate_type)
    .bind(&event.aggregate_id)
    .execute(&mut *conn)
    .await?;
    let last: i64 = sqlx::query_scalar(
        "SELECT last_sequence FROM projection_positions \
         WHERE projection = $1 AND aggregate_type = $2 AND aggregate_id = $3 FOR UPDATE",
    )
    .bind(name)
    .bind(&event.aggregate_type)
    .bind(&event.aggregate_id)
    .fetch_one(&mut *conn)
    .await?;
    if event.sequence <= last {
        return Ok(Outcome::Duplicate);
    }

    let mut changes = Vec::new();
    let mut filled = 0;
    if event.sequence > last + 1 {
        let missing = load_range(
            conn,
            &event.aggregate_type,
            &event.aggregate_id,
            last,
            event.sequence,
        )
        .await?;
        let contiguous = missing.len() as i64 == event.sequence - last - 1
            && missing
                .iter()
                .zip(last + 1..)
                .all(|(e, expected)| e.sequence == expected);
        if !contiguous {
            return Err(ProjectionError::MissingEvents {
                aggregate_type: event.aggregate_type.clone(),
                aggregate_id: event.aggregate_id.clone(),
                after: last,
                before: event.sequence,
            });
        }
        for earlier in &missing {
            projection
                .apply(conn, earlier, live.then_some(&mut changes))
                .await?;
        }
        filled = missing.len();
        tracing::info!(
            projection = name,
            aggregate_type = %event.aggregate_type,
            aggregate_id = %event.aggregate_id,
            filled,
            "filled a gap from the store"
        );
    }
    projection
        .apply(conn, event, live.then_some(&mut changes))
        .await?;

    sqlx::query(
        "UPDATE projection_positions SET last_sequence = $4 \
         WHERE projection = $1 AND aggregate_type = $2 AND aggregate_id = $3",
    )
    .bind(name)
    .bind(&event.aggregate_type)
    .bind(&event.aggregate_id)
    .bind(event.sequence)
    .execute(&mut *conn)
    .await?;

    if live {
        for change in &changes {
            notify::send(conn, change).await?;
        }
    }
    Ok(Outcome::Applied { filled })
}

/// Points the transaction's unqualified table names at `schema`.
pub(crate) async fn use_schema(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    // SET cannot take a bind parameter; `schema` is one of our constants.
    sqlx::query(&format!("SET LOCAL search_path TO {schema}, public"))
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies one event to the live read model in its own transaction and
/// commits; the consumer acks only after this returns `Ok`.
pub async fn project(
    pool: &PgPool,
    projection: &dyn Projection,
    event: &StoredEvent,
) -> Result<Outcome, ProjectionError> {
    let mut tx = pool.begin().await?;
    use_schema(&mut tx, LIVE_SCHEMA).await?;
    let outcome = apply_in_tx(&mut tx, projection, event, true).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Applies several events (in delivery order) in one transaction: one
/// commit, so one fsync, for a whole prefetch window under load. All or
/// nothing: on any error nothing is applied and the caller retries the
/// events one by one, where failures are counted per message.
pub async fn project_batch(
    pool: &PgPool,
    projection: &dyn Projection,
    events: &[StoredEvent],
) -> Result<Vec<Outcome>, ProjectionError> {
    let mut tx = pool.begin().await?;
    use_schema(&mut tx, LIVE_SCHEMA).await?;
    let mut outcomes = Vec::with_capacity(events.len());
    for event in events {
        outcomes.push(apply_in_tx(&mut tx, projection, event, true).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}
