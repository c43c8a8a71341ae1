//! A client's or provider's wallet: available money, withdrawals on their way
//! to the bank, and the transfer ids already applied (so a redelivered command
//! never moves money twice).

mod aggregate;
mod commands;
mod errors;
mod events;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use aggregate::{Wallet, WithdrawalStatus};
pub use commands::WalletCommand;
pub use errors::WalletError;
pub use events::{CreditKind, WalletEvent};
