//! The relay against the real PostgreSQL and RabbitMQ: a fresh database and
//! randomly named exchanges and queues per test.

mod support;

mod crash;
mod failover;
mod ordering;
mod outage;
