//! What can be asked of a subscription.

use crate::{AccountId, Actor, ComplaintId, Money, Plan, ServiceType, SubscriptionId, TransferId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::EscrowParty;

/// A command to a [`super::Subscription`]. Money commands carry a transfer id;
/// one the subscription has already applied makes the command a no-op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SubscriptionCommand {
    /// A client asks for a service type.
    Request {
        /// The client.
        actor: Actor,
        /// The new subscription's id (the aggregate id).
        subscription_id: SubscriptionId,
        /// What is asked for (the caller checked it exists in the catalog).
        service_type: ServiceType,
        /// One-off or monthly.
        plan: Plan,
        /// What the client needs, 1..=4000 characters.
        description: String,
        /// The catalog price of one job or one month.
        price: Money,
        /// When the request expires if nobody accepted it.
        acceptance_deadline: DateTime<Utc>,
        /// Now.
        at: DateTime<Utc>,
    },
    /// A process manager moved money from the client's wallet into this escrow.
    FundEscrow {
        /// Shared with the wallet's `MoveToEscrow`.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
    },
    /// A provider takes the request; the first one wins.
    Accept {
        /// The provider.
        actor: Actor,
        /// The service types the provider handles, looked up by the caller.
        provider_service_types: Vec<ServiceType>,
        /// Now.
        at: DateTime<Utc>,
    },
    /// A provider declines the request; it is hidden from that provider only.
    Reject {
        /// The provider.
        actor: Actor,
        /// The service types the provider handles, looked up by the caller.
        provider_service_types: Vec<ServiceType>,
        /// Now.
        at: DateTime<Utc>,
    },
    /// The deadline poller: nobody accepted in time.
    MarkDeadlinePassed {
        /// Now.
        at: DateTime<Utc>,
    },
    /// The client (or an admin) answers a missed deadline: a new one, or
    /// `None` to keep waiting without one.
    ExtendDeadline {
        /// The client who owns it, or an admin.
        actor: Actor,
        /// The new deadline, after `at`; `None` to wait without one.
        until: Option<DateTime<Utc>>,
        /// Now.
        at: DateTime<Utc>,
    },
    /// The client (or an admin) cancels.
    Cancel {
        /// The client who owns it, or an admin.
        actor: Actor,
        /// Now.
        at: DateTime<Utc>,
    },
    /// A process manager paid the next month into escrow.
    RenewPeriod {
        /// Shared with the wallet's `MoveToEscrow`.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
        /// Now.
        at: DateTime<Utc>,
    },
    /// The renewal could not be paid.
    MarkPastDue {
        /// Now.
        at: DateTime<Utc>,
    },
    /// Past due for too long.
    Suspend {
        /// Now.
        at: DateTime<Utc>,
    },
    /// A process manager pays escrow out (earnings, platform fee or refund).
    ReleaseEscrow {
        /// Shared with the receiving wallet's `CreditFromEscrow`.
        transfer_id: TransferId,
        /// Who gets it.
        to: EscrowParty,
        /// How much; never more than held.
        amount: Money,
    },
    /// A complaint was opened: no money leaves until it is settled.
    FreezeEscrow {
        /// The complaint.
        complaint_id: ComplaintId,
    },
    /// An admin resolved the complaint by splitting (part of) the escrow.
    SettleComplaint {
        /// The complaint that froze the escrow.
        complaint_id: ComplaintId,
        /// Idempotency key of the split.
        transfer_id: TransferId,
        /// Back to the client.
        to_client: Money,
        /// To the provider.
        to_provider: Money,
    },
    /// A one-off job is done, or a monthly one reached the end of its last period.
    Complete {
        /// Now.
        at: DateTime<Utc>,
    },
    // Admin controls.
    /// An admin gives a request to a provider (as if it accepted) or moves
    /// an accepted subscription to another provider.
    Reassign {
        /// The admin.
        actor: Actor,
        /// The provider who takes it; the caller checked it is a provider
        /// and not blocked.
        to: AccountId,
        /// The service types `to` handles, looked up by the caller.
        to_service_types: Vec<ServiceType>,
        /// Why, 1 to 1000 characters after trimming.
        reason: String,
        /// Now.
        at: DateTime<Utc>,
    },
    /// An admin cancels at once and refunds the whole escrow to the client.
    AdminCancel {
        /// The admin.
        actor: Actor,
        /// Why, 1 to 1000 characters after trimming.
        reason: String,
        /// Now.
        at: DateTime<Utc>,
    },
    /// An admin moves a request's acceptance deadline.
    AdminExtendDeadline {
        /// The admin.
        actor: Actor,
        /// The new deadline, after `at`.
        until: DateTime<Utc>,
        /// Why, 1 to 1000 characters after trimming.
        reason: String,
        /// Now.
        at: DateTime<Utc>,
    },
}
