//! Reactions to events from the `hub.processes` queue.

use crate::error::ProcessError;
use crate::jobs::{Job, Payout};
use crate::managers::{Processes, event_uuid, exec, reaction_metadata};
use bus::EventEnvelope;
use chrono::{DateTime, Utc};
use domain::order::OrderEvent;
use domain::subscription::{
    Subscription, SubscriptionCommand, SubscriptionError, SubscriptionEvent, wallet_credits,
};
use domain::wallet::{WalletCommand, WalletError, WalletEvent};
use domain::{AccountId, Plan, SubscriptionId};
use store::CommandError;

/// The routing keys `hub.processes` is bound to: the events some process
/// manager reacts to.
pub const ROUTING_KEYS: &[&str] = &[
    "Order.OrderCompleted",
    "Order.OrderMarkedDone",
    "Subscription.SubscriptionRequested",
    "Subscription.SubscriptionAccepted",
    "Subscription.AcceptanceDeadlineExtended",
    "Subscription.AcceptanceDeadlineExtendedByAdmin",
    "Subscription.PeriodRenewed",
    "Subscription.EscrowReleased",
    "Wallet.TopUpRequested",
    "Wallet.WithdrawalRequested",
];

/// The queue `hub.processes` with its bindings.
pub fn queue() -> bus::ConsumerQueue {
    bus::ConsumerQueue::processes(ROUTING_KEYS)
}

fn parse<E: serde::de::DeserializeOwned>(envelope: &EventEnvelope) -> Result<E, ProcessError> {
    serde_json::from_value(envelope.payload.clone())
        .map_err(|e| ProcessError::Malformed(format!("{}: {e}", envelope.message_id())))
}

fn std_duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Processes {
    /// Reacts to one stored event. Idempotent: delivering the same event
    /// again (or after a crash halfway) ends with exactly one effect.
    #[tracing::instrument(skip_all, fields(message_id = %envelope.message_id()))]
    pub async fn react(&self, envelope: &EventEnvelope) -> Result<(), ProcessError> {
        let bound = ROUTING_KEYS.iter().any(|key| {
            key.split_once('.')
                == Some((
                    envelope.aggregate_type.as_str(),
                    envelope.event_type.as_str(),
                ))
        });
        if !bound {
            return Ok(());
        }
        match envelope.aggregate_type.as_str() {
            "Order" => self.on_order(envelope, parse(envelope)?).await,
            "Subscription" => self.on_subscription(envelope, parse(envelope)?).await,
            "Wallet" => self.on_wallet(envelope, parse(envelope)?).await,
            _ => Ok(()),
        }
    }

    async fn on_order(
        &self,
        envelope: &EventEnvelope,
        event: OrderEvent,
    ) -> Result<(), ProcessError> {
        match event {
            OrderEvent::OrderCompleted {
                subscription_id,
                plan: Plan::OneOff,
                ..
            } => self.complete_one_off(envelope, subscription_id).await,
            OrderEvent::OrderMarkedDone {
                by: domain::Role::Provider,
                at,
            } => {
                let order_id = envelope
                    .aggregate_id
                    .parse()
                    .map_err(|e| ProcessError::Malformed(format!("order id: {e}")))?;
                let due = at + std_duration(self.settings.auto_confirm_after);
                self.scheduler
                    .schedule(&Job::AutoConfirm { order_id }, due)
                    .await?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A one-off order done by both sides: the escrow goes to the provider
    /// minus the platform's fee, and the subscription completes.
    async fn complete_one_off(
        &self,
        envelope: &EventEnvelope,
        subscription_id: SubscriptionId,
    ) -> Result<(), ProcessError> {
        let now = self.now();
        let metadata = reaction_metadata(envelope, now);
        self.release(subscription_id, event_uuid(envelope), &metadata)
            .await?;
        let complete = SubscriptionCommand::Complete { at: now };
        match exec(
            &self.subscriptions,
            &subscription_id.to_string(),
            complete,
            &metadata,
        )
        .await
        {
            Ok(()) => Ok(()),
            // Cancelled or expired meanwhile: nothing left to complete.
            Err(CommandError::Rule(SubscriptionError::WrongStatus { status })) => {
                tracing::info!(%subscription_id, status, "one-off not completed: no longer active");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn on_subscription(
        &self,
        envelope: &EventEnvelope,
        event: SubscriptionEvent,
    ) -> Result<(), ProcessError> {
        let subscription_id: SubscriptionId = envelope
            .aggregate_id
            .parse()
            .map_err(|e| ProcessError::Malformed(format!("subscription id: {e}")))?;
        match event {
            SubscriptionEvent::SubscriptionRequested {
                acceptance_deadline,
                ..
            } => {
                let job = Job::AcceptanceDeadline {
                    subscription_id,
                    extended_to: None,
                };
                self.scheduler.schedule(&job, acceptance_deadline).await?;
            }
            SubscriptionEvent::AcceptanceDeadlineExtended {
                until: Some(until), ..
            }
            | SubscriptionEvent::AcceptanceDeadlineExtendedByAdmin { until, .. } => {
                let job = Job::AcceptanceDeadline {
                    subscription_id,
                    extended_to: Some(until),
                };
                self.scheduler.schedule(&job, until).await?;
            }
            SubscriptionEvent::SubscriptionAccepted {
                period_end: Some(period_end),
                ..
            }
            | SubscriptionEvent::PeriodRenewed { period_end, .. } => {
                self.schedule_period_end(subscription_id, period_end)
                    .await?;
            }
            released @ SubscriptionEvent::EscrowReleased { .. } => {
                // Releases this role and command-api make credit the wallet
                // in the same transaction; this finishes any that did not
                // (older data, a crash between commits): same transfer id,
                // same amount, so otherwise a no-op.
                let metadata = reaction_metadata(envelope, self.now());
                for (owner, credit) in wallet_credits(subscription_id, &released) {
                    exec(&self.wallets, &owner.to_string(), credit, &metadata).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) async fn schedule_period_end(
        &self,
        subscription_id: SubscriptionId,
        period_end: DateTime<Utc>,
    ) -> Result<(), ProcessError> {
        let job = Job::PeriodEnd {
            subscription_id,
            period_end,
        };
        self.scheduler.schedule(&job, period_end).await?;
        Ok(())
    }

    /// A top-up: fail it if its payment never arrives. A withdrawal: hand
    /// it to the bank, mark it sent, and ask the bank how it went a little
    /// later.
    async fn on_wallet(
        &self,
        envelope: &EventEnvelope,
        event: WalletEvent,
    ) -> Result<(), ProcessError> {
        let owner: AccountId = envelope
            .aggregate_id
            .parse()
            .map_err(|e| ProcessError::Malformed(format!("wallet id: {e}")))?;
        let (transfer_id, amount, bank) = match event {
            WalletEvent::TopUpRequested { transfer_id, .. } => {
                let due = self.now() + std_duration(self.settings.top_up_expiry);
                let job = Job::TopUpExpiry { owner, transfer_id };
                self.scheduler.schedule(&job, due).await?;
                return Ok(());
            }
            WalletEvent::WithdrawalRequested {
                transfer_id,
                amount,
                bank,
            } => (transfer_id, amount, bank),
            _ => return Ok(()),
        };
        let payout = Payout {
            owner,
            transfer_id,
            amount,
            bank,
        };
        let wallet: domain::wallet::Wallet = self.load(&owner.to_string()).await?;
        if wallet.withdrawal_status(transfer_id)
            != Some(domain::wallet::WithdrawalStatus::Requested)
        {
            // Sent, settled or failed already: a redelivery.
            return self.schedule_payout_check(payout).await;
        }
        self.bank
            .submit(&payout)
            .await
            .map_err(|e| ProcessError::Bank(e.to_string()))?;
        let metadata = reaction_metadata(envelope, self.now());
        match exec(
            &self.wallets,
            &owner.to_string(),
            WalletCommand::MarkWithdrawalSent { transfer_id },
            &metadata,
        )
        .await
        {
            Ok(()) | Err(CommandError::Rule(WalletError::TransferNotPending { .. })) => {}
            Err(e) => return Err(e.into()),
        }
        self.schedule_payout_check(payout).await
    }

    async fn schedule_payout_check(&self, payout: Payout) -> Result<(), ProcessError> {
        let due = self.now() + std_duration(self.settings.payout_check_after);
        self.scheduler
            .schedule(&Job::PayoutCheck { payout }, due)
            .await?;
        Ok(())
    }

    /// The subscription as stored now.
    pub async fn subscription(&self, id: SubscriptionId) -> Result<Subscription, ProcessError> {
        self.load(&id.to_string()).await
    }
}
