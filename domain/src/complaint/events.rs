//! What happened to a complaint. Variant names are the stored event types and never change.

use crate::{AccountId, ComplaintId, Money, OrderId, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

/// An event of the [`Complaint`](super::Complaint) aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ComplaintEvent {
    /// A party of the order complained; the order and its escrow freeze.
    ComplaintFiled {
        /// The complaint.
        complaint_id: ComplaintId,
        /// The order complained about.
        order_id: OrderId,
        /// The subscription whose escrow freezes.
        subscription_id: SubscriptionId,
        /// The order's client.
        client: AccountId,
        /// The order's provider.
        provider: AccountId,
        /// Who complained.
        filed_by: AccountId,
        /// In which capacity: client or provider.
        role: Role,
        /// Trimmed reason.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin started the review.
    ComplaintTakenIntoReview {
        /// The admin.
        admin: AccountId,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin recorded a finding.
    ComplaintNoteAdded {
        /// The admin.
        admin: AccountId,
        /// Trimmed text.
        text: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An admin split the escrow; the money process manager moves it.
    ComplaintResolved {
        /// The admin.
        admin: AccountId,
        /// Returned to the client.
        to_client: Money,
        /// Paid to the provider.
        to_provider: Money,
        /// Trimmed reasoning.
        note: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The filer took the complaint back.
    ComplaintWithdrawn {
        /// The filer.
        by: AccountId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for ComplaintEvent {
    fn event_type(&self) -> String {
        match self {
            ComplaintEvent::ComplaintFiled { .. } => "ComplaintFiled",
            ComplaintEvent::ComplaintTakenIntoReview { .. } => "ComplaintTakenIntoReview",
            ComplaintEvent::ComplaintNoteAdded { .. } => "ComplaintNoteAdded",
            ComplaintEvent::ComplaintResolved { .. } => "ComplaintResolved",
            ComplaintEvent::ComplaintWithdrawn { .. } => "ComplaintWithdrawn",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}
