use std::{
    future::Future,
    sync::{Arc, atomic::Ordering::Relaxed},
};

use bus::{BusError, EventEnvelope, lapin};
use lapin::{
    Channel, Confirmation, Connection, PublisherConfirm,
    options::{BasicPublishOptions, ConfirmSelectOptions},
    types::ShortString,
};
use sqlx::{Connection as _, PgConnection, postgres::PgListener};
use tokio_util::sync::CancellationToken;

use crate::{
    Checkpoint, FaultPoint, RelayConfig, RelayError, RelayMetrics,
    store::{self, EventRow},
};

/// The channel writers notify on after their events commit (`store::wake`,
/// which the relay does not depend on: the name is the contract).
const WAKE_CHANNEL: &str = "hub_events_appended";

/// The first look again after a hint found nothing visible yet.
const SOON_AFTER_HINT: std::time::Duration = std::time::Duration::from_millis(2);

/// One relay replica. Cheap to share: clone the metrics out before `run`.
#[derive(Debug)]
pub struct Relay {
    config: RelayConfig,
    metrics: Arc<RelayMetrics>,
}

/// How a session ended without an error.
enum Ended {
    Shutdown,
}

impl Relay {
    /// A replica that has not started yet.
    #[must_use]
    pub fn new(config: RelayConfig) -> Self {
        Self {
            config,
            metrics: Arc::new(RelayMetrics::default()),
        }
    }

    /// Its counters, live.
    #[must_use]
    pub fn metrics(&self) -> Arc<RelayMetrics> {
        Arc::clone(&self.metrics)
    }

    /// Builds a replica and runs it until `shutdown` fires.
    pub async fn run_with(
        config: RelayConfig,
        shutdown: CancellationToken,
    ) -> Result<(), RelayError> {
        Self::new(config).run(shutdown).await
    }

    /// Relays until `shutdown` fires: waits for the lock, then publishes batch
    /// after batch. Any failure of PostgreSQL or RabbitMQ drops both
    /// connections (and so the lock) and starts again after a backoff.
    ///
    /// Shutdown lets the batch in flight finish and checkpoint. Only an
    /// injected crash ([`RelayError::Crashed`]) is returned as an error.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), RelayError> {
        let mut backoff = self.config.backoff.clone();
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let outcome = self.session(&shutdown, &mut backoff).await;
            self.metrics.active.store(false, Relaxed);
            match outcome {
                Ok(Ended::Shutdown) => return Ok(()),
                Err(crash @ RelayError::Crashed(_)) => return Err(crash),
                Err(err) => {
                    self.metrics.failures.fetch_add(1, Relaxed);
                    let delay = backoff.next_delay();
                    tracing::warn!(relay = %self.config.name, error = %err, ?delay, "relay session failed; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => return Ok(()),
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    async fn session(
        &self,
        shutdown: &CancellationToken,
        backoff: &mut bus::Backoff,
    ) -> Result<Ended, RelayError> {
        let cfg = &self.config;
        let mut db = self
            .timed(
                "connect to PostgreSQL",
                PgConnection::connect(&cfg.database_url),
            )
            .await??;

        // Standby: the lock lives as long as this connection, which is also
        // the one that moves the checkpoint, so a replica that lost it (its
        // connection died) can never write a stale checkpoint.
        loop {
            if self
                .timed("take the lock", store::try_lock(&mut db, &cfg.name))
                .await??
            {
                break;
            }
            tokio::select! {
                () = shutdown.cancelled() => return Ok(Ended::Shutdown),
                () = tokio::time::sleep(cfg.standby_poll) => {}
            }
        }
        self.metrics.active.store(true, Relaxed);
        tracing::info!(relay = %cfg.name, "relay is active");

        let mut checkpoint = self
            .timed(
                "load the checkpoint",
                store::load_checkpoint(&mut db, &cfg.name),
            )
            .await??;
        self.record_checkpoint(checkpoint);

        let mut listener = if cfg.listen {
            let mut l = self
                .timed(
                    "connect the listener",
                    PgListener::connect(&cfg.database_url),
                )
                .await??;
            self.timed("listen", l.listen(WAKE_CHANNEL)).await??;
            Some(l)
        } else {
            None
        };

        let amqp = match bus::connect_with_backoff(
            &cfg.amqp_uri,
            &format!("hub.relay.{}", cfg.name),
            backoff,
            shutdown,
        )
        .await
        {
            Ok(c) => c,
            Err(BusError::Cancelled) => return Ok(Ended::Shutdown),
            Err(e) => return Err(e.into()),
        };
        let result = self
            .relay_batches(
                &mut db,
                &amqp,
                listener.as_mut(),
                &mut checkpoint,
                shutdown,
                backoff,
            )
            .await;
        // Best effort: a dead connection cannot be closed politely.
        let _ = amqp.close(200, "relay stopping".into()).await;
        if result.is_ok() {
            let _ = db.close().await;
        }
        result
    }

    async fn relay_batches(
        &self,
        db: &mut PgConnection,
        amqp: &Connection,
        mut listener: Option<&mut PgListener>,
        checkpoint: &mut Checkpoint,
        shutdown: &CancellationToken,
        backoff: &mut bus::Backoff,
    ) -> Result<Ended, RelayError> {
        let cfg = &self.config;
        let channel = amqp.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        cfg.topology.declare_exchanges(&channel).await?;
        let exchange = ShortString::try_new(cfg.topology.events_exchange()).map_err(|_| {
            BusError::TooLong {
                what: "exchange",
                len: cfg.topology.events_exchange().len(),
            }
        })?;

        let mut batch_no = 0_u64;
        // A hint means an event committed, but it stays invisible below the
        // horizon while any older transaction is still open (a projection's,
        // another writer's): look again soon, backing off to `idle_poll`,
        // rather than sleep a whole `idle_poll` on an empty read.
        let mut soon: Option<std::time::Duration> = None;
        loop {
            if shutdown.is_cancelled() {
                return Ok(Ended::Shutdown);
            }
            let rows = self
                .timed(
                    "read events",
                    store::next_events(db, *checkpoint, cfg.batch_size),
                )
                .await??;
            let Some(last) = rows.last().map(EventRow::checkpoint) else {
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(Ended::Shutdown),
                    () = tokio::time::sleep(soon.unwrap_or(cfg.idle_poll)) => {
                        soon = soon.map(|d| d * 2).filter(|d| *d < cfg.idle_poll);
                    }
                    // Any outcome is only a hint to look again; a lost
                    // listener connection reconnects on the next call.
                    _ = recv_hint(listener.as_deref_mut()) => soon = Some(SOON_AFTER_HINT),
                }
                continue;
            };

            let count = rows.len() as u64;
            let unroutable = self
                .timed("confirms", publish(&channel, &exchange, rows))
                .await??;
            batch_no += 1;
            if let Some(hook) = &cfg.fault {
                let point = FaultPoint::AfterConfirmsBeforeCheckpoint { batch: batch_no };
                if hook.crashes_at(point) {
                    self.metrics.published.fetch_add(count, Relaxed);
                    return Err(RelayError::Crashed(point));
                }
            }
            if !self
                .timed(
                    "store the checkpoint",
                    store::store_checkpoint(db, &cfg.name, last),
                )
                .await??
            {
                return Err(RelayError::Checkpoint(cfg.name.clone()));
            }
            *checkpoint = last;
            self.metrics.published.fetch_add(count, Relaxed);
            self.metrics.unroutable.fetch_add(unroutable, Relaxed);
            self.metrics.batches.fetch_add(1, Relaxed);
            self.record_checkpoint(last);
            backoff.reset();
            if unroutable > 0 {
                tracing::warn!(relay = %cfg.name, unroutable, "events with no queue bound to their routing key");
            }
        }
    }

    fn record_checkpoint(&self, at: Checkpoint) {
        self.metrics.last_tx_id.store(at.tx_id, Relaxed);
        self.metrics
            .last_global_position
            .store(at.global_position, Relaxed);
    }

    async fn timed<T>(
        &self,
        what: &'static str,
        fut: impl Future<Output = T>,
    ) -> Result<T, RelayError> {
        tokio::time::timeout(self.config.io_timeout, fut)
            .await
            .map_err(|_| RelayError::Timeout(what))
    }
}

/// Publishes every row, then awaits all the confirms together; returns how
/// many came back unroutable.
///
/// `mandatory` makes the broker say so when no queue is bound for an event:
/// that is not a failure (nobody may care about that event type yet, and
/// read models rebuild from the store) but it is counted and logged,
/// because it usually means consumers declared their queues too late.
async fn publish(
    channel: &Channel,
    exchange: &ShortString,
    rows: Vec<EventRow>,
) -> Result<u64, RelayError> {
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    let mut pending: Vec<(String, PublisherConfirm)> = Vec::with_capacity(rows.len());
    for row in rows {
        let event: EventEnvelope = row.into_envelope();
        let body = event.to_body()?;
        let confirm = channel
            .basic_publish(
                exchange.clone(),
                event.amqp_routing_key()?,
                options,
                &body,
                event.properties()?,
            )
            .await?;
        pending.push((event.message_id(), confirm));
    }
    let mut unroutable = 0;
    for (message_id, confirm) in pending {
        match confirm.await? {
            Confirmation::Ack(None) => {}
            Confirmation::Ack(Some(_)) => unroutable += 1,
            Confirmation::Nack(_) | Confirmation::NotRequested => {
                return Err(RelayError::Nacked { message_id });
            }
        }
    }
    Ok(unroutable)
}

async fn recv_hint(listener: Option<&mut PgListener>) {
    match listener {
        Some(l) => {
            // A listener that cannot reconnect would wake us in a hot loop;
            // then the idle poll alone paces the relay.
            if l.try_recv().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}
