//! The `projections` role: RabbitMQ consumers that build Hub's read models
//! in PostgreSQL (schema `read`), exactly once per event, and their rebuild
//! from the event store (DESIGN §4).
//!
//! Each projection applies an event inside one transaction that also moves
//! its `(aggregate_type, aggregate_id) → last_sequence` position and queues a
//! `pg_notify('hub_changes', ..)` for read-api; the consumer acks the message
//! only after that transaction commits.

mod config;
mod consumer;
mod error;
mod event;
pub mod notify;
mod projector;
pub mod read_models;
mod rebuild;
mod run;

pub use config::{Metrics, MetricsSnapshot, ProjectionsConfig};
pub use consumer::queue_of;
pub use error::ProjectionError;
pub use event::{EventExt, StoredEvent};
pub use notify::Change;
pub use projector::{LIVE_SCHEMA, Outcome, Projection, apply_in_tx, project};
pub use rebuild::{DEFAULT_SHARDS, Progress, REBUILD_SCHEMA, RebuildReport, rebuild, rebuild_with};
pub use run::{run, run_with_pool};
