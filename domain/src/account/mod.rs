//! An account: who a person or company is on Hub, its role, and whether it may act.
//!
//! Clients and providers register themselves; admins and auditors are
//! bootstrapped by operators. Command-api reads the accessors here to decide
//! what a caller may touch.

mod aggregate;
mod commands;
mod company;
mod events;
mod upcasters;

#[cfg(test)]
mod tests;

pub use aggregate::{Account, AccountError};
pub use commands::AccountCommand;
pub use company::Company;
pub use events::AccountEvent;
pub use upcasters::upcasters;

/// Longest accepted company, contact or staff name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest accepted block reason, in characters.
pub const MAX_REASON_CHARS: usize = 1000;
/// Most service types one provider may serve.
pub const MAX_SERVICE_TYPES: usize = 20;
