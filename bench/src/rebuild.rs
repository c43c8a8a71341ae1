//! `rebuild`: `hub projections rebuild`'s own function
//! ([`projections::rebuild`], every read model) over a store of `--events`
//! realistic events ([`crate::mix`]), on a scratch database
//! (`hub_bench_rebuild_<uuid>`, dropped at the end even on error).
//!
//! Timed from the call to its return: the fresh tables, the replay (every
//! projection at once, each in commit order, the independent ones on
//! `--shards` writers) and the swap. Then the rebuilt read models are counted, so
//! a rebuild that skipped the events cannot pass for a fast one.

use crate::scratch::Scratch;
use anyhow::bail;
use projections::Progress;
use sqlx::PgPool;
use std::time::{Duration, Instant};

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
pub async fn rebuild(
    database_url: &str,
    events: u64,
    shards: usize,
) -> anyhow::Result<RebuildFigures> {
    let scratch = Scratch::create(database_url, "rebuild").await?;
    let outcome = run(&scratch.url, events, shards).await;
    scratch.drop_after(outcome).await
}

async fn run(url: &str, events: u64, shards: usize) -> anyhow::Result<RebuildFigures> {
    let pool = store::connect(url, 4).await?;
    store::migrate(&pool).await?;
    println!("rebuild: appending about {events} events…");
    let crate::mix::Appended {
        events: appended,
        stories,
    } = crate::mix::append(&pool, events).await?;
    sqlx::query("CHECKPOINT").execute(&pool).await?;

    println!("rebuild: projections::rebuild of every read model, {shards} writers a projection…");
    let started = Instant::now();
    let report = projections::rebuild_with(&pool, None, Progress::Terminal, shards).await?;
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
    let figures = RebuildFigures {
        events: appended,
        took,
    };
    println!(
        "rebuild of {appended} events: {:.2} s, {:.0} events/s ({orders} orders, {messages} messages, {movements} wallet movements)",
        took.as_secs_f64(),
        figures.rate()
    );
    where_the_time_goes(&pool, appended, took).await?;
    pool.close().await;
    Ok(figures)
}

/// Where the time goes: reading the store in commit order (the rebuild's
/// own query shape, 1 000 events a batch, payloads parsed) timed alone on
/// one connection, the floor a single reader sets; the replay reads each
/// projection's events on its own connection while the writers apply, so
/// reading and applying overlap and the rest is not all applying. Then the
/// read models' row writes an event (PostgreSQL's table statistics of the
/// swapped-in tables).
async fn where_the_time_goes(pool: &PgPool, events: u64, took: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    let (mut tx_id, mut position, mut read) = ("0".to_owned(), 0i64, 0u64);
    loop {
        let rows: Vec<(String, i64, serde_json::Value, serde_json::Value)> = sqlx::query_as(
            "SELECT tx_id::text, global_position, payload, metadata FROM events \
             WHERE (tx_id, global_position) > ($1::text::xid8, $2) \
             ORDER BY events.tx_id, events.global_position LIMIT 1000",
        )
        .bind(&tx_id)
        .bind(position)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else { break };
        (tx_id, position) = (last.0.clone(), last.1);
        read += rows.len() as u64;
    }
    let reading = started.elapsed();
    // Statistics reach the views when a backend reports them (at most a
    // second after its transaction).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (inserted, updated): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(sum(n_tup_ins), 0)::bigint, COALESCE(sum(n_tup_upd), 0)::bigint \
         FROM pg_stat_user_tables WHERE schemaname = 'read'",
    )
    .fetch_one(pool)
    .await?;
    println!(
        "  reading the {read} events alone, one connection: {:.2} s ({:.0} events/s); the rebuild took {:.1}× that, {:.0} µs an event of wall time",
        reading.as_secs_f64(),
        read as f64 / reading.as_secs_f64(),
        took.as_secs_f64() / reading.as_secs_f64(),
        took.as_secs_f64() * 1e6 / events as f64
    );
    println!(
        "  read-model row writes: {inserted} inserted, {updated} updated ({:.2} an event, positions included)",
        (inserted + updated) as f64 / events as f64
    );
    Ok(())
}
