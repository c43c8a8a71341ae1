//! Why a wallet refused a command.

use crate::RuleViolation;

/// A wallet rule a command broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// Only the wallet's owner (a client or a provider) may top it up or withdraw.
    #[error("only the wallet's owner may do this")]
    NotOwner,
    /// Amounts that move money must be greater than zero.
    #[error("amount must be greater than zero")]
    AmountNotPositive,
    /// Not enough available money.
    #[error("insufficient funds: {available} available, {requested} requested")]
    InsufficientFunds {
        /// Available balance, formatted.
        available: String,
        /// Requested amount, formatted.
        requested: String,
    },
    /// The balance would pass the largest amount Hub holds.
    #[error("balance would exceed the maximum amount")]
    BalanceTooLarge,
    /// The amount's currency differs from the wallet's.
    #[error("currency does not match the wallet's")]
    CurrencyMismatch,
    /// No transfer with that id in this wallet.
    #[error("no such transfer in this wallet")]
    UnknownTransfer,
    /// The transfer id names another kind of movement than this command expects.
    #[error("this transfer is of another kind")]
    WrongTransferKind,
    /// The transfer id belongs to another kind of movement or another amount.
    #[error("this transfer id was already used for a different movement")]
    TransferIdReused,
    /// The transfer is not in a state this command can move it from.
    #[error("the transfer is not in a state that allows this ({state})")]
    TransferNotPending {
        /// The transfer's current state.
        state: &'static str,
    },
    /// The wallet's history could not be read: a fault, not a rule; try again.
    #[error("{0}")]
    HistoryUnavailable(String),
    /// A text field is empty or too long.
    #[error("{field} must be 1 to {max} characters")]
    TextLength {
        /// The field at fault.
        field: &'static str,
        /// Its maximum length in characters.
        max: usize,
    },
}

impl RuleViolation for WalletError {
    fn rule(&self) -> &'static str {
        match self {
            WalletError::NotOwner => "not_owner",
            WalletError::AmountNotPositive => "amount_not_positive",
            WalletError::InsufficientFunds { .. } => "insufficient_funds",
            WalletError::BalanceTooLarge => "balance_too_large",
            WalletError::CurrencyMismatch => "currency_mismatch",
            WalletError::UnknownTransfer => "unknown_transfer",
            WalletError::WrongTransferKind => "wrong_transfer_kind",
            WalletError::TransferIdReused => "transfer_id_reused",
            WalletError::TransferNotPending { .. } => "transfer_not_pending",
            WalletError::TextLength { .. } => "text_length",
            WalletError::HistoryUnavailable(_) => "history_unavailable",
        }
    }
}
