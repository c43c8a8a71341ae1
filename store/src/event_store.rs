//! The event store cqrs-es commits through: postgres-es's tables, our own
//! reads and writes.
//!
//! Why not `postgres_es::PersistedEventStore` + `PostgresEventRepository`
//! (read in cqrs-es 0.5.0 / postgres-es 0.5.0):
//! 1. With snapshots, cqrs-es applies the new events to the aggregate a
//!    second time before serialising the snapshot (`execute` already applied
//!    them through the `EventSink`; `update_snapshot_with_events` applies
//!    them again), so every snapshot holds a doubled state — a wallet's
//!    top-ups counted twice.
//! 2. postgres-es commits the events and *then* checks the snapshot
//!    UPDATE's rows-affected: a mismatch returns an optimistic-lock error for
//!    events that are already stored, and a retry applies the command twice.
//! 3. postgres-es stamps the snapshot with the last event's sequence even
//!    when cqrs-es built it from fewer events (a multi-event command crossing
//!    a snapshot boundary), so the events in between are skipped on load.
//!
//! Here a commit is one transaction: the events (one multi-row INSERT, in
//! sequence order, so `global_position` follows `sequence`) and, when the
//! commit crosses a snapshot boundary, an upsert of the aggregate's state
//! after the command. The events' primary key is the only concurrency guard:
//! a conflict rolls everything back, so a retry can never double an effect.

use cqrs_es::persist::{EventStoreAggregateContext, EventUpcaster, SerializedEvent};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore};
use sqlx::{PgPool, Row};
use std::collections::HashMap;
use std::marker::PhantomData;

const SELECT_EVENTS: &str = "
SELECT aggregate_id, sequence, event_type, event_version, payload, metadata
  FROM events
 WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3
 ORDER BY sequence";

const INSERT_EVENTS: &str = "
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT $1, $2, e.sequence, e.event_type, e.event_version, e.payload::json, e.metadata::json
  FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
       WITH ORDINALITY AS e(sequence, event_type, event_version, payload, metadata, n)
 ORDER BY e.n";

/// The snapshot (part 0, if any) and the events after it (part 1) in one
/// round trip: the hot path of every command on a snapshotted aggregate.
const SELECT_SNAPSHOT_AND_EVENTS: &str = "
WITH s AS (SELECT last_sequence, current_snapshot, payload
             FROM snapshots WHERE aggregate_type = $1 AND aggregate_id = $2)
SELECT 0 AS part, last_sequence AS sequence, current_snapshot AS snapshot,
       NULL::text AS event_type, NULL::text AS event_version, payload::text AS payload,
       NULL::text AS metadata
  FROM s
UNION ALL
SELECT 1, sequence, NULL, event_type, event_version, payload::text, metadata::text
  FROM events
 WHERE aggregate_type = $1 AND aggregate_id = $2
   AND sequence > COALESCE((SELECT last_sequence FROM s), 0)
 ORDER BY part, sequence";

const UPSERT_SNAPSHOT: &str = "
INSERT INTO snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE
   SET last_sequence = EXCLUDED.last_sequence,
       current_snapshot = EXCLUDED.current_snapshot,
       payload = EXCLUDED.payload
 WHERE snapshots.last_sequence < EXCLUDED.last_sequence";

/// An event store for aggregate `A` on PostgreSQL, with optional snapshots
/// and upcasters. Cheap to build; holds a clone of the pool.
pub struct HubEventStore<A: Aggregate> {
    pool: PgPool,
    snapshot_every: Option<usize>,
    upcasters: Vec<Box<dyn EventUpcaster>>,
    services: A::Services,
    _aggregate: PhantomData<fn() -> A>,
}

impl<A: Aggregate> HubEventStore<A>
where
    A::Services: Default,
{
    /// A store that replays every event on load, with default services.
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            snapshot_every: None,
            upcasters: Vec::new(),
            services: A::Services::default(),
            _aggregate: PhantomData,
        }
    }
}

impl<A: Aggregate> HubEventStore<A> {
    /// The services commands run with when a [`crate::UnitOfWork`] executes
    /// them on this store's aggregates.
    pub fn with_services(mut self, services: A::Services) -> Self {
        self.services = services;
        self
    }

    /// The services commands on this store's aggregates run with.
    pub fn services(&self) -> &A::Services {
        &self.services
    }

    /// Saves the aggregate's state each time its stream crosses a multiple of
    /// `every` events, and loads from the latest such state. `0` disables it.
    pub fn with_snapshots(mut self, every: usize) -> Self {
        self.snapshot_every = (every > 0).then_some(every);
        self
    }

    /// Upcasters applied, in order, to every stored event as it is read.
    pub fn with_upcasters(mut self, upcasters: Vec<Box<dyn EventUpcaster>>) -> Self {
        self.upcasters = upcasters;
        self
    }

    /// The snapshot interval, if snapshots are on.
    pub fn snapshot_every(&self) -> Option<usize> {
        self.snapshot_every
    }

    /// The aggregate's events after `after` (0 for all), upcast and deserialised.
    pub async fn events_after(
        &self,
        aggregate_id: &str,
        after: usize,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        // Conversions happen before any await: `A::Error` need not be `Send`.
        let after = to_i64(after)?;
        let rows = sqlx::query(SELECT_EVENTS)
            .bind(A::TYPE)
            .bind(aggregate_id)
            .bind(after)
            .fetch_all(&self.pool)
            .await
            .map_err(sql_error)?;
        rows.iter()
            .map(|row| {
                let sequence: i64 = row.try_get("sequence").map_err(sql_error)?;
                self.envelope(
                    row.try_get("aggregate_id").map_err(sql_error)?,
                    sequence,
                    row.try_get("event_type").map_err(sql_error)?,
                    row.try_get("event_version").map_err(sql_error)?,
                    row.try_get("payload").map_err(sql_error)?,
                    row.try_get("metadata").map_err(sql_error)?,
                )
            })
            .collect()
    }

    /// One stored event, upcast and deserialised.
    fn envelope(
        &self,
        aggregate_id: String,
        sequence: i64,
        event_type: String,
        event_version: String,
        payload: serde_json::Value,
        metadata: serde_json::Value,
    ) -> Result<EventEnvelope<A>, AggregateError<A::Error>> {
        let serialized = SerializedEvent::new(
            aggregate_id,
            usize::try_from(sequence).map_err(unexpected)?,
            A::TYPE.to_owned(),
            event_type,
            event_version,
            payload,
            metadata,
        );
        let upcast = self.upcasters.iter().fold(serialized, |event, upcaster| {
            if upcaster.can_upcast(&event.event_type, &event.event_version) {
                upcaster.upcast(event)
            } else {
                event
            }
        });
        EventEnvelope::<A>::try_from(upcast)
            .map_err(|e| AggregateError::DeserializationError(Box::new(e)))
    }

    /// The state from the snapshot and the events after it, read in one
    /// query; `None` when the snapshot no longer deserialises.
    async fn load_snapshotted(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<EventStoreAggregateContext<A>>, AggregateError<A::Error>> {
        let rows = sqlx::query(SELECT_SNAPSHOT_AND_EVENTS)
            .bind(A::TYPE)
            .bind(aggregate_id)
            .fetch_all(&self.pool)
            .await
            .map_err(sql_error)?;
        let mut context = EventStoreAggregateContext {
            aggregate_id: aggregate_id.to_owned(),
            aggregate: A::default(),
            current_sequence: 0,
            current_snapshot: None,
        };
        let text = |raw: Option<String>| -> Result<serde_json::Value, AggregateError<A::Error>> {
            serde_json::from_str(raw.as_deref().unwrap_or("null"))
                .map_err(|e| AggregateError::DeserializationError(Box::new(e)))
        };
        for row in &rows {
            let part: i32 = row.try_get("part").map_err(sql_error)?;
            let sequence: i64 = row.try_get("sequence").map_err(sql_error)?;
            if part == 0 {
                let payload: Option<String> = row.try_get("payload").map_err(sql_error)?;
                let Some(aggregate) = self.decode_snapshot(aggregate_id, payload.as_deref()) else {
                    return Ok(None);
                };
                let number: i64 = row.try_get("snapshot").map_err(sql_error)?;
                context.aggregate = aggregate;
                context.current_sequence = usize::try_from(sequence).map_err(unexpected)?;
                context.current_snapshot = Some(usize::try_from(number).map_err(unexpected)?);
                continue;
            }
            let envelope = self.envelope(
                aggregate_id.to_owned(),
                sequence,
                row.try_get("event_type").map_err(sql_error)?,
                row.try_get("event_version").map_err(sql_error)?,
                text(row.try_get("payload").map_err(sql_error)?)?,
                text(row.try_get("metadata").map_err(sql_error)?)?,
            )?;
            context.current_sequence = envelope.sequence;
            context.aggregate.apply(envelope.payload);
        }
        Ok(Some(context))
    }

    /// A snapshot's state, or `None` (logged) when the aggregate's shape
    /// changed since it was written.
    fn decode_snapshot(&self, aggregate_id: &str, payload: Option<&str>) -> Option<A> {
        match serde_json::from_str::<A>(payload.unwrap_or("null")) {
            Ok(aggregate) => Some(aggregate),
            Err(error) => {
                tracing::warn!(
                    aggregate_type = A::TYPE,
                    aggregate_id,
                    %error,
                    "snapshot no longer deserialises; replaying every event"
                );
                None
            }
        }
    }
}

/// An aggregate's current state, read as every command path reads it
/// (through its snapshot when it has one): for the roles that look at an
/// aggregate without commanding it.
pub async fn current_state<A>(pool: &PgPool, id: &str) -> Result<A, AggregateError<A::Error>>
where
    A: Aggregate,
    A::Services: Default,
{
    HubEventStore::<A>::new(pool.clone())
        .with_snapshots(crate::cqrs::LONG_LIVED_SNAPSHOT_EVERY)
        .load_aggregate(id)
        .await
        .map(|context| context.aggregate)
}

impl<A: Aggregate> EventStore<A> for HubEventStore<A> {
    type AC = EventStoreAggregateContext<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        self.events_after(aggregate_id, 0).await
    }

    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<Self::AC, AggregateError<A::Error>> {
        // Events are immutable, so the snapshot at S plus the events after S
        // is the state at the last event however the read interleaves with
        // other writers.
        if self.snapshot_every.is_some()
            && let Some(context) = self.load_snapshotted(aggregate_id).await?
        {
            return Ok(context);
        }
        let mut context = EventStoreAggregateContext {
            aggregate_id: aggregate_id.to_owned(),
            aggregate: A::default(),
            current_sequence: 0,
            current_snapshot: None,
        };
        for envelope in self.events_after(aggregate_id, 0).await? {
            context.current_sequence = envelope.sequence;
            context.aggregate.apply(envelope.payload);
        }
        Ok(context)
    }

    /// `context.aggregate` must already include `events`: cqrs-es's
    /// `CqrsFramework::execute*` applies them through the `EventSink` before
    /// committing.
    async fn commit(
        &self,
        events: Vec<A::Event>,
        context: Self::AC,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let (envelopes, rows) = prepare(
            self.snapshot_every,
            events,
            &context.aggregate_id,
            context.current_sequence,
            context.current_snapshot,
            &context.aggregate,
            &metadata,
        )?;
        let mut tx = self.pool.begin().await.map_err(sql_error)?;
        rows.write(&mut tx).await.map_err(sql_error)?;
        tx.commit().await.map_err(sql_error)?;
        crate::wake::events_appended(&self.pool);
        Ok(envelopes)
    }
}

/// The envelopes and the rows that store `events` after `current_sequence`,
/// with a snapshot of `state` (which must include them) when the commit
/// crosses a multiple of `snapshot_every`.
pub(crate) fn prepare<A: Aggregate, E: std::error::Error>(
    snapshot_every: Option<usize>,
    events: Vec<A::Event>,
    aggregate_id: &str,
    current_sequence: usize,
    current_snapshot: Option<usize>,
    state: &A,
    metadata: &HashMap<String, String>,
) -> Result<(Vec<EventEnvelope<A>>, Rows), AggregateError<E>> {
    use cqrs_es::DomainEvent;
    let first = current_sequence + 1;
    let envelopes: Vec<EventEnvelope<A>> = events
        .into_iter()
        .zip(first..)
        .map(|(payload, sequence)| EventEnvelope {
            aggregate_id: aggregate_id.to_owned(),
            sequence,
            payload,
            metadata: metadata.clone(),
        })
        .collect();
    let last = first + envelopes.len().saturating_sub(1);
    let metadata_json = serde_json::to_string(metadata).map_err(unexpected)?;
    let mut rows = Rows {
        aggregate_type: A::TYPE,
        aggregate_id: aggregate_id.to_owned(),
        sequences: Vec::with_capacity(envelopes.len()),
        types: Vec::with_capacity(envelopes.len()),
        versions: Vec::with_capacity(envelopes.len()),
        payloads: Vec::with_capacity(envelopes.len()),
        metadatas: Vec::with_capacity(envelopes.len()),
        snapshot: None,
    };
    for envelope in &envelopes {
        rows.sequences.push(to_i64(envelope.sequence)?);
        rows.types.push(envelope.payload.event_type());
        rows.versions.push(envelope.payload.event_version());
        rows.payloads
            .push(serde_json::to_string(&envelope.payload).map_err(unexpected)?);
        rows.metadatas.push(metadata_json.clone());
    }
    rows.snapshot = match snapshot_every {
        Some(every) if !envelopes.is_empty() && last / every > current_sequence / every => {
            Some(Snapshot {
                last_sequence: to_i64(last)?,
                number: to_i64(current_snapshot.unwrap_or(0) + 1)?,
                payload: serde_json::to_value(state).map_err(unexpected)?,
            })
        }
        _ => None,
    };
    Ok((envelopes, rows))
}

/// A stream's new events (and maybe its snapshot), ready to be written in
/// a transaction. The events' primary key is the concurrency check.
pub(crate) struct Rows {
    aggregate_type: &'static str,
    aggregate_id: String,
    sequences: Vec<i64>,
    types: Vec<String>,
    versions: Vec<String>,
    payloads: Vec<String>,
    metadatas: Vec<String>,
    snapshot: Option<Snapshot>,
}

struct Snapshot {
    last_sequence: i64,
    number: i64,
    payload: serde_json::Value,
}

impl Rows {
    pub(crate) fn is_empty(&self) -> bool {
        self.sequences.is_empty()
    }

    pub(crate) async fn write(&self, tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        if self.sequences.is_empty() {
            return Ok(());
        }
        sqlx::query(INSERT_EVENTS)
            .bind(self.aggregate_type)
            .bind(&self.aggregate_id)
            .bind(&self.sequences)
            .bind(&self.types)
            .bind(&self.versions)
            .bind(&self.payloads)
            .bind(&self.metadatas)
            .execute(&mut *tx)
            .await?;
        if let Some(snapshot) = &self.snapshot {
            sqlx::query(UPSERT_SNAPSHOT)
                .bind(self.aggregate_type)
                .bind(&self.aggregate_id)
                .bind(snapshot.last_sequence)
                .bind(snapshot.number)
                .bind(&snapshot.payload)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }
}

/// A unique violation on the events' key means another command took this
/// sequence first: the optimistic-concurrency conflict callers retry.
pub(crate) fn sql_error<E: std::error::Error>(error: sqlx::Error) -> AggregateError<E> {
    match &error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            AggregateError::AggregateConflict
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => AggregateError::DatabaseConnectionError(Box::new(error)),
        _ => AggregateError::UnexpectedError(Box::new(error)),
    }
}

fn unexpected<E: std::error::Error, X: std::error::Error + Send + Sync + 'static>(
    error: X,
) -> AggregateError<E> {
    AggregateError::UnexpectedError(Box::new(error))
}

fn to_i64<E: std::error::Error>(n: usize) -> Result<i64, AggregateError<E>> {
    i64::try_from(n).map_err(unexpected)
}
