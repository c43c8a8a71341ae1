//! Integration tests of the event store against a real PostgreSQL
//! (`DATABASE_URL`); each test creates and drops its own database.

mod attachments;
mod concurrency;
mod events;
mod pool;
mod roles;
mod snapshots;
mod tally;
mod unit_of_work;
mod upcasting;
mod wallet;
