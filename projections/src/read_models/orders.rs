//! `read.orders` and `read.order_messages`: orders and their chats (text
//! messages and posted files).

use crate::event::EventExt;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::Role;
use domain::order::OrderEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// Orders with their chat messages.
pub struct Orders;

#[async_trait]
impl Projection for Orders {
    fn name(&self) -> &'static str {
        "orders"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Order"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["orders", "order_messages"]
    }

    /// `orders` rows are keyed by `id`, the aggregate's id; `order_messages`
    /// rows by the message's id and `(order_id, sequence)`, written only by
    /// their order's events.
    fn independent_aggregates(&self) -> bool {
        true
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &StoredEvent,
        changes: Option<&mut Vec<Change>>,
    ) -> Result<(), ProjectionError> {
        let id = event.aggregate_uuid()?;
        let announce = match event.decode::<OrderEvent>()? {
            OrderEvent::OrderCreated {
                subscription_id,
                client,
                provider,
                plan,
                title,
                details,
                at,
                ..
            } => {
                sqlx::query(
                    "INSERT INTO orders (id, subscription_id, client_id, provider_id, plan, title, \
                     details, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'created', $8, $8)",
                )
                .bind(id)
                .bind(subscription_id.as_uuid())
                .bind(client.as_uuid())
                .bind(provider.as_uuid())
                .bind(match plan {
                    domain::Plan::OneOff => "one_off",
                    domain::Plan::Monthly => "monthly",
                })
                .bind(title)
                .bind(details)
                .bind(at)
                .execute(&mut *conn)
                .await?;
                Announce::Order
            }
            OrderEvent::OrderTaken { at, .. } => {
                set(conn, id, at, "status = 'in_progress', taken_at = $2").await?;
                Announce::Order
            }
            OrderEvent::MessagePosted {
                message_id,
                author,
                author_role,
                text,
                at,
            } => {
                let row = ChatRow {
                    message_id: message_id.as_uuid(),
                    order_id: id,
                    sequence: event.sequence,
                    author: author.as_uuid(),
                    author_role,
                    text,
                    at,
                    file: None,
                };
                let message = row.message_id;
                chat_message(conn, row).await?;
                Announce::Message(message)
            }
            OrderEvent::AttachmentPosted {
                message_id,
                attachment_id,
                author,
                author_role,
                name,
                content_type,
                size,
                caption,
                at,
            } => {
                let row = ChatRow {
                    message_id: message_id.as_uuid(),
                    order_id: id,
                    sequence: event.sequence,
                    author: author.as_uuid(),
                    author_role,
                    text: caption,
                    at,
                    file: Some(FileColumns {
                        id: attachment_id.as_uuid(),
                        name,
                        content_type: content_type.media_type(),
                        size: i64::try_from(size).unwrap_or(i64::MAX),
                    }),
                };
                let message = row.message_id;
                chat_message(conn, row).await?;
                Announce::Message(message)
            }
            OrderEvent::OrderMarkedDone { by, at } => {
                let column = if by == Role::Provider {
                    "provider_done = true"
                } else {
                    "client_done = true"
                };
                set(conn, id, at, column).await?;
                Announce::Order
            }
            OrderEvent::OrderCompleted { at, .. } => {
                set(conn, id, at, "status = 'completed', completed_at = $2").await?;
                Announce::Order
            }
            OrderEvent::OrderFrozen { complaint_id, at } => {
                let q =
                    sqlx::query("UPDATE orders SET frozen_by = $3, updated_at = $2 WHERE id = $1");
                let r = q
                    .bind(id)
                    .bind(at)
                    .bind(complaint_id.as_uuid())
                    .execute(&mut *conn)
                    .await?;
                super::expect_row(r, "order", id)?;
                Announce::Order
            }
            OrderEvent::OrderUnfrozen { at, .. } => {
                set(conn, id, at, "frozen_by = NULL").await?;
                Announce::Order
            }
            // Admin controls. A moved order waits for its new provider to
            // take it; the old provider's "done" no longer counts.
            OrderEvent::OrderReassigned { to, at, .. } => {
                let q = sqlx::query(
                    "UPDATE orders SET provider_id = $3, provider_done = false, taken_at = NULL, \
                     status = CASE WHEN status = 'in_progress' THEN 'created' ELSE status END, \
                     updated_at = $2 WHERE id = $1",
                );
                let r = q
                    .bind(id)
                    .bind(at)
                    .bind(to.as_uuid())
                    .execute(&mut *conn)
                    .await?;
                super::expect_row(r, "order", id)?;
                Announce::Order
            }
            OrderEvent::OrderCancelled { at, .. } => {
                set(conn, id, at, "status = 'cancelled'").await?;
                Announce::Order
            }
            // The `OrderCompleted` that follows sets the status.
            OrderEvent::OrderForceCompleted { at, .. } => {
                set(conn, id, at, "client_done = true, provider_done = true").await?;
                Announce::Nothing
            }
        };
        // The queries below only build the change for live readers.
        let Some(changes) = changes else {
            return Ok(());
        };
        match announce {
            Announce::Order => changes.push(order_change(conn, id).await?),
            Announce::Message(message) => {
                let (client_id, provider_id) = parties(conn, id).await?;
                changes.push(Change::Message {
                    id: message,
                    order_id: id,
                    client_id,
                    provider_id,
                });
            }
            Announce::Nothing => {}
        }
        Ok(())
    }
}

/// Which change an event makes for live readers.
enum Announce {
    /// The order's row (status, parties).
    Order,
    /// A chat message, by its id.
    Message(Uuid),
    /// None: a forced completion is announced by the `OrderCompleted` after it.
    Nothing,
}

/// A row of `order_messages`: a text message, or a file with its caption.
struct ChatRow {
    message_id: Uuid,
    order_id: Uuid,
    sequence: i64,
    author: Uuid,
    author_role: Role,
    text: String,
    at: DateTime<Utc>,
    file: Option<FileColumns>,
}

/// The `attachment_*` columns of a chat message that carries a file.
struct FileColumns {
    id: Uuid,
    name: String,
    content_type: &'static str,
    size: i64,
}

/// Adds a message to the chat and counts it on its order.
async fn chat_message(conn: &mut PgConnection, row: ChatRow) -> Result<(), ProjectionError> {
    let file = row.file;
    sqlx::query(
        "INSERT INTO order_messages (message_id, order_id, sequence, author_id, author_role, \
         text, posted_at, attachment_id, attachment_name, attachment_type, attachment_size) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(row.message_id)
    .bind(row.order_id)
    .bind(row.sequence)
    .bind(row.author)
    .bind(row.author_role.as_str())
    .bind(row.text)
    .bind(row.at)
    .bind(file.as_ref().map(|f| f.id))
    .bind(file.as_ref().map(|f| f.name.clone()))
    .bind(file.as_ref().map(|f| f.content_type))
    .bind(file.as_ref().map(|f| f.size))
    .execute(&mut *conn)
    .await?;
    set(
        conn,
        row.order_id,
        row.at,
        "message_count = message_count + 1",
    )
    .await
}

/// `UPDATE orders SET <assignments>, updated_at = $2 WHERE id = $1`; the
/// assignments are constants of this file.
async fn set(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    assignments: &str,
) -> Result<(), ProjectionError> {
    let sql = format!("UPDATE orders SET {assignments}, updated_at = $2 WHERE id = $1");
    let r = sqlx::query(&sql).bind(id).bind(at).execute(conn).await?;
    super::expect_row(r, "order", id)
}

async fn parties(conn: &mut PgConnection, id: Uuid) -> Result<(Uuid, Uuid), ProjectionError> {
    sqlx::query_as("SELECT client_id, provider_id FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
        .map_err(Into::into)
}

async fn order_change(conn: &mut PgConnection, id: Uuid) -> Result<Change, ProjectionError> {
    let (subscription_id, client_id, provider_id, status): (Uuid, Uuid, Uuid, String) =
        sqlx::query_as(
            "SELECT subscription_id, client_id, provider_id, status FROM orders WHERE id = $1",
        )
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(Change::Order {
        id,
        subscription_id,
        client_id,
        provider_id,
        status,
    })
}
