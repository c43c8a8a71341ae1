//! command-api over real HTTP and a real PostgreSQL database per test.

mod auth;
mod helpers;
mod idempotency;
mod platform_layers;
mod tokens;
mod validation;
