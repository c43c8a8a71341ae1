//! A wallet's finished transfers, looked up in the event store (DESIGN §2:
//! "the store enforces a transfer id applies once with a unique index written
//! in the same transaction"). The index (migration `…600_wallet_transfer_steps`)
//! makes each step of a transfer — requested, settled, credited… — unique per
//! wallet, and serves this lookup.

use crate::HubEventStore;
use crate::cqrs::LONG_LIVED_SNAPSHOT_EVERY;
use domain::wallet::{
    HistoryUnavailable, Recorded, TransferHistory, Wallet, WalletEvent, WalletServices,
};
use domain::{AccountId, TransferId};
use sqlx::PgPool;
use std::sync::Arc;

/// Sorted here, not in SQL: with `ORDER BY sequence` PostgreSQL's generic
/// plan (after five executions) walks the primary key over the wallet's
/// whole stream and filters every event's JSON — 1.2 ms at 174 events,
/// growing with history — instead of one probe of the unique index.
const RECORDED: &str = "
SELECT sequence, payload::text
  FROM events
 WHERE aggregate_type = 'Wallet' AND aggregate_id = $1
   AND (payload -> event_type) ->> 'transfer_id' = $2";

/// The history of wallets in one database.
#[derive(Debug, Clone)]
pub struct PgTransferHistory {
    pool: PgPool,
}

impl TransferHistory for PgTransferHistory {
    fn recorded(&self, wallet: AccountId, transfer_id: TransferId) -> Recorded<'_> {
        Box::pin(async move {
            let mut rows: Vec<(i64, String)> = sqlx::query_as(RECORDED)
                .bind(wallet.to_string())
                .bind(transfer_id.0.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err(|e| HistoryUnavailable(e.to_string()))?;
            rows.sort_unstable_by_key(|(sequence, _)| *sequence);
            rows.iter()
                .map(|(_, payload)| {
                    serde_json::from_str::<WalletEvent>(payload)
                        .map_err(|e| HistoryUnavailable(e.to_string()))
                })
                .collect()
        })
    }
}

/// Wallet services that read the history from `pool`'s database.
pub fn services(pool: &PgPool) -> WalletServices {
    WalletServices::with_history(Arc::new(PgTransferHistory { pool: pool.clone() }))
}

/// The wallets' event store as every command path uses it: snapshotted,
/// with the history attached.
pub fn wallet_events(pool: &PgPool) -> HubEventStore<Wallet> {
    HubEventStore::new(pool.clone())
        .with_snapshots(LONG_LIVED_SNAPSHOT_EVERY)
        .with_services(services(pool))
}
