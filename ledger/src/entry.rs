//! One ledger entry, its canonical form and hash, and its two export lines
//! (CSV and JSON): the format an auditor verifies, so it is written down in
//! one place and documented in docs/ledger.md.

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The hash before the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The CSV header, after the UTF-8 byte-order mark (which LibreOffice and
/// Excel need to read the file as UTF-8).
pub const CSV_HEADER: &str = "seq,recorded_at,transfer_id,account,account_seq,amount,currency,\
balance,event_type,event_id,memo,prev_hash,hash";

/// The byte-order mark the CSV starts with.
pub const BOM: &str = "\u{feff}";

/// One posting in the ledger, as stored and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in commit order, from 1, without gaps.
    pub seq: i64,
    /// When the event was recorded, never earlier than the previous entry's
    /// (so a date range is a contiguous run of `seq`).
    pub recorded_at: DateTime<Utc>,
    /// The transfer; its postings sum to zero.
    pub transfer_id: uuid::Uuid,
    /// `external:bank`, `wallet:<id>`, `escrow:<id>`, `payout:<id>` or `platform:fees`.
    pub account: String,
    /// Position among this account's postings, from 1, without gaps.
    pub account_seq: i64,
    /// Signed: positive into the account.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// ISO 4217.
    pub currency: String,
    /// The account's balance after this posting.
    #[serde(with = "rust_decimal::serde::str")]
    pub balance: Decimal,
    /// The event that posted it.
    pub event_type: String,
    /// `<aggregate_type>:<aggregate_id>:<sequence>` of that event.
    pub event_id: String,
    /// What the money was for, in a few words (no tabs or line breaks).
    pub memo: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 (hex) of `prev_hash`, a line feed and [`Entry::canonical`].
    pub hash: String,
}

/// The columns an [`Entry`] reads, in its field order.
pub const COLUMNS: &str = "seq, recorded_at, transfer_id, account, account_seq, amount, currency, \
     balance, event_type, event_id, memo, prev_hash, hash";

/// By position, in [`COLUMNS`]' order: looking columns up by name cost an
/// export a tenth of its time.
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for Entry {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Self {
            seq: row.try_get(0)?,
            recorded_at: row.try_get(1)?,
            transfer_id: row.try_get(2)?,
            account: row.try_get(3)?,
            account_seq: row.try_get(4)?,
            amount: row.try_get(5)?,
            currency: row.try_get(6)?,
            balance: row.try_get(7)?,
            event_type: row.try_get(8)?,
            event_id: row.try_get(9)?,
            memo: row.try_get(10)?,
            prev_hash: row.try_get(11)?,
            hash: row.try_get(12)?,
        })
    }
}

/// Two decimal places, a dot, a leading minus when negative.
pub fn amount_text(amount: Decimal) -> String {
    let mut a = amount;
    a.rescale(2);
    a.to_string()
}

/// [`amount_text`] into `out`, without a temporary when the scale is
/// already two places (as the ledger's numeric(20,2) columns read back).
fn write_amount(out: &mut String, amount: Decimal) {
    if amount.scale() == 2 {
        let _ = write!(out, "{amount}");
    } else {
        out.push_str(&amount_text(amount));
    }
}

/// ISO 8601 in UTC with microseconds, as PostgreSQL keeps them.
pub fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The hash of an entry whose canonical form is `canonical`, after `prev_hash`.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl Entry {
    /// The fields the hash covers, tab-separated, in the CSV's column order
    /// (all but the two hashes).
    pub fn canonical(&self) -> String {
        canonical_of(&self.fields())
    }

    /// The eleven hashed fields as text, exactly as exported.
    pub fn fields(&self) -> [String; 11] {
        [
            self.seq.to_string(),
            time_text(self.recorded_at),
            self.transfer_id.to_string(),
            self.account.clone(),
            self.account_seq.to_string(),
            amount_text(self.amount),
            self.currency.clone(),
            amount_text(self.balance),
            self.event_type.clone(),
            self.event_id.clone(),
            self.memo.clone(),
        ]
    }

    /// Recomputes the hash from `prev_hash` and the fields.
    pub fn computed_hash(&self) -> String {
        chain_hash(&self.prev_hash, &self.canonical())
    }

    /// One CSV record (RFC 4180 quoting), ending in CRLF: the same text as
    /// [`write_csv_record`] of the fields and the hashes, written straight
    /// into `out` (an export writes millions of these).
    pub fn write_csv(&self, out: &mut String) {
        let _ = write!(
            out,
            "{},{},{},",
            self.seq,
            self.recorded_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
            self.transfer_id
        );
        csv_field(out, &self.account);
        let _ = write!(out, ",{},", self.account_seq);
        write_amount(out, self.amount);
        out.push(',');
        csv_field(out, &self.currency);
        out.push(',');
        write_amount(out, self.balance);
        out.push(',');
        for field in [
            &self.event_type,
            &self.event_id,
            &self.memo,
            &self.prev_hash,
        ] {
            csv_field(out, field);
            out.push(',');
        }
        csv_field(out, &self.hash);
        out.push_str("\r\n");
    }

    /// One JSON line, ending in LF.
    pub fn write_json(&self, out: &mut String) {
        let line = JsonLine {
            seq: self.seq,
            recorded_at: time_text(self.recorded_at),
            transfer_id: self.transfer_id.to_string(),
            account: &self.account,
            account_seq: self.account_seq,
            amount: amount_text(self.amount),
            currency: &self.currency,
            balance: amount_text(self.balance),
            event_type: &self.event_type,
            event_id: &self.event_id,
            memo: &self.memo,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        };
        // Serialising strings and integers cannot fail.
        if let Ok(text) = serde_json::to_string(&line) {
            out.push_str(&text);
        }
        out.push('\n');
    }
}

/// The JSONL shape: amounts and times as the CSV writes them.
#[derive(Serialize)]
struct JsonLine<'a> {
    seq: i64,
    recorded_at: String,
    transfer_id: String,
    account: &'a str,
    account_seq: i64,
    amount: String,
    currency: &'a str,
    balance: String,
    event_type: &'a str,
    event_id: &'a str,
    memo: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

/// The canonical form of already formatted fields.
pub fn canonical_of(fields: &[String]) -> String {
    fields.join("\t")
}

/// One CSV record of `fields` (RFC 4180 quoting), ending in CRLF.
pub fn write_csv_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, field);
    }
    out.push_str("\r\n");
}

fn csv_field(out: &mut String, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Splits one CSV record (RFC 4180; no line breaks inside fields, which
/// the export never writes). `None` if a quote is left open.
pub fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
                continue;
            }
            (false, '"') if at_start => quoted = true,
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (_, c) => field.push(c),
        }
        at_start = false;
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    pub(crate) fn sample() -> Entry {
        let mut e = Entry {
            seq: 1,
            recorded_at: Utc
                .with_ymd_and_hms(2026, 12, 6, 10, 0, 0)
                .single()
                .expect("valid"),
            transfer_id: uuid::Uuid::from_u128(1),
            account: "wallet:00000000-0000-0000-0000-000000000002".into(),
            account_seq: 1,
            amount: dec!(-1500.5),
            currency: "RUB".into(),
            balance: dec!(0),
            event_type: "FundsMovedToEscrow".into(),
            event_id: "Wallet:00000000-0000-0000-0000-000000000002:3".into(),
            memo: "escrow, \"monthly\"".into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        e.hash = e.computed_hash();
        e
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_reads_back() {
        let e = sample();
        let mut line = String::new();
        e.write_csv(&mut line);
        assert!(line.ends_with("\r\n"));
        assert!(line.contains(",-1500.50,RUB,0.00,"), "{line}");
        assert!(line.contains(",\"escrow, \"\"monthly\"\"\","), "{line}");
        let fields = split_csv(line.trim_end()).expect("closed quotes");
        assert_eq!(fields.len(), 13);
        assert_eq!(canonical_of(&fields[..11]), e.canonical());
        assert_eq!(fields[12], e.hash);
    }

    #[test]
    fn the_fast_csv_line_is_the_generic_one() {
        for e in [
            sample(),
            Entry {
                amount: dec!(7),
                memo: String::new(),
                ..sample()
            },
        ] {
            let mut fast = String::new();
            e.write_csv(&mut fast);
            let mut generic = String::new();
            let fields = e.fields();
            write_csv_record(
                &mut generic,
                fields
                    .iter()
                    .chain([&e.prev_hash, &e.hash])
                    .map(String::as_str),
            );
            assert_eq!(fast, generic);
        }
    }

    #[test]
    fn times_keep_microseconds_in_utc() {
        assert_eq!(
            time_text(sample().recorded_at),
            "2026-12-06T10:00:00.000000Z"
        );
    }

    #[test]
    fn the_header_names_every_column() {
        assert_eq!(CSV_HEADER.split(',').count(), 13);
    }

    #[test]
    fn json_lines_read_back_as_entries() {
        let e = sample();
        let mut line = String::new();
        e.write_json(&mut line);
        let back: Entry = serde_json::from_str(line.trim_end()).expect("json");
        assert_eq!(back.canonical(), e.canonical());
        assert_eq!(back.hash, e.hash);
    }
}
