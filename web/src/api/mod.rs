//! The backend as the SPA sees it: wire types and one async function per endpoint.

pub mod admin;
pub mod attachment;
mod client;
// Orders, their chat and complaints (issue 7).
pub mod orders;
pub mod types;

pub use client::*;
