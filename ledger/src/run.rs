//! The follower's loop in the projections role: a batch whenever events
//! commit (the writers' wake-up, DESIGN §3), a poll otherwise.

use crate::follower::step;
use crate::tables::Tables;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Events read per batch (whole transactions are kept together).
pub const BATCH: i64 = 1_000;
/// How often an idle follower looks without a wake-up.
const POLL: Duration = Duration::from_millis(500);
/// The pause after a failed batch.
const RETRY: Duration = Duration::from_secs(1);

/// Posts new money events into the live ledger until `shutdown`.
pub async fn run(pool: PgPool, shutdown: CancellationToken) {
    let tables = Tables::live();
    let mut listener = listen(&pool).await;
    tracing::info!("ledger follower started");
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let pause = match step(&pool, &tables, BATCH).await {
            Ok(0) => POLL,
            Ok(_) => continue,
            Err(error) => {
                tracing::warn!(%error, "ledger batch failed; retrying");
                RETRY
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
            woke = wake(listener.as_mut()) => if !woke { listener = None },
        }
    }
    tracing::info!("ledger follower stopped");
}

async fn listen(pool: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.ok()?;
    listener.listen(store::wake::EVENTS_APPENDED).await.ok()?;
    Some(listener)
}

/// Waits for a wake-up; false when the listener broke (polling goes on).
async fn wake(listener: Option<&mut PgListener>) -> bool {
    match listener {
        Some(l) => l.try_recv().await.is_ok(),
        None => std::future::pending().await,
    }
}
