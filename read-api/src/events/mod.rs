//! Live changes: one `LISTEN hub_changes` per process (see [`listener`]),
//! fanned out through a broadcast channel to every SSE connection
//! ([`stream`]), each of which forwards only what its caller may see.
//! Browsers open it with a one-time ticket ([`tickets`]); [`limits`] bounds
//! how many a replica holds.
//!
//! The audience of a change is decided once, when the listener loads the
//! changed row, not once per connection.

pub mod audience;
pub mod auth;
pub mod limits;
pub mod listener;
pub mod stream;
pub mod tickets;

use domain::Role;
use platform::Caller;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// The channel projections notify on.
pub const CHANNEL: &str = "hub_changes";

/// How many deliveries a slow connection may fall behind before it is told to resync.
const BUFFER: usize = 1024;

/// Who receives a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every connection (e.g. `resync` after the listener reconnected).
    Everyone,
    /// These accounts, plus every admin when `admins` is set.
    Accounts {
        /// The accounts.
        ids: HashSet<Uuid>,
        /// Whether admins receive it too.
        admins: bool,
    },
}

impl Audience {
    /// Whether `caller` is in it.
    pub fn admits(&self, caller: &Caller) -> bool {
        match self {
            Self::Everyone => true,
            Self::Accounts { ids, admins } => {
                (*admins && caller.role == Role::Admin)
                    || ids.contains(&caller.account_id.as_uuid())
            }
        }
    }
}

/// One server-sent event and who gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The SSE event name: `subscription`, `order`, `message`, `wallet`, `complaint`,
    /// `notification`, `resync`.
    pub event: &'static str,
    /// The JSON data (the same shape as the REST resource).
    pub data: String,
    /// Who receives it.
    pub audience: Audience,
}

impl Delivery {
    /// Tells clients that changes may have been missed and they should refetch.
    pub fn resync() -> Self {
        Self {
            event: "resync",
            data: "{}".to_owned(),
            audience: Audience::Everyone,
        }
    }
}

/// The process's change fan-out; cheap to clone.
#[derive(Clone)]
pub struct EventHub {
    tx: broadcast::Sender<Arc<Delivery>>,
    closing: Arc<watch::Sender<bool>>,
    listening: watch::Receiver<bool>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub")
            .field("connections", &self.tx.receiver_count())
            .field("listening", &*self.listening.borrow())
            .finish()
    }
}

impl EventHub {
    /// Starts the `LISTEN` task on `pool`'s database.
    pub fn start(pool: sqlx::PgPool) -> Self {
        let (tx, _) = broadcast::channel(BUFFER);
        let (closing, closing_rx) = watch::channel(false);
        let (listening_tx, listening) = watch::channel(false);
        tokio::spawn(listener::run(pool, tx.clone(), closing_rx, listening_tx));
        Self {
            tx,
            closing: Arc::new(closing),
            listening,
        }
    }

    /// A new subscriber to every delivery.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delivery>> {
        self.tx.subscribe()
    }

    /// Ends the listener and every open stream (graceful shutdown would
    /// otherwise wait for SSE connections forever).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes when the hub is closing.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Whether the listener is `LISTEN`ing right now.
    pub fn is_listening(&self) -> bool {
        *self.listening.borrow()
    }

    /// Waits until the listener is `LISTEN`ing (tests, readiness).
    pub async fn wait_listening(&self) {
        let mut rx = self.listening.clone();
        // An error means the task ended: nothing more to wait for.
        let _ = rx.wait_for(|l| *l).await;
    }

    /// Publishes `delivery` to every open stream (tests use it directly).
    pub fn publish(&self, delivery: Delivery) {
        // No receivers is fine: nobody is connected.
        let _ = self.tx.send(Arc::new(delivery));
    }
}
