//! `rebuild`: `hub projections rebuild`'s own function
//! ([`projections::rebuild`], every read model) over a store of `--events`
//! realistic events ([`crate::mix`]), on a scratch database
//! (`hub_bench_rebuild_<uuid>`, dropped at the end even on error).
//!
//! Timed from the call to its return: the fresh tables, the replay in
//! commit order and the swap. Then the rebuilt read models are counted, so
//! a rebuild that skipped the events cannot pass for a fast one.

use crate::mail::on_database;
use anyhow::{Context, bail};
use projections::Progress;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What the rebuild did and took.
pub struct RebuildFigures {
    pub events: u64,
    pub took: Duration,
}

impl RebuildFigures {
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.took.as_secs_f64()
    }
}

/// Runs the bench on a scratch database on `database_url`'s server.
pub async fn rebuild(database_url: &str, events: u64) -> anyhow::Result<RebuildFigures> {
    let admin = PgPool::connect(database_url)
        .await
        .with_context(|| format!("connecting to {database_url}"))?;
    let name = format!("hub_bench_rebuild_{}", Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    let outcome = run(&on_database(database_url, &name), events).await;
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await;
    admin.close().await;
    let figures = outcome?;
    dropped.with_context(|| format!("dropping {name}"))?;
    Ok(figures)
}

async fn run(url: &str, events: u64) -> anyhow::Result<RebuildFigures> {
    let pool = store::connect(url, 4).await?;
    store::migrate(&pool).await?;
    println!("rebuild: appending about {events} events…");
    let crate::mix::Appended {
        events: appended,
        stories,
    } = crate::mix::append(&pool, events).await?;
    sqlx::query("CHECKPOINT").execute(&pool).await?;

    println!("rebuild: projections::rebuild of every read model…");
    let started = Instant::now();
    let report = projections::rebuild(&pool, None, Progress::Terminal).await?;
    let took = started.elapsed();
    if report.replayed != appended {
        bail!(
            "the rebuild replayed {} of {appended} events",
            report.replayed
        );
    }
    let (orders, messages, movements): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM read.orders), (SELECT count(*) FROM read.order_messages), \
                (SELECT count(*) FROM read.wallet_movements)",
    )
    .fetch_one(&pool)
    .await?;
    if orders != stories as i64 {
        bail!("the rebuilt read models hold {orders} orders, not {stories}");
    }
    pool.close().await;
    let figures = RebuildFigures {
        events: appended,
        took,
    };
    println!(
        "rebuild of {appended} events: {:.2} s, {:.0} events/s ({orders} orders, {messages} messages, {movements} wallet movements)",
        took.as_secs_f64(),
        figures.rate()
    );
    Ok(figures)
}
