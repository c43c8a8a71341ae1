//! Process managers and the scheduler (DESIGN §5, §6): reactions that come
//! later or from outside — escrow released when a one-off order completes,
//! monthly period ends and renewals with past-due retries, acceptance
//! deadlines, auto-confirm of done orders, payouts through a [`PayoutBank`].
//!
//! - [`reactions`]: events from the `hub.processes` queue;
//! - [`timed`]: jobs from the scheduler's `scheduled_jobs` table;
//! - [`money`]: the escrow release split and the renewal charge;
//! - [`consumer`]: the RabbitMQ side; [`scheduler`]: the table.
//!
//! Every command carries a transfer id derived from the triggering event or
//! job, so redeliveries, replicas and crashes end with exactly one effect.

pub mod bank;
pub mod consumer;
pub mod error;
pub mod jobs;
pub mod managers;
pub mod money;
pub mod reactions;
pub mod scheduler;
pub mod settings;
pub mod timed;

pub use bank::{BankUnavailable, PayoutBank, PayoutStatus, SandboxBank};
pub use bus::ConsumerConfig;
pub use error::ProcessError;
pub use jobs::{Job, Payout};
pub use managers::{Processes, event_uuid};
pub use reactions::{ROUTING_KEYS, queue};
pub use scheduler::Scheduler;
pub use settings::{BankKind, ProcessesSettings};

use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Runs the consumer and the scheduler loop until `shutdown`.
pub async fn run(processes: Arc<Processes>, consumer: ConsumerConfig, shutdown: CancellationToken) {
    let scheduler = tokio::spawn(processes.clone().run_scheduler(shutdown.clone()));
    consumer::consume(processes, consumer, shutdown).await;
    if let Err(error) = scheduler.await {
        tracing::error!(%error, "the scheduler loop panicked");
    }
}
