//! The complaint's state and its rules.

use super::{ComplaintCommand, ComplaintError, ComplaintEvent, OrderFacts};
use crate::{AccountId, Actor, ComplaintId, Money, OrderId, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

const REASON_CHARS: RangeInclusive<usize> = 10..=4_000;
const NOTE_CHARS: RangeInclusive<usize> = 1..=4_000;

/// Where a complaint is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Waiting for an admin.
    Filed,
    /// An admin is looking into it.
    InReview,
    /// An admin split the escrow; final.
    Resolved,
    /// The filer took it back; final.
    Withdrawn,
}

/// A complaint about an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Complaint {
    id: ComplaintId,
    status: Option<ComplaintStatus>,
    order_id: OrderId,
    subscription_id: SubscriptionId,
    client: AccountId,
    provider: AccountId,
    filed_by: Option<Actor>,
    reviewer: Option<AccountId>,
    notes_count: u64,
}

impl Complaint {
    /// The complaint's id; nil before filing.
    pub fn id(&self) -> ComplaintId {
        self.id
    }
    /// The status, or `None` before filing.
    pub fn status(&self) -> Option<ComplaintStatus> {
        self.status
    }
    /// The order complained about; nil before filing.
    pub fn order_id(&self) -> OrderId {
        self.order_id
    }
    /// The subscription whose escrow is frozen; nil before filing.
    pub fn subscription_id(&self) -> SubscriptionId {
        self.subscription_id
    }
    /// The order's client; nil before filing.
    pub fn client(&self) -> AccountId {
        self.client
    }
    /// The order's provider; nil before filing.
    pub fn provider(&self) -> AccountId {
        self.provider
    }
    /// Who filed it and in which role.
    pub fn filed_by(&self) -> Option<Actor> {
        self.filed_by
    }
    /// The admin who took it into review, if any.
    pub fn reviewer(&self) -> Option<AccountId> {
        self.reviewer
    }
    /// How many notes admins added.
    pub fn notes_count(&self) -> u64 {
        self.notes_count
    }

    fn existing_status(&self) -> Result<ComplaintStatus, ComplaintError> {
        self.status.ok_or(ComplaintError::NotFound)
    }

    /// The status when the complaint is still open, the matching error when it is closed.
    fn open_status(&self) -> Result<ComplaintStatus, ComplaintError> {
        match self.existing_status()? {
            ComplaintStatus::Resolved => Err(ComplaintError::Resolved),
            ComplaintStatus::Withdrawn => Err(ComplaintError::Withdrawn),
            open => Ok(open),
        }
    }

    fn file(
        &self,
        actor: Actor,
        complaint_id: ComplaintId,
        order: OrderFacts,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<ComplaintEvent, ComplaintError> {
        if self.status.is_some() {
            return Err(ComplaintError::AlreadyExists);
        }
        let party = match actor.role {
            Role::Client => actor.id == order.client,
            Role::Provider => actor.id == order.provider,
            Role::Admin | Role::Auditor => false,
        };
        if !party {
            return Err(ComplaintError::NotOrderParty);
        }
        let reason = bounded_text(reason, REASON_CHARS).ok_or(ComplaintError::InvalidReason)?;
        Ok(ComplaintEvent::ComplaintFiled {
            complaint_id,
            order_id: order.order_id,
            subscription_id: order.subscription_id,
            client: order.client,
            provider: order.provider,
            filed_by: actor.id,
            role: actor.role,
            reason,
            at,
        })
    }

    fn take_into_review(
        &self,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<ComplaintEvent, ComplaintError> {
        self.existing_status()?;
        if !actor.is_admin() {
            return Err(ComplaintError::AdminOnly);
        }
        if self.open_status()? == ComplaintStatus::InReview {
            return Err(ComplaintError::AlreadyInReview);
        }
        Ok(ComplaintEvent::ComplaintTakenIntoReview {
            admin: actor.id,
            at,
        })
    }

    fn add_note(
        &self,
        actor: Actor,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<ComplaintEvent, ComplaintError> {
        self.existing_status()?;
        if !actor.is_admin() {
            return Err(ComplaintError::AdminOnly);
        }
        self.open_status()?;
        let text = bounded_text(text, NOTE_CHARS).ok_or(ComplaintError::InvalidNote)?;
        Ok(ComplaintEvent::ComplaintNoteAdded {
            admin: actor.id,
            text,
            at,
        })
    }

    fn resolve(
        &self,
        actor: Actor,
        split: Split,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<ComplaintEvent, ComplaintError> {
        self.existing_status()?;
        if !actor.is_admin() {
            return Err(ComplaintError::AdminOnly);
        }
        self.open_status()?;
        let note = bounded_text(note, NOTE_CHARS).ok_or(ComplaintError::InvalidNote)?;
        split.check()?;
        Ok(ComplaintEvent::ComplaintResolved {
            admin: actor.id,
            to_client: split.to_client,
            to_provider: split.to_provider,
            note,
            at,
        })
    }

    fn withdraw(&self, actor: Actor, at: DateTime<Utc>) -> Result<ComplaintEvent, ComplaintError> {
        self.existing_status()?;
        if self.filed_by != Some(actor) {
            return Err(ComplaintError::NotFiler);
        }
        self.open_status()?;
        Ok(ComplaintEvent::ComplaintWithdrawn { by: actor.id, at })
    }
}

/// An admin's split of the escrow, with what the escrow holds.
struct Split {
    to_client: Money,
    to_provider: Money,
    escrow_available: Money,
}

impl Split {
    /// Money is never negative by construction; what is left is that the split
    /// stays in one currency and never hands out more than the escrow holds.
    fn check(&self) -> Result<(), ComplaintError> {
        let currency = self.escrow_available.currency();
        if self.to_client.currency() != currency || self.to_provider.currency() != currency {
            return Err(ComplaintError::CurrencyMismatch);
        }
        // The only other failure of the sum is passing Money's maximum, which
        // no escrow reaches, so it too means the split is too large.
        let total = self
            .to_client
            .checked_add(self.to_provider)
            .map_err(|_| ComplaintError::SplitExceedsEscrow)?;
        if total.amount() > self.escrow_available.amount() {
            return Err(ComplaintError::SplitExceedsEscrow);
        }
        Ok(())
    }
}

/// The trimmed text when its length in characters is within `chars`.
fn bounded_text(text: &str, chars: RangeInclusive<usize>) -> Option<String> {
    let trimmed = text.trim();
    chars
        .contains(&trimmed.chars().count())
        .then(|| trimmed.to_owned())
}

impl Aggregate for Complaint {
    const TYPE: &'static str = "Complaint";
    type Command = ComplaintCommand;
    type Event = ComplaintEvent;
    type Error = ComplaintError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            ComplaintCommand::File {
                actor,
                complaint_id,
                order,
                reason,
                at,
            } => self.file(actor, complaint_id, order, &reason, at)?,
            ComplaintCommand::TakeIntoReview { actor, at } => self.take_into_review(actor, at)?,
            ComplaintCommand::AddNote { actor, text, at } => self.add_note(actor, &text, at)?,
            ComplaintCommand::Resolve {
                actor,
                to_client,
                to_provider,
                escrow_available,
                note,
                at,
            } => {
                let split = Split {
                    to_client,
                    to_provider,
                    escrow_available,
                };
                self.resolve(actor, split, &note, at)?
            }
            ComplaintCommand::Withdraw { actor, at } => self.withdraw(actor, at)?,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ComplaintEvent::ComplaintFiled {
                complaint_id,
                order_id,
                subscription_id,
                client,
                provider,
                filed_by,
                role,
                ..
            } => {
                self.id = complaint_id;
                self.status = Some(ComplaintStatus::Filed);
                self.order_id = order_id;
                self.subscription_id = subscription_id;
                self.client = client;
                self.provider = provider;
                self.filed_by = Some(Actor::new(filed_by, role));
            }
            ComplaintEvent::ComplaintTakenIntoReview { admin, .. } => {
                self.status = Some(ComplaintStatus::InReview);
                self.reviewer = Some(admin);
            }
            ComplaintEvent::ComplaintNoteAdded { .. } => self.notes_count += 1,
            ComplaintEvent::ComplaintResolved { .. } => {
                self.status = Some(ComplaintStatus::Resolved);
            }
            ComplaintEvent::ComplaintWithdrawn { .. } => {
                self.status = Some(ComplaintStatus::Withdrawn);
            }
        }
    }
}
