//! The lossless relay from the event store to RabbitMQ (DESIGN §3).
//!
//! It tails `events` in commit order — `(tx_id, global_position)` below the
//! oldest running transaction, so an event whose transaction commits late is
//! never skipped — publishes each to `hub.events` with publisher confirms,
//! and moves its checkpoint only once a whole batch is confirmed. Delivery is
//! therefore at least once; consumers deduplicate on `message_id`.
//!
//! Replicas are safe: the active one holds a session-level advisory lock on
//! the very connection it reads and checkpoints with, so a replica that lost
//! its lock can no longer move the checkpoint.

mod config;
mod error;
mod fault;
mod metrics;
mod relay;
mod store;

pub use config::RelayConfig;
pub use error::RelayError;
pub use fault::{FaultHook, FaultPoint};
pub use metrics::{RelayMetrics, RelayMetricsSnapshot};
pub use relay::Relay;
pub use store::Checkpoint;
