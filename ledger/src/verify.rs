//! Offline verification of an export, without a database: every row's hash
//! is recomputed, the chain and each account's running balance are
//! followed, and the first line that breaks any of them is named.
//!
//! An export is either a contiguous run of the chain (no account filter:
//! `seq` consecutive, each `prev_hash` the previous row's `hash`) or one
//! account's postings (`account_seq` consecutive, balances continuous). A
//! file that is neither is refused at the first line where the chain breaks.
//! A run that starts at the genesis also proves every account started at
//! zero and the sum over all accounts ends at zero.

use crate::entry::{BOM, CSV_HEADER, Entry, GENESIS, canonical_of, chain_hash, split_csv};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::BufRead;

/// What a verified file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Data rows.
    pub rows: u64,
    /// The last row's hash: compare with the ledger's head (`GET /api/v1/ledger/head`).
    pub head_hash: Option<String>,
    /// First and last `seq`.
    pub seq_range: Option<(i64, i64)>,
    /// How many accounts the rows touch.
    pub accounts: usize,
    /// Whether the rows are one account's postings rather than a run of the chain.
    pub single_account: bool,
    /// For a run from the genesis: the sum over all accounts (zero when sound).
    pub total: Option<Decimal>,
}

/// Why the file does not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// A line is wrong; the first such line.
    #[error("line {line}: {reason}")]
    Bad {
        /// 1-based line number in the file.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
}

fn bad(line: u64, reason: impl Into<String>) -> VerifyError {
    VerifyError::Bad {
        line,
        reason: reason.into(),
    }
}

/// The last posting seen of an account.
struct AccountState {
    account_seq: i64,
    balance: Decimal,
}

/// Checks an export read from `input` (CSV or JSONL, told apart by the
/// first line).
pub fn verify(input: impl BufRead) -> Result<Report, VerifyError> {
    let mut lines = input.lines();
    let mut line_no = 0u64;
    let mut checker = Checker::default();
    let mut csv = None;
    while let Some(line) = lines.next().transpose()? {
        line_no += 1;
        let line = line.trim_end_matches('\r');
        if csv.is_none() {
            let is_csv = !line.starts_with('{');
            csv = Some(is_csv);
            if is_csv {
                let header = line.strip_prefix(BOM).ok_or_else(|| {
                    bad(
                        line_no,
                        "the file does not start with the UTF-8 byte-order mark",
                    )
                })?;
                if header != CSV_HEADER {
                    return Err(bad(
                        line_no,
                        format!("the header differs from the documented one: {CSV_HEADER}"),
                    ));
                }
                continue;
            }
        }
        if line.is_empty() {
            return Err(bad(line_no, "empty line"));
        }
        let (fields, prev_hash, hash) = if csv == Some(true) {
            parse_csv(line).map_err(|r| bad(line_no, r))?
        } else {
            parse_json(line).map_err(|r| bad(line_no, r))?
        };
        checker.row(line_no, &fields, prev_hash, hash)?;
    }
    checker.finish()
}

type Parsed = ([String; 11], String, String);

fn parse_csv(line: &str) -> Result<Parsed, String> {
    let mut fields = split_csv(line).ok_or("a quoted field is not closed")?;
    if fields.len() != 13 {
        return Err(format!("{} columns, expected 13", fields.len()));
    }
    let hash = fields.pop().unwrap_or_default();
    let prev = fields.pop().unwrap_or_default();
    let fields: [String; 11] = fields.try_into().map_err(|_| "columns".to_owned())?;
    Ok((fields, prev, hash))
}

fn parse_json(line: &str) -> Result<Parsed, String> {
    let e: Entry = serde_json::from_str(line).map_err(|e| format!("not a ledger entry: {e}"))?;
    let fields = e.fields();
    // The JSON's own text must be what is hashed: re-reading normalises
    // amounts and times, so compare them too.
    let raw: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    for (key, text) in [
        ("recorded_at", &fields[1]),
        ("amount", &fields[5]),
        ("balance", &fields[7]),
    ] {
        if raw.get(key).and_then(|v| v.as_str()) != Some(text.as_str()) {
            return Err(format!("`{key}` is not in the exported form"));
        }
    }
    Ok((fields, e.prev_hash, e.hash))
}

#[derive(Default)]
struct Checker {
    rows: u64,
    first_seq: Option<i64>,
    from_genesis: bool,
    last: Option<(i64, String)>,
    last_line: u64,
    /// The first row that does not continue the chain, if any: its line and why.
    chain_break: Option<(u64, String)>,
    first_account: Option<String>,
    single_account: bool,
    accounts: HashMap<String, AccountState>,
}

impl Checker {
    fn row(
        &mut self,
        line: u64,
        fields: &[String; 11],
        prev_hash: String,
        hash: String,
    ) -> Result<(), VerifyError> {
        self.check(line, fields, prev_hash, hash)
            .map_err(|reason| bad(line, reason))?;
        if !self.single_account
            && let Some((line, reason)) = self.chain_break.take()
        {
            return Err(bad(line, reason));
        }
        Ok(())
    }

    fn check(
        &mut self,
        line: u64,
        fields: &[String; 11],
        prev_hash: String,
        hash: String,
    ) -> Result<(), String> {
        let number = |i: usize, name: &str| -> Result<i64, String> {
            fields[i]
                .parse::<i64>()
                .map_err(|_| format!("`{name}` is not a whole number"))
        };
        let decimal = |i: usize, name: &str| -> Result<Decimal, String> {
            fields[i]
                .parse::<Decimal>()
                .map_err(|_| format!("`{name}` is not a decimal number"))
        };
        let seq = number(0, "seq")?;
        let account_seq = number(4, "account_seq")?;
        let amount = decimal(5, "amount")?;
        let balance = decimal(7, "balance")?;
        let account = &fields[3];
        if chain_hash(&prev_hash, &canonical_of(fields)) != hash {
            return Err("the hash does not match the row: a field of it was changed".to_owned());
        }

        match &self.last {
            None => {
                self.first_seq = Some(seq);
                self.from_genesis = seq == 1 && prev_hash == GENESIS;
                self.first_account = Some(account.clone());
                self.single_account = true;
            }
            Some((last_seq, last_hash)) => {
                if seq <= *last_seq {
                    return Err(format!(
                        "seq {seq} comes after {last_seq}: rows are out of order or repeated"
                    ));
                }
                if self.chain_break.is_none() && (seq != last_seq + 1 || prev_hash != *last_hash) {
                    self.chain_break = Some((
                        line,
                        format!(
                            "seq {seq} does not follow seq {last_seq} in the chain: a row is \
                             missing, inserted or moved"
                        ),
                    ));
                }
                if self.first_account.as_deref() != Some(account.as_str()) {
                    self.single_account = false;
                }
            }
        }
        match self.accounts.get_mut(account) {
            Some(state) => {
                if account_seq != state.account_seq + 1 {
                    return Err(format!(
                        "{account}'s posting {account_seq} follows its posting {}: a row is \
                         missing, inserted or moved",
                        state.account_seq
                    ));
                }
                if state.balance + amount != balance {
                    return Err(format!(
                        "{account}'s balance {balance} is not {} + {amount}",
                        state.balance
                    ));
                }
                state.account_seq = account_seq;
                state.balance = balance;
            }
            None => {
                if self.from_genesis
                    && self.chain_break.is_none()
                    && (account_seq != 1 || balance != amount)
                {
                    return Err(format!(
                        "{account} appears for the first time with posting {account_seq} and \
                         balance {balance}, not posting 1 and balance {amount}"
                    ));
                }
                self.accounts.insert(
                    account.clone(),
                    AccountState {
                        account_seq,
                        balance,
                    },
                );
            }
        }
        if balance < Decimal::ZERO
            && domain::ledger::LedgerAccount::parse(account)
                .is_some_and(|a| a.must_not_go_negative())
        {
            return Err(format!("{account} goes below zero ({balance})"));
        }
        self.rows += 1;
        self.last_line = line;
        self.last = Some((seq, hash));
        Ok(())
    }

    fn finish(self) -> Result<Report, VerifyError> {
        let total = (self.from_genesis && self.chain_break.is_none())
            .then(|| self.accounts.values().map(|a| a.balance).sum::<Decimal>());
        if let Some(t) = total
            && !t.is_zero()
        {
            return Err(bad(
                self.last_line,
                format!("the sum over all accounts is {t}, not zero"),
            ));
        }
        Ok(Report {
            rows: self.rows,
            head_hash: self.last.as_ref().map(|(_, h)| h.clone()),
            seq_range: self.first_seq.zip(self.last.as_ref().map(|(s, _)| *s)),
            accounts: self.accounts.len(),
            single_account: self.single_account && self.chain_break.is_some(),
            total,
        })
    }
}
