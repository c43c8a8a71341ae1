//! One stored event as a projection sees it: the `events` row, upcast to the
//! shape the domain types read today.

use chrono::{DateTime, Utc};
use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::PgConnection;

use crate::ProjectionError;

/// An event from the store, whether it came over the bus or was read back to
/// fill a gap or to rebuild.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The aggregate's type, e.g. `Wallet`.
    pub aggregate_type: String,
    /// The aggregate instance.
    pub aggregate_id: String,
    /// Position in the aggregate's stream, from 1.
    pub sequence: i64,
    /// The variant name.
    pub event_type: String,
    /// The payload's shape version.
    pub event_version: String,
    /// The externally tagged event, e.g. `{"ClientRegistered": {..}}`.
    pub payload: Value,
    /// actor_id, actor_role, correlation_id, causation_id, occurred_at.
    pub metadata: Value,
    /// Store-wide insertion number.
    pub global_position: i64,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    /// `<aggregate_type>:<aggregate_id>:<sequence>`, as the relay names messages.
    pub fn message_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.aggregate_type, self.aggregate_id, self.sequence
        )
    }

    /// When it happened: the metadata's `occurred_at`, else when it was stored.
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.metadata
            .get("occurred_at")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map_or(self.recorded_at, |t| t.with_timezone(&Utc))
    }

    /// The payload as the domain's event enum, after the aggregate's upcasters.
    pub fn decode<E: DeserializeOwned>(&self) -> Result<E, ProjectionError> {
        let payload = upcast(self).payload;
        serde_json::from_value(payload).map_err(|source| ProjectionError::Payload {
            message_id: self.message_id(),
            source,
        })
    }

    /// The aggregate id as a UUID (every aggregate but the catalog has one).
    pub fn aggregate_uuid(&self) -> Result<uuid::Uuid, ProjectionError> {
        uuid::Uuid::parse_str(&self.aggregate_id).map_err(|_| ProjectionError::AggregateId {
            message_id: self.message_id(),
        })
    }
}

/// Old shapes become current ones the way the event repository does it on load.
fn upcast(event: &StoredEvent) -> SerializedEvent {
    let serialized = SerializedEvent::new(
        event.aggregate_id.clone(),
        usize::try_from(event.sequence).unwrap_or_default(),
        event.aggregate_type.clone(),
        event.event_type.clone(),
        event.event_version.clone(),
        event.payload.clone(),
        event.metadata.clone(),
    );
    let upcasters: Vec<Box<dyn EventUpcaster>> = match event.aggregate_type.as_str() {
        "Account" => domain::account::upcasters(),
        _ => Vec::new(),
    };
    upcasters.iter().fold(serialized, |e, u| {
        if u.can_upcast(&e.event_type, &e.event_version) {
            u.upcast(e)
        } else {
            e
        }
    })
}

/// Row shape shared by the store queries below.
#[derive(sqlx::FromRow)]
struct EventRow {
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Value,
    metadata: Value,
    global_position: i64,
    recorded_at: DateTime<Utc>,
}

impl From<EventRow> for StoredEvent {
    fn from(r: EventRow) -> Self {
        Self {
            aggregate_type: r.aggregate_type,
            aggregate_id: r.aggregate_id,
            sequence: r.sequence,
            event_type: r.event_type,
            event_version: r.event_version,
            payload: r.payload,
            metadata: r.metadata,
            global_position: r.global_position,
            recorded_at: r.recorded_at,
        }
    }
}

const COLUMNS: &str = "aggregate_type, aggregate_id, sequence, event_type, event_version, \
     payload, metadata, global_position, recorded_at";

/// The aggregate's events with `after < sequence < before`, in order.
pub(crate) async fn load_range(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
    after: i64,
    before: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM public.events \
         WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 AND sequence < $4 \
         ORDER BY sequence"
    );
    let rows: Vec<EventRow> = sqlx::query_as(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .bind(after)
        .bind(before)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(StoredEvent::from).collect())
}

/// Where a replay stands in commit order: `(tx_id, global_position)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Checkpoint {
    /// `xid8` as text (sqlx has no type for it).
    pub tx_id: String,
    pub global_position: i64,
}

/// The next `limit` committed events of `types` after `from`, in
/// `(tx_id, global_position)` order.
///
/// Unlike the relay this does not stop below the oldest running transaction
/// (that bound is cluster-wide, so one long transaction anywhere would stall
/// the replay): an event committed late with a lower `tx_id` is skipped
/// here, and then either applied at the swap (when the live side already
/// has it) or delivered later by the relay to the swapped-in tables.
pub(crate) async fn load_batch(
    conn: &mut PgConnection,
    types: &[String],
    from: &Checkpoint,
    limit: i64,
) -> Result<Vec<(Checkpoint, StoredEvent)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        tx_id: String,
        #[sqlx(flatten)]
        event: EventRow,
    }
    let sql = format!(
        "SELECT tx_id::text AS tx_id, {COLUMNS} FROM public.events \
         WHERE aggregate_type = ANY($1) \
           AND (tx_id, global_position) > ($2::text::xid8, $3) \
         ORDER BY tx_id, global_position LIMIT $4"
    );
    let tx = if from.tx_id.is_empty() {
        "0"
    } else {
        &from.tx_id
    };
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(types)
        .bind(tx)
        .bind(from.global_position)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let cp = Checkpoint {
                tx_id: r.tx_id,
                global_position: r.event.global_position,
            };
            (cp, StoredEvent::from(r.event))
        })
        .collect())
}

/// How many events of `types` a full replay will read (for the progress bar).
pub(crate) async fn count(conn: &mut PgConnection, types: &[String]) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM public.events WHERE aggregate_type = ANY($1)")
        .bind(types)
        .fetch_one(conn)
        .await
}
