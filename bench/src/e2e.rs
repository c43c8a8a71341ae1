//! `e2e`: commit → read-model latency at a steady command rate.
//!
//! Each command is a top-up request on a wallet of its own (one command in
//! flight per wallet); its latency runs from the command's HTTP answer (its
//! event is committed by then) to the moment the `wallets` projection's
//! position for that wallet reaches the event, which it moves in the same
//! transaction that writes the read model. A request changes no balance, so
//! the projection sends no `hub_changes` for it: the position, polled every
//! millisecond for every wallet awaited, is what tells.
//!
//! The same poll splits the latency in two: until the relay's checkpoint
//! passes the event (it is in RabbitMQ), and from there to the read model.

use crate::client::Client;
use crate::stats::Samples;
use anyhow::bail;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, oneshot};

/// A command's event, awaited until the read model has it.
struct Waiter {
    /// The wallet's sequence the event has.
    sequence: i64,
    /// Its place in the store, once committed: `(tx_id, global_position)`.
    position: Option<(i64, i64)>,
    /// When the relay's checkpoint was first seen past it.
    relayed: Option<Instant>,
    /// Told when the read model has it, and when it was relayed.
    done: oneshot::Sender<(Instant, Instant)>,
}

/// The waiters by wallet (one command in flight per wallet).
type Waiters = Arc<Mutex<HashMap<String, Waiter>>>;

/// How long a command may take to reach the read model before it counts as lost.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Latency of [`e2e`] and the rate it held.
pub struct E2eFigures {
    pub p50: Duration,
    pub p99: Duration,
    /// The part until the relay had it in RabbitMQ.
    pub relayed_p50: Duration,
    pub relayed_p99: Duration,
    pub achieved: f64,
    pub errors: u64,
}

/// One poll of every awaited event: the `wallets` projection's position
/// for its wallet, its place in the store once committed, and the relay's
/// checkpoint (every event up to it is in RabbitMQ). One query, so the
/// measuring adds little to the load it measures.
type Polled = (
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn poll_once(pool: &PgPool, awaited: &[(String, i64)]) -> sqlx::Result<Vec<Polled>> {
    let (ids, sequences): (Vec<&str>, Vec<i64>) =
        awaited.iter().map(|(id, s)| (id.as_str(), *s)).unzip();
    sqlx::query_as(
        "SELECT a.id, coalesce(p.last_sequence, 0), e.tx_id::text::bigint, e.global_position, \
                r.tx_id::text::bigint, r.global_position \
         FROM UNNEST($1::text[], $2::bigint[]) AS a(id, sequence) \
         LEFT JOIN read.projection_positions p ON p.projection = 'wallets' \
          AND p.aggregate_type = 'Wallet' AND p.aggregate_id = a.id \
         LEFT JOIN events e ON e.aggregate_type = 'Wallet' AND e.aggregate_id = a.id \
          AND e.sequence = a.sequence \
         LEFT JOIN LATERAL (SELECT tx_id, global_position FROM relay_checkpoint \
          ORDER BY tx_id DESC, global_position DESC LIMIT 1) r ON true",
    )
    .bind(ids)
    .bind(sequences)
    .fetch_all(pool)
    .await
}

/// The `wallets` projection's positions of `ids`.
async fn positions(pool: &PgPool, ids: &[String]) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT aggregate_id, last_sequence FROM read.projection_positions \
         WHERE projection = 'wallets' AND aggregate_type = 'Wallet' AND aggregate_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
}

/// Notes when the relay passes each awaited event and wakes each waiter
/// once its wallet's position reaches it.
fn poll(pool: PgPool, waiters: Waiters) {
    tokio::spawn(async move {
        loop {
            let awaited: Vec<(String, i64)> = waiters
                .lock()
                .await
                .iter()
                .map(|(id, w)| (id.clone(), w.sequence))
                .collect();
            if !awaited.is_empty()
                && let Ok(rows) = poll_once(&pool, &awaited).await
            {
                let at = Instant::now();
                let mut waiting = waiters.lock().await;
                for (id, last, tx_id, position, relay_tx, relay_position) in rows {
                    let Some(w) = waiting.get_mut(&id) else {
                        continue;
                    };
                    if let (Some(tx_id), Some(position)) = (tx_id, position) {
                        w.position = Some((tx_id, position));
                    }
                    let relay = relay_tx.zip(relay_position);
                    if w.relayed.is_none() && w.position.is_some() && w.position <= relay {
                        w.relayed = Some(at);
                    }
                    if last >= w.sequence
                        && let Some(w) = waiting.remove(&id)
                    {
                        let _ = w.done.send((at, w.relayed.unwrap_or(at)));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
}

/// `rate` top-up requests a second for `seconds` over `wallets` fresh
/// clients, each timed to its read model in the database at `database_url`.
pub async fn e2e(
    http: &reqwest::Client,
    base: &str,
    rate: u64,
    seconds: u64,
    wallets: u64,
    database_url: &str,
) -> anyhow::Result<E2eFigures> {
    if rate == 0 || wallets == 0 {
        bail!("--rate and --wallets must be positive");
    }
    println!("registering {wallets} clients…");
    let clients = crate::register_many(http, base, wallets).await?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(database_url)
        .await?;
    // Warm-up: each wallet exists and is projected before the clock runs,
    // so the position each command awaits is known (one event a command).
    for c in &clients {
        c.top_up("1.00").await?;
    }
    let ids: Vec<String> = clients.iter().map(|c| c.account_id.clone()).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut next: HashMap<String, i64> = loop {
        let rows = positions(&pool, &ids).await?;
        if rows.len() == ids.len() {
            break rows.into_iter().map(|(id, last)| (id, last + 1)).collect();
        }
        if Instant::now() > deadline {
            bail!("the warm-up top-ups did not reach the read model within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let waiters: Waiters = Arc::default();
    poll(pool, waiters.clone());

    let idle: Arc<Mutex<Vec<Arc<Client>>>> =
        Arc::new(Mutex::new(clients.into_iter().map(Arc::new).collect()));
    // Whole latencies, failures, and the part until the relay had it.
    let results: Arc<Mutex<(Samples, u64, Samples)>> = Arc::default();
    let (mut skipped, mut sent) = (0u64, 0u64);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    while start.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        let Some(c) = idle.lock().await.pop() else {
            skipped += 1;
            continue;
        };
        sent += 1;
        let awaited = next.get_mut(&c.account_id).map_or(0, |n| {
            *n += 1;
            *n - 1
        });
        let (idle, waiters, results) = (idle.clone(), waiters.clone(), results.clone());
        tasks.spawn(async move {
            let (tx, rx) = oneshot::channel();
            let waiter = Waiter {
                sequence: awaited,
                position: None,
                relayed: None,
                done: tx,
            };
            waiters.lock().await.insert(c.account_id.clone(), waiter);
            let outcome = c.top_up("10.00").await;
            let answered = Instant::now();
            let latency = match outcome {
                Ok(()) => match tokio::time::timeout(TIMEOUT, rx).await {
                    Ok(Ok((seen, relayed))) => Some((
                        seen.saturating_duration_since(answered),
                        relayed.saturating_duration_since(answered),
                    )),
                    _ => None,
                },
                Err(_) => None,
            };
            let mut r = results.lock().await;
            match latency {
                Some((whole, relayed)) => {
                    r.0.push(whole);
                    r.2.push(relayed);
                }
                None => {
                    r.1 += 1;
                    waiters.lock().await.remove(&c.account_id);
                }
            }
            drop(r);
            // A failed command left the wallet where it was: retire it
            // rather than guess its next position.
            if latency.is_some() {
                idle.lock().await.push(c);
            }
        });
    }
    let elapsed = start.elapsed().as_secs_f64();
    while tasks.join_next().await.is_some() {}
    let mut r = results.lock().await;
    let errors = r.1;
    let achieved = sent as f64 / elapsed;
    println!(
        "commit → read model at {rate}/s target ({achieved:.0}/s achieved, {sent} sent, {skipped} ticks without an idle wallet, {errors} errors/timeouts): {}",
        r.0.summary()
    );
    println!(
        "  of which commit → in RabbitMQ (relay checkpoint past the event): {}",
        r.2.summary()
    );
    Ok(E2eFigures {
        p50: r.0.quantile(0.50),
        p99: r.0.quantile(0.99),
        relayed_p50: r.2.quantile(0.50),
        relayed_p99: r.2.quantile(0.99),
        achieved,
        errors,
    })
}
