use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};

/// Counters a relay updates as it goes; read them any time (Prometheus
/// wiring comes later).
#[derive(Debug, Default)]
pub struct RelayMetrics {
    /// Events confirmed by the broker (redeliveries after a crash count again).
    pub published: AtomicU64,
    /// Batches confirmed and checkpointed.
    pub batches: AtomicU64,
    /// Events the broker returned because no queue was bound for them.
    pub unroutable: AtomicU64,
    /// Sessions that ended in an error (and were retried).
    pub failures: AtomicU64,
    /// The checkpoint's transaction id.
    pub last_tx_id: AtomicI64,
    /// The checkpoint's global position.
    pub last_global_position: AtomicI64,
    /// Whether this replica holds the lock right now.
    pub active: AtomicBool,
}

/// A plain copy of [`RelayMetrics`] at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayMetricsSnapshot {
    /// See [`RelayMetrics::published`].
    pub published: u64,
    /// See [`RelayMetrics::batches`].
    pub batches: u64,
    /// See [`RelayMetrics::unroutable`].
    pub unroutable: u64,
    /// See [`RelayMetrics::failures`].
    pub failures: u64,
    /// See [`RelayMetrics::last_tx_id`].
    pub last_tx_id: i64,
    /// See [`RelayMetrics::last_global_position`].
    pub last_global_position: i64,
    /// See [`RelayMetrics::active`].
    pub active: bool,
}

impl RelayMetrics {
    /// Reads every counter.
    #[must_use]
    pub fn snapshot(&self) -> RelayMetricsSnapshot {
        RelayMetricsSnapshot {
            published: self.published.load(Relaxed),
            batches: self.batches.load(Relaxed),
            unroutable: self.unroutable.load(Relaxed),
            failures: self.failures.load(Relaxed),
            last_tx_id: self.last_tx_id.load(Relaxed),
            last_global_position: self.last_global_position.load(Relaxed),
            active: self.active.load(Relaxed),
        }
    }
}
