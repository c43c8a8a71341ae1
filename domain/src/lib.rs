//! Hub's business rules, free of HTTP, SQL and AMQP.
//!
//! Each aggregate lives in its own folder (`aggregate.rs`, `commands.rs`,
//! `events.rs`); value types sit beside them and validate on construction, so
//! an invalid INN or a three-decimal amount cannot exist past the boundary.

pub mod account;
pub mod actor;
pub mod bank;
pub mod catalog;
pub mod complaint;
pub mod email;
pub mod ids;
pub mod inn;
pub mod language;
pub mod ledger;
pub mod money;
pub mod order;
pub mod service;
pub mod subscription;
pub mod wallet;

#[cfg(test)]
mod money_model;

pub use actor::{Actor, Role};
pub use bank::{BankAccountNumber, BankDetails, Bik};
pub use email::Email;
pub use ids::*;
pub use inn::Inn;
pub use language::Language;
pub use money::{Currency, Money, MoneyError};
pub use service::{Plan, ServiceType};

/// A rule of the business that a command broke. Every aggregate error
/// implements it so the HTTP layer can answer 422 with a stable code
/// without knowing each aggregate.
pub trait RuleViolation: std::error::Error {
    /// A stable, machine-readable name of the broken rule, e.g. `insufficient_funds`.
    fn rule(&self) -> &'static str;
}
