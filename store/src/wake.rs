//! Waking idle relays after events commit (DESIGN §3).
//!
//! A `NOTIFY` inside the appending transaction would be simplest, but
//! PostgreSQL serialises every committing transaction that has notified
//! (it holds a database-wide lock from pre-commit until the commit record is
//! flushed, so notifications queue in commit order). Measured on this
//! project's events table with pgbench at 64 clients: 8 194 inserts/s
//! without the trigger, 580 with it. So the writer notifies after its
//! commit instead, on a connection of its own, and folds the notifications
//! of commits that land while one is in flight into the next: at most one
//! `NOTIFY` per database is ever outstanding from this process, whatever
//! the write rate. The hint is only that: relays also poll, so a wake lost
//! to a crash between commit and `NOTIFY` costs one poll interval.

use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// The channel relays `LISTEN` on.
pub const EVENTS_APPENDED: &str = "hub_events_appended";

#[derive(Default)]
struct Pending {
    sending: AtomicBool,
    wanted: AtomicBool,
}

/// One entry per database this process writes to (tests use many).
static PENDING: LazyLock<Mutex<HashMap<String, Arc<Pending>>>> = LazyLock::new(Default::default);

fn pending_for(pool: &PgPool) -> Arc<Pending> {
    let options = pool.connect_options();
    let key = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    );
    let mut map = PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(key).or_default().clone()
}

/// Tells idle relays that events were committed through `pool`. Returns at
/// once; the `NOTIFY` goes out in the background.
pub fn events_appended(pool: &PgPool) {
    let pending = pending_for(pool);
    pending.wanted.store(true, Ordering::SeqCst);
    if pending.sending.swap(true, Ordering::SeqCst) {
        // The sender in flight sees `wanted` before it stops.
        return;
    }
    let pool = pool.clone();
    tokio::spawn(async move {
        loop {
            while pending.wanted.swap(false, Ordering::SeqCst) {
                if let Err(error) = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(EVENTS_APPENDED)
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(%error, "could not wake the relays; they will poll");
                }
            }
            pending.sending.store(false, Ordering::SeqCst);
            // A commit between the last check and giving up the flag found
            // `sending` still set and left its wake to us.
            if !pending.wanted.load(Ordering::SeqCst)
                || pending.sending.swap(true, Ordering::SeqCst)
            {
                break;
            }
        }
    });
}
