//! `hub-bench`: load against a running Hub (start one with `hub dev`).
//!
//! - `commands`: latency of one command (a wallet top-up) under N concurrent callers.
//! - `e2e`: commit → read-model latency at a steady command rate (see [`e2e`]).
//! - `top-ups`, `history`, `release`: the money paths (see [`money`]).
//! - `requests`: a client's request → seen by a provider of its type on the
//!   live stream (SSE), at a steady request rate (see [`dispatch`]).
//! - `mail`: mails a second through the notifier into a real SMTP sink,
//!   every event delivered twice so the deduplication works too; in this
//!   process, on a scratch database, no `hub dev` needed (see [`mail`]).
//! - `ledger`: `hub ledger export` (CSV) against PostgreSQL's own `COPY` of
//!   the same rows, its peak RSS, `hub ledger verify`, and the ledger
//!   follower's build rate; on a scratch database, with a release `hub`
//!   binary, no `hub dev` needed (see [`ledger`]).
//! - `order-history`: an admin's dispute replay of a 10 000-event order over
//!   HTTP; on a scratch database with read-api in this process (see [`history`]).
//! - `relay`: the relay draining a backlog into RabbitMQ ÷ bare publishing
//!   with confirms (see [`relay_rate`]); `rebuild`: the projections' rebuild
//!   over a realistic store (see [`rebuild`]); both on scratch databases.
//! - `all`: every row above that has a goal, in one table (see [`all`]).

mod all;
mod client;
mod dispatch;
mod e2e;
mod history;
mod ledger;
mod machine;
mod mail;
mod mix;
mod money;
mod rebuild;
mod relay_rate;
mod scratch;
mod stack;
mod stats;

use clap::{Parser, Subcommand};
use client::Client;
use stats::Samples;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Cli {
    /// Where Hub answers.
    #[arg(long, default_value = "http://127.0.0.1:8080", global = true)]
    base: String,
    #[command(subcommand)]
    bench: Bench,
}

/// The database of the stack under test.
#[derive(clap::Args)]
struct Db {
    #[arg(
        long,
        env = "HUB_DATABASE__URL",
        default_value = "postgres://postgres@127.0.0.1:5432/hub"
    )]
    database_url: String,
}

impl Db {
    /// The same server's `postgres` database, where pgbench makes its scratch one.
    fn server_url(&self) -> String {
        self.database_url
            .rsplit_once('/')
            .map_or(self.database_url.clone(), |(h, _)| format!("{h}/postgres"))
    }
}

/// A PostgreSQL server to make scratch databases on.
#[derive(clap::Args)]
struct Server {
    /// Any database of it.
    #[arg(
        long,
        env = "HUB_DATABASE__URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
}

/// RabbitMQ.
#[derive(clap::Args)]
struct Broker {
    #[arg(
        long,
        env = "AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    amqp_url: String,
}

#[derive(Subcommand)]
enum Bench {
    /// Every row of the performance table in one run, on a `hub dev` of its
    /// own and scratch databases: one markdown table of ratios to goals.
    All {
        /// Small sizes: a smoke check of the harness in a few minutes.
        #[arg(long)]
        quick: bool,
        /// Also write the table (with the machine) to this file.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Only these rows, e.g. `--only a,c`.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// The release `hub` binary [default: $CARGO_TARGET_DIR/release/hub
        /// if it exists, else target/release/hub].
        #[arg(long)]
        hub: Option<std::path::PathBuf>,
        #[command(flatten)]
        server: Server,
        #[command(flatten)]
        broker: Broker,
    },
    /// The relay draining a backlog into RabbitMQ ÷ bare publish-with-confirms.
    Relay {
        #[arg(long, default_value_t = 200_000)]
        events: u64,
        #[command(flatten)]
        server: Server,
        #[command(flatten)]
        broker: Broker,
    },
    /// `hub projections rebuild` (every read model) over realistic events.
    Rebuild {
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// Writers (connections) per projection whose aggregates are
        /// independent; 1 replays each projection on one connection.
        #[arg(long, default_value_t = projections::DEFAULT_SHARDS)]
        shards: usize,
        #[command(flatten)]
        server: Server,
    },
    /// Top-up request → settled by the payment webhook under concurrent
    /// callers, next to pgbench's single-row INSERT TPS in the same run.
    TopUps {
        #[arg(long, default_value_t = 64)]
        concurrency: u64,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        #[command(flatten)]
        db: Db,
    },
    /// A top-up request on a wallet with a long history ÷ on a fresh one.
    History {
        #[arg(long, default_value_t = 100_000)]
        movements: u64,
        #[arg(long, default_value_t = 200)]
        samples: u64,
        #[command(flatten)]
        db: Db,
    },
    /// A one-off order done by both sides → the provider's wallet credited
    /// (needs `hub dev`'s demo logins).
    Release {
        #[arg(long, default_value_t = 50)]
        orders: u64,
        #[command(flatten)]
        db: Db,
    },
    /// Top-up requests (one commit each) under concurrent callers, next to
    /// pgbench's single-row INSERT TPS in the same run.
    Commands {
        #[arg(long, default_value_t = 64)]
        concurrency: u64,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Skip the one warm-up top-up per wallet, so the first measured
        /// request is each wallet's first event.
        #[arg(long)]
        fresh: bool,
        #[command(flatten)]
        db: Db,
    },
    /// Commit → read-model latency at a steady rate.
    E2e {
        #[arg(long, default_value_t = 500)]
        rate: u64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Wallets to spread the load over (one command in flight per wallet).
        #[arg(long, default_value_t = 200)]
        wallets: u64,
        /// The database the projections write to (for LISTEN hub_changes).
        #[arg(
            long,
            env = "HUB_DATABASE__URL",
            default_value = "postgres://postgres@127.0.0.1:5432/hub"
        )]
        database_url: String,
    },
    /// A client's request → seen by the demo provider over SSE, at a steady
    /// rate (needs `hub dev`'s demo logins).
    Requests {
        #[arg(long, default_value_t = 100)]
        rate: u64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Fresh clients taking turns at the requests, funded beforehand.
        #[arg(long, default_value_t = 200)]
        clients: u64,
    },
    /// Mails a second through the notifier into an SMTP sink, in-process.
    Mail {
        #[arg(long, default_value_t = 2000)]
        mails: u64,
        /// A server to make the scratch database on (any database of it).
        #[arg(
            long,
            env = "HUB_DATABASE__URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        database_url: String,
    },
    /// `GET /api/v1/admin/orders/{id}/history` of one long order, over
    /// HTTP, on a scratch database with read-api in this process.
    OrderHistory {
        /// Events of the order (nearly all chat messages).
        #[arg(long, default_value_t = 10_000)]
        events: u64,
        /// Timed requests.
        #[arg(long, default_value_t = 200)]
        samples: u64,
        /// A server to make the scratch database on (any database of it).
        #[arg(
            long,
            env = "HUB_DATABASE__URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        database_url: String,
    },
    /// `hub ledger export` ÷ PostgreSQL's COPY of the same rows, the
    /// export's peak RSS, `hub ledger verify`, and the ledger's build rate,
    /// on a scratch database.
    Ledger {
        /// Ledger entries (two per settled top-up).
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Export, COPY and verify runs; the table shows their medians.
        #[arg(long, default_value_t = 3)]
        runs: u32,
        /// The `hub` binary [default: $CARGO_TARGET_DIR/release/hub if it
        /// exists, else target/release/hub].
        #[arg(long)]
        hub: Option<std::path::PathBuf>,
        /// A server to make the scratch database on (any database of it).
        #[arg(
            long,
            env = "HUB_DATABASE__URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        database_url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let http = reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(512)
        .build()?;
    match cli.bench {
        Bench::All {
            quick,
            out,
            only,
            hub,
            server,
            broker,
        } => {
            let sizes = if quick {
                all::Sizes::quick()
            } else {
                all::Sizes::full()
            };
            let target = all::Target {
                admin_url: server.database_url,
                amqp_url: broker.amqp_url,
                hub,
                only,
            };
            all::all(&http, &target, &sizes, quick, out).await
        }
        Bench::Relay {
            events,
            server,
            broker,
        } => relay_rate::relay(&server.database_url, &broker.amqp_url, events)
            .await
            .map(drop),
        Bench::Rebuild {
            events,
            shards,
            server,
        } => rebuild::rebuild(&server.database_url, events, shards)
            .await
            .map(drop),
        Bench::Commands {
            concurrency,
            seconds,
            fresh,
            db,
        } => {
            let rate = commands(&http, &cli.base, concurrency, seconds, fresh).await?;
            let tps = money::pgbench_inserts(&db.server_url(), concurrency, seconds).await?;
            println!("  pgbench single-row INSERT TPS ({concurrency} clients, same run): {tps:.0}");
            println!("  ratio requests/s ÷ INSERT TPS: {:.3}", rate / tps);
            Ok(())
        }
        Bench::E2e {
            rate,
            seconds,
            wallets,
            database_url,
        } => e2e::e2e(&http, &cli.base, rate, seconds, wallets, &database_url)
            .await
            .map(drop),
        Bench::TopUps {
            concurrency,
            seconds,
            db,
        } => {
            let pool = sqlx::PgPool::connect(&db.database_url).await?;
            money::top_ups(
                &http,
                &cli.base,
                &pool,
                &db.server_url(),
                concurrency,
                seconds,
            )
            .await
        }
        Bench::History {
            movements,
            samples,
            db,
        } => {
            let pool = sqlx::PgPool::connect(&db.database_url).await?;
            money::history(&http, &cli.base, &pool, movements, samples)
                .await
                .map(drop)
        }
        Bench::Release { orders, db } => {
            let pool = sqlx::PgPool::connect(&db.database_url).await?;
            money::release(&http, &cli.base, &pool, orders).await
        }
        Bench::Requests {
            rate,
            seconds,
            clients,
        } => dispatch::requests(&http, &cli.base, rate, seconds, clients).await,
        Bench::Mail {
            mails,
            database_url,
        } => mail::mail(&database_url, mails).await,
        Bench::Ledger {
            entries,
            runs,
            hub,
            database_url,
        } => ledger::ledger(&database_url, entries, runs, hub)
            .await
            .map(drop),
        Bench::OrderHistory {
            events,
            samples,
            database_url,
        } => history::order_history(&database_url, events, samples)
            .await
            .map(drop),
    }
}

pub(crate) async fn register_many(
    http: &reqwest::Client,
    base: &str,
    n: u64,
) -> anyhow::Result<Vec<Client>> {
    let mut clients = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(16) {
        let mut batch = tokio::task::JoinSet::new();
        for &i in chunk {
            let (http, base) = (http.clone(), base.to_owned());
            // A loaded machine may time a registration out (password
            // hashing is slow on purpose): try again as a new client.
            batch.spawn(async move {
                let mut attempt = 1;
                loop {
                    match Client::register(&http, &base, i).await {
                        Err(e) if attempt < 3 => {
                            eprintln!("register (attempt {attempt}): {e:#}");
                            attempt += 1;
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        outcome => break outcome,
                    }
                }
            });
        }
        while let Some(c) = batch.join_next().await {
            clients.push(c??);
        }
    }
    Ok(clients)
}

async fn commands(
    http: &reqwest::Client,
    base: &str,
    concurrency: u64,
    seconds: u64,
    fresh: bool,
) -> anyhow::Result<f64> {
    println!("registering {concurrency} clients…");
    let clients = register_many(http, base, concurrency).await?;
    if !fresh {
        for c in &clients {
            c.top_up("1.00").await?; // warm-up: the wallet exists, connections are open
        }
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for c in clients {
        tasks.spawn(async move {
            let mut samples = Samples::default();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                match c.top_up("10.00").await {
                    Ok(()) => samples.push(t.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (samples, errors)
        });
    }
    let mut all = Samples::default();
    let mut errors = 0;
    while let Some(r) = tasks.join_next().await {
        let (s, e) = r?;
        all.extend(s);
        errors += e;
    }
    let rate = all.len() as f64 / seconds as f64;
    println!(
        "top-up request, {concurrency} concurrent callers, {seconds} s: {} ; {rate:.0} requests/s ; errors={errors}",
        all.summary(),
    );
    Ok(rate)
}
