//! `ledger`: the auditor's export against PostgreSQL's own `COPY`, on a
//! scratch database (`hub_bench_ledger_<uuid>`, dropped at the end even on
//! error); no `hub dev` needed, but a release `hub` binary is.
//!
//! 1. **Append**: `entries / 2` settled top-ups over 10 000 wallets go
//!    into `public.events` with one `INSERT … SELECT FROM generate_series`
//!    per 10 000 events (each its own transaction), as `ledger/tests/chain.rs`
//!    does; each top-up makes two ledger entries (bank → wallet).
//! 2. **Build**: `ledger::sync` with 1 000 events a step, the ledger
//!    follower's real path (read whole transactions, hash-chain, insert the
//!    entries, upsert the balances, save the checkpoint, commit), timed →
//!    entries/s. Then `VACUUM (ANALYZE)` of the ledger tables, so every run
//!    reads the settled table a live ledger is (hint bits set, statistics
//!    current) and run 1 does not pay the first read of fresh rows alone.
//! 3. **Each run**, one after another, never overlapping:
//!    - *export*: `hub ledger export --out <tmp> --format csv` as a child
//!      process with `HUB_DATABASE__URL` on the scratch database, under
//!      `/usr/bin/time -f '%M %e'`: wall time from spawn to exit (process
//!      start, connecting, the span query, every 2 000-row keyset page,
//!      formatting, writing the file into the page cache) → rows/s, and the
//!      child's peak RSS (`%M`, from its rusage) → MiB. The row count it
//!      prints must be the ledger's.
//!    - *COPY*: the same rows and columns in `seq` order through
//!      PostgreSQL's own `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`,
//!      drained by `psql -c "\copy (…) TO '/dev/null' WITH (FORMAT csv)"` as
//!      a child process (also under `/usr/bin/time`), so both sides pay a
//!      process start and a connection; psql's `COPY n` must match. This is
//!      the ceiling: the server formats, one statement streams it all, and
//!      nothing is written to a file.
//!    - *verify*: `hub ledger verify <tmp>` as a child process (no
//!      database): re-hashes every row and follows the chain and every
//!      balance → rows/s; it must print `OK: <rows> rows verified`.
//! 4. One table: the medians over the runs (rates are rows ÷ the median
//!    wall time; export ÷ COPY is the ratio of those medians; the goals are
//!    ≥ 0.5 and ≤ 64 MiB), then every run's own numbers.

use crate::scratch::Scratch;
use ::ledger::Tables;
use anyhow::{Context, bail};
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::stats::Samples;

/// Wallets the top-ups are spread over.
const WALLETS: i64 = 10_000;

/// Events per appending transaction.
const PER_TX: i64 = 10_000;

/// Events per ledger step, as the follower runs.
const STEP: i64 = 1_000;

/// How long the build may wait for older transactions on the server.
const PATIENCE: Duration = Duration::from_secs(600);

/// `/usr/bin/time`, which reports a child's peak RSS from its rusage.
const TIME: &str = "/usr/bin/time";

/// The export's columns, in its order.
const COLUMNS: &str = "seq, recorded_at, transfer_id, account, account_seq, amount, currency, \
     balance, event_type, event_id, memo, prev_hash, hash";

/// The medians over the runs.
pub struct LedgerFigures {
    /// Entries exported.
    pub rows: u64,
    /// `hub ledger export`'s wall time.
    pub export: Duration,
    /// PostgreSQL's `COPY` of the same rows.
    pub copy: Duration,
    /// The export's peak RSS, KiB.
    pub export_kib: u64,
}

/// Runs the bench on a scratch database on `database_url`'s server and
/// drops it (and the export file) afterwards, whatever happened.
pub async fn ledger(
    database_url: &str,
    entries: u64,
    runs: u32,
    hub: Option<PathBuf>,
) -> anyhow::Result<LedgerFigures> {
    if entries < 2 {
        bail!("--entries must be at least 2 (a top-up makes two entries)");
    }
    if runs == 0 {
        bail!("--runs must be positive");
    }
    let hub = hub_binary(hub)?;
    if !Path::new(TIME).exists() {
        bail!("{TIME} is missing: install the Debian package `time` (apt-get install time)");
    }
    let scratch = Scratch::create(database_url, "ledger").await?;
    let file = std::env::temp_dir().join(format!("{}.csv", scratch.name));
    let outcome = run(&scratch.url, entries / 2, runs, &hub, &file).await;
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(file.with_extension("time"));
    scratch.drop_after(outcome).await
}

/// `--hub`, else `$CARGO_TARGET_DIR/release/hub` when it exists, else
/// `target/release/hub`.
pub(crate) fn hub_binary(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let path = given.unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(|dir| PathBuf::from(dir).join("release/hub"))
            .filter(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("target/release/hub"))
    });
    if !path.exists() {
        bail!(
            "no hub binary at {}: build it with `cargo build --release -p hub` or pass --hub",
            path.display()
        );
    }
    Ok(path)
}

/// Appends `count` settled top-ups over [`WALLETS`] wallets in
/// transactions of [`PER_TX`] events.
async fn append(pool: &PgPool, count: i64) -> anyhow::Result<()> {
    ledger::fixtures::append_top_ups(pool, 0, count, WALLETS, PER_TX)
        .await
        .context("appending top-ups")
}

/// What one child process took.
struct Child {
    wall: Duration,
    /// Peak resident set, KiB (`/usr/bin/time`'s `%M`).
    peak_kib: u64,
    stdout: String,
    stderr: String,
}

/// Runs `program args` under `/usr/bin/time` with `env`, to the end; fails
/// unless it exits successfully.
async fn timed(
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    time_file: &Path,
) -> anyhow::Result<Child> {
    let mut cmd = tokio::process::Command::new(TIME);
    cmd.arg("-f")
        .arg("%M %e")
        .arg("-o")
        .arg(time_file)
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let started = Instant::now();
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {}", program.display()))?;
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        bail!(
            "{} {} failed ({}): {stdout}{stderr}",
            program.display(),
            args.join(" "),
            out.status
        );
    }
    let report = std::fs::read_to_string(time_file)
        .with_context(|| format!("reading {}", time_file.display()))?;
    // The last line: earlier ones may be the child's exit status.
    let peak_kib = report
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|m| m.parse().ok())
        .with_context(|| format!("no peak RSS in {TIME}'s report: {report}"))?;
    Ok(Child {
        wall,
        peak_kib,
        stdout,
        stderr,
    })
}

/// The number after `prefix` on some line of `text`.
fn count_after(text: &str, prefix: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        l.trim()
            .strip_prefix(prefix)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    })
}

/// One run's numbers.
struct Run {
    export: Duration,
    export_kib: u64,
    copy: Duration,
    verify: Duration,
    verify_kib: u64,
}

/// The bench proper, on a fresh database at `url`.
async fn run(
    url: &str,
    top_ups: u64,
    runs: u32,
    hub: &Path,
    file: &Path,
) -> anyhow::Result<LedgerFigures> {
    let pool = store::connect(url, 4).await?;
    store::migrate(&pool).await?;
    let top_ups = i64::try_from(top_ups).context("--entries")?;

    println!(
        "appending {top_ups} settled top-ups over {WALLETS} wallets, {PER_TX} events a transaction…"
    );
    let started = Instant::now();
    append(&pool, top_ups).await?;
    let appended = started.elapsed();

    println!("building the ledger (ledger::sync, {STEP} events a step)…");
    let started = Instant::now();
    let events = ::ledger::sync(&pool, &Tables::live(), STEP, PATIENCE).await?;
    let built = started.elapsed();
    let rows: i64 = sqlx::query_scalar("SELECT seq FROM read.ledger_state")
        .fetch_one(&pool)
        .await?;
    if events != top_ups as u64 || rows != 2 * top_ups {
        bail!(
            "the ledger read {events} of {top_ups} events and holds {rows} entries, not {}",
            2 * top_ups
        );
    }
    let rows = rows as u64;
    sqlx::query("VACUUM (ANALYZE) read.ledger_entries, read.ledger_accounts, read.ledger_state")
        .execute(&pool)
        .await?;
    pool.close().await;

    let out = file.to_string_lossy().into_owned();
    let time_file = file.with_extension("time");
    let env = [("HUB_DATABASE__URL", url)];
    let copy = format!(
        "\\copy (SELECT {COLUMNS} FROM read.ledger_entries ORDER BY seq) TO '/dev/null' WITH (FORMAT csv)"
    );
    // Commit → ledger latency, probed every 100 ms by a live follower in this
    // process, told apart by whether an export is streaming at the time.
    let probe_pool = store::connect(url, 4).await?;
    let stop = tokio_util::sync::CancellationToken::new();
    let follower = tokio::spawn(::ledger::run::run(probe_pool.clone(), stop.clone()));
    let exporting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = tokio::spawn(probe_latency(probe_pool, exporting.clone(), stop.clone()));
    let mut all = Vec::new();
    for i in 1..=runs {
        println!("run {i}/{runs}: export, COPY, verify…");
        exporting.store(true, std::sync::atomic::Ordering::SeqCst);
        let export = timed(
            hub,
            &["ledger", "export", "--out", &out, "--format", "csv"],
            &env,
            &time_file,
        )
        .await;
        exporting.store(false, std::sync::atomic::Ordering::SeqCst);
        let export = export?;
        // The probe's own entries land after `rows`; an export's cut is
        // fixed when it starts.
        if count_after(&export.stderr, "exported ").is_none_or(|n| n < rows) {
            bail!("the export did not write {rows} rows: {}", export.stderr);
        }
        let psql = timed(
            Path::new("psql"),
            &["-X", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", &copy],
            &[],
            &time_file,
        )
        .await?;
        if count_after(&psql.stdout, "COPY ").is_none_or(|n| n < rows) {
            bail!("COPY did not read {rows} rows: {}", psql.stdout);
        }
        let verify = timed(hub, &["ledger", "verify", &out], &env, &time_file).await?;
        if count_after(&verify.stdout, "OK: ").is_none_or(|n| n < rows) {
            bail!("the export did not verify: {}", verify.stdout);
        }
        all.push(Run {
            export: export.wall,
            export_kib: export.peak_kib,
            copy: psql.wall,
            verify: verify.wall,
            verify_kib: verify.peak_kib,
        });
    }

    stop.cancel();
    let (mut during, mut outside) = probe.await?;
    follower.await?;
    print_table(rows, &all);
    println!(
        "  commit → ledger latency, a top-up every 100 ms: during exports {}; otherwise {}",
        during.summary(),
        outside.summary()
    );
    println!(
        "  ledger build (ledger::sync, {STEP} events a step): {:.0} entries/s ({rows} entries in {:.2} s)",
        rows as f64 / built.as_secs_f64(),
        built.as_secs_f64()
    );
    println!(
        "  append ({PER_TX} events a transaction): {:.0} events/s ({top_ups} events in {:.2} s)",
        top_ups as f64 / appended.as_secs_f64(),
        appended.as_secs_f64()
    );
    let median = |f: fn(&Run) -> Duration| {
        let mut s = Samples::default();
        for r in &all {
            s.push(f(r));
        }
        s.median()
    };
    Ok(LedgerFigures {
        rows,
        export: median(|r| r.export),
        copy: median(|r| r.copy),
        export_kib: median_kib(all.iter().map(|r| r.export_kib)),
    })
}

/// Commits one top-up every 100 ms and times until the ledger's checkpoint
/// passes it; returns the samples taken while an export streamed and the rest.
async fn probe_latency(
    pool: PgPool,
    exporting: std::sync::Arc<std::sync::atomic::AtomicBool>,
    stop: tokio_util::sync::CancellationToken,
) -> (crate::stats::Samples, crate::stats::Samples) {
    let (mut during, mut outside) = (
        crate::stats::Samples::default(),
        crate::stats::Samples::default(),
    );
    // A wallet of its own per probe: ids far beyond the load's.
    let mut n: i64 = 1_000_000_000_000;
    while !stop.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(100)).await;
        n += 1;
        let was_exporting = exporting.load(std::sync::atomic::Ordering::SeqCst);
        let started = Instant::now();
        if ::ledger::fixtures::append_top_ups(&pool, n, 1, i64::MAX, 1)
            .await
            .is_err()
        {
            continue;
        }
        let target: Option<(i64, i64)> = sqlx::query_as(
            "SELECT tx_id::text::bigint, global_position FROM events \
             ORDER BY tx_id DESC, global_position DESC LIMIT 1",
        )
        .fetch_optional(&pool)
        .await
        .ok()
        .flatten();
        let Some(target) = target else { continue };
        loop {
            let at: Option<(i64, i64)> = sqlx::query_as(
                "SELECT tx_id::text::bigint, global_position FROM read.ledger_state",
            )
            .fetch_optional(&pool)
            .await
            .ok()
            .flatten();
            if at.is_some_and(|a| a >= target) || stop.is_cancelled() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if stop.is_cancelled() {
            break;
        }
        let took = started.elapsed();
        if was_exporting && exporting.load(std::sync::atomic::Ordering::SeqCst) {
            during.push(took);
        } else {
            outside.push(took);
        }
    }
    (during, outside)
}

/// The median of `values` (the lower one of an even count; zero if none).
fn median_kib(values: impl Iterator<Item = u64>) -> u64 {
    let mut v: Vec<u64> = values.collect();
    v.sort_unstable();
    v.get(v.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_table(rows: u64, runs: &[Run]) {
    let median = |f: fn(&Run) -> Duration| {
        let mut s = Samples::default();
        for r in runs {
            s.push(f(r));
        }
        s.median()
    };
    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    let line = |label: &str,
                export: Duration,
                export_kib: u64,
                copy: Duration,
                verify: Duration,
                verify_kib: u64| {
        println!(
            "  {label:<8} {rows:>9} {:>14.0} {:>12.0} {:>13.3} {:>15.1} {:>14.0} {:>8.2} {:>7.2} {:>9.2} {:>15.1}",
            rate(export),
            rate(copy),
            rate(export) / rate(copy),
            mib(export_kib),
            rate(verify),
            export.as_secs_f64(),
            copy.as_secs_f64(),
            verify.as_secs_f64(),
            mib(verify_kib),
        );
    };
    println!(
        "ledger export of {rows} entries, median of {} run(s):",
        runs.len()
    );
    println!(
        "  {:<8} {:>9} {:>14} {:>12} {:>13} {:>15} {:>14} {:>8} {:>7} {:>9} {:>15}",
        "",
        "rows",
        "export rows/s",
        "COPY rows/s",
        "export ÷ COPY",
        "export RSS MiB",
        "verify rows/s",
        "export s",
        "COPY s",
        "verify s",
        "verify RSS MiB"
    );
    line(
        "median",
        median(|r| r.export),
        median_kib(runs.iter().map(|r| r.export_kib)),
        median(|r| r.copy),
        median(|r| r.verify),
        median_kib(runs.iter().map(|r| r.verify_kib)),
    );
    println!(
        "  {:<8} {:>9} {:>14} {:>12} {:>13} {:>15}",
        "goal", "", "", "", "≥ 0.5", "≤ 64"
    );
    for (i, r) in runs.iter().enumerate() {
        line(
            &format!("run {}", i + 1),
            r.export,
            r.export_kib,
            r.copy,
            r.verify,
            r.verify_kib,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{count_after, median_kib};

    #[test]
    fn counts_are_read_from_the_children_s_output() {
        assert_eq!(count_after("exported 42 rows\n", "exported "), Some(42));
        assert_eq!(count_after("COPY 1000000\n", "COPY "), Some(1_000_000));
        assert_eq!(
            count_after("OK: 7 rows verified in 0.10 s\nseq 1..7", "OK: "),
            Some(7)
        );
        assert_eq!(count_after("FAILED: line 3", "OK: "), None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_lower_one() {
        assert_eq!(median_kib([3, 1, 2].into_iter()), 2);
        assert_eq!(median_kib([4, 1, 3, 2].into_iter()), 2);
        assert_eq!(median_kib(std::iter::empty()), 0);
    }
}
