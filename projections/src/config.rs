use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bus::{Backoff, Topology};

/// How the projections role runs.
#[derive(Debug, Clone)]
pub struct ProjectionsConfig {
    /// PostgreSQL, e.g. `postgres://postgres@127.0.0.1:5432/hub`.
    pub database_url: String,
    /// RabbitMQ, e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`.
    pub amqp_uri: String,
    /// Exchange and queue names (a prefix in tests), queue type, delivery limit.
    pub topology: Topology,
    /// Which projections to run; `None` runs them all.
    pub only: Option<Vec<String>>,
    /// Unacknowledged messages the broker may push ahead per projection.
    pub prefetch: u16,
    /// Failed attempts after which a message is parked in the dead-letter queue.
    pub max_attempts: u32,
    /// Delays between reconnects and between retries of transient failures.
    pub backoff: Backoff,
    /// Database connections shared by the consumers.
    pub max_connections: u32,
    /// Counters, shared with whoever exports metrics.
    pub metrics: Arc<Metrics>,
}

impl ProjectionsConfig {
    /// Defaults for everything but where the two servers are.
    #[must_use]
    pub fn new(database_url: &str, amqp_uri: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            amqp_uri: amqp_uri.to_owned(),
            topology: Topology::default(),
            only: None,
            prefetch: 32,
            max_attempts: 5,
            backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(10)),
            max_connections: 8,
            metrics: Arc::default(),
        }
    }
}

/// What the consumers have done since start, across projections.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Events applied (gap fills not counted).
    pub applied: AtomicU64,
    /// Redeliveries skipped.
    pub duplicates: AtomicU64,
    /// Events applied from the store to fill gaps.
    pub gap_filled: AtomicU64,
    /// Failed attempts that were retried.
    pub retried: AtomicU64,
    /// Messages parked in a dead-letter queue.
    pub parked: AtomicU64,
}

/// A copy of [`Metrics`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// See [`Metrics::applied`].
    pub applied: u64,
    /// See [`Metrics::duplicates`].
    pub duplicates: u64,
    /// See [`Metrics::gap_filled`].
    pub gap_filled: u64,
    /// See [`Metrics::retried`].
    pub retried: u64,
    /// See [`Metrics::parked`].
    pub parked: u64,
}

impl Metrics {
    /// The counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            applied: self.applied.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            gap_filled: self.gap_filled.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            parked: self.parked.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}
