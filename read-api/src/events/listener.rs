//! The process's one `LISTEN hub_changes` connection, reconnected with
//! backoff when PostgreSQL goes away.

use super::{CHANNEL, Delivery, audience};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Listens until `closing` turns true. After every reconnection the streams
/// get a `resync` event: notifications sent while nobody listened are lost.
pub async fn run(
    pool: PgPool,
    tx: broadcast::Sender<Arc<Delivery>>,
    mut closing: watch::Receiver<bool>,
    listening: watch::Sender<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    let mut connected_before = false;
    loop {
        if *closing.borrow() {
            break;
        }
        match connect(&pool).await {
            Ok(mut listener) => {
                backoff = Duration::from_millis(100);
                listening.send_replace(true);
                if connected_before {
                    tracing::info!("hub_changes: listening again; asking streams to resync");
                    let _ = tx.send(Arc::new(Delivery::resync()));
                }
                connected_before = true;
                metrics::gauge!("read_api_change_listener_up").set(1.0);
                let stop = pump(&pool, &mut listener, &tx, &mut closing).await;
                listening.send_replace(false);
                metrics::gauge!("read_api_change_listener_up").set(0.0);
                if stop {
                    break;
                }
            }
            Err(e) => tracing::warn!(error = %e, "hub_changes: cannot LISTEN; retrying"),
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = closing.wait_for(|c| *c) => break,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
    tracing::debug!("hub_changes: listener stopped");
}

async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    // Its own connection (with the pool's options), not one borrowed from the pool.
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Forwards notifications until the connection drops (`false`) or the hub
/// closes (`true`).
async fn pump(
    pool: &PgPool,
    listener: &mut PgListener,
    tx: &broadcast::Sender<Arc<Delivery>>,
    closing: &mut watch::Receiver<bool>,
) -> bool {
    loop {
        // `try_recv`, not `recv`: `recv` reconnects silently and hides the gap,
        // `try_recv` reports it so the streams can be told to resync.
        let next = tokio::select! {
            n = listener.try_recv() => n,
            _ = closing.wait_for(|c| *c) => return true,
        };
        match next {
            Ok(Some(n)) => match audience::resolve(pool, n.payload()).await {
                Ok(deliveries) => {
                    for d in deliveries {
                        metrics::counter!("read_api_changes_total", "kind" => d.event).increment(1);
                        let _ = tx.send(Arc::new(d));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, payload = n.payload(), "hub_changes: cannot deliver")
                }
            },
            Ok(None) => {
                tracing::warn!("hub_changes: connection lost; reconnecting");
                return false;
            }
            Err(e) => {
                tracing::warn!(error = %e, "hub_changes: listener error; reconnecting");
                return false;
            }
        }
    }
}
