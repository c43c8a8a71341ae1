//! `relay`: the relay crate draining a backlog of `--events` realistic
//! events ([`crate::mix`]) from a scratch database (`hub_bench_relay_<uuid>`)
//! into RabbitMQ, against bare lapin publishing the same messages (same
//! bodies, properties, batch size and publisher confirms, no database) in
//! the same run. Both publish to a scratch `hub.events` exchange behind a
//! unique prefix, bound to one durable queue (`#`), as `hub dev`'s
//! consumer queues are; the queue is purged between the two and everything
//! is deleted at the end, even on error.

use crate::mail::on_database;
use anyhow::{Context, bail};
use bus::lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueuePurgeOptions};
use bus::lapin::{Channel, Confirmation};
use bus::{ConsumerQueue, EventEnvelope, Topology};
use sqlx::PgPool;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Events per publish-and-confirm round, the relay's default.
const BATCH: usize = 500;

/// An `events` row as the envelope needs it.
type EventColumns = (
    String,
    String,
    i64,
    String,
    String,
    serde_json::Value,
    serde_json::Value,
    i64,
);

/// Both sides' wall times over the same events.
pub struct RelayFigures {
    pub events: u64,
    pub relay: Duration,
    pub bare: Duration,
}

impl RelayFigures {
    pub fn relay_rate(&self) -> f64 {
        self.events as f64 / self.relay.as_secs_f64()
    }

    pub fn bare_rate(&self) -> f64 {
        self.events as f64 / self.bare.as_secs_f64()
    }
}

/// Runs the bench on a scratch database on `database_url`'s server and a
/// scratch topology on `amqp_url`.
pub async fn relay(
    database_url: &str,
    amqp_url: &str,
    events: u64,
) -> anyhow::Result<RelayFigures> {
    let admin = PgPool::connect(database_url)
        .await
        .with_context(|| format!("connecting to {database_url}"))?;
    let id = Uuid::new_v4().simple().to_string();
    let name = format!("hub_bench_relay_{id}");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    let topology = Topology::with_prefix(&format!("bench_relay_{id}."));
    let sink = ConsumerQueue::named("sink", &["#"]);
    let outcome = async {
        let queue = {
            let (conn, channel) = open(amqp_url).await?;
            let queue = topology.declare_consumer(&channel, &sink).await?;
            let _ = conn.close(200, "declared".into()).await;
            queue
        };
        run(
            &on_database(database_url, &name),
            amqp_url,
            &topology,
            &queue,
            events,
        )
        .await
    }
    .await;
    // Fresh connections for each step: a long append on a loaded machine
    // may cost an idle one its heartbeat.
    let deleted = async {
        let (conn, channel) = open(amqp_url).await?;
        topology.delete(&channel, &[sink]).await?;
        let _ = conn.close(200, "done".into()).await;
        anyhow::Ok(())
    }
    .await;
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await;
    admin.close().await;
    let figures = outcome?;
    deleted.context("deleting the scratch topology")?;
    dropped.with_context(|| format!("dropping {name}"))?;
    Ok(figures)
}

async fn open(amqp_url: &str) -> anyhow::Result<(bus::lapin::Connection, Channel)> {
    let conn = bus::connect(amqp_url, "hub-bench-relay").await?;
    let channel = conn.create_channel().await?;
    Ok((conn, channel))
}

async fn run(
    url: &str,
    amqp_url: &str,
    topology: &Topology,
    queue: &str,
    events: u64,
) -> anyhow::Result<RelayFigures> {
    let pool = store::connect(url, 4).await?;
    store::migrate(&pool).await?;
    println!("relay: appending about {events} events…");
    let events = crate::mix::append(&pool, events).await?.events;
    sqlx::query("CHECKPOINT").execute(&pool).await?;

    println!("relay: draining {events} events into RabbitMQ…");
    let mut config = ::relay::RelayConfig::new(url, amqp_url);
    config.name = "bench".into();
    config.topology = topology.clone();
    config.batch_size = BATCH as u32;
    let relay = ::relay::Relay::new(config);
    let metrics = relay.metrics();
    let stop = CancellationToken::new();
    let started = Instant::now();
    let task = tokio::spawn({
        let stop = stop.clone();
        async move { relay.run(stop).await }
    });
    while metrics.published.load(Relaxed) < events {
        if started.elapsed() > Duration::from_secs(1200) || task.is_finished() {
            stop.cancel();
            bail!(
                "the relay published {} of {events} events",
                metrics.published.load(Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let relay_time = started.elapsed();
    stop.cancel();
    task.await??;
    let (conn, channel) = open(amqp_url).await?;
    channel
        .queue_purge(queue.into(), QueuePurgeOptions::default())
        .await?;

    // The same envelopes the relay read, straight from memory.
    let rows: Vec<EventColumns> = sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                    metadata, global_position FROM events ORDER BY tx_id, global_position",
    )
    .fetch_all(&pool)
    .await?;
    pool.close().await;
    let envelopes: Vec<EventEnvelope> = rows
        .into_iter()
        .map(
            |(
                aggregate_type,
                aggregate_id,
                sequence,
                event_type,
                event_version,
                payload,
                metadata,
                global_position,
            )| {
                EventEnvelope {
                    aggregate_type,
                    aggregate_id,
                    sequence,
                    event_type,
                    event_version,
                    payload,
                    metadata,
                    global_position,
                    recorded_at: chrono::Utc::now(),
                }
            },
        )
        .collect();
    println!("relay: bare publish-with-confirms of the same {events} events…");
    let bare = conn.create_channel().await?;
    bare.confirm_select(ConfirmSelectOptions::default()).await?;
    let exchange = topology.events_exchange();
    let options = BasicPublishOptions {
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    let started = Instant::now();
    for chunk in envelopes.chunks(BATCH) {
        let mut confirms = Vec::with_capacity(chunk.len());
        for event in chunk {
            confirms.push(
                bare.basic_publish(
                    exchange.as_str().into(),
                    event.amqp_routing_key()?,
                    options,
                    &event.to_body()?,
                    event.properties()?,
                )
                .await?,
            );
        }
        for confirm in confirms {
            if !matches!(confirm.await?, Confirmation::Ack(_)) {
                bail!("the broker did not ack a bare publish");
            }
        }
    }
    let bare_time = started.elapsed();
    let _ = bare.close(200, "done".into()).await;
    channel
        .queue_purge(queue.into(), QueuePurgeOptions::default())
        .await?;
    let _ = conn.close(200, "done".into()).await;
    let figures = RelayFigures {
        events,
        relay: relay_time,
        bare: bare_time,
    };
    println!(
        "relay {:.0} events/s ({:.2} s) ÷ bare publish-with-confirms {:.0} events/s ({:.2} s) = {:.3}",
        figures.relay_rate(),
        relay_time.as_secs_f64(),
        figures.bare_rate(),
        bare_time.as_secs_f64(),
        figures.relay_rate() / figures.bare_rate()
    );
    Ok(figures)
}
