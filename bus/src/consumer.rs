//! One way to consume events: manual ack after the handler's work committed,
//! reconnect with backoff (lapin does not reconnect), transient failures held
//! and retried in place, refusals retried a few times then parked in the
//! queue's dead-letter queue. The process managers and the notifier use it.

use crate::{Backoff, BusError, ConsumerQueue, EventEnvelope, Topology, connect_with_backoff};
use futures_util::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions,
};
use lapin::types::FieldTable;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Why a handler did not finish with an event.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The event cannot be read: parked at once.
    #[error("malformed: {0}")]
    Malformed(String),
    /// Not the event's fault (the database, a bank, the mail server): the
    /// delivery is held and retried until it succeeds or the consumer stops.
    #[error("transient: {0}")]
    Transient(String),
    /// The handler refused it: retried a few times, then parked.
    #[error("refused: {0}")]
    Refused(String),
}

/// What a consumer does with each event. Must be idempotent: a delivery is
/// acknowledged only after `handle` returns, so a crash redelivers it.
pub trait Handler: Send + Sync {
    /// Handles one event.
    fn handle(&self, envelope: &EventEnvelope) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// Where a consumer connects and how patient it is.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// RabbitMQ.
    pub amqp_uri: String,
    /// Exchange and queue names (a prefix in tests).
    pub topology: Topology,
    /// Unacknowledged deliveries in flight.
    pub prefetch: u16,
    /// Failed attempts of a refused event before it is parked.
    pub max_attempts: u32,
    /// Delays between reconnects and between retries of transient failures.
    pub backoff: Backoff,
}

impl ConsumerConfig {
    /// Defaults for everything but the broker.
    #[must_use]
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

/// Consumes `queue` with `handler` until `shutdown`, reconnecting whenever
/// the broker goes away. `name` tags the connection and the logs.
pub async fn consume<H: Handler>(
    name: &'static str,
    handler: &H,
    queue: &ConsumerQueue,
    config: &ConsumerConfig,
    shutdown: &CancellationToken,
) {
    let mut backoff = config.backoff.clone();
    let mut failures = HashMap::new();
    while !shutdown.is_cancelled() {
        let session = Session {
            name,
            handler,
            config,
            shutdown,
        };
        match session.run(queue, &mut backoff, &mut failures).await {
            Ok(()) => return,
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(consumer = name, %error, ?delay, "consumer stopped; reconnecting");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

struct Session<'a, H> {
    name: &'static str,
    handler: &'a H,
    config: &'a ConsumerConfig,
    shutdown: &'a CancellationToken,
}

impl<H: Handler> Session<'_, H> {
    async fn run(
        &self,
        queue: &ConsumerQueue,
        backoff: &mut Backoff,
        failures: &mut HashMap<String, u32>,
    ) -> Result<(), String> {
        let connection = match connect_with_backoff(
            &self.config.amqp_uri,
            &format!("hub {}", self.name),
            backoff,
            self.shutdown,
        )
        .await
        {
            Ok(c) => c,
            Err(BusError::Cancelled) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let channel = connection
            .create_channel()
            .await
            .map_err(|e| e.to_string())?;
        let queue_name = self
            .config
            .topology
            .declare_consumer(&channel, queue)
            .await
            .map_err(|e| e.to_string())?;
        channel
            .basic_qos(self.config.prefetch, BasicQosOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        let mut consumer = channel
            .basic_consume(
                queue_name.as_str().into(),
                self.name.into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(consumer = self.name, queue = queue_name, "consuming");
        backoff.reset();
        let result = loop {
            let next = tokio::select! {
                () = self.shutdown.cancelled() => break Ok(()),
                next = consumer.next() => next,
            };
            let delivery = match next {
                Some(Ok(d)) => d,
                Some(Err(e)) => break Err(e.to_string()),
                None => break Err("consumer stream ended".to_owned()),
            };
            if let Err(e) = self.settle(failures, &delivery).await {
                break Err(e);
            }
        };
        // Unacked deliveries go back to the queue when the channel closes.
        let _ = connection.close(0, "consumer stopping".into()).await;
        result
    }

    /// Handles one delivery and settles it. `Err` only when the channel is unusable.
    async fn settle(
        &self,
        failures: &mut HashMap<String, u32>,
        delivery: &Delivery,
    ) -> Result<(), String> {
        let consumer = self.name;
        let envelope = match EventEnvelope::from_body(&delivery.data) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(consumer, error = %e, "not an event envelope; parked");
                return reject(delivery).await;
            }
        };
        let message_id = envelope.message_id();
        let mut transient = self.config.backoff.clone();
        loop {
            match self.handler.handle(&envelope).await {
                Ok(()) => {
                    failures.remove(&message_id);
                    return delivery
                        .acker
                        .ack(BasicAckOptions::default())
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string());
                }
                Err(Failure::Malformed(error)) => {
                    tracing::error!(consumer, message_id, error, "unreadable event parked");
                    return reject(delivery).await;
                }
                Err(Failure::Transient(error)) => {
                    let delay = transient.next_delay();
                    tracing::warn!(
                        consumer,
                        message_id,
                        error,
                        ?delay,
                        "transient failure; retrying"
                    );
                    tokio::select! {
                        () = self.shutdown.cancelled() => return requeue(delivery).await,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
                Err(Failure::Refused(error)) => {
                    let attempts = failures.entry(message_id.clone()).or_insert(0);
                    *attempts += 1;
                    if *attempts >= self.config.max_attempts {
                        tracing::error!(
                            consumer,
                            message_id,
                            attempts = *attempts,
                            error,
                            "refused; parked in the dead-letter queue"
                        );
                        failures.remove(&message_id);
                        return reject(delivery).await;
                    }
                    tracing::warn!(
                        consumer,
                        message_id,
                        attempts = *attempts,
                        error,
                        "refused; requeued"
                    );
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(*attempts))).await;
                    return requeue(delivery).await;
                }
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

/// Without requeue: the dead-letter exchange routes it to the queue's `.dead`.
async fn reject(delivery: &Delivery) -> Result<(), String> {
    delivery
        .acker
        .reject(BasicRejectOptions { requeue: false })
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}
