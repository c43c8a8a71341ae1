//! Test fixtures: a throw-away database, a throw-away topology with a sink
//! queue bound to everything, a relay wired to both, and a cuttable TCP proxy.

use std::{
    collections::HashMap,
    future::Future,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use bus::{
    Backoff, ConsumerQueue, EventEnvelope, Topology,
    lapin::{Channel, Connection, options::BasicConsumeOptions, types::FieldTable},
};
use futures_util::StreamExt;
use relay::{Relay, RelayConfig, RelayError, RelayMetrics};
use sqlx::{Connection as _, Executor, PgConnection, PgPool, postgres::PgPoolOptions};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// A database of its own with every migration applied; dropped by `cleanup`.
pub struct TestDb {
    pub url: String,
    pub pool: PgPool,
    name: String,
    dropped: bool,
}

impl TestDb {
    pub async fn create() -> Self {
        let admin = database_url();
        let name = unique("relay_test_");
        let mut conn = PgConnection::connect(&admin)
            .await
            .expect("admin connection");
        conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("create database");
        let (base, _) = admin.rsplit_once('/').expect("DATABASE_URL has a path");
        let url = format!("{base}/{name}");
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .expect("test pool");
        sqlx::migrate!("../store/migrations")
            .run(&pool)
            .await
            .expect("migrations");
        Self {
            url,
            pool,
            name,
            dropped: false,
        }
    }

    pub async fn cleanup(mut self) {
        self.pool.close().await;
        drop_database(&self.name).await;
        self.dropped = true;
    }

    /// Commits one event on its own.
    pub async fn append(&self, aggregate_id: &str, sequence: i64) -> i64 {
        append(&self.pool, aggregate_id, sequence).await
    }

    /// Commits `count` events of one aggregate in one transaction.
    pub async fn append_many(&self, aggregate_id: &str, count: i64) {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             SELECT 'Thing', $1, s, 'Happened', '1.0', json_build_object('Happened', json_build_object('n', s)), '{}'::json \
             FROM generate_series(1, $2) AS s",
        )
        .bind(aggregate_id)
        .bind(count)
        .execute(&self.pool)
        .await
        .expect("insert events");
    }

    pub async fn checkpoint(&self, relay: &str) -> (i64, i64) {
        sqlx::query_as(
            "SELECT tx_id::text::bigint, global_position FROM relay_checkpoint WHERE relay_name = $1",
        )
        .bind(relay)
        .fetch_one(&self.pool)
        .await
        .expect("checkpoint row")
    }
}

async fn drop_database(name: &str) {
    let mut conn = PgConnection::connect(&database_url())
        .await
        .expect("admin connection");
    conn.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
        .await
        .expect("drop database");
}

/// Runs async cleanup from `Drop` (a failed test unwinds past its
/// `cleanup().await`): on a thread of its own, since the test's runtime
/// may be the one unwinding.
fn clean_up_in_background<F: Future<Output = ()> + Send + 'static>(
    work: impl FnOnce() -> F + Send + 'static,
) {
    let _ = std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(work());
        }
    })
    .join();
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.dropped {
            let name = self.name.clone();
            clean_up_in_background(move || async move { drop_database(&name).await });
        }
    }
}

impl Drop for TestBus {
    fn drop(&mut self) {
        if !self.deleted {
            self.consumer_task.abort();
            let topology = self.topology.clone();
            let sink = self.sink.clone();
            clean_up_in_background(move || async move {
                if let Ok(conn) = bus::connect(&amqp_url(), "relay-tests-cleanup").await
                    && let Ok(channel) = conn.create_channel().await
                {
                    let _ = topology.delete(&channel, &[sink]).await;
                    let _ = conn.close(200, "done".into()).await;
                }
            });
        }
    }
}

/// Inserts one `Thing` event through any executor (a pool or an open
/// transaction); returns its global position.
pub async fn append<'e>(
    exec: impl Executor<'e, Database = sqlx::Postgres>,
    aggregate_id: &str,
    sequence: i64,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Thing', $1, $2, 'Happened', '1.0', '{\"Happened\":{}}', '{\"actor_id\":null}') \
         RETURNING global_position",
    )
    .bind(aggregate_id)
    .bind(sequence)
    .fetch_one(exec)
    .await
    .expect("insert event")
}

pub fn message_id(aggregate_id: &str, sequence: i64) -> String {
    format!("Thing:{aggregate_id}:{sequence}")
}

/// A prefixed topology with one queue bound to `#` that the test drains.
pub struct TestBus {
    pub topology: Topology,
    sink: ConsumerQueue,
    conn: Connection,
    channel: Channel,
    received: Arc<Mutex<Vec<(String, EventEnvelope)>>>,
    consumer_task: JoinHandle<()>,
    deleted: bool,
}

impl TestBus {
    pub async fn create() -> Self {
        let topology = Topology::with_prefix(&format!("{}.", unique("test.relay.")));
        let sink = ConsumerQueue::named("sink", &["#"]);
        let conn = bus::connect(&amqp_url(), "relay-tests")
            .await
            .expect("RabbitMQ");
        let channel = conn.create_channel().await.expect("channel");
        let queue = topology
            .declare_consumer(&channel, &sink)
            .await
            .expect("declare topology");
        let mut consumer = channel
            .basic_consume(
                queue.into(),
                "relay-tests".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("consume");
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink_received = Arc::clone(&received);
        let consumer_task = tokio::spawn(async move {
            while let Some(Ok(delivery)) = consumer.next().await {
                let id = delivery
                    .properties
                    .message_id()
                    .as_ref()
                    .map(|m| m.as_str().to_owned())
                    .unwrap_or_default();
                let envelope = EventEnvelope::from_body(&delivery.data).expect("an envelope");
                assert_eq!(id, envelope.message_id(), "message_id matches the body");
                assert_eq!(*delivery.properties.delivery_mode(), Some(2), "persistent");
                assert_eq!(delivery.routing_key.as_str(), envelope.routing_key());
                sink_received.lock().expect("lock").push((id, envelope));
            }
        });
        Self {
            topology,
            sink,
            conn,
            channel,
            received,
            consumer_task,
            deleted: false,
        }
    }

    /// Message ids in arrival order.
    pub fn ids(&self) -> Vec<String> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// How often each message id arrived.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for id in self.ids() {
            *counts.entry(id).or_default() += 1;
        }
        counts
    }

    /// Waits until at least `n` messages arrived; panics after `within`.
    pub async fn wait_for(&self, n: usize, within: Duration) {
        eventually(
            within,
            || self.ids().len() >= n,
            || format!("{n} messages, got {:?}", self.ids()),
        )
        .await;
    }

    pub async fn cleanup(mut self) {
        self.consumer_task.abort();
        self.topology
            .delete(&self.channel, &[self.sink.clone()])
            .await
            .expect("delete topology");
        let _ = self.conn.close(200, "done".into()).await;
        self.deleted = true;
    }
}

/// Polls `cond` every 20 ms until it holds; panics with `what()` after `within`.
pub async fn eventually(within: Duration, cond: impl Fn() -> bool, what: impl Fn() -> String) {
    let deadline = tokio::time::Instant::now() + within;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {}",
            what()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Quick settings so tests do not wait on production-sized delays.
pub fn relay_config(db_url: &str, amqp_uri: &str, topology: &Topology, name: &str) -> RelayConfig {
    let mut cfg = RelayConfig::new(db_url, amqp_uri);
    cfg.name = name.to_owned();
    cfg.topology = topology.clone();
    cfg.idle_poll = Duration::from_millis(50);
    cfg.standby_poll = Duration::from_millis(100);
    cfg.io_timeout = Duration::from_secs(5);
    cfg.backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(400));
    cfg
}

/// A relay running in the background.
pub struct RunningRelay {
    pub metrics: Arc<RelayMetrics>,
    pub shutdown: CancellationToken,
    pub handle: JoinHandle<Result<(), RelayError>>,
}

pub fn spawn_relay(cfg: RelayConfig) -> RunningRelay {
    let relay = Relay::new(cfg);
    let metrics = relay.metrics();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let handle = tokio::spawn(async move { relay.run(token).await });
    RunningRelay {
        metrics,
        shutdown,
        handle,
    }
}

impl RunningRelay {
    /// Graceful stop; the run must end cleanly.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let outcome = tokio::time::timeout(Duration::from_secs(10), self.handle)
            .await
            .expect("relay stops on shutdown")
            .expect("relay task did not panic");
        assert!(outcome.is_ok(), "relay ended with {outcome:?}");
    }
}

/// A TCP proxy the test can cut (every connection dropped, new ones
/// refused) and restore, standing in for a server going away.
pub struct Proxy {
    pub addr: SocketAddr,
    up: Arc<watch::Sender<bool>>,
    task: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: &str) -> Self {
        let target = target.to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let up = Arc::new(watch::channel(true).0);
        let accept_up = Arc::clone(&up);
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !*accept_up.borrow() {
                    continue; // dropped: refused while cut
                }
                let mut cut = accept_up.subscribe();
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let _ = inbound.set_nodelay(true);
                    let _ = outbound.set_nodelay(true);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { addr, up, task }
    }

    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

/// Awaits `fut` for at most `secs` seconds.
pub async fn within<T>(secs: u64, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut)
        .await
        .expect("in time")
}
