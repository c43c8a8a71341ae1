//! The auditor's ledger (DESIGN §5): every money event becomes balanced
//! double-entry postings in commit order, each entry hash-chained to the
//! one before; exported as CSV or JSONL in keyset pages; verified offline.
//! The file format is documented in docs/ledger.md.

mod acts;
pub mod entry;
pub mod export;
pub mod fixtures;
pub mod follower;
pub mod rebuild;
pub mod run;
pub mod tables;
pub mod verify;

pub use entry::Entry;
pub use follower::{LedgerError, State, catch_up, step, sync};
pub use tables::Tables;
