//! A wallet's finished transfers are not kept in its state: the state holds
//! what decisions need (open top-ups and withdrawals), so a command's cost
//! does not grow with the wallet's history (DESIGN §2). When a command names
//! a transfer the state does not hold, the wallet asks its
//! [`TransferHistory`] — the event store, through a unique index written in
//! the same transaction as the events — whether that transfer already
//! happened, so a redelivered command still moves money at most once.

use super::WalletEvent;
use crate::{AccountId, TransferId};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a history lookup returns: the wallet's events of one transfer, oldest first.
pub type Recorded<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<WalletEvent>, HistoryUnavailable>> + Send + 'a>>;

/// Where a wallet's past transfers can be looked up.
pub trait TransferHistory: Send + Sync {
    /// The events `wallet` recorded for `transfer_id`, oldest first.
    fn recorded(&self, wallet: AccountId, transfer_id: TransferId) -> Recorded<'_>;
}

/// The history could not be read (a fault, not a rule).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the wallet's transfer history is unavailable: {0}")]
pub struct HistoryUnavailable(pub String);

/// The wallet's services: its transfer history. The default has none — a
/// wallet known only from its own events in memory (tests, projections).
#[derive(Clone, Default)]
pub struct WalletServices {
    history: Option<Arc<dyn TransferHistory>>,
}

impl std::fmt::Debug for WalletServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletServices")
            .field("history", &self.history.is_some())
            .finish()
    }
}

impl WalletServices {
    /// Services that look finished transfers up in `history`.
    pub fn with_history(history: Arc<dyn TransferHistory>) -> Self {
        Self {
            history: Some(history),
        }
    }

    pub(super) async fn recorded(
        &self,
        wallet: AccountId,
        transfer_id: TransferId,
    ) -> Result<Vec<WalletEvent>, HistoryUnavailable> {
        match &self.history {
            Some(history) => history.recorded(wallet, transfer_id).await,
            None => Ok(Vec::new()),
        }
    }
}

/// A history in memory: every event given, for tests.
#[derive(Debug, Clone, Default)]
pub struct InMemoryHistory(pub Vec<WalletEvent>);

impl TransferHistory for InMemoryHistory {
    fn recorded(&self, _wallet: AccountId, transfer_id: TransferId) -> Recorded<'_> {
        let events = self
            .0
            .iter()
            .filter(|e| e.transfer_id() == transfer_id)
            .cloned()
            .collect();
        Box::pin(async move { Ok(events) })
    }
}
