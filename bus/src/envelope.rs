use chrono::{DateTime, Utc};
use lapin::{
    BasicProperties,
    types::{AMQPValue, FieldTable, ShortString},
};
use serde::{Deserialize, Serialize};

use crate::{
    BusError,
    wire::{long, short},
};

/// The body's content type.
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// AMQP's delivery mode for messages the broker writes to disk.
const PERSISTENT: u8 = 2;

/// One stored event: the `events` row as the relay publishes it, the
/// projections and the process managers read it, and (feature `sqlx`) as a
/// query returns it. The only definition of an event outside the store.
///
/// The same identity is carried three ways so each consumer can pick the
/// cheapest: the routing key (`<aggregate_type>.<event_type>`), the
/// `message_id` (`<aggregate_type>:<aggregate_id>:<sequence>`, the
/// deduplication key) and headers mirroring the body's scalar fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct EventEnvelope {
    /// The aggregate's type, e.g. `Wallet`.
    pub aggregate_type: String,
    /// The aggregate instance.
    pub aggregate_id: String,
    /// The event's position in its aggregate's stream (from 1).
    pub sequence: i64,
    /// The event's type: its variant name, never renamed.
    pub event_type: String,
    /// The payload's shape version (upcasters key on it).
    pub event_version: String,
    /// The event itself.
    pub payload: serde_json::Value,
    /// actor, correlation, causation, occurred_at.
    pub metadata: serde_json::Value,
    /// The store-wide insertion number (not commit order; see DESIGN §3).
    pub global_position: i64,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
}

impl EventEnvelope {
    /// An event that did not come from the store (tests, benchmarks): its
    /// payload `{event_type: body}` as the domain serialises it, version
    /// 1.0, no metadata, recorded now, `global_position` = `sequence`.
    #[must_use]
    pub fn unstored(
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: i64,
        event_type: &str,
        body: serde_json::Value,
    ) -> Self {
        Self {
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id: aggregate_id.to_owned(),
            sequence,
            event_type: event_type.to_owned(),
            event_version: "1.0".to_owned(),
            payload: serde_json::json!({ event_type: body }),
            metadata: serde_json::json!({}),
            global_position: sequence,
            recorded_at: Utc::now(),
        }
    }

    /// `<aggregate_type>.<event_type>`, for topic bindings such as `Wallet.*`.
    #[must_use]
    pub fn routing_key(&self) -> String {
        format!("{}.{}", self.aggregate_type, self.event_type)
    }

    /// `<aggregate_type>:<aggregate_id>:<sequence>`: the same for every
    /// redelivery of one event, so consumers can deduplicate on it.
    #[must_use]
    pub fn message_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.aggregate_type, self.aggregate_id, self.sequence
        )
    }

    /// When it happened: the metadata's `occurred_at`, else when it was stored.
    #[must_use]
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.metadata
            .get("occurred_at")
            .and_then(serde_json::Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map_or(self.recorded_at, |t| t.with_timezone(&Utc))
    }

    /// The JSON body.
    pub fn to_body(&self) -> Result<Vec<u8>, BusError> {
        Ok(serde_json::to_vec(self)?)
    }

    /// Reads an envelope back from a message body.
    pub fn from_body(body: &[u8]) -> Result<Self, BusError> {
        Ok(serde_json::from_slice(body)?)
    }

    /// The routing key as AMQP wants it; fails when longer than 255 bytes.
    pub fn amqp_routing_key(&self) -> Result<ShortString, BusError> {
        short("routing key", self.routing_key())
    }

    /// Persistent, JSON, with `message_id`, `type` = event type, `timestamp`
    /// = recorded_at and the scalar fields as headers.
    pub fn properties(&self) -> Result<BasicProperties, BusError> {
        let mut headers = FieldTable::default();
        headers.insert("aggregate_type".into(), long(&self.aggregate_type));
        headers.insert("aggregate_id".into(), long(&self.aggregate_id));
        headers.insert("sequence".into(), AMQPValue::LongLongInt(self.sequence));
        headers.insert("event_type".into(), long(&self.event_type));
        headers.insert("event_version".into(), long(&self.event_version));
        headers.insert(
            "global_position".into(),
            AMQPValue::LongLongInt(self.global_position),
        );
        let timestamp = u64::try_from(self.recorded_at.timestamp()).unwrap_or(0);
        Ok(BasicProperties::default()
            .with_content_type(JSON_CONTENT_TYPE.into())
            .with_delivery_mode(PERSISTENT)
            .with_message_id(short("message id", self.message_id())?)
            .with_type(short("event type", self.event_type.clone())?)
            .with_timestamp(timestamp)
            .with_headers(headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EventEnvelope {
        EventEnvelope {
            aggregate_type: "Wallet".into(),
            aggregate_id: "0190c0de-0000-7000-8000-000000000001".into(),
            sequence: 3,
            event_type: "ToppedUp".into(),
            event_version: "1.0".into(),
            payload: serde_json::json!({"ToppedUp": {"amount": "10.00"}}),
            metadata: serde_json::json!({"actor_id": null}),
            global_position: 42,
            recorded_at: DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn names_follow_the_contract() {
        let e = sample();
        assert_eq!(e.routing_key(), "Wallet.ToppedUp");
        assert_eq!(
            e.message_id(),
            "Wallet:0190c0de-0000-7000-8000-000000000001:3"
        );
    }

    #[test]
    fn body_round_trips() {
        let e = sample();
        let body = e.to_body().expect("serialises");
        assert_eq!(EventEnvelope::from_body(&body).expect("parses"), e);
    }

    #[test]
    fn properties_are_persistent_with_message_id() {
        let p = sample().properties().expect("short enough");
        assert_eq!(*p.delivery_mode(), Some(2));
        assert_eq!(
            p.message_id().as_ref().map(ShortString::as_str),
            Some("Wallet:0190c0de-0000-7000-8000-000000000001:3")
        );
        let headers = p.headers().as_ref().expect("headers set");
        assert_eq!(
            headers.inner().get("global_position"),
            Some(&AMQPValue::LongLongInt(42))
        );
    }

    #[test]
    fn overlong_ids_are_an_error_not_a_panic() {
        let mut e = sample();
        e.aggregate_id = "x".repeat(300);
        assert!(matches!(
            e.properties(),
            Err(BusError::TooLong {
                what: "message id",
                ..
            })
        ));
    }
}
