//! Escrow releases and renewals: the money steps the reactions and jobs share.
//!
//! Each step carries transfer ids derived from what triggered it, and the
//! steps that move money between two streams (escrow → provider's wallet,
//! client's wallet → escrow) commit both streams in one transaction
//! (`store::UnitOfWork`). A command whose transfer id the aggregate already
//! applied is a no-op, so a rerun after a crash repeats nothing.

use crate::error::ProcessError;
use crate::managers::{COMMAND_ATTEMPTS, Processes};
use domain::subscription::{
    EscrowParty, Subscription, SubscriptionCommand, SubscriptionError, derived_transfer_id,
};
use domain::wallet::Wallet;
use domain::wallet::{CreditKind, WalletCommand, WalletError};
use domain::{Money, SubscriptionId, TransferId};
use rust_decimal::{Decimal, RoundingStrategy};
use store::cqrs::LONG_LIVED_SNAPSHOT_EVERY;
use store::{Attempts, CommandError, EventMetadata, HubEventStore, UnitOfWork};
use uuid::Uuid;

/// How a released amount splits: the provider's share and the platform's fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// To the provider's wallet.
    pub provider: Money,
    /// To `platform:fees`.
    pub fee: Money,
}

/// The fee is `percent` of `amount` rounded half away from zero to kopecks;
/// the provider gets the rest, so the two always add up to `amount`.
pub fn split(amount: Money, percent: Decimal) -> Split {
    let fee = (amount.amount() * percent / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .min(amount.amount());
    let fee = Money::new(fee, amount.currency()).unwrap_or(Money::zero(amount.currency()));
    let provider = amount.checked_sub(fee).unwrap_or(amount);
    Split { provider, fee }
}

/// The transfer id of the provider's share of the release based on `base`.
pub fn provider_transfer(base: Uuid) -> TransferId {
    derived_transfer_id(base, "release-provider")
}

/// The transfer id of the platform's fee of the release based on `base`.
pub fn fee_transfer(base: Uuid) -> TransferId {
    derived_transfer_id(base, "release-fee")
}

/// The base of the ids of a monthly period's release: (subscription, period end).
pub fn period_base(
    subscription_id: SubscriptionId,
    period_end: chrono::DateTime<chrono::Utc>,
) -> Uuid {
    derived_transfer_id(
        subscription_id.as_uuid(),
        &format!("period:{}", period_end.timestamp_millis()),
    )
    .0
}

/// The wallet → escrow transfer paying the period after `period_end`.
pub fn renewal_transfer(
    subscription_id: SubscriptionId,
    period_end: chrono::DateTime<chrono::Utc>,
) -> TransferId {
    derived_transfer_id(
        subscription_id.as_uuid(),
        &format!("renew:{}", period_end.timestamp_millis()),
    )
}

fn min(a: Money, b: Money) -> Money {
    if a.amount() <= b.amount() { a } else { b }
}

/// How a renewal attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Paid: a new period started.
    Renewed,
    /// The client's wallet is short.
    ShortFunds,
    /// The subscription no longer renews (cancelled, ended, suspended).
    NotRenewable,
}

pub(crate) fn subscription_store(pool: &sqlx::PgPool) -> HubEventStore<Subscription> {
    HubEventStore::new(pool.clone()).with_snapshots(LONG_LIVED_SNAPSHOT_EVERY)
}

pub(crate) fn wallet_store(pool: &sqlx::PgPool) -> HubEventStore<Wallet> {
    store::wallet_history::wallet_events(pool)
}

impl Processes {
    /// Releases one price's worth of the escrow — the provider's share
    /// credited to the provider's wallet, and the platform's fee — under ids
    /// derived from `base`, each capped at what the escrow still holds (a
    /// complaint may have split part of it), in **one** transaction over the
    /// subscription and the provider's wallet (`store::UnitOfWork`): either
    /// all of it moved or none, and a rerun finds it done.
    pub(crate) async fn release(
        &self,
        subscription_id: SubscriptionId,
        base: Uuid,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let id = subscription_id.to_string();
        let subscriptions = subscription_store(&self.pool);
        let wallets = wallet_store(&self.pool);
        let mut attempts = Attempts::new(COMMAND_ATTEMPTS);
        loop {
            let mut unit = UnitOfWork::new(self.pool.clone(), metadata);
            let sub = unit.state(&subscriptions, &id).await?;
            let (Some(price), Some(provider)) = (sub.price(), sub.provider()) else {
                return Err(ProcessError::Rule(format!(
                    "subscription {id} has no provider to pay"
                )));
            };
            let planned = split(price, self.settings.platform_fee_percent);
            let steps = [
                (
                    provider_transfer(base),
                    EscrowParty::Provider,
                    planned.provider,
                ),
                (fee_transfer(base), EscrowParty::Platform, planned.fee),
            ];
            for (transfer_id, to, planned) in steps {
                let sub = unit.state(&subscriptions, &id).await?;
                if sub.has_transfer(transfer_id) {
                    continue;
                }
                let amount = min(planned, sub.escrow());
                if amount.is_zero() {
                    continue;
                }
                let release = SubscriptionCommand::ReleaseEscrow {
                    transfer_id,
                    to,
                    amount,
                };
                unit.execute(&subscriptions, &id, release).await?;
                if to == EscrowParty::Provider {
                    let credit = WalletCommand::CreditFromEscrow {
                        owner: provider,
                        transfer_id,
                        subscription_id,
                        amount,
                        kind: CreditKind::Earnings,
                    };
                    unit.execute(&wallets, &provider.to_string(), credit)
                        .await?;
                }
            }
            if attempts.commit(unit).await? {
                return Ok(());
            }
        }
    }

    /// Charges the period after `period_end`: client wallet → escrow and
    /// `RenewPeriod` under one id derived from (subscription, period), in one
    /// transaction: short funds or a refusal move nothing.
    pub(crate) async fn renew(
        &self,
        subscription_id: SubscriptionId,
        period_end: chrono::DateTime<chrono::Utc>,
        metadata: &EventMetadata,
    ) -> Result<Renewal, ProcessError> {
        let id = subscription_id.to_string();
        let subscriptions = subscription_store(&self.pool);
        let wallets = wallet_store(&self.pool);
        let transfer_id = renewal_transfer(subscription_id, period_end);
        let mut attempts = Attempts::new(COMMAND_ATTEMPTS);
        loop {
            let mut unit = UnitOfWork::new(self.pool.clone(), metadata);
            let sub = unit.state(&subscriptions, &id).await?;
            let (Some(client), Some(price)) = (sub.client(), sub.price()) else {
                return Err(ProcessError::Rule(format!("subscription {id} not found")));
            };
            if sub.has_transfer(transfer_id) {
                return Ok(Renewal::Renewed);
            }
            if sub.cancel_at_period_end() || sub.period_end() != Some(period_end) {
                return Ok(Renewal::NotRenewable);
            }
            let pay = WalletCommand::MoveToEscrow {
                transfer_id,
                subscription_id,
                amount: price,
            };
            match unit.execute(&wallets, &client.to_string(), pay).await {
                Ok(_) => {}
                Err(CommandError::Rule(WalletError::InsufficientFunds { .. })) => {
                    return Ok(Renewal::ShortFunds);
                }
                Err(e) => return Err(e.into()),
            }
            let renew = SubscriptionCommand::RenewPeriod {
                transfer_id,
                amount: price,
                at: metadata.occurred_at,
            };
            match unit.execute(&subscriptions, &id, renew).await {
                Ok(_) => {}
                Err(CommandError::Rule(
                    rule @ (SubscriptionError::CancellationScheduled
                    | SubscriptionError::WrongStatus { .. }),
                )) => {
                    tracing::info!(%id, %rule, "renewal refused; nothing charged");
                    return Ok(Renewal::NotRenewable);
                }
                Err(e) => return Err(e.into()),
            }
            if attempts.commit(unit).await? {
                return Ok(Renewal::Renewed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn fee_and_share_add_up_to_the_amount() {
        for (amount, percent, fee) in [
            (dec!(1000.00), dec!(10), dec!(100.00)),
            (dec!(0.05), dec!(10), dec!(0.01)),
            (dec!(333.33), dec!(12.5), dec!(41.67)),
            (dec!(10.00), dec!(0), dec!(0.00)),
            (dec!(10.00), dec!(100), dec!(10.00)),
        ] {
            let s = split(Money::rub(amount), percent);
            assert_eq!(s.fee.amount(), fee, "{amount} at {percent}%");
            assert_eq!(s.fee.amount() + s.provider.amount(), amount);
        }
    }
}
