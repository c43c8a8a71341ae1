//! One stored event as a projection sees it: the `events` row, upcast to the
//! shape the domain types read today.

use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use serde::de::DeserializeOwned;
use sqlx::PgConnection;

use crate::ProjectionError;

/// An event from the store, whether it came over the bus or was read back to
/// fill a gap or to rebuild: the bus's envelope, the one definition.
pub type StoredEvent = bus::EventEnvelope;

/// What a projection asks of an event beyond the envelope's fields.
pub trait EventExt {
    /// The payload as the domain's event enum, after the aggregate's upcasters.
    fn decode<E: DeserializeOwned>(&self) -> Result<E, ProjectionError>;
    /// The aggregate id as a UUID (every aggregate but the catalog has one).
    fn aggregate_uuid(&self) -> Result<uuid::Uuid, ProjectionError>;
}

impl EventExt for StoredEvent {
    fn decode<E: DeserializeOwned>(&self) -> Result<E, ProjectionError> {
        let payload = upcast(self).payload;
        serde_json::from_value(payload).map_err(|source| ProjectionError::Payload {
            message_id: self.message_id(),
            source,
        })
    }

    fn aggregate_uuid(&self) -> Result<uuid::Uuid, ProjectionError> {
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
    sqlx::query_as(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .bind(after)
        .bind(before)
        .fetch_all(conn)
        .await
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
        event: StoredEvent,
    }
    // Qualified: a bare `tx_id` would name the output column (the cast), which
    // no index sorts (a full scan a batch) and which, as text, is not commit order.
    let sql = format!(
        "SELECT tx_id::text AS tx_id, {COLUMNS} FROM public.events \
         WHERE aggregate_type = ANY($1) \
           AND (tx_id, global_position) > ($2::text::xid8, $3) \
         ORDER BY events.tx_id, events.global_position LIMIT $4"
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
            (cp, r.event)
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
