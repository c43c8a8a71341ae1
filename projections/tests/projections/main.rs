//! Projections against real PostgreSQL (a fresh database per test) and,
//! where the bus matters, real RabbitMQ (random exchange and queue names).

mod admin_controls;
mod attachments;
mod bus;
mod helpers;
mod idempotence;
mod read_models;
mod rebuild;
mod wallet_history;
