//! The admin's controls over a subscription: assign or move it to another
//! provider, cancel it with a full refund, move a request's deadline.
//!
//! Why the model is what it is:
//! - **One provider per subscription.** The escrow belongs to the
//!   subscription and is released to whoever is its provider at that moment
//!   (`ReleaseEscrow` reads `provider`; the ledger's closing documents derive
//!   it with this `apply`). So an order never moves alone: moving any of a
//!   subscription's orders moves the subscription and all its open orders,
//!   and the new provider is paid what is released from then on — the whole
//!   current period of a monthly subscription included.
//! - **A request is assigned, not moved.** A request nobody accepted yet is
//!   given to the chosen provider as if it had accepted: the same checks as
//!   an accept (funded, the provider handles the service type), the same
//!   `SubscriptionAccepted`, so periods, renewals and read models run as for
//!   any accept. A provider who rejected the request earlier may still be
//!   chosen: the admin settled it with them.
//! - **Nothing moves under a complaint.** While a complaint freezes the
//!   escrow its settlement names the provider it is about; a reassign or a
//!   cancel waits until the complaint is resolved.
//! - **Cancel refunds everything at once**, whatever the plan or period, in
//!   the same transaction as the client's wallet credit (the path the
//!   client's own cancel takes, under the same transfer id: a subscription
//!   is cancelled once).

use super::{SubscriptionStatus as S, Terms};
use crate::subscription::{Subscription, SubscriptionError, SubscriptionEvent as E};
use crate::{AccountId, Actor, ServiceType};
use chrono::{DateTime, Utc};

/// The longest reason an admin gives for a control, in characters.
pub const ADMIN_REASON_MAX: usize = 1000;

/// The trimmed reason, 1 to [`ADMIN_REASON_MAX`] characters.
pub(crate) fn admin_reason(reason: &str) -> Option<String> {
    let reason = reason.trim();
    (1..=ADMIN_REASON_MAX)
        .contains(&reason.chars().count())
        .then(|| reason.to_owned())
}

fn checked(actor: &Actor, reason: &str) -> Result<String, SubscriptionError> {
    if !actor.is_admin() {
        return Err(SubscriptionError::NotAllowed);
    }
    admin_reason(reason).ok_or(SubscriptionError::TextLength {
        field: "reason",
        max: ADMIN_REASON_MAX,
    })
}

impl Subscription {
    pub(super) fn reassign(
        &self,
        terms: &Terms,
        actor: &Actor,
        to: AccountId,
        to_service_types: &[ServiceType],
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<E>, SubscriptionError> {
        let reason = checked(actor, reason)?;
        let reassigned = |from| E::SubscriptionReassigned {
            from,
            to,
            admin: actor.id,
            reason: reason.clone(),
            at,
        };
        match terms.status {
            S::Cancelled => Err(SubscriptionError::Cancelled),
            S::Suspended | S::Completed => Err(SubscriptionError::WrongStatus {
                status: terms.status.as_str(),
            }),
            S::Requested | S::Overdue => {
                if !to_service_types.contains(&terms.service_type) {
                    return Err(SubscriptionError::ServiceTypeNotHandled);
                }
                if self.escrow < terms.price {
                    return Err(SubscriptionError::NotFunded);
                }
                Ok(vec![
                    reassigned(None),
                    E::SubscriptionAccepted {
                        provider: to,
                        period_start: at,
                        period_end: super::first_period_end(terms.plan, at)?,
                    },
                ])
            }
            S::Active | S::PastDue => {
                if self.provider == Some(to) {
                    return Ok(Vec::new());
                }
                if self.is_frozen() {
                    return Err(SubscriptionError::EscrowFrozen);
                }
                if !to_service_types.contains(&terms.service_type) {
                    return Err(SubscriptionError::ServiceTypeNotHandled);
                }
                Ok(vec![reassigned(self.provider)])
            }
        }
    }

    pub(super) fn admin_cancel(
        &self,
        terms: &Terms,
        actor: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<E>, SubscriptionError> {
        let reason = checked(actor, reason)?;
        match terms.status {
            S::Cancelled => return Ok(Vec::new()),
            S::Completed => return Err(SubscriptionError::NotCancellable),
            _ => {}
        }
        if self.is_frozen() {
            return Err(SubscriptionError::EscrowFrozen);
        }
        let mut events = vec![E::SubscriptionCancelledByAdmin {
            admin: actor.id,
            reason,
            at,
        }];
        events.extend(self.refund_all(terms, self.escrow, self.subscription_uuid(), "cancel"));
        Ok(events)
    }

    pub(super) fn admin_extend_deadline(
        &self,
        terms: &Terms,
        actor: &Actor,
        until: DateTime<Utc>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<E>, SubscriptionError> {
        let reason = checked(actor, reason)?;
        if !matches!(terms.status, S::Requested | S::Overdue) {
            return Err(SubscriptionError::NotOpen);
        }
        if until <= at {
            return Err(SubscriptionError::DeadlineInPast);
        }
        if terms.status == S::Requested && terms.deadline == Some(until) {
            return Ok(Vec::new());
        }
        Ok(vec![E::AcceptanceDeadlineExtendedByAdmin {
            admin: actor.id,
            until,
            reason,
            at,
        }])
    }
}
