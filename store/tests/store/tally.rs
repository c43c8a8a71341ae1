//! A small test-only aggregate: a running total that can be claimed once.
//! Its services can hold the first N command handlers at a barrier, so
//! tests make commands load the same version and collide on commit.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Barrier;

pub const TYPE: &str = "Tally";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Tally {
    pub total: u64,
    pub claimed_by: Option<String>,
    /// Events applied since this instance was built (from a snapshot or
    /// from nothing): how much of the stream the last load read.
    #[serde(skip)]
    pub applied_since_load: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TallyEvent {
    Added { n: u64, applied_before: u64 },
    Claimed { by: String },
}

impl DomainEvent for TallyEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Added { .. } => "Added".into(),
            Self::Claimed { .. } => "Claimed".into(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum TallyCommand {
    Add { n: u64 },
    AddMany { count: u64 },
    Claim { by: String },
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum TallyError {
    #[error("already claimed by {0}")]
    AlreadyClaimed(String),
}

/// Counts handler calls; the first `hold` of them wait for each other.
#[derive(Default, Clone)]
pub struct Gate {
    hold: usize,
    barrier: Option<Arc<Barrier>>,
    calls: Arc<AtomicUsize>,
}

impl Gate {
    pub fn open() -> Self {
        Self::default()
    }
    pub fn hold(first: usize) -> Self {
        Self {
            hold: first,
            barrier: Some(Arc::new(Barrier::new(first))),
            calls: Arc::default(),
        }
    }
    /// How many times a handler ran.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    async fn pass(&self) {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if call < self.hold
            && let Some(barrier) = &self.barrier
        {
            barrier.wait().await;
        }
    }
}

impl Aggregate for Tally {
    const TYPE: &'static str = TYPE;
    type Command = TallyCommand;
    type Event = TallyEvent;
    type Error = TallyError;
    type Services = Gate;

    async fn handle(
        &mut self,
        command: TallyCommand,
        gate: &Gate,
        sink: &EventSink<Self>,
    ) -> Result<(), TallyError> {
        gate.pass().await;
        match command {
            TallyCommand::Add { n } => {
                let applied_before = self.applied_since_load;
                sink.write(TallyEvent::Added { n, applied_before }, self)
                    .await;
            }
            TallyCommand::AddMany { count } => {
                for _ in 0..count {
                    let applied_before = self.applied_since_load;
                    sink.write(
                        TallyEvent::Added {
                            n: 1,
                            applied_before,
                        },
                        self,
                    )
                    .await;
                }
            }
            TallyCommand::Claim { by } => {
                if let Some(owner) = &self.claimed_by {
                    return Err(TallyError::AlreadyClaimed(owner.clone()));
                }
                sink.write(TallyEvent::Claimed { by }, self).await;
            }
        }
        Ok(())
    }

    fn apply(&mut self, event: TallyEvent) {
        self.applied_since_load += 1;
        match event {
            TallyEvent::Added { n, .. } => self.total += n,
            TallyEvent::Claimed { by } => self.claimed_by = Some(by),
        }
    }
}

/// Sequences stored for one tally, in order.
pub async fn sequences(pool: &sqlx::PgPool, id: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT sequence FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
    )
    .bind(TYPE)
    .bind(id)
    .fetch_all(pool)
    .await
    .expect("read sequences")
}
