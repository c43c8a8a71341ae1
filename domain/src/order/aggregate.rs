//! The order's state and its rules.

use super::{AttachmentFacts, OrderCommand, OrderError, OrderEvent, SubscriptionFacts};
use crate::{AccountId, Actor, ComplaintId, MessageId, OrderId, Plan, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::ops::RangeInclusive;

mod admin;

const TITLE_CHARS: RangeInclusive<usize> = 1..=200;
const DETAILS_CHARS: RangeInclusive<usize> = 0..=10_000;
const MESSAGE_CHARS: RangeInclusive<usize> = 1..=4_000;
const CAPTION_CHARS: RangeInclusive<usize> = 0..=4_000;
const ATTACHMENT_NAME_CHARS: RangeInclusive<usize> = 1..=255;

/// How many recent message ids the order remembers to recognise a retried post.
/// A chat can run for years and the state is snapshotted, so remembering every
/// id would grow the snapshot without bound; retries come within seconds, long
/// before this many newer messages arrive.
pub(super) const REMEMBERED_MESSAGE_IDS: usize = 256;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Opened by the client, waiting for the provider.
    Created,
    /// Taken into work by the provider.
    InProgress,
    /// Both sides said the work is done.
    Completed,
    /// An admin cancelled it with its subscription.
    Cancelled,
}

/// An order inside a subscription. Chat texts are events only: the state keeps
/// counts and a bounded window of message ids, so snapshots stay small.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    id: OrderId,
    status: Option<OrderStatus>,
    subscription_id: SubscriptionId,
    client: AccountId,
    provider: AccountId,
    plan: Option<Plan>,
    frozen_by: Option<ComplaintId>,
    client_done: bool,
    provider_done: bool,
    messages_count: u64,
    recent_message_ids: VecDeque<MessageId>,
}

impl Order {
    /// The order's id; nil before creation.
    pub fn id(&self) -> OrderId {
        self.id
    }
    /// The status, or `None` before creation.
    pub fn status(&self) -> Option<OrderStatus> {
        self.status
    }
    /// The subscription's client; nil before creation.
    pub fn client(&self) -> AccountId {
        self.client
    }
    /// The subscription's provider; nil before creation.
    pub fn provider(&self) -> AccountId {
        self.provider
    }
    /// The subscription the order lives in; nil before creation.
    pub fn subscription_id(&self) -> SubscriptionId {
        self.subscription_id
    }
    /// True while an open complaint freezes the order.
    pub fn is_frozen(&self) -> bool {
        self.frozen_by.is_some()
    }
    /// The complaint that froze the order, if any.
    pub fn frozen_by(&self) -> Option<ComplaintId> {
        self.frozen_by
    }
    /// How many chat messages were posted.
    pub fn messages_count(&self) -> u64 {
        self.messages_count
    }
    /// The subscription's plan; `None` before creation.
    pub fn plan(&self) -> Option<Plan> {
        self.plan
    }
    /// True once the client said the work is done (or it was said for them).
    pub fn client_done(&self) -> bool {
        self.client_done
    }

    fn is_client(&self, actor: &Actor) -> bool {
        actor.role == Role::Client && actor.id == self.client
    }

    fn is_provider(&self, actor: &Actor) -> bool {
        actor.role == Role::Provider && actor.id == self.provider
    }

    fn existing_status(&self) -> Result<OrderStatus, OrderError> {
        self.status.ok_or(OrderError::NotFound)
    }

    fn create(
        &self,
        actor: Actor,
        order_id: OrderId,
        subscription: SubscriptionFacts,
        title: &str,
        details: &str,
        at: DateTime<Utc>,
    ) -> Result<OrderEvent, OrderError> {
        if self.status.is_some() {
            return Err(OrderError::AlreadyExists);
        }
        if actor.role != Role::Client || actor.id != subscription.client {
            return Err(OrderError::NotSubscriptionClient);
        }
        if !subscription.active {
            return Err(OrderError::SubscriptionNotActive);
        }
        let provider = subscription
            .provider
            .ok_or(OrderError::SubscriptionHasNoProvider)?;
        let title = bounded_text(title, TITLE_CHARS).ok_or(OrderError::InvalidTitle)?;
        let details = bounded_text(details, DETAILS_CHARS).ok_or(OrderError::InvalidDetails)?;
        Ok(OrderEvent::OrderCreated {
            order_id,
            subscription_id: subscription.subscription_id,
            client: subscription.client,
            provider,
            plan: subscription.plan,
            title,
            details,
            at,
        })
    }

    fn take(&self, actor: Actor, at: DateTime<Utc>) -> Result<OrderEvent, OrderError> {
        let status = self.existing_status()?;
        if !self.is_provider(&actor) {
            return Err(OrderError::NotOrderProvider);
        }
        match status {
            OrderStatus::Created => {}
            OrderStatus::InProgress => return Err(OrderError::AlreadyTaken),
            OrderStatus::Completed => return Err(OrderError::Completed),
            OrderStatus::Cancelled => return Err(OrderError::Cancelled),
        }
        if self.is_frozen() {
            return Err(OrderError::Frozen);
        }
        Ok(OrderEvent::OrderTaken {
            provider: actor.id,
            at,
        })
    }

    /// `Ok(None)` for a retried post that was already recorded.
    fn post_message(
        &self,
        actor: Actor,
        message_id: MessageId,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<OrderEvent>, OrderError> {
        if !self.may_post(&actor, message_id)? {
            return Ok(None);
        }
        let text = bounded_text(text, MESSAGE_CHARS).ok_or(OrderError::InvalidMessageText)?;
        Ok(Some(OrderEvent::MessagePosted {
            message_id,
            author: actor.id,
            author_role: actor.role,
            text,
            at,
        }))
    }

    /// Whether `actor` may post `message_id` into the chat: `Ok(false)` for
    /// a retried post that was already recorded.
    fn may_post(&self, actor: &Actor, message_id: MessageId) -> Result<bool, OrderError> {
        let status = self.existing_status()?;
        if !(self.is_client(actor) || self.is_provider(actor) || actor.is_admin()) {
            return Err(OrderError::NotParticipant);
        }
        if self.recent_message_ids.contains(&message_id) {
            return Ok(false);
        }
        // Admins may still write after completion: they guarantee delivery and
        // may need to follow up; the parties' conversation is over.
        if !actor.is_admin() {
            match status {
                OrderStatus::Completed => return Err(OrderError::Completed),
                OrderStatus::Cancelled => return Err(OrderError::Cancelled),
                OrderStatus::Created | OrderStatus::InProgress => {}
            }
        }
        Ok(true)
    }

    /// A stored file as a chat message; `Ok(None)` for a retried post.
    fn post_attachment(
        &self,
        actor: Actor,
        message_id: MessageId,
        attachment: AttachmentFacts,
        caption: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<OrderEvent>, OrderError> {
        if !self.may_post(&actor, message_id)? {
            return Ok(None);
        }
        let name = bounded_text(&attachment.name, ATTACHMENT_NAME_CHARS)
            .filter(|n| !n.chars().any(|c| c == '/' || c == '\\' || c.is_control()))
            .ok_or(OrderError::InvalidAttachmentName)?;
        let caption = bounded_text(caption, CAPTION_CHARS).ok_or(OrderError::InvalidCaption)?;
        if attachment.size == 0 {
            return Err(OrderError::EmptyAttachment);
        }
        Ok(Some(OrderEvent::AttachmentPosted {
            message_id,
            attachment_id: attachment.attachment_id,
            author: actor.id,
            author_role: actor.role,
            name,
            content_type: attachment.content_type,
            size: attachment.size,
            caption,
            at,
        }))
    }

    fn mark_done(&self, actor: Actor, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
        let status = self.existing_status()?;
        let by = if self.is_client(&actor) {
            Role::Client
        } else if self.is_provider(&actor) {
            Role::Provider
        } else {
            return Err(OrderError::NotParticipant);
        };
        match status {
            OrderStatus::Completed => return Err(OrderError::Completed),
            OrderStatus::Cancelled => return Err(OrderError::Cancelled),
            OrderStatus::Created | OrderStatus::InProgress => {}
        }
        if self.is_frozen() {
            return Err(OrderError::Frozen);
        }
        let (already, other_side_done) = match by {
            Role::Provider => {
                if status != OrderStatus::InProgress {
                    return Err(OrderError::NotInProgress);
                }
                (self.provider_done, self.client_done)
            }
            _ => (self.client_done, self.provider_done),
        };
        if already {
            return Err(OrderError::AlreadyMarkedDone);
        }
        let mut events = vec![OrderEvent::OrderMarkedDone { by, at }];
        if other_side_done {
            // Set together with the status, so an existing order always has it.
            let plan = self.plan.ok_or(OrderError::NotFound)?;
            events.push(OrderEvent::OrderCompleted {
                subscription_id: self.subscription_id,
                plan,
                at,
            });
        }
        Ok(events)
    }

    /// The client's "done" given by the process manager once the provider's
    /// "done" went unanswered; empty for a completed order (a redelivery).
    fn auto_confirm(&self, at: DateTime<Utc>) -> Result<Vec<OrderEvent>, OrderError> {
        match self.existing_status()? {
            OrderStatus::Completed | OrderStatus::Cancelled => return Ok(Vec::new()),
            OrderStatus::Created | OrderStatus::InProgress => {}
        }
        if self.is_frozen() {
            return Err(OrderError::Frozen);
        }
        if !self.provider_done {
            return Err(OrderError::NotMarkedDoneByProvider);
        }
        let plan = self.plan.ok_or(OrderError::NotFound)?;
        Ok(vec![
            OrderEvent::OrderMarkedDone {
                by: Role::Client,
                at,
            },
            OrderEvent::OrderCompleted {
                subscription_id: self.subscription_id,
                plan,
                at,
            },
        ])
    }

    /// True once the provider said the work is done.
    pub fn provider_done(&self) -> bool {
        self.provider_done
    }

    /// `Ok(None)` when this complaint already froze the order (a redelivery).
    fn freeze(
        &self,
        complaint_id: ComplaintId,
        at: DateTime<Utc>,
    ) -> Result<Option<OrderEvent>, OrderError> {
        if self.existing_status()? == OrderStatus::Cancelled {
            return Err(OrderError::Cancelled);
        }
        match self.frozen_by {
            Some(current) if current == complaint_id => Ok(None),
            Some(_) => Err(OrderError::FrozenByOtherComplaint),
            None => Ok(Some(OrderEvent::OrderFrozen { complaint_id, at })),
        }
    }

    /// `Ok(None)` when the order is not frozen (a redelivery after thawing).
    fn unfreeze(
        &self,
        complaint_id: ComplaintId,
        at: DateTime<Utc>,
    ) -> Result<Option<OrderEvent>, OrderError> {
        self.existing_status()?;
        match self.frozen_by {
            None => Ok(None),
            Some(current) if current == complaint_id => {
                Ok(Some(OrderEvent::OrderUnfrozen { complaint_id, at }))
            }
            Some(_) => Err(OrderError::FrozenByOtherComplaint),
        }
    }
}

/// The trimmed text when its length in characters is within `chars`.
fn bounded_text(text: &str, chars: RangeInclusive<usize>) -> Option<String> {
    let trimmed = text.trim();
    chars
        .contains(&trimmed.chars().count())
        .then(|| trimmed.to_owned())
}

impl Aggregate for Order {
    const TYPE: &'static str = "Order";
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let events = match command {
            OrderCommand::Create {
                actor,
                order_id,
                subscription,
                title,
                details,
                at,
            } => vec![self.create(actor, order_id, subscription, &title, &details, at)?],
            OrderCommand::Take { actor, at } => vec![self.take(actor, at)?],
            OrderCommand::PostMessage {
                actor,
                message_id,
                text,
                at,
            } => self
                .post_message(actor, message_id, &text, at)?
                .into_iter()
                .collect(),
            OrderCommand::PostAttachment {
                actor,
                message_id,
                attachment,
                caption,
                at,
            } => self
                .post_attachment(actor, message_id, attachment, &caption, at)?
                .into_iter()
                .collect(),
            OrderCommand::MarkDone { actor, at } => self.mark_done(actor, at)?,
            OrderCommand::AutoConfirm { at } => self.auto_confirm(at)?,
            OrderCommand::Freeze { complaint_id, at } => {
                self.freeze(complaint_id, at)?.into_iter().collect()
            }
            OrderCommand::Unfreeze { complaint_id, at } => {
                self.unfreeze(complaint_id, at)?.into_iter().collect()
            }
            OrderCommand::Reassign {
                actor,
                to,
                reason,
                at,
            } => self.reassign(&actor, to, &reason, at)?,
            OrderCommand::Cancel { actor, reason, at } => self.admin_cancel(&actor, &reason, at)?,
            OrderCommand::ForceComplete { actor, reason, at } => {
                self.force_complete(&actor, &reason, at)?
            }
        };
        for event in events {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            OrderEvent::OrderCreated {
                order_id,
                subscription_id,
                client,
                provider,
                plan,
                ..
            } => {
                self.id = order_id;
                self.status = Some(OrderStatus::Created);
                self.subscription_id = subscription_id;
                self.client = client;
                self.provider = provider;
                self.plan = Some(plan);
            }
            OrderEvent::OrderTaken { .. } => self.status = Some(OrderStatus::InProgress),
            OrderEvent::MessagePosted { message_id, .. }
            | OrderEvent::AttachmentPosted { message_id, .. } => {
                self.messages_count += 1;
                if self.recent_message_ids.len() == REMEMBERED_MESSAGE_IDS {
                    self.recent_message_ids.pop_front();
                }
                self.recent_message_ids.push_back(message_id);
            }
            OrderEvent::OrderMarkedDone { by, .. } => match by {
                Role::Provider => self.provider_done = true,
                _ => self.client_done = true,
            },
            OrderEvent::OrderCompleted { .. } => self.status = Some(OrderStatus::Completed),
            OrderEvent::OrderFrozen { complaint_id, .. } => self.frozen_by = Some(complaint_id),
            OrderEvent::OrderUnfrozen { .. } => self.frozen_by = None,
            OrderEvent::OrderReassigned { to, .. } => {
                self.provider = to;
                self.provider_done = false;
                if self.status == Some(OrderStatus::InProgress) {
                    self.status = Some(OrderStatus::Created);
                }
            }
            OrderEvent::OrderCancelled { .. } => self.status = Some(OrderStatus::Cancelled),
            OrderEvent::OrderForceCompleted { .. } => {
                self.client_done = true;
                self.provider_done = true;
            }
        }
    }
}
