//! From a payment id back to its top-up, read from the event store: the
//! `TopUpRequested` event (through the `events_top_up_payment` index) and,
//! after it in the same wallet, its outcome.

use domain::wallet::WalletEvent;
use domain::{AccountId, Money, TransferId};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// The `TopUpRequested` event whose derived payment id is `$1`. The
/// expression must stay exactly the index's, or PostgreSQL scans `events`.
pub(crate) const FIND_BY_PAYMENT: &str = "SELECT aggregate_id, sequence, payload::text \
     FROM events \
     WHERE aggregate_type = 'Wallet' AND event_type = 'TopUpRequested' \
       AND uuid_generate_v5('00a5dc87-fc64-4db4-85c4-2e62d2cde907'::uuid, \
                            payload -> 'TopUpRequested' ->> 'transfer_id') = $1 \
     LIMIT 1";

/// A requested top-up, as its payment sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopUpRef {
    /// The wallet's owner (its aggregate id).
    pub owner: AccountId,
    /// The top-up.
    pub transfer_id: TransferId,
    /// How much was asked.
    pub amount: Money,
    /// The request's sequence in the wallet: outcomes come after it.
    sequence: i64,
}

/// Where a payment stands, from the wallet's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Neither settled nor failed yet.
    Pending,
    /// The money is in the wallet.
    Settled,
    /// The payment failed; nothing moved.
    Failed,
}

/// Why a lookup failed (a fault: HTTP 500).
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// PostgreSQL failed.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// A stored event does not read back.
    #[error("stored TopUpRequested does not parse: {0}")]
    Corrupt(String),
}

/// The top-up paid by `payment_id`, if any.
pub async fn find_top_up(pool: &PgPool, payment_id: Uuid) -> Result<Option<TopUpRef>, LookupError> {
    let Some((aggregate_id, sequence, payload)) =
        sqlx::query_as::<_, (String, i64, String)>(FIND_BY_PAYMENT)
            .bind(payment_id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    match serde_json::from_str::<WalletEvent>(&payload) {
        Ok(WalletEvent::TopUpRequested {
            owner,
            transfer_id,
            amount,
        }) => Ok(Some(TopUpRef {
            owner,
            transfer_id,
            amount,
            sequence,
        })),
        Ok(other) => Err(LookupError::Corrupt(format!("{other:?} in {aggregate_id}"))),
        Err(e) => Err(LookupError::Corrupt(format!("{e} in {aggregate_id}"))),
    }
}

/// The top-up's outcome: the first `TopUpSettled` or `TopUpFailed` of its
/// transfer after the request, in the owner's wallet (a primary-key range).
pub async fn status_of(pool: &PgPool, top_up: &TopUpRef) -> Result<PaymentStatus, LookupError> {
    let outcome: Option<String> = sqlx::query_scalar(
        "SELECT event_type FROM events \
         WHERE aggregate_type = 'Wallet' AND aggregate_id = $1 AND sequence > $2 \
           AND event_type IN ('TopUpSettled', 'TopUpFailed') \
           AND payload -> event_type ->> 'transfer_id' = $3 \
         ORDER BY sequence LIMIT 1",
    )
    .bind(top_up.owner.to_string())
    .bind(top_up.sequence)
    .bind(top_up.transfer_id.0.to_string())
    .fetch_optional(pool)
    .await?;
    Ok(match outcome.as_deref() {
        Some("TopUpSettled") => PaymentStatus::Settled,
        Some(_) => PaymentStatus::Failed,
        None => PaymentStatus::Pending,
    })
}
