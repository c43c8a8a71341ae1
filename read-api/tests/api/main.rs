//! read-api against a real PostgreSQL: one fresh database per test.

mod admin;
mod attachments;
mod authorisation;
mod basics;
mod blocking;
mod helpers;
mod history;
mod ledger_export;
mod openapi_answers;
mod pagination;
mod privacy;
mod sse;
mod stream_tickets;
mod visibility;
mod wallet;
