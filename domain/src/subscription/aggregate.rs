//! The subscription aggregate: its state, its rules (`decide`) and how events change it (`apply`).

use crate::{
    AccountId, Actor, ComplaintId, Money, MoneyError, Plan, Role, ServiceType, TransferId,
};
use chrono::{DateTime, Months, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

use super::{EscrowParty, SubscriptionCommand, SubscriptionError, SubscriptionEvent};

mod admin;

pub use admin::ADMIN_REASON_MAX;
pub(crate) use admin::admin_reason;

/// The longest request description, in characters.
const DESCRIPTION_MAX: usize = 4000;

/// A transfer id derived from another id and a purpose (UUID v5), for money
/// moves the aggregate starts itself: a redelivered command derives the same
/// id, so the move stays at most once.
pub fn derived_transfer_id(base: Uuid, purpose: &str) -> TransferId {
    TransferId(Uuid::new_v5(&base, purpose.as_bytes()))
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// Waiting for a provider to accept.
    Requested,
    /// Accepted and paid for the current period.
    Active,
    /// The renewal could not be paid.
    PastDue,
    /// Stopped for non-payment.
    Suspended,
    /// Cancelled with immediate effect.
    Cancelled,
    /// Nobody accepted before the deadline; the escrow still holds the price,
    /// providers may still accept, and the client chooses to wait, extend or cancel.
    Overdue,
    /// Finished.
    Completed,
}

impl SubscriptionStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Requested => "requested",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Suspended => "suspended",
            SubscriptionStatus::Cancelled => "cancelled",
            SubscriptionStatus::Overdue => "overdue",
            SubscriptionStatus::Completed => "completed",
        }
    }

    fn is_closed(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Cancelled | SubscriptionStatus::Completed
        )
    }
}

/// What the request fixed, present once the subscription exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Terms {
    client: AccountId,
    service_type: ServiceType,
    plan: Plan,
    description: String,
    price: Money,
    /// `None` once the client chose to wait without a deadline.
    deadline: Option<DateTime<Utc>>,
    status: SubscriptionStatus,
}

/// A client's request for a service type and, once a provider accepts it, the
/// running service. Its escrow never goes below zero and each transfer id moves
/// money at most once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    subscription_id: Uuid,
    terms: Option<Terms>,
    provider: Option<AccountId>,
    rejected_by: BTreeSet<AccountId>,
    escrow: Money,
    transfers: BTreeSet<TransferId>,
    period_start: Option<DateTime<Utc>>,
    period_end: Option<DateTime<Utc>>,
    cancel_at_period_end: bool,
    frozen_by: Option<ComplaintId>,
    settled_complaints: BTreeSet<ComplaintId>,
}

impl Subscription {
    /// The status; `None` before the request.
    pub fn status(&self) -> Option<SubscriptionStatus> {
        self.terms.as_ref().map(|t| t.status)
    }
    /// The requesting client.
    pub fn client(&self) -> Option<AccountId> {
        self.terms.as_ref().map(|t| t.client)
    }
    /// The provider who accepted.
    pub fn provider(&self) -> Option<AccountId> {
        self.provider
    }
    /// The service type asked for.
    pub fn service_type(&self) -> Option<&ServiceType> {
        self.terms.as_ref().map(|t| &t.service_type)
    }
    /// One-off or monthly.
    pub fn plan(&self) -> Option<Plan> {
        self.terms.as_ref().map(|t| t.plan)
    }
    /// The client's description.
    pub fn description(&self) -> Option<&str> {
        self.terms.as_ref().map(|t| t.description.as_str())
    }
    /// Money held in escrow.
    pub fn escrow(&self) -> Money {
        self.escrow
    }
    /// True while accepted and paid for the current period: orders may be created.
    pub fn is_active(&self) -> bool {
        self.status() == Some(SubscriptionStatus::Active)
    }
    /// The price of one job or one month.
    pub fn price(&self) -> Option<Money> {
        self.terms.as_ref().map(|t| t.price)
    }
    /// The acceptance deadline; `None` before the request or while the
    /// client waits without one.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.terms.as_ref().and_then(|t| t.deadline)
    }
    /// The start of the current period (acceptance for a one-off).
    pub fn period_start(&self) -> Option<DateTime<Utc>> {
        self.period_start
    }
    /// The end of the current monthly period.
    pub fn period_end(&self) -> Option<DateTime<Utc>> {
        self.period_end
    }
    /// True when the subscription ends at the current period's end.
    pub fn cancel_at_period_end(&self) -> bool {
        self.cancel_at_period_end
    }
    /// True while a complaint holds the escrow.
    pub fn is_frozen(&self) -> bool {
        self.frozen_by.is_some()
    }
    /// The complaint holding the escrow.
    pub fn frozen_by(&self) -> Option<ComplaintId> {
        self.frozen_by
    }
    /// True when this provider rejected the request.
    pub fn rejected_by(&self, provider: AccountId) -> bool {
        self.rejected_by.contains(&provider)
    }
    /// True when this transfer id already moved money here.
    pub fn has_transfer(&self, transfer_id: TransferId) -> bool {
        self.transfers.contains(&transfer_id)
    }

    fn terms(&self) -> Result<&Terms, SubscriptionError> {
        self.terms.as_ref().ok_or(SubscriptionError::NotFound)
    }

    fn add_to_escrow(&self, amount: Money) -> Result<(), SubscriptionError> {
        if amount.is_zero() {
            return Err(SubscriptionError::AmountNotPositive);
        }
        self.escrow
            .checked_add(amount)
            .map(drop)
            .map_err(|e| match e {
                MoneyError::CurrencyMismatch => SubscriptionError::CurrencyMismatch,
                _ => SubscriptionError::EscrowTooLarge,
            })
    }

    fn check_held(&self, amount: Money) -> Result<(), SubscriptionError> {
        self.escrow
            .checked_sub(amount)
            .map(drop)
            .map_err(|e| match e {
                MoneyError::CurrencyMismatch => SubscriptionError::CurrencyMismatch,
                _ => SubscriptionError::InsufficientEscrow {
                    held: self.escrow.to_string(),
                    requested: amount.to_string(),
                },
            })
    }

    /// Gives the whole escrow back to the client, under an id derived from `base`.
    fn refund_all(
        &self,
        terms: &Terms,
        escrow: Money,
        base: Uuid,
        purpose: &str,
    ) -> Option<SubscriptionEvent> {
        (!escrow.is_zero()).then(|| SubscriptionEvent::EscrowReleased {
            transfer_id: derived_transfer_id(base, purpose),
            to: EscrowParty::Client,
            recipient: Some(terms.client),
            amount: escrow,
        })
    }

    fn check_provider(
        &self,
        terms: &Terms,
        actor: &Actor,
        provider_service_types: &[ServiceType],
    ) -> Result<(), SubscriptionError> {
        if actor.role != Role::Provider {
            return Err(SubscriptionError::NotProvider);
        }
        if self.provider.is_some() {
            return Err(SubscriptionError::AlreadyAccepted);
        }
        match terms.status {
            SubscriptionStatus::Cancelled => return Err(SubscriptionError::Cancelled),
            SubscriptionStatus::Requested | SubscriptionStatus::Overdue => {}
            _ => return Err(SubscriptionError::NotOpen),
        }
        if !provider_service_types.contains(&terms.service_type) {
            return Err(SubscriptionError::ServiceTypeNotHandled);
        }
        if self.rejected_by.contains(&actor.id) {
            return Err(SubscriptionError::AlreadyRejected);
        }
        Ok(())
    }

    /// The events a command produces, or the rule it breaks. Empty for a
    /// redelivery of something already done.
    pub(super) fn decide(
        &self,
        command: SubscriptionCommand,
    ) -> Result<Vec<SubscriptionEvent>, SubscriptionError> {
        use SubscriptionCommand as C;
        use SubscriptionEvent as E;
        use SubscriptionStatus as S;

        if let C::Request {
            actor,
            subscription_id,
            service_type,
            plan,
            description,
            price,
            acceptance_deadline,
            at,
        } = command
        {
            if self.terms.is_some() {
                return Err(SubscriptionError::AlreadyRequested);
            }
            if actor.role != Role::Client {
                return Err(SubscriptionError::NotClient);
            }
            let description = description.trim();
            if description.is_empty() || description.chars().count() > DESCRIPTION_MAX {
                return Err(SubscriptionError::TextLength {
                    field: "description",
                    max: DESCRIPTION_MAX,
                });
            }
            if price.is_zero() {
                return Err(SubscriptionError::AmountNotPositive);
            }
            if acceptance_deadline <= at {
                return Err(SubscriptionError::DeadlineInPast);
            }
            return Ok(vec![E::SubscriptionRequested {
                subscription_id,
                client: actor.id,
                service_type,
                plan,
                description: description.to_owned(),
                price,
                acceptance_deadline,
                requested_at: at,
            }]);
        }

        let terms = self.terms()?;
        let no_op = Ok(Vec::new());
        match command {
            C::Request { .. } => Err(SubscriptionError::AlreadyRequested),
            C::FundEscrow {
                transfer_id,
                amount,
            } => {
                if self.has_transfer(transfer_id) {
                    return no_op;
                }
                self.add_to_escrow(amount)?;
                let mut events = vec![E::EscrowFunded {
                    transfer_id,
                    amount,
                }];
                // Money paid in after the request closed (a race with a cancel
                // or the deadline) goes straight back rather than being stranded.
                if terms.status.is_closed() && !self.is_frozen() {
                    events.extend(self.refund_all(terms, amount, transfer_id.0, "refund"));
                }
                Ok(events)
            }
            C::Accept {
                actor,
                provider_service_types,
                at,
            } => {
                // Past its deadline the request stays open until the client
                // cancels it: an accept then is what the waiting client wants.
                self.check_provider(terms, &actor, &provider_service_types)?;
                if self.escrow < terms.price {
                    return Err(SubscriptionError::NotFunded);
                }
                Ok(vec![E::SubscriptionAccepted {
                    provider: actor.id,
                    period_start: at,
                    period_end: first_period_end(terms.plan, at)?,
                }])
            }
            C::Reject {
                actor,
                provider_service_types,
                at,
            } => {
                self.check_provider(terms, &actor, &provider_service_types)?;
                Ok(vec![E::RequestRejected {
                    provider: actor.id,
                    at,
                }])
            }
            C::MarkDeadlinePassed { at } => {
                let Some(deadline) = terms.deadline.filter(|_| terms.status == S::Requested) else {
                    return no_op;
                };
                if at < deadline {
                    return Err(SubscriptionError::DeadlineNotDue);
                }
                Ok(vec![E::AcceptanceDeadlinePassed { at }])
            }
            C::ExtendDeadline { actor, until, at } => {
                let is_owner = actor.role == Role::Client && actor.id == terms.client;
                if !is_owner && !actor.is_admin() {
                    return Err(SubscriptionError::NotAllowed);
                }
                if !matches!(terms.status, S::Requested | S::Overdue) {
                    return Err(SubscriptionError::NotOpen);
                }
                if until.is_some_and(|until| until <= at) {
                    return Err(SubscriptionError::DeadlineInPast);
                }
                if terms.status == S::Requested && terms.deadline == until {
                    return no_op;
                }
                Ok(vec![E::AcceptanceDeadlineExtended {
                    by: actor.id,
                    until,
                    at,
                }])
            }
            C::Cancel { actor, at } => {
                let is_owner = actor.role == Role::Client && actor.id == terms.client;
                if !is_owner && !actor.is_admin() {
                    return Err(SubscriptionError::NotAllowed);
                }
                let cancelled = E::SubscriptionCancelled { by: actor.id, at };
                match (terms.status, terms.plan) {
                    (S::Cancelled, _) => no_op,
                    (S::Completed, _) => Err(SubscriptionError::NotCancellable),
                    (S::Requested | S::Overdue, _) => {
                        let mut events = vec![cancelled];
                        events.extend(self.refund_all(
                            terms,
                            self.escrow,
                            self.subscription_uuid(),
                            "cancel",
                        ));
                        Ok(events)
                    }
                    (S::Suspended, _) => Ok(vec![cancelled]),
                    (S::Active | S::PastDue, Plan::Monthly) => {
                        if self.cancel_at_period_end {
                            return no_op;
                        }
                        let effective_at = self.period_end.ok_or(SubscriptionError::NoProvider)?;
                        Ok(vec![E::CancellationScheduled {
                            by: actor.id,
                            at,
                            effective_at,
                        }])
                    }
                    (S::Active | S::PastDue, Plan::OneOff) => {
                        if !actor.is_admin() {
                            return Err(SubscriptionError::OneOffNeedsComplaint);
                        }
                        if self.is_frozen() {
                            return Err(SubscriptionError::EscrowFrozen);
                        }
                        let mut events = vec![cancelled];
                        events.extend(self.refund_all(
                            terms,
                            self.escrow,
                            self.subscription_uuid(),
                            "cancel",
                        ));
                        Ok(events)
                    }
                }
            }
            C::RenewPeriod {
                transfer_id,
                amount,
                at: _,
            } => {
                if self.has_transfer(transfer_id) {
                    return no_op;
                }
                if terms.plan != Plan::Monthly {
                    return Err(SubscriptionError::NotMonthly);
                }
                if !matches!(terms.status, S::Active | S::PastDue) {
                    return Err(SubscriptionError::WrongStatus {
                        status: terms.status.as_str(),
                    });
                }
                if self.cancel_at_period_end {
                    return Err(SubscriptionError::CancellationScheduled);
                }
                self.add_to_escrow(amount)?;
                let period_start = self.period_end.ok_or(SubscriptionError::NoProvider)?;
                let period_end = period_start
                    .checked_add_months(Months::new(1))
                    .ok_or(SubscriptionError::DateOutOfRange)?;
                Ok(vec![E::PeriodRenewed {
                    transfer_id,
                    amount,
                    period_start,
                    period_end,
                }])
            }
            C::MarkPastDue { at } => {
                if terms.status == S::PastDue {
                    return no_op;
                }
                if terms.plan != Plan::Monthly {
                    return Err(SubscriptionError::NotMonthly);
                }
                if terms.status != S::Active {
                    return Err(SubscriptionError::WrongStatus {
                        status: terms.status.as_str(),
                    });
                }
                if self.cancel_at_period_end {
                    return Err(SubscriptionError::CancellationScheduled);
                }
                if self.period_end.is_none_or(|end| at < end) {
                    return Err(SubscriptionError::PeriodNotEnded);
                }
                Ok(vec![E::PastDue { at }])
            }
            C::Suspend { at } => match terms.status {
                S::Suspended => no_op,
                S::PastDue => Ok(vec![E::SubscriptionSuspended { at }]),
                other => Err(SubscriptionError::WrongStatus {
                    status: other.as_str(),
                }),
            },
            C::ReleaseEscrow {
                transfer_id,
                to,
                amount,
            } => {
                if self.has_transfer(transfer_id) {
                    return no_op;
                }
                if self.is_frozen() {
                    return Err(SubscriptionError::EscrowFrozen);
                }
                if amount.is_zero() {
                    return Err(SubscriptionError::AmountNotPositive);
                }
                let recipient = match to {
                    EscrowParty::Client => Some(terms.client),
                    EscrowParty::Provider => {
                        Some(self.provider.ok_or(SubscriptionError::NoProvider)?)
                    }
                    EscrowParty::Platform => None,
                };
                self.check_held(amount)?;
                Ok(vec![E::EscrowReleased {
                    transfer_id,
                    to,
                    recipient,
                    amount,
                }])
            }
            C::FreezeEscrow { complaint_id } => {
                if self.settled_complaints.contains(&complaint_id)
                    || self.frozen_by == Some(complaint_id)
                {
                    return no_op;
                }
                if self.provider.is_none() {
                    return Err(SubscriptionError::NoProvider);
                }
                if self.frozen_by.is_some() {
                    return Err(SubscriptionError::AlreadyFrozen);
                }
                Ok(vec![E::EscrowFrozen { complaint_id }])
            }
            C::SettleComplaint {
                complaint_id,
                transfer_id,
                to_client,
                to_provider,
            } => {
                if self.has_transfer(transfer_id) {
                    return no_op;
                }
                if self.frozen_by != Some(complaint_id) {
                    return Err(SubscriptionError::ComplaintNotOpen);
                }
                let provider = self.provider.ok_or(SubscriptionError::NoProvider)?;
                let total = to_client.checked_add(to_provider).map_err(|e| match e {
                    MoneyError::CurrencyMismatch => SubscriptionError::CurrencyMismatch,
                    _ => SubscriptionError::InsufficientEscrow {
                        held: self.escrow.to_string(),
                        requested: format!("{to_client} + {to_provider}"),
                    },
                })?;
                self.check_held(total)?;
                Ok(vec![E::ComplaintSettled {
                    complaint_id,
                    transfer_id,
                    client: terms.client,
                    provider,
                    to_client,
                    to_provider,
                }])
            }
            C::Complete { at } => {
                if terms.status == S::Completed {
                    return no_op;
                }
                if self.is_frozen() {
                    return Err(SubscriptionError::EscrowFrozen);
                }
                match (terms.status, terms.plan) {
                    (S::Active, Plan::OneOff) => Ok(vec![E::SubscriptionCompleted { at }]),
                    (S::Active | S::PastDue, Plan::Monthly) if self.cancel_at_period_end => {
                        if self.period_end.is_none_or(|end| at < end) {
                            return Err(SubscriptionError::PeriodNotEnded);
                        }
                        Ok(vec![E::SubscriptionCompleted { at }])
                    }
                    (status, _) => Err(SubscriptionError::WrongStatus {
                        status: status.as_str(),
                    }),
                }
            }
            C::Reassign {
                actor,
                to,
                to_service_types,
                reason,
                at,
            } => self.reassign(terms, &actor, to, &to_service_types, &reason, at),
            C::AdminCancel { actor, reason, at } => self.admin_cancel(terms, &actor, &reason, at),
            C::AdminExtendDeadline {
                actor,
                until,
                reason,
                at,
            } => self.admin_extend_deadline(terms, &actor, until, &reason, at),
        }
    }

    /// The id the aggregate was requested under, a base for derived transfer ids.
    fn subscription_uuid(&self) -> Uuid {
        self.subscription_id
    }
}

/// The end of the first period of a subscription accepted `at`: one
/// calendar month later for a monthly one, none for a one-off.
fn first_period_end(
    plan: Plan,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, SubscriptionError> {
    match plan {
        Plan::OneOff => Ok(None),
        Plan::Monthly => at
            .checked_add_months(Months::new(1))
            .map(Some)
            .ok_or(SubscriptionError::DateOutOfRange),
    }
}

// `decide` validated every amount before the event existed, so the checked
// operations in `apply` cannot fail on events this aggregate wrote; keeping
// the old value instead of panicking protects loading from the store.
fn sub_or_keep(from: Money, amount: Money) -> Money {
    from.checked_sub(amount).unwrap_or(from)
}

impl Aggregate for Subscription {
    const TYPE: &'static str = "Subscription";
    type Command = SubscriptionCommand;
    type Event = SubscriptionEvent;
    type Error = SubscriptionError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        use SubscriptionEvent as E;
        let set_status = |s: &mut Self, status| {
            if let Some(terms) = s.terms.as_mut() {
                terms.status = status;
            }
        };
        match event {
            E::SubscriptionRequested {
                subscription_id,
                client,
                service_type,
                plan,
                description,
                price,
                acceptance_deadline,
                ..
            } => {
                self.subscription_id = subscription_id.0;
                self.terms = Some(Terms {
                    client,
                    service_type,
                    plan,
                    description,
                    price,
                    deadline: Some(acceptance_deadline),
                    status: SubscriptionStatus::Requested,
                });
            }
            E::EscrowFunded {
                transfer_id,
                amount,
            } => {
                self.escrow = self.escrow.checked_add(amount).unwrap_or(self.escrow);
                self.transfers.insert(transfer_id);
            }
            E::SubscriptionAccepted {
                provider,
                period_start,
                period_end,
            } => {
                self.provider = Some(provider);
                self.period_start = Some(period_start);
                self.period_end = period_end;
                set_status(self, SubscriptionStatus::Active);
            }
            E::RequestRejected { provider, .. } => {
                self.rejected_by.insert(provider);
            }
            E::AcceptanceDeadlinePassed { .. } => set_status(self, SubscriptionStatus::Overdue),
            E::AcceptanceDeadlineExtended { until, .. } => {
                if let Some(terms) = self.terms.as_mut() {
                    terms.deadline = until;
                    terms.status = SubscriptionStatus::Requested;
                }
            }
            E::SubscriptionCancelled { .. } => set_status(self, SubscriptionStatus::Cancelled),
            E::CancellationScheduled { .. } => self.cancel_at_period_end = true,
            E::PeriodRenewed {
                transfer_id,
                amount,
                period_start,
                period_end,
            } => {
                self.escrow = self.escrow.checked_add(amount).unwrap_or(self.escrow);
                self.transfers.insert(transfer_id);
                self.period_start = Some(period_start);
                self.period_end = Some(period_end);
                set_status(self, SubscriptionStatus::Active);
            }
            E::PastDue { .. } => set_status(self, SubscriptionStatus::PastDue),
            E::SubscriptionSuspended { .. } => set_status(self, SubscriptionStatus::Suspended),
            E::EscrowReleased {
                transfer_id,
                amount,
                ..
            } => {
                self.escrow = sub_or_keep(self.escrow, amount);
                self.transfers.insert(transfer_id);
            }
            E::EscrowFrozen { complaint_id } => self.frozen_by = Some(complaint_id),
            E::ComplaintSettled {
                complaint_id,
                transfer_id,
                to_client,
                to_provider,
                ..
            } => {
                self.escrow = sub_or_keep(sub_or_keep(self.escrow, to_client), to_provider);
                self.transfers.insert(transfer_id);
                self.settled_complaints.insert(complaint_id);
                self.frozen_by = None;
            }
            E::SubscriptionCompleted { .. } => set_status(self, SubscriptionStatus::Completed),
            E::SubscriptionReassigned { to, .. } => self.provider = Some(to),
            E::SubscriptionCancelledByAdmin { .. } => {
                set_status(self, SubscriptionStatus::Cancelled)
            }
            E::AcceptanceDeadlineExtendedByAdmin { until, .. } => {
                if let Some(terms) = self.terms.as_mut() {
                    terms.deadline = Some(until);
                    terms.status = SubscriptionStatus::Requested;
                }
            }
        }
    }
}
