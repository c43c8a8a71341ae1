//! The process managers against a real PostgreSQL (and RabbitMQ for the
//! consumer): events are fed straight from the store, time is moved with
//! the development clock.

mod admin_controls;
mod bus;
mod crashes;
mod money;
mod payouts;
mod scheduling;
mod support;
mod top_ups;
