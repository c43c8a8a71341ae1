//! `e2e`: commit → read-model latency at a steady command rate.
//!
//! Each command is a top-up request on a wallet of its own (one command in
//! flight per wallet); its latency runs from the command's HTTP answer (its
//! event is committed by then) to the moment the `wallets` projection's
//! position for that wallet reaches the event, which it moves in the same
//! transaction that writes the read model. A request changes no balance, so
//! the projection sends no `hub_changes` for it: the position, polled every
//! millisecond for every wallet awaited, is what tells.

use crate::client::Client;
use crate::stats::Samples;
use anyhow::bail;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, oneshot};

/// A wallet's awaited position and who awaits it.
type Waiters = Arc<Mutex<HashMap<String, (i64, oneshot::Sender<Instant>)>>>;

/// How long a command may take to reach the read model before it counts as lost.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Latency of [`e2e`] and the rate it held.
pub struct E2eFigures {
    pub p50: Duration,
    pub p99: Duration,
    pub achieved: f64,
    pub errors: u64,
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

/// Wakes each waiter once its wallet's position reaches what it awaits.
fn poll(pool: PgPool, waiters: Waiters) {
    tokio::spawn(async move {
        loop {
            let ids: Vec<String> = waiters.lock().await.keys().cloned().collect();
            if !ids.is_empty()
                && let Ok(rows) = positions(&pool, &ids).await
            {
                let at = Instant::now();
                let mut waiting = waiters.lock().await;
                for (id, last) in rows {
                    if waiting
                        .get(&id)
                        .is_some_and(|(awaited, _)| last >= *awaited)
                        && let Some((_, tx)) = waiting.remove(&id)
                    {
                        let _ = tx.send(at);
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
    let results: Arc<Mutex<(Samples, u64)>> = Arc::default();
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
            waiters
                .lock()
                .await
                .insert(c.account_id.clone(), (awaited, tx));
            let outcome = c.top_up("10.00").await;
            let answered = Instant::now();
            let latency = match outcome {
                Ok(()) => match tokio::time::timeout(TIMEOUT, rx).await {
                    Ok(Ok(seen)) => Some(seen.saturating_duration_since(answered)),
                    _ => None,
                },
                Err(_) => None,
            };
            let mut r = results.lock().await;
            match latency {
                Some(l) => r.0.push(l),
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
    Ok(E2eFigures {
        p50: r.0.quantile(0.50),
        p99: r.0.quantile(0.99),
        achieved,
        errors,
    })
}
