//! `hub-bench all`: every row of the performance table, measured in one
//! run on this machine, each as a ratio to its limit or same-run baseline.
//!
//! Starts its own `hub` (`dev`, release build) for the HTTP rows (a–c) and
//! stops it before the in-process rows (d–g), each of which makes and drops
//! its own scratch database. A row whose bench fails says so in the table
//! and the others still run; the exit status is then non-zero.
//!
//! The goals live here, in [`rows`]: `docs/performance.md` explains them.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// How much each row measures.
pub struct Sizes {
    commands_seconds: u64,
    history_movements: u64,
    history_samples: u64,
    e2e_seconds: u64,
    e2e_wallets: u64,
    relay_events: u64,
    rebuild_events: u64,
    order_events: u64,
    order_samples: u64,
    ledger_entries: u64,
    ledger_runs: u32,
}

impl Sizes {
    /// The table's sizes.
    pub fn full() -> Self {
        Self {
            commands_seconds: 15,
            history_movements: 100_000,
            history_samples: 200,
            e2e_seconds: 20,
            e2e_wallets: 200,
            relay_events: 200_000,
            rebuild_events: 1_000_000,
            order_events: 10_000,
            order_samples: 200,
            ledger_entries: 1_000_000,
            ledger_runs: 3,
        }
    }

    /// A smoke check of the harness: every row, small.
    pub fn quick() -> Self {
        Self {
            commands_seconds: 5,
            history_movements: 10_000,
            history_samples: 30,
            e2e_seconds: 5,
            e2e_wallets: 100,
            relay_events: 20_000,
            rebuild_events: 50_000,
            order_events: 1_000,
            order_samples: 30,
            ledger_entries: 50_000,
            ledger_runs: 1,
        }
    }
}

/// Callers of the commands row, and the pgbench clients next to it.
const CALLERS: u64 = 64;
/// How long a's backlog may take to drain before c.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(600);
/// The commit → read model row's command rate.
const E2E_RATE: u64 = 500;

/// One line of the table.
struct Row {
    key: &'static str,
    what: String,
    measured: String,
    baseline: String,
    ratio: Option<f64>,
    goal: &'static str,
    met: Option<bool>,
}

impl Row {
    fn failed(key: &'static str, what: String, goal: &'static str, e: &anyhow::Error) -> Self {
        eprintln!("row {key} failed: {e:#}");
        let error = format!("{e:#}").replace(['|', '\n'], " ");
        Self {
            key,
            what,
            measured: format!(
                "**failed**: {}",
                error.chars().take(160).collect::<String>()
            ),
            baseline: String::new(),
            ratio: None,
            goal,
            met: None,
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn per_s(x: f64) -> String {
    format!("{x:.0}/s")
}

/// Where the bench's scratch things go.
pub struct Target {
    /// Any database of the PostgreSQL server (scratch ones are made there).
    pub admin_url: String,
    pub amqp_url: String,
    /// The release `hub` binary.
    pub hub: Option<PathBuf>,
    /// Only these rows (`a`..`g`); all when empty.
    pub only: Vec<String>,
}

impl Target {
    fn wants(&self, key: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|k| k == key)
    }
}

/// Runs every row and prints the table; writes it (with the machine) to
/// `out` too. Fails if a row failed.
pub async fn all(
    http: &reqwest::Client,
    target: &Target,
    sizes: &Sizes,
    quick: bool,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let hub = crate::ledger::hub_binary(target.hub.clone())?;
    let machine = crate::machine::describe(&target.admin_url).await;
    let rows = rows(http, target, &hub, sizes).await;
    let mut report = String::new();
    writeln!(report, "| Machine | |\n|---|---|")?;
    for (k, v) in &machine {
        writeln!(report, "| {k} | {v} |")?;
    }
    writeln!(
        report,
        "| Sizes | {} (`hub-bench all{}`) |\n",
        if quick { "quick" } else { "full" },
        if quick { " --quick" } else { "" }
    )?;
    writeln!(
        report,
        "| Row | What | Measured | Limit / baseline (same run) | Ratio | Goal | Met? |"
    )?;
    writeln!(report, "|---|---|---|---|---|---|---|")?;
    for r in &rows {
        writeln!(
            report,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.key,
            r.what,
            r.measured,
            r.baseline,
            r.ratio.map_or_else(|| "—".into(), |x| format!("{x:.3}")),
            r.goal,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "**not measured**",
            }
        )?;
    }
    println!("\n{report}");
    if let Some(out) = out {
        std::fs::write(&out, &report)?;
        println!("(written to {})", out.display());
    }
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.met.is_none())
        .map(|r| r.key)
        .collect();
    if !failed.is_empty() {
        anyhow::bail!("rows not measured: {}", failed.join(", "));
    }
    Ok(())
}

async fn rows(
    http: &reqwest::Client,
    target: &Target,
    hub: &std::path::Path,
    sizes: &Sizes,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let admin = target.admin_url.as_str();

    // a–c need a running Hub: one of our own. pgbench runs once it has
    // stopped: its 64 clients and Hub's pools would not both fit in a
    // default max_connections (100).
    let http_rows = async {
        if !["a", "b", "c"].iter().any(|k| target.wants(k)) {
            return anyhow::Ok(Vec::new());
        }
        let stack = crate::stack::Stack::start(hub, admin, &target.amqp_url).await?;
        let base = stack.base.clone();
        let commands = crate::commands(http, &base, CALLERS, sizes.commands_seconds, false).await;
        // a leaves thousands of events queued for the processes and the
        // projections (they run behind 64 callers): c starts once they are
        // through. c before b: b's long history goes through the relay and
        // the projections too, and c would wait behind that backlog.
        println!("waiting for a's backlog to drain…");
        let started = std::time::Instant::now();
        stack.drained(DRAIN).await?;
        println!("drained in {:.1} s", started.elapsed().as_secs_f64());
        let e2e = e2e_row(http, &base, &stack.database_url, sizes).await;
        let history = history_row(http, &base, &stack.database_url, sizes).await;
        stack.stop().await?;
        let commands = match commands {
            Ok(rate) => crate::money::pgbench_inserts(admin, CALLERS, sizes.commands_seconds)
                .await
                .map(|tps| (rate, tps)),
            Err(e) => Err(e),
        };
        anyhow::Ok(vec![commands_row(commands), history, e2e])
    };
    match http_rows.await {
        Ok(r) => rows.extend(r),
        Err(e) => {
            for (key, goal) in [("a", GOAL_A), ("b", GOAL_B), ("c", GOAL_C)] {
                rows.push(Row::failed(key, "hub dev".into(), goal, &e));
            }
        }
    }

    rows.retain(|r| target.wants(r.key));

    if target.wants("d") {
        let what = format!(
            "relay draining {} events ÷ bare lapin publish with confirms, same messages",
            sizes.relay_events
        );
        rows.push(
            match crate::relay_rate::relay(admin, &target.amqp_url, sizes.relay_events).await {
                Ok(f) => {
                    let ratio = f.relay_rate() / f.bare_rate();
                    Row {
                        key: "d",
                        what,
                        measured: format!("{} relayed", per_s(f.relay_rate())),
                        baseline: format!("{} bare", per_s(f.bare_rate())),
                        ratio: Some(ratio),
                        goal: GOAL_D,
                        met: Some(ratio >= 0.5),
                    }
                }
                Err(e) => Row::failed("d", what, GOAL_D, &e),
            },
        );
    }
    if target.wants("e") {
        let what = format!(
            "projection rebuild (`hub projections rebuild`, every read model) over {} events",
            sizes.rebuild_events
        );
        rows.push(
            match crate::rebuild::rebuild(admin, sizes.rebuild_events, projections::DEFAULT_SHARDS)
                .await
            {
                Ok(f) => {
                    let ratio = f.rate() / 50_000.0;
                    Row {
                        key: "e",
                        what,
                        measured: format!(
                            "{} events/s ({} in {:.1} s)",
                            f.rate().round(),
                            f.events,
                            f.took.as_secs_f64()
                        ),
                        baseline: "50 000 events/s".into(),
                        ratio: Some(ratio),
                        goal: GOAL_E,
                        met: Some(ratio >= 1.0),
                    }
                }
                Err(e) => Row::failed("e", what, GOAL_E, &e),
            },
        );
    }
    if target.wants("f") {
        let what = format!(
            "dispute replay (`GET /api/v1/admin/orders/{{id}}/history`) of a {}-event order, p99 over HTTP",
            sizes.order_events
        );
        rows.push(
            match crate::history::order_history(admin, sizes.order_events, sizes.order_samples)
                .await
            {
                Ok(f) => {
                    let ratio = f.p99.as_secs_f64() / 0.2;
                    Row {
                        key: "f",
                        what,
                        measured: format!(
                            "p50 {}, p99 {} ({} steps)",
                            ms(f.p50),
                            ms(f.p99),
                            f.steps
                        ),
                        baseline: "200 ms".into(),
                        ratio: Some(ratio),
                        goal: GOAL_F,
                        met: Some(ratio <= 1.0),
                    }
                }
                Err(e) => Row::failed("f", what, GOAL_F, &e),
            },
        );
    }
    if target.wants("g") {
        let what = format!(
            "`hub ledger export` (CSV) of {} entries ÷ PostgreSQL's COPY of the same rows",
            sizes.ledger_entries
        );
        rows.push(
            match crate::ledger::ledger(
                admin,
                sizes.ledger_entries,
                sizes.ledger_runs,
                Some(hub.to_owned()),
            )
            .await
            {
                Ok(f) => {
                    let rate = |d: Duration| f.rows as f64 / d.as_secs_f64();
                    let ratio = rate(f.export) / rate(f.copy);
                    let mib = f.export_kib as f64 / 1024.0;
                    Row {
                        key: "g",
                        what,
                        measured: format!("{} rows, peak RSS {mib:.1} MiB", per_s(rate(f.export))),
                        baseline: format!("{} rows COPY", per_s(rate(f.copy))),
                        ratio: Some(ratio),
                        goal: GOAL_G,
                        met: Some(ratio >= 0.5 && mib <= 64.0),
                    }
                }
                Err(e) => Row::failed("g", what, GOAL_G, &e),
            },
        );
    }
    rows
}

const GOAL_A: &str = "≥ 0.25";
const GOAL_B: &str = "≤ 1.5";
const GOAL_C: &str = "p99 ≤ 100 ms (ratio ≤ 1)";
const GOAL_D: &str = "≥ 0.5";
const GOAL_E: &str = "≥ 50 000 events/s (ratio ≥ 1)";
const GOAL_F: &str = "p99 ≤ 200 ms (ratio ≤ 1)";
const GOAL_G: &str = "≥ 0.5 and RSS ≤ 64 MiB";

fn commands_row(measured: anyhow::Result<(f64, f64)>) -> Row {
    let what = format!(
        "HTTP top-up commands/s at {CALLERS} callers ÷ pgbench single-row INSERT TPS into an events-shaped table"
    );
    match measured {
        Ok((rate, tps)) => Row {
            key: "a",
            what,
            measured: format!("{} commands", per_s(rate)),
            baseline: format!("{} INSERTs (pgbench, {CALLERS} clients)", per_s(tps)),
            ratio: Some(rate / tps),
            goal: GOAL_A,
            met: Some(rate / tps >= 0.25),
        },
        Err(e) => Row::failed("a", what, GOAL_A, &e),
    }
}

async fn history_row(http: &reqwest::Client, base: &str, db: &str, sizes: &Sizes) -> Row {
    let what = format!(
        "a top-up on a wallet with {} events ÷ on a fresh one (medians)",
        sizes.history_movements
    );
    let measured = async {
        let pool = sqlx::PgPool::connect(db).await?;
        let f = crate::money::history(
            http,
            base,
            &pool,
            sizes.history_movements,
            sizes.history_samples,
        )
        .await;
        pool.close().await;
        f
    };
    match measured.await {
        Ok(f) => {
            let ratio = f.old.as_secs_f64() / f.fresh.as_secs_f64();
            Row {
                key: "b",
                what,
                measured: ms(f.old),
                baseline: format!("{} fresh", ms(f.fresh)),
                ratio: Some(ratio),
                goal: GOAL_B,
                met: Some(ratio <= 1.5),
            }
        }
        Err(e) => Row::failed("b", what, GOAL_B, &e),
    }
}

async fn e2e_row(http: &reqwest::Client, base: &str, db: &str, sizes: &Sizes) -> Row {
    let what = format!("commit → read model at {E2E_RATE} commands/s, p99");
    match crate::e2e::e2e(
        http,
        base,
        E2E_RATE,
        sizes.e2e_seconds,
        sizes.e2e_wallets,
        db,
    )
    .await
    {
        Ok(f) => {
            let ratio = f.p99.as_secs_f64() / 0.1;
            // Short of the rate or with losses, the latency proves nothing.
            let held = f.achieved >= 0.95 * E2E_RATE as f64 && f.errors == 0;
            Row {
                key: "c",
                what,
                measured: format!(
                    "p50 {}, p99 {} ({:.0}/s held, {} errors); of which commit → in RabbitMQ p50 {}, p99 {}",
                    ms(f.p50),
                    ms(f.p99),
                    f.achieved,
                    f.errors,
                    ms(f.relayed_p50),
                    ms(f.relayed_p99)
                ),
                baseline: "100 ms".into(),
                ratio: Some(ratio),
                goal: GOAL_C,
                met: Some(ratio <= 1.0 && held),
            }
        }
        Err(e) => Row::failed("c", what, GOAL_C, &e),
    }
}
