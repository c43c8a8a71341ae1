//! What projections tell read-api after a commit, over `pg_notify('hub_changes', ..)`.
//!
//! The payload is small JSON (PostgreSQL caps a notification at 8000 bytes):
//! the kind of row that changed, its id and who may need to hear about it.
//! read-api LISTENs, loads the row and pushes it over SSE to that audience.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// The channel read-api listens on.
pub const CHANNEL: &str = "hub_changes";

/// One change worth pushing live. Serialised as
/// `{"kind": "subscription", "id": "..", ...hints}`; hints that do not apply are omitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A subscription or request changed. Audience: the client, every
    /// provider of `service_type` while `status` is `requested`, the provider
    /// once one accepted, admins.
    Subscription {
        /// The subscription.
        id: Uuid,
        /// Its client.
        client_id: Uuid,
        /// Its provider, once accepted.
        #[serde(skip_serializing_if = "Option::is_none")]
        provider_id: Option<Uuid>,
        /// Its service type.
        service_type: String,
        /// Its status after the change.
        status: String,
    },
    /// An order changed. Audience: its client and provider, admins.
    Order {
        /// The order.
        id: Uuid,
        /// Its subscription.
        subscription_id: Uuid,
        /// Its client.
        client_id: Uuid,
        /// Its provider.
        provider_id: Uuid,
        /// Its status after the change.
        status: String,
    },
    /// A chat message was posted. Audience: the order's client and provider, admins.
    Message {
        /// The message.
        id: Uuid,
        /// The order whose chat it is.
        order_id: Uuid,
        /// The order's client.
        client_id: Uuid,
        /// The order's provider.
        provider_id: Uuid,
    },
    /// A wallet's balance or pending payouts changed. Audience: its owner.
    Wallet {
        /// The owner's account id (the wallet's id).
        id: Uuid,
    },
    /// A complaint changed. Audience: the order's client and provider, admins.
    Complaint {
        /// The complaint.
        id: Uuid,
        /// The order complained about.
        order_id: Uuid,
        /// The order's client.
        client_id: Uuid,
        /// The order's provider.
        provider_id: Uuid,
        /// Its status after the change.
        status: String,
    },
}

/// Queues the notification in the current transaction: PostgreSQL delivers
/// it on commit and drops it on rollback, so listeners never hear of a change
/// that did not happen.
pub(crate) async fn send(conn: &mut PgConnection, change: &Change) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(change).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}
