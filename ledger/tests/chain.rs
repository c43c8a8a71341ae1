//! The ledger against a real PostgreSQL: 100 000 entries built from the
//! store, exported, verified offline, tampered with in every way an auditor
//! must catch, compared with a fresh rebuild; and an export that pauses
//! half-way does not hold back the horizon the relay and the ledger read to.

use futures_util::StreamExt;
use ledger::export::{Format, Selection, Span};
use ledger::verify::{VerifyError, verify};
use ledger::{Tables, catch_up};

const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// Everything committed so far, posted.
async fn sync(pool: &PgPool, limit: i64) -> u64 {
    ledger::sync(pool, &Tables::live(), limit, PATIENCE)
        .await
        .expect("ledger")
}
use rust_decimal::Decimal;
use sqlx::PgPool;
use store::TestDb;

/// Appends `count` settled top-ups over `wallets` wallets, `per_tx` a transaction.
async fn top_ups(pool: &PgPool, start: i64, count: i64, wallets: i64, per_tx: i64) {
    ledger::fixtures::append_top_ups(pool, start, count, wallets, per_tx)
        .await
        .expect("append");
}

async fn export(pool: &PgPool, selection: Selection, format: Format) -> String {
    let tables = Tables::live();
    let span = ledger::export::span(pool, &tables, &selection)
        .await
        .expect("span");
    let mut chunks = std::pin::pin!(ledger::export::stream(
        pool.clone(),
        tables,
        selection,
        span,
        format,
        1_000
    ));
    let mut out = String::new();
    while let Some(chunk) = chunks.next().await {
        out.push_str(&chunk.expect("page"));
    }
    out
}

fn all() -> Selection {
    Selection {
        from: None,
        to: None,
        account: None,
    }
}

/// The line verification names, or `None` when the file verifies.
fn first_bad_line(text: &str) -> Option<(u64, String)> {
    match verify(text.as_bytes()) {
        Ok(_) => None,
        Err(VerifyError::Bad { line, reason }) => Some((line, reason)),
        Err(e) => panic!("{e}"),
    }
}

fn edit(lines: &[&str], f: impl FnOnce(&mut Vec<String>)) -> String {
    let mut owned: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    f(&mut owned);
    let mut out = owned.join("\r\n");
    out.push_str("\r\n");
    out
}

#[tokio::test]
async fn an_export_of_100_000_entries_verifies_and_every_tampering_is_caught_at_its_line() {
    let mut db = TestDb::create().await.expect("database");
    let pool = db.pool().clone();
    // Two postings per top-up (bank → wallet).
    top_ups(&pool, 0, 50_000, 1_000, 1_000).await;
    let events = sync(&pool, 1_000).await;
    assert_eq!(events, 50_000);

    let csv = export(&pool, all(), Format::Csv).await;
    let report = verify(csv.as_bytes()).expect("the export verifies");
    assert_eq!(report.rows, 100_000);
    assert_eq!(report.total, Some(Decimal::ZERO));
    assert_eq!(report.accounts, 1_001);
    let mut db_conn = pool.acquire().await.expect("conn");
    let state = ledger::follower::state(&mut db_conn, &Tables::live())
        .await
        .expect("state");
    assert_eq!(report.head_hash.as_deref(), Some(state.head_hash.as_str()));
    assert_eq!(
        (state.seq, state.total, state.negative_accounts),
        (100_000, Decimal::ZERO, 0)
    );

    let jsonl = export(&pool, all(), Format::Jsonl).await;
    let json_report = verify(jsonl.as_bytes()).expect("the JSONL verifies");
    assert_eq!(json_report.head_hash, report.head_hash);

    // Line 1 is the header; data line n is file line n + 1.
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    let cases: Vec<(&str, String, u64)> = vec![
        (
            "an edited amount",
            edit(&lines, |l| {
                l[5_000] = l[5_000].replacen(",RUB,", "1,RUB,", 1)
            }),
            5_001,
        ),
        (
            "a deleted line",
            edit(&lines, |l| {
                l.remove(7_000);
            }),
            7_001,
        ),
        (
            "an inserted copy of a line",
            edit(&lines, |l| {
                let copy = l[100].clone();
                l.insert(200, copy);
            }),
            201,
        ),
        ("two lines swapped", edit(&lines, |l| l.swap(300, 301)), 301),
        (
            "a changed header",
            edit(&lines, |l| l[0] = l[0].replace("amount", "sum")),
            1,
        ),
        (
            "a line deleted far into the file",
            edit(&lines, |l| {
                l.remove(50_000);
            }),
            50_001,
        ),
    ];
    for (what, text, line) in cases {
        let got = first_bad_line(&text).unwrap_or_else(|| panic!("{what} went unnoticed"));
        assert_eq!(got.0, line, "{what}: {}", got.1);
    }

    // A line whose hash was recomputed after the edit: the chain breaks at
    // the next line, or its balance no longer follows.
    let forged = {
        let mut fields = ledger::entry::split_csv(lines[900]).expect("fields");
        fields[5] = "999.00".into();
        let canonical = ledger::entry::canonical_of(&fields[..11]);
        fields[12] = ledger::entry::chain_hash(&fields[11], &canonical);
        let mut line = String::new();
        ledger::entry::write_csv_record(&mut line, fields.iter().map(String::as_str));
        edit(&lines, |l| l[900] = line.trim_end().to_owned())
    };
    let (line, reason) = first_bad_line(&forged).expect("a forged line is caught");
    assert!((901..=902).contains(&line), "line {line}: {reason}");

    let tampered_json = jsonl.replacen("\"amount\":\"", "\"amount\":\"1", 1);
    assert_eq!(first_bad_line(&tampered_json).map(|b| b.0), Some(1));

    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn a_range_or_one_account_verifies_on_its_own() {
    let mut db = TestDb::create().await.expect("database");
    let pool = db.pool().clone();
    top_ups(&pool, 0, 3_000, 20, 100).await;
    sync(&pool, 500).await;
    let at = |seq: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
                "SELECT recorded_at FROM read.ledger_entries WHERE seq = $1",
            )
            .bind(seq)
            .fetch_one(&pool)
            .await
            .expect("time")
        }
    };
    // Times are monotonic in seq, so a time range is one run of the chain.
    let (from, to) = (at(1_001).await, at(5_000).await);
    let range = Selection {
        from: Some(from),
        to: Some(to),
        account: None,
    };
    let text = export(&pool, range, Format::Csv).await;
    let report = verify(text.as_bytes()).expect("a range verifies alone");
    assert!(report.rows > 0 && report.total.is_none(), "{report:?}");
    assert!(!report.single_account);

    let wallet: String = sqlx::query_scalar(
        "SELECT account FROM read.ledger_accounts WHERE account LIKE 'wallet:%' LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("a wallet");
    let one = Selection {
        from: None,
        to: None,
        account: Some(wallet.clone()),
    };
    let text = export(&pool, one, Format::Csv).await;
    let report = verify(text.as_bytes()).expect("one account verifies alone");
    assert_eq!(report.rows, 150);
    assert!(report.single_account);
    // Dropping one of its postings breaks its run.
    let mut lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    lines.remove(10);
    let text = lines.join("\r\n") + "\r\n";
    assert_eq!(first_bad_line(&text).map(|b| b.0), Some(11));

    let empty = Span { first: 1, last: 0 };
    assert!(empty.is_empty());
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn the_ledger_equals_a_fresh_rebuild() {
    let mut db = TestDb::create().await.expect("database");
    let pool = db.pool().clone();
    top_ups(&pool, 0, 2_000, 50, 300).await;
    sync(&pool, 700).await;
    // More commits after the live ledger's position: the rebuild stops at it.
    top_ups(&pool, 2_000, 10, 50, 10).await;
    let scratch = Tables::in_schema("ledger_rebuild_test");
    let c = ledger::rebuild::compare(db.owner_pool(), &scratch, 333)
        .await
        .expect("rebuild");
    assert!(c.is_sound(), "{c:?}");
    assert_eq!(c.compared_seq, 4_000);
    // A second follower pass changes nothing already posted.
    assert_eq!(sync(&pool, 700).await, 10);

    // An entry edited in place (its hash left alone) is found.
    sqlx::query("UPDATE read.ledger_entries SET memo = 'edited' WHERE seq = 1234")
        .execute(db.owner_pool())
        .await
        .expect("edit");
    let c = ledger::rebuild::compare(db.owner_pool(), &scratch, 333)
        .await
        .expect("rebuild");
    assert!(!c.is_sound());
    assert_eq!(c.first_difference, Some(1_234));
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn an_export_paused_half_way_does_not_hold_back_the_horizon() {
    let mut db = TestDb::create().await.expect("database");
    let pool = db.pool().clone();
    top_ups(&pool, 0, 5_000, 100, 1_000).await;
    sync(&pool, 1_000).await;
    let tables = Tables::live();
    let span = ledger::export::span(&pool, &tables, &all())
        .await
        .expect("span");
    let mut chunks = std::pin::pin!(ledger::export::stream(
        pool.clone(),
        tables.clone(),
        all(),
        span,
        Format::Csv,
        1_000
    ));
    let first = chunks.next().await.expect("a page").expect("page");
    assert!(first.starts_with(ledger::entry::BOM));

    // The reader is slow; meanwhile a transaction commits, and the store's
    // horizon passes it: the ledger (like the relay) sees it at once.
    top_ups(&pool, 5_000, 1, 100, 1).await;
    // (The horizon is the whole server's: other tests' transactions may
    // hold it for a moment, never the paused export.)
    let started = std::time::Instant::now();
    while catch_up(&pool, &tables, 1_000).await.expect("ledger") == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the new commit did not reach the ledger while the export was paused"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND state = 'idle in transaction'",
    )
    .fetch_one(&pool)
    .await
    .expect("activity");
    assert_eq!(open, 0, "the paused export holds a transaction open");

    // The rest of the export is the cut it started with.
    let mut text = first;
    while let Some(chunk) = chunks.next().await {
        text.push_str(&chunk.expect("page"));
    }
    let report = verify(text.as_bytes()).expect("verifies");
    assert_eq!(report.rows, 10_000);
    db.drop_db().await.expect("drop");
}
