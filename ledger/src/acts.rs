//! Closing documents (акты): one for each escrow release that pays a
//! provider for a completed one-off job or an ended monthly period, issued
//! by the ledger in the same transaction as the release's postings, so the
//! numbers follow commit order without gaps and a rebuild gives the same.

use crate::follower::LedgerError;
use crate::tables::Tables;
use chrono::{DateTime, Datelike, Utc};
use cqrs_es::Aggregate;
use domain::subscription::{EscrowParty, Subscription, SubscriptionEvent};
use domain::{AccountId, Plan, SubscriptionId};
use rust_decimal::Decimal;
use sqlx::PgConnection;

/// An escrow release seen in a batch.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub subscription_id: SubscriptionId,
    pub tx_id: i64,
    pub sequence: i64,
    pub to: EscrowParty,
    pub recipient: Option<AccountId>,
    pub amount: Decimal,
    pub currency: String,
    pub at: DateTime<Utc>,
}

/// The subscription as it stood before event `before`, by the domain's own `apply`.
async fn subscription_before(
    db: &mut PgConnection,
    id: SubscriptionId,
    before: i64,
) -> Result<Subscription, LedgerError> {
    let rows: Vec<(i64, serde_json::Value)> = sqlx::query_as(
        "SELECT sequence, payload FROM public.events \
         WHERE aggregate_type = 'Subscription' AND aggregate_id = $1 AND sequence < $2 \
         ORDER BY sequence",
    )
    .bind(id.to_string())
    .bind(before)
    .fetch_all(&mut *db)
    .await?;
    let mut sub = Subscription::default();
    for (sequence, payload) in rows {
        let event: SubscriptionEvent =
            serde_json::from_value(payload).map_err(|source| LedgerError::Payload {
                event_id: format!("Subscription:{id}:{sequence}"),
                source,
            })?;
        sub.apply(event);
    }
    Ok(sub)
}

/// Issues the documents of `releases` after `issued` earlier ones; returns
/// the new count.
pub(crate) async fn issue(
    db: &mut PgConnection,
    tables: &Tables,
    releases: &[Release],
    mut issued: i64,
) -> Result<i64, LedgerError> {
    for release in releases.iter().filter(|r| r.to == EscrowParty::Provider) {
        let fee: Decimal = releases
            .iter()
            .filter(|r| {
                r.to == EscrowParty::Platform
                    && r.subscription_id == release.subscription_id
                    && r.tx_id == release.tx_id
            })
            .map(|r| r.amount)
            .sum();
        let sub = subscription_before(db, release.subscription_id, release.sequence).await?;
        let (Some(client), Some(provider), Some(service), Some(plan)) = (
            sub.client(),
            release.recipient.or(sub.provider()),
            sub.service_type(),
            sub.plan(),
        ) else {
            tracing::warn!(subscription = %release.subscription_id, "release without terms; no document");
            continue;
        };
        issued += 1;
        let period_start = sub.period_start().unwrap_or(release.at);
        let period_end = match plan {
            Plan::Monthly => sub.period_end().unwrap_or(release.at),
            Plan::OneOff => release.at,
        };
        let document_id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("hub:act:{}:{}", release.subscription_id, release.sequence).as_bytes(),
        );
        let number = format!("{}-{issued:06}", release.at.year());
        sqlx::query(&format!(
            "INSERT INTO {} (document_id, number, issued_at, subscription_id, client_id, \
                             provider_id, service_type, plan, period_start, period_end, amount, \
                             fee, currency) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            tables.documents
        ))
        .bind(document_id)
        .bind(number)
        .bind(release.at)
        .bind(release.subscription_id.0)
        .bind(client.0)
        .bind(provider.0)
        .bind(service.as_str())
        .bind(match plan {
            Plan::OneOff => "one_off",
            Plan::Monthly => "monthly",
        })
        .bind(period_start)
        .bind(period_end)
        .bind(release.amount + fee)
        .bind(fee)
        .bind(&release.currency)
        .execute(&mut *db)
        .await?;
    }
    Ok(issued)
}
