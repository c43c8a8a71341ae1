//! command-api over real HTTP and a real PostgreSQL database per test.

mod accept_race;
mod admin_controls;
mod attachments;
mod auth;
mod authorisation;
mod blocking;
mod complaints;
mod deadlines;
mod hangup;
mod helpers;
mod housekeeping;
mod idempotency;
mod money;
mod money_matrix;
mod money_support;
mod notifications;
mod openapi_answers;
mod orders;
mod payments;
mod platform_layers;
mod tokens;
mod validation;
mod withdrawal_race;
mod work_matrix;
mod work_support;
