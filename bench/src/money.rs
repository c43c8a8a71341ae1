//! The money paths end to end, against a running stack:
//! - `top-ups`: request → approved on the payment sandbox → settled by the
//!   signed webhook, under N concurrent callers, next to pgbench's
//!   single-row INSERT TPS into an events-shaped table measured in the same run;
//! - `history`: one top-up request on a wallet with a long history against
//!   one on a fresh wallet (the command's cost must not grow with history);
//! - `release`: a one-off order done by both sides → the provider's wallet
//!   credited by the process managers.
//!
//! Completion is read from the event store itself: a tail over `events`
//! hands each awaited transfer its commit moment.

use crate::client::Client;
use crate::stats::Samples;
use anyhow::{Context, bail};
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, oneshot};

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<Instant>>>>;

/// Tails `events` of type `event_type` and wakes whoever waits for the
/// value at `key_path` (e.g. `{TopUpSettled,transfer_id}`).
fn tail(pool: PgPool, event_type: &'static str, key_path: &'static str) -> Waiters {
    let waiters: Waiters = Arc::default();
    let w = waiters.clone();
    tokio::spawn(async move {
        // BIGSERIAL is not commit order: look back a window of positions.
        let mut seen: i64 =
            sqlx::query_scalar("SELECT COALESCE(max(global_position), 0) FROM events")
                .fetch_one(&pool)
                .await
                .unwrap_or(0);
        loop {
            let rows: Vec<(i64, Option<String>)> = sqlx::query_as(&format!(
                "SELECT global_position, payload::jsonb #>> '{key_path}' FROM events \
                  WHERE global_position > $1 AND event_type = $2"
            ))
            .bind(seen - 2_000)
            .bind(event_type)
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
            let now = Instant::now();
            let mut waiting = w.lock().await;
            for (position, key) in rows {
                seen = seen.max(position);
                if let Some(tx) = key.and_then(|k| waiting.remove(&k)) {
                    let _ = tx.send(now);
                }
            }
            drop(waiting);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    waiters
}

async fn wait_for(waiters: &Waiters, key: String) -> oneshot::Receiver<Instant> {
    let (tx, rx) = oneshot::channel();
    waiters.lock().await.insert(key, tx);
    rx
}

/// Top-ups settled through the sandbox under `concurrency` callers.
pub async fn top_ups(
    http: &reqwest::Client,
    base: &str,
    pool: &PgPool,
    server_url: &str,
    concurrency: u64,
    seconds: u64,
) -> anyhow::Result<()> {
    let clients = crate::register_many(http, base, concurrency).await?;
    let waiters = tail(pool.clone(), "TopUpSettled", "{TopUpSettled,transfer_id}");
    let settled = Arc::new(Mutex::new(Samples::default()));
    let requested = Arc::new(Mutex::new(Samples::default()));
    let errors = Arc::new(Mutex::new(0u64));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for client in clients {
        let (waiters, settled, requested, errors) = (
            waiters.clone(),
            settled.clone(),
            requested.clone(),
            errors.clone(),
        );
        tasks.spawn(async move {
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let outcome = async {
                    let created = client.top_up_created("1000.00").await?;
                    let t1 = Instant::now();
                    let transfer = created["transfer_id"]
                        .as_str()
                        .context("transfer_id")?
                        .to_owned();
                    let done = wait_for(&waiters, transfer).await;
                    if let Some(payment) = created["payment_id"].as_str() {
                        client
                            .post(&format!("/api/v1/payments/sandbox/{payment}/approve"))
                            .await?;
                    }
                    let at = tokio::time::timeout(Duration::from_secs(30), done).await??;
                    anyhow::Ok((t1 - t0, at - t0))
                }
                .await;
                match outcome {
                    Ok((request, total)) => {
                        requested.lock().await.push(request);
                        settled.lock().await.push(total);
                    }
                    Err(e) => {
                        *errors.lock().await += 1;
                        eprintln!("top-up: {e:#}");
                    }
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed().as_secs_f64();
    let mut settled = settled.lock().await;
    let mut requested = requested.lock().await;
    let rate = settled.len() as f64 / elapsed;
    println!("top-ups, {concurrency} callers, {seconds} s:");
    println!("  request answered       {}", requested.summary());
    println!("  request → settled      {}", settled.summary());
    println!(
        "  settled top-ups/s      {rate:.0} ({} done, {} errors)",
        settled.len(),
        errors.lock().await
    );
    let tps = pgbench_inserts(server_url, concurrency, seconds).await?;
    println!("  pgbench single-row INSERT TPS ({concurrency} clients, same run): {tps:.0}");
    println!("  ratio top-ups/s ÷ INSERT TPS: {:.3}", rate / tps);
    Ok(())
}

/// pgbench's single-row INSERT TPS into an events-shaped table in a scratch
/// database on the same server.
pub(crate) async fn pgbench_inserts(
    server_url: &str,
    clients: u64,
    seconds: u64,
) -> anyhow::Result<f64> {
    let scratch = "hub_bench_pgbench";
    let admin = PgPool::connect(server_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {scratch}"))
        .execute(&admin)
        .await?;
    let url = format!(
        "{}/{scratch}",
        server_url.rsplit_once('/').map_or(server_url, |(h, _)| h)
    );
    let db = PgPool::connect(&url).await?;
    sqlx::query(
        "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
         sequence bigint NOT NULL, event_type text NOT NULL, event_version text NOT NULL, \
         payload json NOT NULL, metadata json NOT NULL, global_position bigserial NOT NULL, \
         tx_id xid8 DEFAULT pg_current_xact_id() NOT NULL, recorded_at timestamptz DEFAULT now() NOT NULL, \
         PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
    )
    .execute(&db)
    .await?;
    db.close().await;
    let script = std::env::temp_dir().join("hub-bench-insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Wallet', gen_random_uuid()::text, 1, 'TopUpRequested', '1.0', \
         '{\"TopUpRequested\":{\"amount\":{\"amount\":\"1000.00\",\"currency\":\"RUB\"}}}', \
         '{\"actor_role\":\"client\"}');\n",
    )?;
    let out = tokio::process::Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string(), "-j", "2"])
        .args(["-T", &seconds.to_string(), "-f"])
        .arg(&script)
        .arg(&url)
        .output()
        .await
        .context("running pgbench (Debian: postgresql-contrib / postgresql-client)")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    sqlx::query(&format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    text.lines()
        .find_map(|l| {
            l.strip_prefix("tps = ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .with_context(|| format!("no tps in pgbench's output: {text}"))
}

/// Median top-up request times of [`history`].
pub struct HistoryFigures {
    /// On a fresh wallet.
    pub fresh: Duration,
    /// On the wallet with the long history.
    pub old: Duration,
}

/// One top-up request on a wallet with `movements` events of history
/// against one on a fresh wallet, `samples` times each, alternating.
pub async fn history(
    http: &reqwest::Client,
    base: &str,
    pool: &PgPool,
    movements: u64,
    samples: u64,
) -> anyhow::Result<HistoryFigures> {
    let mut clients = crate::register_many(http, base, 2).await?;
    let (fresh, old) = (clients.remove(0), clients.remove(0));
    grow(pool, &old.account_id, movements).await?;
    // The stored history has no snapshot yet: the live path writes one each
    // time a wallet passes a hundred events, so pass one first on both.
    for client in [&fresh, &old] {
        for _ in 0..101 {
            client.top_up_created("10.00").await?;
        }
    }
    let (mut on_fresh, mut on_old) = (Samples::default(), Samples::default());
    for _ in 0..samples {
        for (client, samples) in [(&fresh, &mut on_fresh), (&old, &mut on_old)] {
            let t0 = Instant::now();
            client.top_up_created("10.00").await?;
            samples.push(t0.elapsed());
        }
    }
    println!("top-up request, {samples} each, alternating:");
    println!("  fresh wallet              {}", on_fresh.summary());
    println!("  wallet with {movements} movements {}", on_old.summary());
    let figures = HistoryFigures {
        fresh: on_fresh.median(),
        old: on_old.median(),
    };
    println!(
        "  ratio of medians: {:.2}",
        figures.old.as_secs_f64() / figures.fresh.as_secs_f64()
    );
    Ok(figures)
}

/// Appends `movements` settled credits to `account`'s wallet the way
/// escrow releases record them, with the aggregate's snapshots.
async fn grow(pool: &PgPool, account: &str, movements: u64) -> anyhow::Result<()> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM events WHERE aggregate_type = 'Wallet' AND aggregate_id = $1)",
    )
    .bind(account)
    .fetch_one(pool)
    .await?;
    if exists {
        bail!("the history wallet already has events");
    }
    let batch = 1_000;
    let mut sequence = 0i64;
    while sequence < i64::try_from(movements)? {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             SELECT 'Wallet', $1, s, 'FundsCreditedFromEscrow', '1.0', \
                    json_build_object('FundsCreditedFromEscrow', json_build_object( \
                      'owner', $1::text, 'transfer_id', gen_random_uuid(), \
                      'subscription_id', gen_random_uuid(), \
                      'amount', json_build_object('amount', '1.00', 'currency', 'RUB'), \
                      'kind', 'earnings')), \
                    '{\"actor_role\":\"system\"}'::json \
               FROM generate_series($2::bigint + 1, $2::bigint + $3::bigint) AS s",
        )
        .bind(account)
        .bind(sequence)
        .bind(i64::from(batch))
        .execute(pool)
        .await?;
        sequence += i64::from(batch);
    }
    Ok(())
}

/// A one-off order done by both sides → the provider's wallet credited.
pub async fn release(
    http: &reqwest::Client,
    base: &str,
    pool: &PgPool,
    orders: u64,
) -> anyhow::Result<()> {
    let client = Client::login(http, base, "client@hub.demo", "client-demo-2026").await?;
    let provider = Client::login(http, base, "legal@hub.demo", "provider-demo-2026").await?;
    let waiters = tail(
        pool.clone(),
        "FundsCreditedFromEscrow",
        "{FundsCreditedFromEscrow,subscription_id}",
    );
    // Money for every order, through the sandbox like any top-up.
    let amount = format!("{}.00", 20_000 * orders.max(1));
    let created = client.top_up_created(&amount).await?;
    if let Some(payment) = created["payment_id"].as_str() {
        client
            .post(&format!("/api/v1/payments/sandbox/{payment}/approve"))
            .await?;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut samples = Samples::default();
    for _ in 0..orders {
        let key = uuid::Uuid::new_v4().to_string();
        let sub = client
            .post_json(
                "/api/v1/commands/subscriptions",
                Some(&key),
                json!({"service_type": "accounting", "plan": "one_off", "description": "bench"}),
            )
            .await?;
        let sub = sub["id"].as_str().context("id")?.to_owned();
        provider
            .post(&format!("/api/v1/commands/subscriptions/{sub}/accept"))
            .await?;
        let order = client
            .post_json(
                &format!("/api/v1/commands/subscriptions/{sub}/orders"),
                None,
                json!({"title": "bench", "details": "bench"}),
            )
            .await?;
        let order = order["id"].as_str().context("order id")?.to_owned();
        provider
            .post(&format!("/api/v1/commands/orders/{order}/take"))
            .await?;
        provider
            .post(&format!("/api/v1/commands/orders/{order}/complete"))
            .await?;
        let credited = wait_for(&waiters, sub).await;
        client
            .post(&format!("/api/v1/commands/orders/{order}/complete"))
            .await?;
        let t0 = Instant::now();
        let at = tokio::time::timeout(Duration::from_secs(30), credited).await??;
        samples.push(at.saturating_duration_since(t0));
    }
    println!("order done by both → provider's wallet credited, {orders} orders:");
    println!("  {}", samples.summary());
    Ok(())
}
