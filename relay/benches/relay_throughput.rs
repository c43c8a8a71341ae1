//! How many events per second the relay moves from PostgreSQL to RabbitMQ.
//!
//! `cargo bench -p relay --bench relay_throughput` (env: `DATABASE_URL`,
//! `AMQP_URL`, `EVENTS` = 50000, `BATCH` = 500). Pre-inserts `EVENTS` events
//! into a fresh database, relays them into a durable queue bound to `#`,
//! and prints the rate next to the ceiling measured in the same run: plain
//! publishing of the same bodies with the same batching and confirms, no
//! database involved.

use std::{
    sync::atomic::Ordering::Relaxed,
    time::{Duration, Instant},
};

use bus::{
    ConsumerQueue, EventEnvelope, Topology,
    lapin::{
        BasicProperties,
        options::{BasicPublishOptions, ConfirmSelectOptions},
    },
};
use relay::{Relay, RelayConfig};
use sqlx::{Connection as _, Executor, PgConnection, postgres::PgPoolOptions};
use tokio_util::sync::CancellationToken;

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let admin_url = env_or(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    );
    let amqp_url = env_or("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f");
    let events: i64 = env_or("EVENTS", "50000").parse()?;
    let batch: u32 = env_or("BATCH", "500").parse()?;
    let id = uuid::Uuid::new_v4().simple().to_string();

    // A fresh database with `events` events of 1000 aggregates.
    let db_name = format!("relay_bench_{id}");
    let mut admin = PgConnection::connect(&admin_url).await?;
    admin
        .execute(format!(r#"CREATE DATABASE "{db_name}""#).as_str())
        .await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .ok_or("DATABASE_URL has no path")?;
    let db_url = format!("{base}/{db_name}");
    let pool = PgPoolOptions::new().connect(&db_url).await?;
    sqlx::migrate!("../store/migrations").run(&pool).await?;
    let started = Instant::now();
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         SELECT 'Thing', 'thing-' || (n % 1000), n / 1000 + 1, 'Happened', '1.0', \
                json_build_object('Happened', json_build_object('n', n, 'note', repeat('x', 200))), \
                json_build_object('actor_id', gen_random_uuid(), 'correlation_id', gen_random_uuid()) \
         FROM generate_series(0, $1 - 1) AS n",
    )
    .bind(events)
    .execute(&pool)
    .await?;
    println!("inserted {events} events in {:.2?}", started.elapsed());

    let topology = Topology::with_prefix(&format!("bench.{id}."));
    let sink = ConsumerQueue::named("sink", &["#"]);
    let conn = bus::connect(&amqp_url, "relay-bench").await?;
    let channel = conn.create_channel().await?;
    topology.declare_consumer(&channel, &sink).await?;

    // The relay.
    let mut cfg = RelayConfig::new(&db_url, &amqp_url);
    cfg.name = "bench".into();
    cfg.topology = topology.clone();
    cfg.batch_size = batch;
    let relay = Relay::new(cfg);
    let metrics = relay.metrics();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let started = Instant::now();
    let task = tokio::spawn(async move { relay.run(token).await });
    while metrics.published.load(Relaxed) < events.unsigned_abs() {
        if started.elapsed() > Duration::from_secs(600) {
            return Err("relay did not finish in 10 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let relay_time = started.elapsed();
    shutdown.cancel();
    task.await??;

    // The ceiling: the same bodies, batching and confirms, straight from memory.
    let sample: Vec<EventEnvelope> = {
        let rows: Vec<(String, i64, serde_json::Value, serde_json::Value)> = sqlx::query_as(
            "SELECT aggregate_id, sequence, payload, metadata FROM events ORDER BY global_position",
        )
        .fetch_all(&pool)
        .await?;
        rows.into_iter()
            .zip(1..)
            .map(
                |((aggregate_id, sequence, payload, metadata), pos)| EventEnvelope {
                    aggregate_type: "Thing".into(),
                    aggregate_id,
                    sequence,
                    event_type: "Happened".into(),
                    event_version: "1.0".into(),
                    payload,
                    metadata,
                    global_position: pos,
                    recorded_at: chrono::Utc::now(),
                },
            )
            .collect()
    };
    let raw = conn.create_channel().await?;
    raw.confirm_select(ConfirmSelectOptions::default()).await?;
    let exchange = topology.events_exchange();
    let started = Instant::now();
    for chunk in sample.chunks(batch as usize) {
        let mut confirms = Vec::with_capacity(chunk.len());
        for event in chunk {
            let props: BasicProperties = event.properties()?;
            confirms.push(
                raw.basic_publish(
                    exchange.as_str().into(),
                    event.amqp_routing_key()?,
                    BasicPublishOptions {
                        mandatory: true,
                        ..BasicPublishOptions::default()
                    },
                    &event.to_body()?,
                    props,
                )
                .await?,
            );
        }
        for confirm in confirms {
            confirm.await?;
        }
    }
    let raw_time = started.elapsed();

    let rate = |d: Duration| events as f64 / d.as_secs_f64();
    println!(
        "relay: {events} events in {relay_time:.2?} = {:.0} events/s (batch {batch})",
        rate(relay_time)
    );
    println!(
        "ceiling (publish + confirm only, same run): {raw_time:.2?} = {:.0} events/s",
        rate(raw_time)
    );

    topology.delete(&channel, &[sink]).await?;
    conn.close(200, "done".into()).await?;
    pool.close().await;
    admin
        .execute(format!(r#"DROP DATABASE "{db_name}" WITH (FORCE)"#).as_str())
        .await?;
    Ok(())
}
