//! Hub's event store on PostgreSQL (DESIGN §2).
//!
//! - [`pool`]: the connection pool and the migrations;
//! - [`attachments`]: the files posted into orders' chats, behind a trait;
//! - [`metadata`]: who, why and when, stored beside every event;
//! - [`event_store`]: the `EventStore` cqrs-es commits through, on
//!   postgres-es's tables, with snapshots written atomically;
//! - [`clock`]: where time comes from; `hub dev` and tests move it;
//! - [`cqrs`]: one cqrs-es framework per aggregate, snapshots and upcasters wired;
//! - [`execute`]: running a command with bounded retries on optimistic conflicts;
//! - [`wallet_history`]: where a wallet looks its finished transfers up;
//! - [`unit_of_work`]: one transaction over several streams, retried whole on conflict;
//! - [`wake`]: telling idle relays that events committed, without serialising commits;
//! - `testing` (feature `testing`): a fresh database per test.

pub mod attachments;
pub mod clock;
pub mod cqrs;
pub mod event_store;
pub mod execute;
pub mod metadata;
pub mod pool;
pub mod roles;
#[cfg(feature = "testing")]
pub mod testing;
pub mod unit_of_work;
pub mod wake;
pub mod wallet_history;

pub use attachments::{AttachmentStore, PgAttachments};
pub use clock::{Clock, DevClock, SystemClock};
pub use cqrs::{CqrsOptions, HubCqrs, Store, build_cqrs};
pub use event_store::{HubEventStore, current_state};
pub use execute::{CommandError, execute_with_retry};
pub use metadata::{EventMetadata, MetadataError};
pub use pool::{connect, ensure_database, migrate};
#[cfg(feature = "testing")]
pub use testing::TestDb;
pub use unit_of_work::{Attempts, Statement, UnitError, UnitOfWork};
