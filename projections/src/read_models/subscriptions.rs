//! `read.subscriptions`: subscriptions and open requests, in the shape of
//! the contract's `Subscription`, plus who rejected a request.

use crate::event::EventExt;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::Money;
use domain::subscription::SubscriptionEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use super::expect_row;
use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// Subscriptions and requests.
pub struct Subscriptions;

#[async_trait]
impl Projection for Subscriptions {
    fn name(&self) -> &'static str {
        "subscriptions"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Subscription"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["subscriptions"]
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
        use SubscriptionEvent as E;
        let id = event.aggregate_uuid()?;
        let at = event.occurred_at();
        match event.decode::<SubscriptionEvent>()? {
            E::SubscriptionRequested {
                client,
                service_type,
                plan,
                description,
                price,
                acceptance_deadline,
                requested_at,
                ..
            } => {
                sqlx::query(
                    "INSERT INTO subscriptions (id, client_id, service_type, plan, description, status, \
                     price, escrow, currency, created_at, acceptance_deadline, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'requested', $6, 0, $7, $8, $9, $8)",
                )
                .bind(id)
                .bind(client.as_uuid())
                .bind(service_type.as_str())
                .bind(plan_str(plan))
                .bind(description)
                .bind(price.amount())
                .bind(price.currency().to_string())
                .bind(requested_at)
                .bind(acceptance_deadline)
                .execute(&mut *conn)
                .await?;
            }
            E::EscrowFunded { amount, .. } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET escrow = escrow + $3, updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(amount.amount())).await?;
            }
            E::SubscriptionAccepted {
                provider,
                period_start,
                period_end,
            } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET provider_id = $3, period_start = $4, period_end = $5, \
                     status = 'active', updated_at = $2 WHERE id = $1",
                );
                let q = q.bind(id).bind(at).bind(provider.as_uuid());
                run(conn, id, q.bind(period_start).bind(period_end)).await?;
            }
            E::RequestRejected { provider, .. } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET rejected_by = CASE WHEN $3 = ANY(rejected_by) \
                     THEN rejected_by ELSE array_append(rejected_by, $3) END, updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(provider.as_uuid())).await?;
            }
            E::AcceptanceDeadlinePassed { .. } => status(conn, id, at, "overdue").await?,
            E::AcceptanceDeadlineExtended { until, .. } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET acceptance_deadline = $3, status = 'requested', \
                     updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(until)).await?;
            }
            E::SubscriptionCancelled { .. } => status(conn, id, at, "cancelled").await?,
            E::CancellationScheduled { effective_at, .. } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET cancel_at_period_end = true, cancel_effective_at = $3, \
                     updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(effective_at)).await?;
            }
            E::PeriodRenewed {
                amount,
                period_start,
                period_end,
                ..
            } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET escrow = escrow + $3, period_start = $4, period_end = $5, \
                     status = 'active', updated_at = $2 WHERE id = $1",
                );
                let q = q.bind(id).bind(at).bind(amount.amount());
                run(conn, id, q.bind(period_start).bind(period_end)).await?;
            }
            E::PastDue { .. } => status(conn, id, at, "past_due").await?,
            E::SubscriptionSuspended { .. } => status(conn, id, at, "suspended").await?,
            E::EscrowReleased { amount, .. } => release(conn, id, at, amount).await?,
            E::EscrowFrozen { complaint_id } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET frozen_by = $3, updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(complaint_id.as_uuid())).await?;
            }
            E::ComplaintSettled {
                to_client,
                to_provider,
                ..
            } => {
                release(conn, id, at, to_client).await?;
                release(conn, id, at, to_provider).await?;
                let q = sqlx::query("UPDATE subscriptions SET frozen_by = NULL WHERE id = $1");
                run(conn, id, q.bind(id)).await?;
            }
            E::SubscriptionCompleted { .. } => status(conn, id, at, "completed").await?,
            // Admin controls. A request assigned to a provider is followed by
            // its `SubscriptionAccepted`, which makes it active.
            E::SubscriptionReassigned { to, .. } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET provider_id = $3, updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(to.as_uuid())).await?;
            }
            E::SubscriptionCancelledByAdmin { .. } => status(conn, id, at, "cancelled").await?,
            E::AcceptanceDeadlineExtendedByAdmin { until, .. } => {
                let q = sqlx::query(
                    "UPDATE subscriptions SET acceptance_deadline = $3, status = 'requested', \
                     updated_at = $2 WHERE id = $1",
                );
                run(conn, id, q.bind(id).bind(at).bind(until)).await?;
            }
        }
        // The query below only builds the change for live readers.
        let Some(changes) = changes else {
            return Ok(());
        };
        let row: (Uuid, Option<Uuid>, String, String) = sqlx::query_as(
            "SELECT client_id, provider_id, service_type, status FROM subscriptions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ProjectionError::MissingRow {
            what: "subscription",
            id: id.to_string(),
        })?;
        changes.push(Change::Subscription {
            id,
            client_id: row.0,
            provider_id: row.1,
            service_type: row.2,
            status: row.3,
        });
        Ok(())
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

async fn run(conn: &mut PgConnection, id: Uuid, q: Query<'_>) -> Result<(), ProjectionError> {
    let r = q.execute(conn).await?;
    expect_row(r, "subscription", id)
}

async fn status(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    status: &str,
) -> Result<(), ProjectionError> {
    let q = sqlx::query("UPDATE subscriptions SET status = $3, updated_at = $2 WHERE id = $1");
    run(conn, id, q.bind(id).bind(at).bind(status)).await
}

/// As the aggregate does: a release larger than the escrow leaves it as it is.
async fn release(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    amount: Money,
) -> Result<(), ProjectionError> {
    let q = sqlx::query(
        "UPDATE subscriptions SET escrow = CASE WHEN escrow >= $3 THEN escrow - $3 ELSE escrow END, \
         updated_at = $2 WHERE id = $1",
    );
    run(conn, id, q.bind(id).bind(at).bind(amount.amount())).await
}

fn plan_str(plan: domain::Plan) -> &'static str {
    match plan {
        domain::Plan::OneOff => "one_off",
        domain::Plan::Monthly => "monthly",
    }
}
