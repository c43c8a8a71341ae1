//! What callers ask of an order. Each command carries the facts the order
//! needs to decide, looked up by the caller beforehand.

use super::AttachmentType;
use crate::{
    AccountId, Actor, AttachmentId, ComplaintId, MessageId, OrderId, Plan, SubscriptionId,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The subscription an order is created in, as the caller found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionFacts {
    /// The subscription the order belongs to.
    pub subscription_id: SubscriptionId,
    /// The client who owns the subscription.
    pub client: AccountId,
    /// The provider whose accept won the request; `None` while nobody accepted.
    pub provider: Option<AccountId>,
    /// Whether the subscription is active (accepted, paid, not cancelled or suspended).
    pub active: bool,
    /// How the subscription is billed.
    pub plan: Plan,
}

/// A file the caller stored before posting it into the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentFacts {
    /// Where its bytes are.
    pub attachment_id: AttachmentId,
    /// The file name to offer on download: 1 to 255 characters after
    /// trimming, no path separators or control characters.
    pub name: String,
    /// The kind told from its bytes.
    pub content_type: AttachmentType,
    /// Size in bytes, at least 1.
    pub size: u64,
}

/// A command to the [`Order`](super::Order) aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderCommand {
    /// The subscription's client opens an order.
    Create {
        /// Who asks.
        actor: Actor,
        /// The new order's id (the aggregate id).
        order_id: OrderId,
        /// The subscription as the caller found it.
        subscription: SubscriptionFacts,
        /// 1 to 200 characters after trimming.
        title: String,
        /// Up to 10 000 characters after trimming.
        details: String,
        /// When the client asked.
        at: DateTime<Utc>,
    },
    /// The subscription's provider takes the order into work.
    Take {
        /// Who asks.
        actor: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// A message in the order's chat.
    PostMessage {
        /// The author: the order's client, its provider or an admin.
        actor: Actor,
        /// Chosen by the caller so a retried post is recognised and ignored.
        message_id: MessageId,
        /// 1 to 4000 characters after trimming.
        text: String,
        /// When it was posted.
        at: DateTime<Utc>,
    },
    /// A stored file posted into the order's chat, like a message.
    PostAttachment {
        /// The author: the order's client, its provider or an admin.
        actor: Actor,
        /// Chosen by the caller so a retried post is recognised and ignored.
        message_id: MessageId,
        /// The stored file.
        attachment: AttachmentFacts,
        /// Up to 4000 characters after trimming; may be empty.
        caption: String,
        /// When it was posted.
        at: DateTime<Utc>,
    },
    /// One side says the work is done; both sides saying so completes the order.
    MarkDone {
        /// The order's client or its provider.
        actor: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client did not answer the provider's "done" in time: the process
    /// manager says done on the client's behalf, which completes the order.
    AutoConfirm {
        /// When the confirmation period ran out.
        at: DateTime<Utc>,
    },
    /// A complaint about the order was filed (issued by a process manager).
    Freeze {
        /// The complaint that freezes the order.
        complaint_id: ComplaintId,
        /// When the complaint was filed.
        at: DateTime<Utc>,
    },
    /// The complaint was resolved or withdrawn (issued by a process manager).
    Unfreeze {
        /// The complaint that froze the order.
        complaint_id: ComplaintId,
        /// When the complaint closed.
        at: DateTime<Utc>,
    },
    // Admin controls.
    /// An admin moves the order to the provider its subscription was just
    /// reassigned to (issued with the subscription's `Reassign`).
    Reassign {
        /// The admin.
        actor: Actor,
        /// The subscription's new provider.
        to: AccountId,
        /// Why, 1 to 1000 characters after trimming.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin cancels the order with its subscription.
    Cancel {
        /// The admin.
        actor: Actor,
        /// Why, 1 to 1000 characters after trimming.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin completes the order as if both sides said done.
    ForceComplete {
        /// The admin.
        actor: Actor,
        /// Why, 1 to 1000 characters after trimming.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}
