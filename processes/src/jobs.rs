//! What the scheduler runs: one variant per timed reaction. Each job's
//! dedupe key names the one thing it does, so scheduling it twice (a
//! redelivered event, two replicas) stores it once.

use chrono::{DateTime, Utc};
use domain::{AccountId, BankDetails, Money, OrderId, SubscriptionId, TransferId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Namespace of job ids: a job's id is UUID v5 of its dedupe key, so every
/// replica derives the same id and transfer ids derived from it agree.
const JOB_NAMESPACE: Uuid = Uuid::from_u128(0x6875_622d_6a6f_6273_0000_0000_0000_0001);

/// A payout as handed to the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// The wallet's owner.
    pub owner: AccountId,
    /// The withdrawal; the bank's idempotency key too.
    pub transfer_id: TransferId,
    /// How much.
    pub amount: Money,
    /// Where to.
    pub bank: BankDetails,
}

/// A timed reaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Nobody accepted the request in time → `MarkDeadlinePassed`.
    AcceptanceDeadline {
        /// The request.
        subscription_id: SubscriptionId,
        /// A deadline the client set later (the first one is absent), so
        /// each deadline is its own job.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extended_to: Option<DateTime<Utc>>,
    },
    /// A monthly period ends: release its escrow, then renew or end.
    PeriodEnd {
        /// The subscription.
        subscription_id: SubscriptionId,
        /// The end of the period (identifies it).
        period_end: DateTime<Utc>,
    },
    /// Another try at charging a past-due renewal.
    RenewalRetry {
        /// The subscription.
        subscription_id: SubscriptionId,
        /// The end of the period whose renewal failed.
        period_end: DateTime<Utc>,
        /// 1 for the first retry.
        attempt: u32,
    },
    /// The client did not answer the provider's "done" in time.
    AutoConfirm {
        /// The order.
        order_id: OrderId,
    },
    /// Ask the bank how a payout went.
    PayoutCheck {
        /// The payout.
        payout: Payout,
    },
    /// A top-up still unpaid when its payment expires is failed, so no
    /// request waits forever on a payer who walked away.
    TopUpExpiry {
        /// The wallet's owner.
        owner: AccountId,
        /// The top-up.
        transfer_id: TransferId,
    },
}

impl Job {
    /// The `kind` column (also the payload's tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Job::AcceptanceDeadline { .. } => "acceptance_deadline",
            Job::PeriodEnd { .. } => "period_end",
            Job::RenewalRetry { .. } => "renewal_retry",
            Job::AutoConfirm { .. } => "auto_confirm",
            Job::PayoutCheck { .. } => "payout_check",
            Job::TopUpExpiry { .. } => "top_up_expiry",
        }
    }

    /// What makes two schedulings of this job the same job.
    pub fn dedupe_key(&self) -> String {
        match self {
            Job::AcceptanceDeadline {
                subscription_id,
                extended_to: None,
            } => format!("deadline:{subscription_id}"),
            Job::AcceptanceDeadline {
                subscription_id,
                extended_to: Some(until),
            } => format!("deadline:{subscription_id}:{}", until.timestamp_millis()),
            Job::PeriodEnd {
                subscription_id,
                period_end,
            } => format!(
                "period-end:{subscription_id}:{}",
                period_end.timestamp_millis()
            ),
            Job::RenewalRetry {
                subscription_id,
                period_end,
                attempt,
            } => format!(
                "renewal-retry:{subscription_id}:{}:{attempt}",
                period_end.timestamp_millis()
            ),
            Job::AutoConfirm { order_id } => format!("auto-confirm:{order_id}"),
            Job::PayoutCheck { payout } => format!("payout-check:{}", payout.transfer_id),
            Job::TopUpExpiry { transfer_id, .. } => format!("top-up-expiry:{transfer_id}"),
        }
    }

    /// The job's id, derived from its dedupe key.
    pub fn id(&self) -> Uuid {
        Uuid::new_v5(&JOB_NAMESPACE, self.dedupe_key().as_bytes())
    }
}
