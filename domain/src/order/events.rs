//! What happened to an order. Variant names are the stored event types and never change.

use super::AttachmentType;
use crate::{AccountId, AttachmentId, ComplaintId, MessageId, OrderId, Plan, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

/// An event of the [`Order`](super::Order) aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    /// The client opened the order inside an active subscription.
    OrderCreated {
        /// The order.
        order_id: OrderId,
        /// The subscription it lives in.
        subscription_id: SubscriptionId,
        /// The subscription's client.
        client: AccountId,
        /// The subscription's provider.
        provider: AccountId,
        /// The subscription's plan, so a one-off completion can release its escrow.
        plan: Plan,
        /// Trimmed title.
        title: String,
        /// Trimmed details.
        details: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The provider took the order into work.
    OrderTaken {
        /// The provider who took it.
        provider: AccountId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A chat message.
    MessagePosted {
        /// The caller-chosen id that makes a retried post a no-op.
        message_id: MessageId,
        /// Who wrote it.
        author: AccountId,
        /// In which capacity: client, provider or admin.
        author_role: Role,
        /// Trimmed text.
        text: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// A file posted into the chat: a chat message whose body is the file
    /// (stored beforehand under `attachment_id`) with an optional caption.
    AttachmentPosted {
        /// The caller-chosen id that makes a retried post a no-op.
        message_id: MessageId,
        /// Where the file's bytes are stored.
        attachment_id: AttachmentId,
        /// Who posted it.
        author: AccountId,
        /// In which capacity: client, provider or admin.
        author_role: Role,
        /// The file name to offer on download (no path).
        name: String,
        /// The kind told from the file's bytes.
        content_type: AttachmentType,
        /// Size in bytes.
        size: u64,
        /// Trimmed caption; empty when none.
        caption: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// One side said the work is done.
    OrderMarkedDone {
        /// Which side: client or provider.
        by: Role,
        /// When.
        at: DateTime<Utc>,
    },
    /// Both sides said the work is done.
    OrderCompleted {
        /// The subscription, for the process manager that releases escrow.
        subscription_id: SubscriptionId,
        /// The subscription's plan: a one-off completion ends the subscription.
        plan: Plan,
        /// When.
        at: DateTime<Utc>,
    },
    /// A complaint froze the order.
    OrderFrozen {
        /// The complaint.
        complaint_id: ComplaintId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The complaint closed and the order thawed.
    OrderUnfrozen {
        /// The complaint.
        complaint_id: ComplaintId,
        /// When.
        at: DateTime<Utc>,
    },
    // Admin controls: each names the admin who acted and why.
    /// An admin moved the order to another provider, with its subscription
    /// (`SubscriptionReassigned` in the same commit). The order waits for the
    /// new provider to take it into work; the old provider's "done" is
    /// forgotten, the client's stands.
    OrderReassigned {
        /// The provider who had it.
        from: AccountId,
        /// The provider who has it now.
        to: AccountId,
        /// The admin.
        admin: AccountId,
        /// Why, 1 to 1000 characters.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin cancelled the order with its subscription.
    OrderCancelled {
        /// The admin.
        admin: AccountId,
        /// Why, 1 to 1000 characters.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin completed the order as if both sides said done; an
    /// `OrderCompleted` follows in the same commit.
    OrderForceCompleted {
        /// The admin.
        admin: AccountId,
        /// Why, 1 to 1000 characters.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for OrderEvent {
    fn event_type(&self) -> String {
        match self {
            OrderEvent::OrderCreated { .. } => "OrderCreated",
            OrderEvent::OrderTaken { .. } => "OrderTaken",
            OrderEvent::MessagePosted { .. } => "MessagePosted",
            OrderEvent::AttachmentPosted { .. } => "AttachmentPosted",
            OrderEvent::OrderMarkedDone { .. } => "OrderMarkedDone",
            OrderEvent::OrderCompleted { .. } => "OrderCompleted",
            OrderEvent::OrderFrozen { .. } => "OrderFrozen",
            OrderEvent::OrderUnfrozen { .. } => "OrderUnfrozen",
            OrderEvent::OrderReassigned { .. } => "OrderReassigned",
            OrderEvent::OrderCancelled { .. } => "OrderCancelled",
            OrderEvent::OrderForceCompleted { .. } => "OrderForceCompleted",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}
