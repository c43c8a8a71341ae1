//! An order inside an active subscription: created by the client, taken into
//! work by the provider, discussed in its chat, marked done by both sides and
//! frozen while a complaint about it is open.

mod aggregate;
mod attachment;
mod commands;
mod error;
mod events;

#[cfg(test)]
mod admin_tests;
#[cfg(test)]
mod attachment_tests;
#[cfg(test)]
mod tests;

pub use aggregate::{Order, OrderStatus};
pub use attachment::AttachmentType;
pub use commands::{AttachmentFacts, OrderCommand, SubscriptionFacts};
pub use error::OrderError;
pub use events::OrderEvent;
