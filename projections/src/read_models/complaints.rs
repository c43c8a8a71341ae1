//! `read.complaints`: complaints about orders and how admins resolved them.

use crate::event::EventExt;
use async_trait::async_trait;
use domain::complaint::ComplaintEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use super::expect_row;
use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// Complaints.
pub struct Complaints;

#[async_trait]
impl Projection for Complaints {
    fn name(&self) -> &'static str {
        "complaints"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Complaint"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["complaints"]
    }

    /// Every statement is keyed by `id`, the aggregate's id.
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
        match event.decode::<ComplaintEvent>()? {
            ComplaintEvent::ComplaintFiled {
                order_id,
                subscription_id,
                client,
                provider,
                filed_by,
                role,
                reason,
                at,
                ..
            } => {
                sqlx::query(
                    "INSERT INTO complaints (id, order_id, subscription_id, client_id, provider_id, \
                     filed_by, filed_by_role, reason, status, filed_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'filed', $9, $9)",
                )
                .bind(id)
                .bind(order_id.as_uuid())
                .bind(subscription_id.as_uuid())
                .bind(client.as_uuid())
                .bind(provider.as_uuid())
                .bind(filed_by.as_uuid())
                .bind(role.as_str())
                .bind(reason)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            }
            ComplaintEvent::ComplaintTakenIntoReview { admin, at } => {
                let q = sqlx::query(
                    "UPDATE complaints SET status = 'in_review', reviewer_id = $3, updated_at = $2 \
                     WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(admin.as_uuid())).await?;
            }
            ComplaintEvent::ComplaintNoteAdded { admin, text, at } => {
                let note = serde_json::json!([{"admin_id": admin, "text": text, "at": at}]);
                let q = sqlx::query(
                    "UPDATE complaints SET notes = notes || $3, updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(note)).await?;
            }
            ComplaintEvent::ComplaintResolved {
                admin,
                to_client,
                to_provider,
                note,
                at,
            } => {
                let q = sqlx::query(
                    "UPDATE complaints SET status = 'resolved', reviewer_id = $3, to_client = $4, \
                     to_provider = $5, currency = $6, resolution_note = $7, closed_at = $2, \
                     updated_at = $2 WHERE id = $1",
                );
                let q = q
                    .bind(id)
                    .bind(at)
                    .bind(admin.as_uuid())
                    .bind(to_client.amount())
                    .bind(to_provider.amount())
                    .bind(to_client.currency().to_string())
                    .bind(note);
                run(conn, id, q).await?;
            }
            ComplaintEvent::ComplaintWithdrawn { at, .. } => {
                let q = sqlx::query(
                    "UPDATE complaints SET status = 'withdrawn', closed_at = $2, updated_at = $2 \
                     WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at)).await?;
            }
        }
        if let Some(changes) = changes {
            changes.push(change(conn, id).await?);
        }
        Ok(())
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

async fn run(conn: &mut PgConnection, id: Uuid, q: Query<'_>) -> Result<(), ProjectionError> {
    let r = q.execute(conn).await?;
    expect_row(r, "complaint", id)
}

async fn change(conn: &mut PgConnection, id: Uuid) -> Result<Change, ProjectionError> {
    let (order_id, client_id, provider_id, status): (Uuid, Uuid, Uuid, String) = sqlx::query_as(
        "SELECT order_id, client_id, provider_id, status FROM complaints WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(Change::Complaint {
        id,
        order_id,
        client_id,
        provider_id,
        status,
    })
}
