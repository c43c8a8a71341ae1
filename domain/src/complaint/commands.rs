//! What callers ask of a complaint. Each command carries the facts the
//! complaint needs to decide, looked up by the caller beforehand.

use crate::{AccountId, Actor, ComplaintId, Money, OrderId, SubscriptionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The order a complaint is about, as the caller found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFacts {
    /// The order.
    pub order_id: OrderId,
    /// The subscription it lives in, whose escrow the resolution splits.
    pub subscription_id: SubscriptionId,
    /// The order's client.
    pub client: AccountId,
    /// The order's provider.
    pub provider: AccountId,
}

/// A command to the [`Complaint`](super::Complaint) aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ComplaintCommand {
    /// The order's client or provider complains.
    File {
        /// Who complains.
        actor: Actor,
        /// The new complaint's id (the aggregate id).
        complaint_id: ComplaintId,
        /// The order as the caller found it.
        order: OrderFacts,
        /// 10 to 4000 characters after trimming.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin starts looking into the complaint.
    TakeIntoReview {
        /// The admin.
        actor: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin records a finding.
    AddNote {
        /// The admin.
        actor: Actor,
        /// 1 to 4000 characters after trimming.
        text: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin decides how the frozen escrow is split.
    Resolve {
        /// The admin.
        actor: Actor,
        /// Returned to the client's wallet.
        to_client: Money,
        /// Paid to the provider's wallet.
        to_provider: Money,
        /// What the subscription's escrow holds, looked up by the caller.
        escrow_available: Money,
        /// The reasoning, 1 to 4000 characters after trimming.
        note: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The one who filed the complaint takes it back.
    Withdraw {
        /// Who asks; must be the filer.
        actor: Actor,
        /// When.
        at: DateTime<Utc>,
    },
}
