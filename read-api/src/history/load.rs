//! Reading an order's history out of the event store, in one query.

use super::state::Replay;
use super::{History, Kind, Step, StepActor};
use chrono::{DateTime, Utc};
use domain::order::OrderEvent;
use serde::Deserialize;
use sqlx::{PgPool, Row};
use uuid::Uuid;

/// Every event touching order `$1`, in commit order. Each part is an index
/// lookup: the two streams by the primary key, the complaints and the wallet
/// transfers by the expression indexes of migration `history_indexes`.
const SELECT_HISTORY: &str = "
WITH created AS (
    SELECT (payload -> 'OrderCreated') ->> 'subscription_id' AS subscription_id
      FROM public.events
     WHERE aggregate_type = 'Order' AND aggregate_id = $1 AND event_type = 'OrderCreated'
     LIMIT 1
), complaints AS (
    SELECT aggregate_id
      FROM public.events
     WHERE aggregate_type = 'Complaint' AND event_type = 'ComplaintFiled'
       AND ((payload -> event_type) ->> 'order_id') = $1
), touching AS (
    SELECT * FROM public.events
     WHERE aggregate_type = 'Order' AND aggregate_id = $1
    UNION ALL
    SELECT * FROM public.events
     WHERE aggregate_type = 'Subscription' AND aggregate_id = (SELECT subscription_id FROM created)
    UNION ALL
    SELECT * FROM public.events
     WHERE aggregate_type = 'Complaint' AND aggregate_id IN (SELECT aggregate_id FROM complaints)
    UNION ALL
    SELECT * FROM public.events
     WHERE aggregate_type = 'Wallet'
       AND event_type IN ('FundsMovedToEscrow', 'FundsCreditedFromEscrow')
       AND ((payload -> event_type) ->> 'subscription_id') = (SELECT subscription_id FROM created)
)
SELECT global_position, aggregate_type, aggregate_id, sequence, event_type, payload::text,
       metadata::text, recorded_at
  FROM touching
 ORDER BY tx_id, global_position";

/// The metadata keys a step shows. Read in Rust: `metadata ->> key` in SQL
/// parses the `json` column once per key, which tripled the query's time on
/// a long chat.
#[derive(Debug, Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    actor_id: Option<String>,
    #[serde(default)]
    actor_role: Option<String>,
    #[serde(default)]
    occurred_at: Option<String>,
}

/// Why a history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// PostgreSQL failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored event does not parse (a shape change without an upcaster).
    #[error("event {event_id}: {source}")]
    Payload {
        /// `<aggregate_type>:<aggregate_id>:<sequence>`.
        event_id: String,
        /// What serde said.
        source: serde_json::Error,
    },
}

/// The history of order `order_id`, or `None` when the store has no such order.
pub async fn load(pool: &PgPool, order_id: Uuid) -> Result<Option<History>, HistoryError> {
    let rows = sqlx::query(SELECT_HISTORY)
        .bind(order_id.to_string())
        .fetch_all(pool)
        .await?;
    let mut replay = Replay::default();
    let mut steps = Vec::with_capacity(rows.len());
    for row in rows {
        let aggregate_type: String = row.try_get(1)?;
        let aggregate_id: String = row.try_get(2)?;
        let sequence: i64 = row.try_get(3)?;
        let event_type: String = row.try_get(4)?;
        let payload: String = row.try_get(5)?;
        let bad = |source: serde_json::Error| HistoryError::Payload {
            event_id: format!("{aggregate_type}:{aggregate_id}:{sequence}"),
            source,
        };
        let kind = Kind::of(&aggregate_type, &event_type);
        let changed = if kind == Kind::Order {
            let event: OrderEvent = serde_json::from_str(&payload).map_err(bad)?;
            replay.apply(event)
        } else {
            Vec::new()
        };
        let metadata: &str = row.try_get(6)?;
        // Metadata that does not parse shows as the system's, at commit time.
        let metadata: Metadata = serde_json::from_str(metadata).unwrap_or_default();
        let recorded_at: DateTime<Utc> = row.try_get(7)?;
        steps.push(Step {
            position: row.try_get(0)?,
            kind,
            actor: actor(metadata.actor_id.as_deref(), metadata.actor_role.as_deref()),
            at: occurred_at(metadata.occurred_at.as_deref()).unwrap_or(recorded_at),
            aggregate_type,
            aggregate_id,
            sequence,
            event_type,
            // PostgreSQL checked it is JSON when it was stored, and `::text`
            // gives it back as written: it is embedded as is.
            payload: payload.into_boxed_str(),
            state: replay.view().clone(),
            changed,
        });
    }
    if replay.order_id().is_none() {
        return Ok(None);
    }
    Ok(Some(History {
        order_id,
        state: replay.view().clone(),
        steps,
    }))
}

/// The metadata's actor; `None` for the system (`actor_role = system`, empty id).
fn actor(id: Option<&str>, role: Option<&str>) -> Option<StepActor> {
    Some(StepActor {
        id: id?.parse().ok()?,
        role: role?.parse().ok()?,
    })
}

/// The metadata's `occurred_at` (RFC 3339), the time the command was issued.
fn occurred_at(raw: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Role;

    #[test]
    fn the_system_has_no_actor() {
        assert_eq!(actor(Some(""), Some("system")), None);
        assert_eq!(actor(None, None), None);
        let id = Uuid::new_v4();
        assert_eq!(
            actor(Some(&id.to_string()), Some("admin")),
            Some(StepActor {
                role: Role::Admin,
                id
            })
        );
    }

    #[test]
    fn metadata_keys_are_read_and_others_ignored() {
        let raw = r#"{"actor_id":"","actor_role":"system","correlation_id":"x","occurred_at":"2026-12-06T10:00:00Z"}"#;
        let m: Metadata = serde_json::from_str(raw).expect("metadata");
        assert_eq!(m.actor_role.as_deref(), Some("system"));
        let empty: Metadata = serde_json::from_str("{}").expect("metadata");
        assert!(empty.actor_id.is_none() && empty.occurred_at.is_none());
    }

    #[test]
    fn time_falls_back_when_occurred_at_is_missing_or_bad() {
        assert!(occurred_at(None).is_none());
        assert!(occurred_at(Some("yesterday")).is_none());
        let t = occurred_at(Some("2026-12-06T10:00:00.123456789Z")).expect("time");
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_789);
    }
}
