//! command-api over real HTTP and a real PostgreSQL database per test.

mod auth;
mod helpers;
mod idempotency;
mod money;
mod money_matrix;
mod money_support;
mod platform_layers;
mod tokens;
mod validation;
