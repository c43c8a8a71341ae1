//! The `hub.processes` consumer: manual ack after the reaction's commands
//! committed, reconnect with backoff (lapin does not reconnect), transient
//! failures held and retried, refusals retried a few times then parked in
//! `hub.processes.dead`.

use crate::error::ProcessError;
use crate::managers::Processes;
use crate::reactions::queue;
use bus::lapin::message::Delivery;
use bus::lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions,
};
use bus::lapin::types::FieldTable;
use bus::{Backoff, EventEnvelope, Topology, connect_with_backoff};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Where the consumer connects and how patient it is.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// RabbitMQ.
    pub amqp_uri: String,
    /// Exchange and queue names (a prefix in tests).
    pub topology: Topology,
    /// Unacknowledged deliveries in flight.
    pub prefetch: u16,
    /// Failed attempts of a refused reaction before it is parked.
    pub max_attempts: u32,
    /// Delays between reconnects and between retries of transient failures.
    pub backoff: Backoff,
}

impl ConsumerConfig {
    /// Defaults for everything but the broker.
    pub fn new(amqp_uri: &str, topology: Topology) -> Self {
        Self {
            amqp_uri: amqp_uri.to_owned(),
            topology,
            prefetch: 8,
            max_attempts: 5,
            backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(10)),
        }
    }
}

/// Consumes `hub.processes` until `shutdown`, reconnecting whenever the broker goes away.
pub async fn consume(
    processes: Arc<Processes>,
    config: ConsumerConfig,
    shutdown: CancellationToken,
) {
    let mut backoff = config.backoff.clone();
    let mut failures = HashMap::new();
    while !shutdown.is_cancelled() {
        match session(&processes, &config, &mut backoff, &mut failures, &shutdown).await {
            Ok(()) => return,
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, ?delay, "processes consumer stopped; reconnecting");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

async fn session(
    processes: &Processes,
    config: &ConsumerConfig,
    backoff: &mut Backoff,
    failures: &mut HashMap<String, u32>,
    shutdown: &CancellationToken,
) -> Result<(), String> {
    let connection =
        match connect_with_backoff(&config.amqp_uri, "hub processes", backoff, shutdown).await {
            Ok(c) => c,
            Err(bus::BusError::Cancelled) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
    let channel = connection
        .create_channel()
        .await
        .map_err(|e| e.to_string())?;
    let queue_name = config
        .topology
        .declare_consumer(&channel, &queue())
        .await
        .map_err(|e| e.to_string())?;
    channel
        .basic_qos(config.prefetch, BasicQosOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut consumer = channel
        .basic_consume(
            queue_name.as_str().into(),
            "processes".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(queue = queue_name, "consuming");
    backoff.reset();
    let result = loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => break Ok(()),
            next = consumer.next() => next,
        };
        let delivery = match next {
            Some(Ok(d)) => d,
            Some(Err(e)) => break Err(e.to_string()),
            None => break Err("consumer stream ended".to_owned()),
        };
        if let Err(e) = handle(processes, config, failures, &delivery, shutdown).await {
            break Err(e);
        }
    };
    // Unacked deliveries go back to the queue when the channel closes.
    let _ = connection.close(0, "processes stopping".into()).await;
    result
}

/// Reacts to one delivery and settles it. `Err` only when the channel is unusable.
async fn handle(
    processes: &Processes,
    config: &ConsumerConfig,
    failures: &mut HashMap<String, u32>,
    delivery: &Delivery,
    shutdown: &CancellationToken,
) -> Result<(), String> {
    let envelope = match EventEnvelope::from_body(&delivery.data) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "not an event envelope; parked");
            return reject(delivery).await;
        }
    };
    let message_id = envelope.message_id();
    let mut transient = config.backoff.clone();
    loop {
        match processes.react(&envelope).await {
            Ok(()) => {
                failures.remove(&message_id);
                return delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string());
            }
            Err(ProcessError::Malformed(error)) => {
                tracing::error!(message_id, error, "unreadable event parked");
                return reject(delivery).await;
            }
            Err(error) if error.is_transient() => {
                // Not the message's fault: hold it until the store or bank is back.
                let delay = transient.next_delay();
                tracing::warn!(message_id, %error, ?delay, "transient failure; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return requeue(delivery).await,
                    () = tokio::time::sleep(delay) => {}
                }
            }
            Err(error) => {
                let attempts = failures.entry(message_id.clone()).or_insert(0);
                *attempts += 1;
                if *attempts >= config.max_attempts {
                    tracing::error!(message_id, attempts = *attempts, %error, "reaction refused; parked in hub.processes.dead");
                    failures.remove(&message_id);
                    return reject(delivery).await;
                }
                tracing::warn!(message_id, attempts = *attempts, %error, "reaction refused; requeued");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(*attempts))).await;
                return requeue(delivery).await;
            }
        }
    }
}

async fn requeue(delivery: &Delivery) -> Result<(), String> {
    delivery
        .acker
        .nack(BasicNackOptions {
            requeue: true,
            ..Default::default()
        })
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Without requeue: the dead-letter exchange routes it to `hub.processes.dead`.
async fn reject(delivery: &Delivery) -> Result<(), String> {
    delivery
        .acker
        .reject(BasicRejectOptions { requeue: false })
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}
