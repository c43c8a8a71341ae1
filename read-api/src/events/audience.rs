//! From a `hub_changes` payload to a [`Delivery`]: load the changed row
//! (the payload only names it) and decide who may see it.

use super::{Audience, Delivery};
use crate::model::{
    COMPLAINT_COLUMNS, Complaint, ComplaintRow, MESSAGE_COLUMNS, Message, ORDER_COLUMNS, Order,
    SUBSCRIPTION_COLUMNS, Subscription, SubscriptionRow,
};
use crate::money::Money;
use serde::Deserialize;
use serde::Serialize;
use sqlx::PgPool;
use std::collections::HashSet;
use uuid::Uuid;

/// What projections send: `{"kind": .., "id": .., ...hints}`; the hints are
/// ignored because the row is loaded anyway.
#[derive(Debug, Deserialize)]
struct Change {
    kind: String,
    id: Uuid,
}

/// Why a notification could not be turned into a delivery.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The payload is not the JSON projections send.
    #[error("malformed payload: {0}")]
    Payload(#[from] serde_json::Error),
    /// Loading the row failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn accounts(ids: impl IntoIterator<Item = Uuid>, admins: bool) -> Audience {
    Audience::Accounts {
        ids: ids.into_iter().collect::<HashSet<_>>(),
        admins,
    }
}

fn delivery(
    event: &'static str,
    data: &impl Serialize,
    audience: Audience,
) -> Result<Delivery, ResolveError> {
    Ok(Delivery {
        event,
        data: serde_json::to_string(data)?,
        audience,
    })
}

/// The deliveries for `payload`; none when there is nothing to push (an
/// unknown kind, or a row that is gone).
pub async fn resolve(pool: &PgPool, payload: &str) -> Result<Vec<Delivery>, ResolveError> {
    let change: Change = serde_json::from_str(payload)?;
    let one = match change.kind.as_str() {
        "subscription" => return subscription(pool, change.id).await,
        "order" => order(pool, change.id).await,
        "message" => message(pool, change.id).await,
        "wallet" => wallet(pool, change.id).await,
        "complaint" => return complaint(pool, change.id).await,
        "notification" => notification(pool, change.id).await,
        other => {
            tracing::debug!(kind = other, "hub_changes: nothing to push for this kind");
            Ok(None)
        }
    };
    one.map(|d| d.into_iter().collect())
}

/// The client, the winning provider, admins, and while requested every
/// provider of its service type who has not rejected it. Once it is taken
/// (or cancelled or expired before anyone took it), those other providers
/// get [`closed_request`] so it leaves their lists live; they never hear of
/// what the subscription does afterwards (renewals, past due, suspension…).
async fn subscription(pool: &PgPool, id: Uuid) -> Result<Vec<Delivery>, ResolveError> {
    let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM read.subscriptions WHERE id = $1");
    let Some(row): Option<SubscriptionRow> =
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    else {
        return Ok(Vec::new());
    };
    let sub = Subscription::from(row);
    let providers: Vec<Uuid> = sqlx::query_scalar(
        "SELECT a.account_id FROM read.accounts a, read.subscriptions s \
         WHERE s.id = $1 AND a.role = 'provider' AND s.service_type = ANY (a.service_types) \
           AND NOT (a.account_id = ANY (s.rejected_by))",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut parties = vec![sub.client_id];
    parties.extend(sub.provider_id);
    if sub.is_open() {
        parties.extend(providers);
        return Ok(vec![delivery(
            "subscription",
            &sub,
            accounts(parties, true),
        )?]);
    }
    let others: Vec<Uuid> = providers
        .into_iter()
        .filter(|p| Some(*p) != sub.provider_id)
        .collect();
    let mut deliveries = vec![delivery("subscription", &sub, accounts(parties, true))?];
    if let Some(gone) = closed_request(&sub)
        && !others.is_empty()
    {
        deliveries.push(delivery("subscription", &gone, accounts(others, false))?);
    }
    Ok(deliveries)
}

/// What a provider who could have taken a request learns once it closed:
/// that it is no longer open, and nothing it could not see while it was
/// (not who took it, its escrow, periods or charges). `None` for the states
/// a request never closes into (past due, suspended, completed, or a
/// cancellation after acceptance): those are the parties' business only.
/// A projection's notification names the state after a change, not the one
/// before, so a taken subscription that stays active (a renewal) sends the
/// same tombstone again; it tells nothing new.
fn closed_request(sub: &Subscription) -> Option<Subscription> {
    let closes = matches!(
        (sub.provider_id, sub.status.as_str()),
        (Some(_), "active") | (None, "cancelled" | "expired")
    );
    let zero = Money::new(rust_decimal::Decimal::ZERO, &sub.price.currency);
    closes.then(|| Subscription {
        provider_id: None,
        escrow: zero,
        period_start: None,
        period_end: None,
        next_charge_at: None,
        next_charge: None,
        cancellation_scheduled: false,
        cancel_effective_at: None,
        acceptance_deadline: None,
        ..sub.clone()
    })
}

/// The order's client and provider, admins.
async fn order(pool: &PgPool, id: Uuid) -> Result<Option<Delivery>, ResolveError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM read.orders WHERE id = $1");
    let Some(order): Option<Order> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    else {
        return Ok(None);
    };
    let audience = accounts([order.client_id, order.provider_id], true);
    delivery("order", &order, audience).map(Some)
}

/// The order's client and provider, admins.
async fn message(pool: &PgPool, id: Uuid) -> Result<Option<Delivery>, ResolveError> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM read.order_messages WHERE message_id = $1");
    let Some(msg): Option<Message> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    else {
        return Ok(None);
    };
    let parties: Option<(Uuid, Uuid)> =
        sqlx::query_as("SELECT client_id, provider_id FROM read.orders WHERE id = $1")
            .bind(msg.order_id)
            .fetch_optional(pool)
            .await?;
    let Some((client, provider)) = parties else {
        tracing::warn!(message.id = %id, order.id = %msg.order_id, "hub_changes: message of an unknown order");
        return Ok(None);
    };
    delivery("message", &msg, accounts([client, provider], true)).map(Some)
}

/// Its account only.
async fn notification(pool: &PgPool, id: Uuid) -> Result<Option<Delivery>, ResolveError> {
    let sql = format!(
        "SELECT account_id, {} FROM notifications WHERE id = $1",
        crate::model::NOTIFICATION_COLUMNS
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        account_id: Uuid,
        #[sqlx(flatten)]
        notification: crate::model::Notification,
    }
    let Some(row): Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await? else {
        return Ok(None);
    };
    delivery(
        "notification",
        &row.notification,
        accounts([row.account_id], false),
    )
    .map(Some)
}

/// The owner only.
async fn wallet(pool: &PgPool, owner: Uuid) -> Result<Option<Delivery>, ResolveError> {
    let wallet = crate::routes::wallet::load(pool, owner).await?;
    delivery("wallet", &wallet, accounts([owner], false)).map(Some)
}

/// Admins get the whole complaint; the order's client and provider get it
/// without the admins' notes and reviewer ([`Complaint::for_party`]), as
/// their REST routes answer it.
async fn complaint(pool: &PgPool, id: Uuid) -> Result<Vec<Delivery>, ResolveError> {
    let sql = format!("SELECT {COMPLAINT_COLUMNS} FROM read.complaints WHERE id = $1");
    let Some(row): Option<ComplaintRow> =
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    else {
        return Ok(Vec::new());
    };
    let c = Complaint::from(row);
    let parties = accounts([c.client_id, c.provider_id], false);
    Ok(vec![
        delivery("complaint", &c, accounts([], true))?,
        delivery("complaint", &c.for_party(), parties)?,
    ])
}
