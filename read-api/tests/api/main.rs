//! read-api against a real PostgreSQL: one fresh database per test.

mod basics;
mod helpers;
mod pagination;
mod sse;
mod visibility;
