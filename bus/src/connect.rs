use lapin::{Connection, ConnectionProperties};
use tokio_util::sync::CancellationToken;

use crate::{Backoff, BusError};

/// Opens one AMQP connection (no retry), named for the management UI.
pub async fn connect(uri: &str, connection_name: &str) -> Result<Connection, BusError> {
    let props = ConnectionProperties::default().with_connection_name(connection_name.into());
    Ok(Connection::connect(uri, props).await?)
}

/// Connects, retrying with `backoff` until it succeeds or `shutdown` fires.
///
/// lapin never reconnects on its own: when a connection or channel dies,
/// callers drop it and come back here.
pub async fn connect_with_backoff(
    uri: &str,
    connection_name: &str,
    backoff: &mut Backoff,
    shutdown: &CancellationToken,
) -> Result<Connection, BusError> {
    loop {
        let attempt = tokio::select! {
            () = shutdown.cancelled() => return Err(BusError::Cancelled),
            r = connect(uri, connection_name) => r,
        };
        match attempt {
            Ok(conn) => {
                backoff.reset();
                return Ok(conn);
            }
            Err(err) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %err, ?delay, "RabbitMQ unreachable; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Err(BusError::Cancelled),
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}
