//! Streaming an export in keyset pages: each page is its own short
//! statement, so a long export never holds a transaction open (which would
//! hold back the relay's horizon, DESIGN §3) and memory stays one page.

use crate::entry::{BOM, CSV_HEADER, Entry};
use crate::tables::Tables;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use sqlx::PgPool;

/// CSV for people, JSONL for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 with BOM, RFC 4180, CRLF.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// Parses `csv` or `jsonl`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::Jsonl),
            _ => None,
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }

    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl => "application/x-ndjson",
        }
    }
}

/// A day (`2026-12-01`, from UTC midnight) or an RFC 3339 time; as the
/// end of a range (`end_of_day`) a day means up to the next midnight.
pub fn parse_bound(raw: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let day = if end_of_day { day.succ_opt()? } else { day };
        return Some(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Entries recorded at or after this.
    pub from: Option<DateTime<Utc>>,
    /// Entries recorded before this.
    pub to: Option<DateTime<Utc>>,
    /// Only this account's postings.
    pub account: Option<String>,
}

/// The `seq` range a selection covers, fixed when the export starts so the
/// file is one consistent cut of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First `seq` (inclusive).
    pub first: i64,
    /// Last `seq` (inclusive); below `first` when empty.
    pub last: i64,
}

impl Span {
    /// An upper bound of the rows (exact without an account filter).
    pub fn len(&self) -> u64 {
        u64::try_from(self.last - self.first + 1).unwrap_or(0)
    }

    /// Whether no row can be in it.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Finds the span: times are monotonic in `seq` (see [`Entry::recorded_at`]),
/// so a time range is a contiguous run.
pub async fn span(pool: &PgPool, tables: &Tables, s: &Selection) -> Result<Span, sqlx::Error> {
    let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as(&format!(
        "SELECT (SELECT min(seq) FROM {e} WHERE $1::timestamptz IS NULL OR recorded_at >= $1), \
                (SELECT max(seq) FROM {e} WHERE ($2::timestamptz IS NULL OR recorded_at < $2) \
                   AND seq <= (SELECT seq FROM {st}))",
        e = tables.entries,
        st = tables.state
    ))
    .bind(s.from)
    .bind(s.to)
    .fetch_one(pool)
    .await?;
    Ok(Span {
        first: first.unwrap_or(1),
        last: last.unwrap_or(0),
    })
}

use crate::entry::COLUMNS;

/// Where the next page starts: after this `seq`, or with an account
/// filter after this `account_seq`.
#[derive(Debug, Clone, Copy)]
struct After {
    seq: i64,
    account_seq: i64,
}

/// One page of entries after `after`, within `span`.
async fn page(
    pool: &PgPool,
    tables: &Tables,
    account: Option<&str>,
    span: Span,
    after: After,
    size: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = match account {
        None => format!(
            "SELECT {COLUMNS} FROM {} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
            tables.entries
        ),
        // An account's postings in account_seq order are in seq order, and
        // (account, account_seq) is indexed.
        Some(_) => format!(
            "SELECT {COLUMNS} FROM {} \
             WHERE account = $4 AND account_seq > $5 AND seq > $1 AND seq <= $2 \
             ORDER BY account_seq LIMIT $3",
            tables.entries
        ),
    };
    sqlx::query_as(&sql)
        .bind(after.seq)
        .bind(span.last)
        .bind(size)
        .bind(account)
        .bind(after.account_seq)
        .fetch_all(pool)
        .await
}

/// Reads the pages in order into `pages`, one ahead of the formatter, so
/// the server's time and the formatting overlap; stops when the export is
/// dropped (the channel closes) or the span is read.
async fn read_pages(
    pool: PgPool,
    tables: Tables,
    account: Option<String>,
    span: Span,
    page_size: i64,
    pages: tokio::sync::mpsc::Sender<Result<Vec<Entry>, sqlx::Error>>,
) {
    let mut after = After {
        seq: span.first - 1,
        account_seq: 0,
    };
    loop {
        let rows = page(&pool, &tables, account.as_deref(), span, after, page_size).await;
        let last = match &rows {
            Ok(rows) if (rows.len() as i64) == page_size => rows.last().map(|l| After {
                seq: l.seq,
                account_seq: l.account_seq,
            }),
            _ => None,
        };
        if pages.send(rows).await.is_err() {
            return;
        }
        match last {
            Some(next) => after = next,
            None => return,
        }
    }
}

/// The export as text chunks, one per page: the CSV starts with the BOM and
/// the header. Pages are read one ahead by a task of their own.
pub fn stream(
    pool: PgPool,
    tables: Tables,
    selection: Selection,
    span: Span,
    format: Format,
    page_size: i64,
) -> impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(read_pages(
        pool,
        tables,
        selection.account,
        span,
        page_size,
        tx,
    ));
    let capacity = usize::try_from(page_size).unwrap_or(0) * 300;
    futures_util::stream::unfold((rx, false), move |(mut rx, started)| async move {
        let rows = rx.recv().await?;
        let mut out = String::with_capacity(capacity);
        if !started && format == Format::Csv {
            out.push_str(BOM);
            out.push_str(CSV_HEADER);
            out.push_str("\r\n");
        }
        let chunk = rows.map(|rows| {
            for e in &rows {
                match format {
                    Format::Csv => e.write_csv(&mut out),
                    Format::Jsonl => e.write_json(&mut out),
                }
            }
            out
        });
        Some((chunk, (rx, true)))
    })
}
