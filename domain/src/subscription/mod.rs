//! A client's subscription to a service type: first a request offered to every
//! provider of that type, then (once one accepts) a one-off job or a monthly
//! service. It holds the escrow paid for the current period or job.

mod aggregate;
mod commands;
mod credits;
mod errors;
mod events;

#[cfg(test)]
mod admin_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub(crate) use aggregate::admin_reason;
pub use aggregate::{ADMIN_REASON_MAX, Subscription, SubscriptionStatus, derived_transfer_id};
pub use commands::SubscriptionCommand;
pub use credits::wallet_credits;
pub use errors::SubscriptionError;
pub use events::{EscrowParty, SubscriptionEvent};
