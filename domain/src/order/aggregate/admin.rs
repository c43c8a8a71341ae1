//! The admin's controls over an order: move it with its subscription to
//! another provider, cancel it with its subscription, or complete it as if
//! both sides said done (the client is unreachable, say). None of them runs
//! while a complaint freezes the order: resolving the complaint decides.

use super::{Order, OrderStatus};
use crate::order::{OrderError, OrderEvent};
use crate::subscription::admin_reason;
use crate::{AccountId, Actor};
use chrono::{DateTime, Utc};

fn checked(actor: &Actor, reason: &str) -> Result<String, OrderError> {
    if !actor.is_admin() {
        return Err(OrderError::NotAdmin);
    }
    admin_reason(reason).ok_or(OrderError::InvalidReason)
}

impl Order {
    /// Empty when `to` has the order already (a retry).
    pub(super) fn reassign(
        &self,
        actor: &Actor,
        to: AccountId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        let reason = checked(actor, reason)?;
        match self.existing_status()? {
            OrderStatus::Completed => return Err(OrderError::Completed),
            OrderStatus::Cancelled => return Err(OrderError::Cancelled),
            OrderStatus::Created | OrderStatus::InProgress => {}
        }
        if self.provider == to {
            return Ok(Vec::new());
        }
        if self.is_frozen() {
            return Err(OrderError::Frozen);
        }
        Ok(vec![OrderEvent::OrderReassigned {
            from: self.provider,
            to,
            admin: actor.id,
            reason,
            at,
        }])
    }

    /// Empty for an order cancelled already (a retry).
    pub(super) fn admin_cancel(
        &self,
        actor: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        let reason = checked(actor, reason)?;
        match self.existing_status()? {
            OrderStatus::Cancelled => return Ok(Vec::new()),
            OrderStatus::Completed => return Err(OrderError::Completed),
            OrderStatus::Created | OrderStatus::InProgress => {}
        }
        if self.is_frozen() {
            return Err(OrderError::Frozen);
        }
        Ok(vec![OrderEvent::OrderCancelled {
            admin: actor.id,
            reason,
            at,
        }])
    }

    pub(super) fn force_complete(
        &self,
        actor: &Actor,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        let reason = checked(actor, reason)?;
        match self.existing_status()? {
            OrderStatus::Completed => return Err(OrderError::Completed),
            OrderStatus::Cancelled => return Err(OrderError::Cancelled),
            OrderStatus::Created | OrderStatus::InProgress => {}
        }
        if self.is_frozen() {
            return Err(OrderError::Frozen);
        }
        let plan = self.plan.ok_or(OrderError::NotFound)?;
        Ok(vec![
            OrderEvent::OrderForceCompleted {
                admin: actor.id,
                reason,
                at,
            },
            OrderEvent::OrderCompleted {
                subscription_id: self.subscription_id,
                plan,
                at,
            },
        ])
    }
}
