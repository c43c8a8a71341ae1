//! The `hub.processes` consumer: the process managers behind `bus::consume`
//! (manual ack after the reaction's commands committed, transient failures
//! held and retried, refusals retried a few times then parked in
//! `hub.processes.dead`).

use crate::error::ProcessError;
use crate::managers::Processes;
use crate::reactions::queue;
use bus::{ConsumerConfig, EventEnvelope, Failure, Handler};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

impl Handler for Processes {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), Failure> {
        self.react(envelope).await.map_err(|error| match error {
            ProcessError::Malformed(e) => Failure::Malformed(e),
            // Not the message's fault: hold it until the store or bank is back.
            e if e.is_transient() => Failure::Transient(e.to_string()),
            e => Failure::Refused(e.to_string()),
        })
    }
}

/// Consumes `hub.processes` until `shutdown`, reconnecting whenever the broker goes away.
pub async fn consume(
    processes: Arc<Processes>,
    config: ConsumerConfig,
    shutdown: CancellationToken,
) {
    bus::consume("processes", &*processes, &queue(), &config, &shutdown).await;
}
