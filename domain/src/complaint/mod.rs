//! A complaint about an order, filed by its client or provider and resolved by
//! an admin who splits the frozen escrow between the two.

mod aggregate;
mod commands;
mod error;
mod events;

#[cfg(test)]
mod tests;

pub use aggregate::{Complaint, ComplaintStatus};
pub use commands::{ComplaintCommand, OrderFacts};
pub use error::ComplaintError;
pub use events::ComplaintEvent;
