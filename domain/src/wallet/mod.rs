//! A client's or provider's wallet: available money, withdrawals on their way
//! to the bank, and the transfers still open; finished ones are looked up in
//! its history, so a redelivered command never moves money twice.

mod aggregate;
mod commands;
mod errors;
mod events;
mod history;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use aggregate::{Wallet, WithdrawalStatus};
pub use commands::WalletCommand;
pub use errors::WalletError;
pub use events::{CreditKind, WalletEvent};
pub use history::{HistoryUnavailable, InMemoryHistory, Recorded, TransferHistory, WalletServices};
