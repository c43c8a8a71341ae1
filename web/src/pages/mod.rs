//! One module per screen (or family of screens).

pub mod admin;
pub mod auth;
pub mod available;
pub mod documents;
pub mod ledger;
pub mod misc;
pub mod new_request;
// Orders, their chat and complaints (issue 7).
pub mod order;
pub mod pay;
pub mod subscription;
pub mod subscriptions;
pub mod wallet;
