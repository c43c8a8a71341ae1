//! Builds the ledger from the event store, in commit order.
//!
//! A hash chain needs one order that a rebuild reproduces exactly, so the
//! ledger does not consume the bus (where redeliveries and gap fills may
//! reorder): it reads `events` the way the relay does, `(tx_id,
//! global_position)` below the oldest running transaction (DESIGN §3), in
//! whole transactions, and writes the entries, the balances, the closing
//! documents and its checkpoint in one transaction. Replicas are safe: a
//! batch runs under a transaction-level advisory lock, so only one writes.

use crate::acts::{self, Release};
use crate::entry::{Entry, chain_hash};
use crate::tables::Tables;
use chrono::{DateTime, Utc};
use domain::ledger::{Posting, subscription_postings, wallet_postings};
use domain::subscription::{EscrowParty, SubscriptionEvent};
use domain::wallet::{CreditKind, WalletEvent};
use domain::{AccountId, SubscriptionId};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// The event types that move money; the follower reads only their payloads.
pub const MONEY_EVENTS: &[&str] = &[
    "TopUpSettled",
    "WithdrawalRequested",
    "WithdrawalSettled",
    "WithdrawalFailed",
    "FundsMovedToEscrow",
    "FundsCreditedFromEscrow",
    "EscrowFunded",
    "PeriodRenewed",
    "EscrowReleased",
    "ComplaintSettled",
];

/// Why a batch failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// PostgreSQL failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored event does not read as the domain's event.
    #[error("event {event_id}: {source}")]
    Payload {
        /// `<aggregate_type>:<aggregate_id>:<sequence>`.
        event_id: String,
        /// Why.
        source: serde_json::Error,
    },
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: Option<serde_json::Value>,
    pub global_position: i64,
    pub tx_id: i64,
    pub recorded_at: DateTime<Utc>,
    /// When the business step happened by Hub's clock (the dev clock in
    /// `hub dev`), from the event's metadata.
    pub occurred_at: Option<String>,
}

impl EventRow {
    fn event_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.aggregate_type, self.aggregate_id, self.sequence
        )
    }
}

/// The ledger's position and running totals.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct State {
    /// Checkpoint in the store: the last event read.
    pub tx_id: i64,
    /// With `tx_id`.
    pub global_position: i64,
    /// The last entry's `seq`.
    pub seq: i64,
    /// The last entry's time.
    pub recorded_at: Option<DateTime<Utc>>,
    /// The last entry's hash.
    pub head_hash: String,
    /// Closing documents issued.
    pub documents: i64,
    /// Sum over all accounts; zero whenever every transfer is in.
    pub total: Decimal,
    /// Wallets, escrows and payouts below zero; zero when sound.
    pub negative_accounts: i64,
}

/// Reads the ledger's state from `tables`.
pub async fn state(db: &mut PgConnection, tables: &Tables) -> Result<State, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT tx_id::text::bigint AS tx_id, global_position, seq, recorded_at, head_hash, \
                documents, total, negative_accounts FROM {}",
        tables.state
    ))
    .fetch_one(db)
    .await
}

const EVENT_COLUMNS: &str = "aggregate_type, aggregate_id, sequence, event_type, \
     CASE WHEN event_type = ANY($1) THEN payload END AS payload, global_position, \
     tx_id::text::bigint AS tx_id, recorded_at, \
     CASE WHEN event_type = 'EscrowReleased' THEN metadata->>'occurred_at' END AS occurred_at";

async fn next_events(
    db: &mut PgConnection,
    state: &State,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    // Qualified: a bare `tx_id` would name the output column (the cast), which
    // no index sorts (a full scan a batch) and which, as text, is not commit order.
    let mut rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM public.events \
         WHERE (tx_id, global_position) > ($2::text::xid8, $3) \
           AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY events.tx_id, events.global_position LIMIT $4"
    ))
    .bind(MONEY_EVENTS)
    .bind(state.tx_id.to_string())
    .bind(state.global_position)
    .bind(limit)
    .fetch_all(&mut *db)
    .await?;
    // Whole transactions only: a transfer's two sides are in one, and the
    // totals are only zero between transactions.
    if rows.len() as i64 == limit
        && let Some(last) = rows.last()
    {
        let rest: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM public.events \
             WHERE tx_id = $2::text::xid8 AND global_position > $3 ORDER BY global_position"
        ))
        .bind(MONEY_EVENTS)
        .bind(last.tx_id.to_string())
        .bind(last.global_position)
        .fetch_all(&mut *db)
        .await?;
        rows.extend(rest);
    }
    Ok(rows)
}

/// A posting with what the entry says about it.
struct Pending {
    posting: Posting,
    row: usize,
    memo: String,
}

fn decode<E: serde::de::DeserializeOwned>(row: &EventRow) -> Result<E, LedgerError> {
    serde_json::from_value(row.payload.clone().unwrap_or_default()).map_err(|source| {
        LedgerError::Payload {
            event_id: row.event_id(),
            source,
        }
    })
}

fn parse_id(row: &EventRow) -> Result<uuid::Uuid, LedgerError> {
    uuid::Uuid::parse_str(&row.aggregate_id).map_err(|e| LedgerError::Payload {
        event_id: row.event_id(),
        source: serde::de::Error::custom(e),
    })
}

/// The postings of `rows`, and the escrow releases that close a period.
fn postings(rows: &[EventRow]) -> Result<(Vec<Pending>, Vec<Release>), LedgerError> {
    let mut out = Vec::new();
    let mut releases = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.payload.is_none() {
            continue;
        }
        let id = parse_id(row)?;
        let (legs, memo) = match row.aggregate_type.as_str() {
            "Wallet" => {
                let event: WalletEvent = decode(row)?;
                let memo = match &event {
                    WalletEvent::FundsMovedToEscrow {
                        subscription_id, ..
                    } => format!("to escrow:{subscription_id}"),
                    WalletEvent::FundsCreditedFromEscrow {
                        subscription_id,
                        kind,
                        ..
                    } => match kind {
                        CreditKind::Refund => format!("refund from escrow:{subscription_id}"),
                        CreditKind::Earnings => format!("earnings from escrow:{subscription_id}"),
                    },
                    _ => String::new(),
                };
                (wallet_postings(AccountId(id), &event), memo)
            }
            "Subscription" => {
                let event: SubscriptionEvent = decode(row)?;
                let memo = match &event {
                    SubscriptionEvent::EscrowReleased {
                        to,
                        recipient,
                        amount,
                        ..
                    } => {
                        releases.push(Release {
                            subscription_id: SubscriptionId(id),
                            tx_id: row.tx_id,
                            sequence: row.sequence,
                            to: *to,
                            recipient: *recipient,
                            amount: amount.amount(),
                            currency: amount.currency().to_string(),
                            at: row
                                .occurred_at
                                .as_deref()
                                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                                .map_or(row.recorded_at, |t| t.with_timezone(&Utc)),
                        });
                        match to {
                            EscrowParty::Provider => "released to the provider",
                            EscrowParty::Client => "released to the client",
                            EscrowParty::Platform => "platform fee",
                        }
                        .to_owned()
                    }
                    SubscriptionEvent::ComplaintSettled { complaint_id, .. } => {
                        format!("split by complaint:{complaint_id}")
                    }
                    _ => String::new(),
                };
                (subscription_postings(SubscriptionId(id), &event), memo)
            }
            _ => continue,
        };
        out.extend(legs.into_iter().map(|posting| Pending {
            posting,
            row: i,
            memo: memo.clone(),
        }));
    }
    Ok((out, releases))
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    account: String,
    balance: Decimal,
    postings: i64,
}

/// Posts one batch of whole transactions; returns how many events it read
/// (0: nothing new, or another replica holds the lock).
pub async fn step(pool: &PgPool, tables: &Tables, limit: i64) -> Result<usize, LedgerError> {
    let mut tx = pool.begin().await?;
    let locked: bool = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtext('hub.ledger'), hashtext($1))",
    )
    .bind(&tables.state)
    .fetch_one(&mut *tx)
    .await?;
    // Nothing to do ends the transaction now: a dropped one would sit
    // idle in its pooled connection until that is next used.
    if !locked {
        tx.rollback().await?;
        return Ok(0);
    }
    let mut state = state(&mut tx, tables).await?;
    let rows = next_events(&mut tx, &state, limit).await?;
    let Some(last) = rows.last() else {
        tx.rollback().await?;
        return Ok(0);
    };
    let (pending, releases) = postings(&rows)?;

    let names: Vec<String> = pending
        .iter()
        .map(|p| p.posting.account.to_string())
        .collect();
    let mut accounts: HashMap<String, (Decimal, i64)> = sqlx::query_as::<_, AccountRow>(&format!(
        "SELECT account, balance, postings FROM {} WHERE account = ANY($1)",
        tables.accounts
    ))
    .bind(&names)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|a| (a.account, (a.balance, a.postings)))
    .collect();

    let mut entries = Vec::with_capacity(pending.len());
    for (p, account) in pending.iter().zip(names) {
        let row = &rows[p.row];
        let (balance, count) = accounts.entry(account.clone()).or_default();
        let before = *balance;
        *balance += p.posting.amount;
        *count += 1;
        if p.posting.account.must_not_go_negative() {
            state.negative_accounts +=
                i64::from(*balance < Decimal::ZERO) - i64::from(before < Decimal::ZERO);
        }
        state.total += p.posting.amount;
        state.seq += 1;
        let at = state
            .recorded_at
            .map_or(row.recorded_at, |prev| prev.max(row.recorded_at));
        state.recorded_at = Some(at);
        let mut entry = Entry {
            seq: state.seq,
            recorded_at: at,
            transfer_id: p.posting.transfer_id.0,
            account,
            account_seq: *count,
            amount: p.posting.amount,
            currency: p.posting.currency.to_string(),
            balance: *balance,
            event_type: row.event_type.clone(),
            event_id: row.event_id(),
            memo: p.memo.clone(),
            prev_hash: std::mem::take(&mut state.head_hash),
            hash: String::new(),
        };
        entry.hash = chain_hash(&entry.prev_hash, &entry.canonical());
        state.head_hash = entry.hash.clone();
        entries.push(entry);
    }
    insert_entries(&mut tx, tables, &entries).await?;
    save_accounts(&mut tx, tables, &accounts).await?;
    state.documents = acts::issue(&mut tx, tables, &releases, state.documents).await?;
    state.tx_id = last.tx_id;
    state.global_position = last.global_position;
    save_state(&mut tx, tables, &state).await?;
    tx.commit().await?;

    if !entries.is_empty() {
        metrics::counter!("hub_ledger_entries_total").increment(entries.len() as u64);
    }
    report(&state);
    Ok(rows.len())
}

/// The invariants of DESIGN §5 as metrics, and a log line when broken.
pub fn report(state: &State) {
    use rust_decimal::prelude::ToPrimitive;
    let total = state.total.to_f64().unwrap_or(f64::NAN);
    metrics::gauge!("hub_ledger_total").set(total);
    metrics::gauge!("hub_ledger_negative_accounts").set(state.negative_accounts as f64);
    metrics::gauge!("hub_ledger_seq").set(state.seq as f64);
    if !state.total.is_zero() || state.negative_accounts != 0 {
        tracing::error!(
            total = %state.total,
            negative_accounts = state.negative_accounts,
            seq = state.seq,
            "ledger invariant broken: the sum over all accounts must be zero and no wallet, \
             escrow or payout below zero"
        );
    }
}

async fn insert_entries(
    db: &mut PgConnection,
    tables: &Tables,
    entries: &[Entry],
) -> Result<(), sqlx::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    macro_rules! column {
        ($field:ident) => {
            entries.iter().map(|e| e.$field.clone()).collect::<Vec<_>>()
        };
    }
    sqlx::query(&format!(
        "INSERT INTO {} (seq, recorded_at, transfer_id, account, account_seq, amount, currency, \
                         balance, event_type, event_id, memo, prev_hash, hash) \
         SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], \
                              $5::bigint[], $6::numeric[], $7::text[], $8::numeric[], \
                              $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])",
        tables.entries
    ))
    .bind(column!(seq))
    .bind(column!(recorded_at))
    .bind(column!(transfer_id))
    .bind(column!(account))
    .bind(column!(account_seq))
    .bind(column!(amount))
    .bind(column!(currency))
    .bind(column!(balance))
    .bind(column!(event_type))
    .bind(column!(event_id))
    .bind(column!(memo))
    .bind(column!(prev_hash))
    .bind(column!(hash))
    .execute(db)
    .await?;
    Ok(())
}

async fn save_accounts(
    db: &mut PgConnection,
    tables: &Tables,
    accounts: &HashMap<String, (Decimal, i64)>,
) -> Result<(), sqlx::Error> {
    if accounts.is_empty() {
        return Ok(());
    }
    let (names, rest): (Vec<&String>, Vec<&(Decimal, i64)>) = accounts.iter().unzip();
    let balances: Vec<Decimal> = rest.iter().map(|r| r.0).collect();
    let counts: Vec<i64> = rest.iter().map(|r| r.1).collect();
    sqlx::query(&format!(
        "INSERT INTO {} (account, balance, postings) \
         SELECT * FROM UNNEST($1::text[], $2::numeric[], $3::bigint[]) \
         ON CONFLICT (account) DO UPDATE SET balance = EXCLUDED.balance, postings = EXCLUDED.postings",
        tables.accounts
    ))
    .bind(names)
    .bind(balances)
    .bind(counts)
    .execute(db)
    .await?;
    Ok(())
}

async fn save_state(db: &mut PgConnection, tables: &Tables, s: &State) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE {} SET tx_id = $1::text::xid8, global_position = $2, seq = $3, recorded_at = $4, \
                head_hash = $5, documents = $6, total = $7, negative_accounts = $8, updated_at = now()",
        tables.state
    ))
    .bind(s.tx_id.to_string())
    .bind(s.global_position)
    .bind(s.seq)
    .bind(s.recorded_at)
    .bind(&s.head_hash)
    .bind(s.documents)
    .bind(s.total)
    .bind(s.negative_accounts)
    .execute(db)
    .await?;
    Ok(())
}

/// Posts until nothing is left below the horizon; returns the events read.
pub async fn catch_up(pool: &PgPool, tables: &Tables, limit: i64) -> Result<u64, LedgerError> {
    let mut total = 0u64;
    loop {
        let n = step(pool, tables, limit).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
    }
}

/// Posts everything committed before the call, waiting (up to `patience`)
/// while older transactions anywhere on the server still hold the horizon;
/// returns the events read. For tools and tests that need the ledger
/// current now.
pub async fn sync(
    pool: &PgPool,
    tables: &Tables,
    limit: i64,
    patience: std::time::Duration,
) -> Result<u64, LedgerError> {
    let target: Option<(i64, i64)> = sqlx::query_as(
        "SELECT tx_id::text::bigint, global_position FROM public.events \
         ORDER BY tx_id DESC, global_position DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let deadline = tokio::time::Instant::now() + patience;
    let mut total = catch_up(pool, tables, limit).await?;
    let Some(target) = target else {
        return Ok(total);
    };
    loop {
        let now = {
            let mut db = pool.acquire().await?;
            state(&mut db, tables).await?
        };
        if (now.tx_id, now.global_position) >= target || tokio::time::Instant::now() > deadline {
            return Ok(total);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        total += catch_up(pool, tables, limit).await?;
    }
}
