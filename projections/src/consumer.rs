//! One consumer per projection on its durable queue `hub.projections.<name>`:
//! prefetch, manual ack after the projection's transaction commits,
//! reconnect with backoff, and poison messages parked in the dead-letter
//! queue after a bounded number of attempts.

use std::sync::Arc;
use std::time::Duration;

use bus::lapin::message::Delivery;
use bus::lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions,
};
use bus::lapin::types::{AMQPValue, FieldTable};
use bus::{Backoff, ConsumerQueue, EventEnvelope, connect_with_backoff};
use futures_util::{FutureExt, StreamExt};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::ProjectionError;
use crate::config::{Metrics, ProjectionsConfig};
use crate::event::StoredEvent;
use crate::projector::{Outcome, Projection, project, project_batch};

/// The queue and bindings of a projection: `<type>.*` for each type it reads.
pub fn queue_of(projection: &dyn Projection) -> ConsumerQueue {
    let bindings: Vec<String> = projection
        .aggregate_types()
        .iter()
        .map(|t| format!("{t}.*"))
        .collect();
    let bindings: Vec<&str> = bindings.iter().map(String::as_str).collect();
    ConsumerQueue::projection(projection.name(), &bindings)
}

/// Consumes one projection's queue until `shutdown`, reconnecting whenever
/// the broker goes away.
pub(crate) async fn consume(
    pool: PgPool,
    projection: Arc<dyn Projection>,
    config: ProjectionsConfig,
    shutdown: CancellationToken,
) {
    let name = projection.name();
    let mut backoff = config.backoff.clone();
    while !shutdown.is_cancelled() {
        match session(&pool, projection.as_ref(), &config, &mut backoff, &shutdown).await {
            Ok(()) => return,
            Err(err) => {
                let delay = backoff.next_delay();
                tracing::warn!(projection = name, error = %err, ?delay, "consumer stopped; reconnecting");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// One connection's life: declare, consume, handle. `Ok` only on shutdown.
async fn session(
    pool: &PgPool,
    projection: &dyn Projection,
    config: &ProjectionsConfig,
    backoff: &mut Backoff,
    shutdown: &CancellationToken,
) -> Result<(), ProjectionError> {
    let name = projection.name();
    let bus_err = |e: bus::BusError| ProjectionError::Bus(e.to_string());
    let amqp_err = |e: bus::lapin::Error| ProjectionError::Bus(e.to_string());
    let connection = match connect_with_backoff(
        &config.amqp_uri,
        &format!("hub projections {name}"),
        backoff,
        shutdown,
    )
    .await
    {
        Ok(c) => c,
        Err(bus::BusError::Cancelled) => return Ok(()),
        Err(e) => return Err(bus_err(e)),
    };
    let channel = connection.create_channel().await.map_err(amqp_err)?;
    let queue = config
        .topology
        .declare_consumer(&channel, &queue_of(projection))
        .await
        .map_err(bus_err)?;
    channel
        .basic_qos(config.prefetch, BasicQosOptions::default())
        .await
        .map_err(amqp_err)?;
    let mut consumer = channel
        .basic_consume(
            queue.as_str().into(),
            format!("projections-{name}").into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(amqp_err)?;
    tracing::info!(projection = name, queue, "consuming");
    backoff.reset();

    let result = loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => break Ok(()),
            next = consumer.next() => next,
        };
        let delivery = match next {
            Some(Ok(d)) => d,
            Some(Err(e)) => break Err(amqp_err(e)),
            None => break Err(ProjectionError::Bus("consumer stream ended".into())),
        };
        // Under load more deliveries are already waiting: take those that are
        // ready (never wait for more) and commit them together.
        let mut batch = vec![delivery];
        let mut broken = None;
        while batch.len() < usize::from(config.prefetch) {
            match consumer.next().now_or_never() {
                Some(Some(Ok(d))) => batch.push(d),
                Some(Some(Err(e))) => {
                    broken = Some(amqp_err(e));
                    break;
                }
                _ => break,
            }
        }
        if let Err(e) = handle_batch(pool, projection, config, &batch, shutdown).await {
            break Err(e);
        }
        if let Some(e) = broken {
            break Err(e);
        }
    };
    // Unacked deliveries go back to the queue when the channel closes.
    let _ = connection.close(0, "projections stopping".into()).await;
    result
}

/// Applies ready deliveries in one transaction and acks them after the
/// commit; if the batch fails, falls back to one delivery at a time so a
/// poison message is counted and parked alone.
async fn handle_batch(
    pool: &PgPool,
    projection: &dyn Projection,
    config: &ProjectionsConfig,
    batch: &[Delivery],
    shutdown: &CancellationToken,
) -> Result<(), ProjectionError> {
    let events: Option<Vec<StoredEvent>> = batch
        .iter()
        .map(|d| EventEnvelope::from_body(&d.data).ok())
        .collect();
    if let (true, Some(events)) = (batch.len() > 1, events)
        && let Ok(outcomes) = project_batch(pool, projection, &events).await
    {
        let metrics: &Metrics = &config.metrics;
        for outcome in outcomes {
            match outcome {
                Outcome::Applied { filled } => {
                    Metrics::add(&metrics.applied, 1);
                    Metrics::add(&metrics.gap_filled, filled as u64);
                }
                Outcome::Duplicate => Metrics::add(&metrics.duplicates, 1),
            }
        }
        for delivery in batch {
            delivery
                .acker
                .ack(BasicAckOptions::default())
                .await
                .map_err(|e| ProjectionError::Bus(e.to_string()))?;
            if delivery.redelivered
                && let Some(id) = delivery.properties.message_id()
            {
                forget_failures(pool, projection.name(), id.as_str()).await;
            }
        }
        return Ok(());
    }
    for delivery in batch {
        handle(pool, projection, config, delivery, shutdown).await?;
    }
    Ok(())
}

/// Applies one delivery and settles it: ack after commit, requeue after a
/// counted failure, reject (dead-letter) once the attempts run out. Returns
/// `Err` only when the channel is unusable.
async fn handle(
    pool: &PgPool,
    projection: &dyn Projection,
    config: &ProjectionsConfig,
    delivery: &Delivery,
    shutdown: &CancellationToken,
) -> Result<(), ProjectionError> {
    let amqp_err = |e: bus::lapin::Error| ProjectionError::Bus(e.to_string());
    let metrics: &Metrics = &config.metrics;
    let message_id = delivery.properties.message_id().as_ref().map_or_else(
        || format!("delivery:{}", delivery.delivery_tag),
        |m| m.to_string(),
    );

    let envelope = match EventEnvelope::from_body(&delivery.data) {
        Ok(e) => e,
        Err(e) => {
            // A body that is not an envelope never will be: park it now.
            let error = ProjectionError::Malformed(e.to_string());
            return park(
                pool,
                projection,
                config,
                delivery,
                &message_id,
                &error,
                u32::MAX,
            )
            .await;
        }
    };
    let event = envelope;
    let mut transient_backoff = config.backoff.clone();
    loop {
        match project(pool, projection, &event).await {
            Ok(outcome) => {
                match outcome {
                    Outcome::Applied { filled } => {
                        Metrics::add(&metrics.applied, 1);
                        Metrics::add(&metrics.gap_filled, filled as u64);
                    }
                    Outcome::Duplicate => Metrics::add(&metrics.duplicates, 1),
                }
                delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(amqp_err)?;
                if delivery.redelivered {
                    forget_failures(pool, projection.name(), &message_id).await;
                }
                return Ok(());
            }
            Err(err) if err.is_transient() => {
                // The database is away: not the message's fault, so not
                // counted. Hold it (and the queue behind it) until it is back.
                let delay = transient_backoff.next_delay();
                tracing::warn!(projection = projection.name(), message_id, error = %err, ?delay, "transient failure; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => {
                        delivery.acker.nack(BasicNackOptions { requeue: true, ..Default::default() })
                            .await.map_err(amqp_err)?;
                        return Ok(());
                    }
                    () = tokio::time::sleep(delay) => {}
                }
            }
            Err(err) => {
                let attempts = match record_failure(pool, projection.name(), &message_id, &err)
                    .await
                {
                    Ok(n) => n.max(broker_delivery_count(delivery)),
                    Err(db) => {
                        tracing::warn!(error = %db, "could not record a failure; retrying later");
                        tokio::time::sleep(transient_backoff.next_delay()).await;
                        continue;
                    }
                };
                if attempts >= config.max_attempts {
                    return park(
                        pool,
                        projection,
                        config,
                        delivery,
                        &message_id,
                        &err,
                        attempts,
                    )
                    .await;
                }
                Metrics::add(&metrics.retried, 1);
                tracing::warn!(projection = projection.name(), message_id, attempts, error = %err, "projection failed; requeued");
                // A short pause so a requeued message does not spin.
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempts))).await;
                delivery
                    .acker
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..Default::default()
                    })
                    .await
                    .map_err(amqp_err)?;
                return Ok(());
            }
        }
    }
}

/// Rejects without requeue: the queue's dead-letter exchange routes the
/// message to `hub.projections.<name>.dead`, where it waits for a human.
async fn park(
    pool: &PgPool,
    projection: &dyn Projection,
    config: &ProjectionsConfig,
    delivery: &Delivery,
    message_id: &str,
    error: &ProjectionError,
    attempts: u32,
) -> Result<(), ProjectionError> {
    Metrics::add(&config.metrics.parked, 1);
    tracing::error!(projection = projection.name(), message_id, attempts, error = %error, "poison message parked in the dead-letter queue");
    if let Err(e) = sqlx::query(
        "INSERT INTO read.projection_failures (projection, message_id, attempts, last_error, parked_at) \
         VALUES ($1, $2, 1, $3, now()) ON CONFLICT (projection, message_id) \
         DO UPDATE SET parked_at = now(), last_error = EXCLUDED.last_error, last_failed_at = now()",
    )
    .bind(projection.name())
    .bind(message_id)
    .bind(error.to_string())
    .execute(pool)
    .await
    {
        tracing::warn!(error = %e, "could not record a parked message");
    }
    delivery
        .acker
        .reject(BasicRejectOptions { requeue: false })
        .await
        .map_err(|e| ProjectionError::Bus(e.to_string()))?;
    Ok(())
}

/// Counts a failed attempt; returns the attempts so far.
async fn record_failure(
    pool: &PgPool,
    projection: &str,
    message_id: &str,
    error: &ProjectionError,
) -> Result<u32, sqlx::Error> {
    let attempts: i32 = sqlx::query_scalar(
        "INSERT INTO read.projection_failures (projection, message_id, attempts, last_error) \
         VALUES ($1, $2, 1, $3) ON CONFLICT (projection, message_id) \
         DO UPDATE SET attempts = read.projection_failures.attempts + 1, \
         last_error = EXCLUDED.last_error, last_failed_at = now() RETURNING attempts",
    )
    .bind(projection)
    .bind(message_id)
    .bind(error.to_string())
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(attempts).unwrap_or(u32::MAX))
}

async fn forget_failures(pool: &PgPool, projection: &str, message_id: &str) {
    let r = sqlx::query(
        "DELETE FROM read.projection_failures WHERE projection = $1 AND message_id = $2 \
         AND parked_at IS NULL",
    )
    .bind(projection)
    .bind(message_id)
    .execute(pool)
    .await;
    if let Err(e) = r {
        tracing::debug!(error = %e, "could not clear a failure record");
    }
}

/// Quorum queues count deliveries in `x-delivery-count` (absent on the first).
fn broker_delivery_count(delivery: &Delivery) -> u32 {
    let Some(headers) = delivery.properties.headers() else {
        return 0;
    };
    let count = match headers.inner().get("x-delivery-count") {
        Some(AMQPValue::LongLongInt(n)) => *n,
        Some(AMQPValue::LongInt(n)) => i64::from(*n),
        Some(AMQPValue::LongUInt(n)) => i64::from(*n),
        Some(AMQPValue::ShortInt(n)) => i64::from(*n),
        _ => 0,
    };
    // The count is of earlier deliveries; this one is an attempt too.
    u32::try_from(count + 1).unwrap_or(u32::MAX)
}
