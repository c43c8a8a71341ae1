//! `hub ledger export | verify | rebuild`: the auditor's ledger from the
//! command line. `verify` needs no database.

use crate::settings::required_database_url;
use anyhow::Context;
use futures_util::StreamExt;
use ledger::Tables;
use ledger::export::{Format, Selection};
use std::io::Write;
use std::process::ExitCode;

/// What `hub ledger export` was asked for.
pub struct ExportArgs {
    pub from: Option<String>,
    pub to: Option<String>,
    pub account: Option<String>,
    pub format: String,
    pub out: Option<std::path::PathBuf>,
}

/// Rows per page, as the API uses.
const PAGE: i64 = 2_000;

/// Streams an export to a file (or stdout) with a progress bar on stderr.
pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let bound = |name, raw: &Option<String>, end| {
        raw.as_deref()
            .map(|r| {
                ledger::export::parse_bound(r, end).with_context(|| {
                    format!("--{name} {r}: expected a date (2026-12-01) or an RFC 3339 time")
                })
            })
            .transpose()
    };
    let from = bound("from", &args.from, false)?;
    let to = bound("to", &args.to, true)?;
    let account = match args.account.as_deref() {
        None => None,
        Some(a) => Some(
            domain::ledger::LedgerAccount::parse(a)
                .with_context(|| format!("--account {a}: expected external:bank, platform:fees, wallet:<id>, escrow:<id> or payout:<id>"))?
                .to_string(),
        ),
    };
    let format = Format::parse(&args.format).context("--format: expected csv or jsonl")?;
    let pool = store::connect(&required_database_url()?, 2).await?;
    let tables = Tables::live();
    let selection = Selection { from, to, account };
    let span = ledger::export::span(&pool, &tables, &selection).await?;
    let bar = indicatif::ProgressBar::new(span.len());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut chunks = std::pin::pin!(ledger::export::stream(
        pool, tables, selection, span, format, PAGE
    ));
    let mut rows = 0u64;
    let mut first = true;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        let lines = chunk.bytes().filter(|b| *b == b'\n').count() as u64;
        let header = u64::from(first && format == Format::Csv);
        first = false;
        rows += lines - header.min(lines);
        bar.set_position(rows);
        out.write_all(chunk.as_bytes())?;
    }
    out.flush()?;
    bar.finish_and_clear();
    eprintln!("exported {rows} rows");
    Ok(ExitCode::SUCCESS)
}

/// Verifies an export offline; exit code 1 names the first bad line.
pub fn verify(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let started = std::time::Instant::now();
    match ledger::verify::verify(std::io::BufReader::with_capacity(1 << 20, file)) {
        Ok(report) => {
            let secs = started.elapsed().as_secs_f64();
            println!("OK: {} rows verified in {secs:.2} s", report.rows);
            if let Some((first, last)) = report.seq_range {
                let kind = if report.single_account {
                    "one account's postings"
                } else {
                    "a contiguous run of the chain"
                };
                println!("seq {first}..{last}, {kind}, {} accounts", report.accounts);
            }
            if let Some(total) = report.total {
                println!(
                    "from the first entry: every account started at zero; sum over all accounts {total}"
                );
            }
            if let Some(head) = report.head_hash {
                println!("last hash {head}: compare with GET /api/v1/ledger/head at the same seq");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ledger::verify::VerifyError::Io(e)) => Err(e).context("reading the export"),
        Err(bad) => {
            println!("FAILED: {bad}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Rebuilds the ledger from the store beside the live one and compares.
pub async fn rebuild() -> anyhow::Result<ExitCode> {
    let pool = store::connect(&required_database_url()?, 4).await?;
    let scratch = Tables::in_schema("ledger_rebuild");
    let c = ledger::rebuild::compare(&pool, &scratch, 1_000).await?;
    println!(
        "rebuilt {} entries, {} documents; sum {}, {} accounts below zero",
        c.rebuilt.seq, c.rebuilt.documents, c.rebuilt.total, c.rebuilt.negative_accounts
    );
    println!(
        "at seq {}: live {} rebuilt {}",
        c.compared_seq,
        c.hashes.0.as_deref().unwrap_or("-"),
        c.hashes.1.as_deref().unwrap_or("-")
    );
    if let Some(seq) = c.first_difference {
        println!("the first entry that differs: seq {seq}");
    }
    if c.is_sound() {
        println!("OK: the live ledger equals a fresh rebuild and its invariants hold");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAILED: the live ledger differs from a fresh rebuild or breaks an invariant");
        Ok(ExitCode::FAILURE)
    }
}
