//! What happened to a subscription. Variant names are stored event types: never rename them.

use crate::{AccountId, ComplaintId, Money, Plan, ServiceType, SubscriptionId, TransferId};
use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

/// Who receives money released from an escrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscrowParty {
    /// The client, as a refund.
    Client,
    /// The provider, as earnings.
    Provider,
    /// The platform, as its commission (`platform:fees`).
    Platform,
}

/// An event of a [`super::Subscription`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SubscriptionEvent {
    /// A client asked for a service type.
    SubscriptionRequested {
        /// The subscription.
        subscription_id: SubscriptionId,
        /// The client.
        client: AccountId,
        /// What is asked for.
        service_type: ServiceType,
        /// One-off or monthly.
        plan: Plan,
        /// What the client needs.
        description: String,
        /// Price of one job or one month.
        price: Money,
        /// When the request expires unaccepted.
        acceptance_deadline: DateTime<Utc>,
        /// When.
        requested_at: DateTime<Utc>,
    },
    /// wallet → escrow.
    EscrowFunded {
        /// The transfer.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
    },
    /// A provider won the request.
    SubscriptionAccepted {
        /// The provider.
        provider: AccountId,
        /// When; also the start of the first period.
        period_start: DateTime<Utc>,
        /// Monthly: one calendar month later; one-off: none.
        period_end: Option<DateTime<Utc>>,
    },
    /// A provider declined.
    RequestRejected {
        /// The provider.
        provider: AccountId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Nobody accepted before the deadline. Nothing moves: the escrow keeps
    /// the price and the client chooses to wait, extend or cancel.
    AcceptanceDeadlinePassed {
        /// When it was noticed.
        at: DateTime<Utc>,
    },
    /// The client (or an admin) moved the deadline, or chose to wait
    /// without one; the request is open again.
    AcceptanceDeadlineExtended {
        /// Who chose.
        by: AccountId,
        /// The new deadline; `None` to wait without one.
        until: Option<DateTime<Utc>>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Cancelled with immediate effect.
    SubscriptionCancelled {
        /// Who cancelled (the client or an admin).
        by: AccountId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Cancelled at the end of the current period.
    CancellationScheduled {
        /// Who cancelled.
        by: AccountId,
        /// When asked.
        at: DateTime<Utc>,
        /// When it ends.
        effective_at: DateTime<Utc>,
    },
    /// wallet → escrow for the next month.
    PeriodRenewed {
        /// The transfer.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
        /// The new period's start (the previous one's end).
        period_start: DateTime<Utc>,
        /// One calendar month later.
        period_end: DateTime<Utc>,
    },
    /// The renewal could not be paid.
    PastDue {
        /// When.
        at: DateTime<Utc>,
    },
    /// Stopped for non-payment.
    SubscriptionSuspended {
        /// When.
        at: DateTime<Utc>,
    },
    /// escrow → a wallet or the platform.
    EscrowReleased {
        /// The transfer.
        transfer_id: TransferId,
        /// Who gets it.
        to: EscrowParty,
        /// The receiving account (none for the platform).
        recipient: Option<AccountId>,
        /// How much.
        amount: Money,
    },
    /// A complaint froze the escrow.
    EscrowFrozen {
        /// The complaint.
        complaint_id: ComplaintId,
    },
    /// An admin split (part of) the escrow; it is unfrozen.
    ComplaintSettled {
        /// The complaint.
        complaint_id: ComplaintId,
        /// The transfer.
        transfer_id: TransferId,
        /// The client's account.
        client: AccountId,
        /// The provider's account.
        provider: AccountId,
        /// escrow → client.
        to_client: Money,
        /// escrow → provider.
        to_provider: Money,
    },
    /// Done: the one-off job finished, or the last monthly period ended.
    SubscriptionCompleted {
        /// When.
        at: DateTime<Utc>,
    },
    // Admin controls: each names the admin who acted and why.
    /// An admin gave the subscription to another provider. `from: None`
    /// assigns a request nobody accepted yet: a `SubscriptionAccepted` in
    /// `to`'s name follows in the same commit, so it runs as if `to` had
    /// accepted. Otherwise `to` takes over from `from`: its future orders,
    /// its open orders (each gets an `OrderReassigned` in the same commit)
    /// and whatever of the escrow is released to a provider from now on.
    SubscriptionReassigned {
        /// The provider who held it; `None` for a request.
        from: Option<AccountId>,
        /// The provider who holds it now.
        to: AccountId,
        /// The admin.
        admin: AccountId,
        /// Why, 1 to 1000 characters.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin cancelled with immediate effect, whatever the plan or
    /// period; an `EscrowReleased` to the client of everything the escrow
    /// held follows in the same commit, and each open order gets an
    /// `OrderCancelled`.
    SubscriptionCancelledByAdmin {
        /// The admin.
        admin: AccountId,
        /// Why, 1 to 1000 characters.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin moved a request's acceptance deadline; the request is open again.
    AcceptanceDeadlineExtendedByAdmin {
        /// The admin.
        admin: AccountId,
        /// The new deadline.
        until: DateTime<Utc>,
        /// Why, 1 to 1000 characters.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl SubscriptionEvent {
    /// The transfer this event moves money in, if it moves money.
    pub fn transfer_id(&self) -> Option<TransferId> {
        match self {
            SubscriptionEvent::EscrowFunded { transfer_id, .. }
            | SubscriptionEvent::PeriodRenewed { transfer_id, .. }
            | SubscriptionEvent::EscrowReleased { transfer_id, .. }
            | SubscriptionEvent::ComplaintSettled { transfer_id, .. } => Some(*transfer_id),
            _ => None,
        }
    }
}

impl DomainEvent for SubscriptionEvent {
    fn event_type(&self) -> String {
        match self {
            SubscriptionEvent::SubscriptionRequested { .. } => "SubscriptionRequested",
            SubscriptionEvent::EscrowFunded { .. } => "EscrowFunded",
            SubscriptionEvent::SubscriptionAccepted { .. } => "SubscriptionAccepted",
            SubscriptionEvent::RequestRejected { .. } => "RequestRejected",
            SubscriptionEvent::AcceptanceDeadlinePassed { .. } => "AcceptanceDeadlinePassed",
            SubscriptionEvent::AcceptanceDeadlineExtended { .. } => "AcceptanceDeadlineExtended",
            SubscriptionEvent::SubscriptionCancelled { .. } => "SubscriptionCancelled",
            SubscriptionEvent::CancellationScheduled { .. } => "CancellationScheduled",
            SubscriptionEvent::PeriodRenewed { .. } => "PeriodRenewed",
            SubscriptionEvent::PastDue { .. } => "PastDue",
            SubscriptionEvent::SubscriptionSuspended { .. } => "SubscriptionSuspended",
            SubscriptionEvent::EscrowReleased { .. } => "EscrowReleased",
            SubscriptionEvent::EscrowFrozen { .. } => "EscrowFrozen",
            SubscriptionEvent::ComplaintSettled { .. } => "ComplaintSettled",
            SubscriptionEvent::SubscriptionCompleted { .. } => "SubscriptionCompleted",
            SubscriptionEvent::SubscriptionReassigned { .. } => "SubscriptionReassigned",
            SubscriptionEvent::SubscriptionCancelledByAdmin { .. } => {
                "SubscriptionCancelledByAdmin"
            }
            SubscriptionEvent::AcceptanceDeadlineExtendedByAdmin { .. } => {
                "AcceptanceDeadlineExtendedByAdmin"
            }
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}
