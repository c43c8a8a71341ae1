//! One module per screen (or family of screens).

pub mod admin;
pub mod auth;
pub mod available;
pub mod documents;
pub mod ledger;
pub mod misc;
pub mod new_request;
pub mod pay;
pub mod subscription;
pub mod subscriptions;
pub mod wallet;
