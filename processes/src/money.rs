//! Escrow releases and renewals: the money steps the reactions and jobs share.
//!
//! Each step is one command with a transfer id derived from what triggered
//! it, run with `store::execute_with_retry`: a command whose transfer id the
//! aggregate already applied is a no-op, so a rerun after a crash finishes
//! what is missing and repeats nothing.

use crate::error::ProcessError;
use crate::managers::{Processes, exec};
use domain::subscription::{
    EscrowParty, Subscription, SubscriptionCommand, SubscriptionError, derived_transfer_id,
};
use domain::wallet::{CreditKind, WalletCommand, WalletError};
use domain::{AccountId, Money, SubscriptionId, TransferId};
use rust_decimal::{Decimal, RoundingStrategy};
use store::{CommandError, EventMetadata};
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

impl Processes {
    /// Releases one price's worth of the escrow: the provider's share, then
    /// the fee, each under an id derived from `base`, each capped at what
    /// the escrow still holds (a complaint may have split part of it). The
    /// provider's wallet is credited at once; the `EscrowReleased` reaction
    /// credits it too (a no-op then) and so finishes a release a crash cut short.
    pub(crate) async fn release(
        &self,
        subscription_id: SubscriptionId,
        base: Uuid,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let id = subscription_id.to_string();
        let steps = [
            (provider_transfer(base), EscrowParty::Provider),
            (fee_transfer(base), EscrowParty::Platform),
        ];
        for (transfer_id, to) in steps {
            let sub: Subscription = self.load(&id).await?;
            let (Some(price), Some(provider)) = (sub.price(), sub.provider()) else {
                return Err(ProcessError::Rule(format!(
                    "subscription {id} has no provider to pay"
                )));
            };
            if sub.has_transfer(transfer_id) {
                continue;
            }
            let planned = split(price, self.settings.platform_fee_percent);
            let planned = match to {
                EscrowParty::Provider => planned.provider,
                _ => planned.fee,
            };
            let amount = min(planned, sub.escrow());
            if amount.is_zero() {
                continue;
            }
            let release = SubscriptionCommand::ReleaseEscrow {
                transfer_id,
                to,
                amount,
            };
            exec(&self.subscriptions, &id, release, metadata).await?;
            if to == EscrowParty::Provider {
                self.credit(
                    provider,
                    transfer_id,
                    subscription_id,
                    amount,
                    CreditKind::Earnings,
                    metadata,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// escrow → wallet, under the release's transfer id.
    pub(crate) async fn credit(
        &self,
        owner: AccountId,
        transfer_id: TransferId,
        subscription_id: SubscriptionId,
        amount: Money,
        kind: CreditKind,
        metadata: &EventMetadata,
    ) -> Result<(), ProcessError> {
        let command = WalletCommand::CreditFromEscrow {
            owner,
            transfer_id,
            subscription_id,
            amount,
            kind,
        };
        exec(&self.wallets, &owner.to_string(), command, metadata)
            .await
            .map_err(ProcessError::from)
    }

    /// Charges the period after `period_end`: client wallet → escrow, then
    /// `RenewPeriod`, both under one id derived from (subscription, period).
    pub(crate) async fn renew(
        &self,
        subscription_id: SubscriptionId,
        period_end: chrono::DateTime<chrono::Utc>,
        metadata: &EventMetadata,
    ) -> Result<Renewal, ProcessError> {
        let id = subscription_id.to_string();
        let sub: Subscription = self.load(&id).await?;
        let (Some(client), Some(price)) = (sub.client(), sub.price()) else {
            return Err(ProcessError::Rule(format!("subscription {id} not found")));
        };
        let transfer_id = renewal_transfer(subscription_id, period_end);
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
        match exec(&self.wallets, &client.to_string(), pay, metadata).await {
            Ok(()) => {}
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
        match exec(&self.subscriptions, &id, renew, metadata).await {
            Ok(()) => Ok(Renewal::Renewed),
            Err(CommandError::Rule(
                rule @ (SubscriptionError::CancellationScheduled
                | SubscriptionError::WrongStatus { .. }),
            )) => {
                // The client cancelled between our check and the charge: the
                // money left the wallet for an escrow that will not take it,
                // so it goes straight back.
                tracing::info!(%id, %rule, "renewal refused after the charge; refunding it");
                let undo = derived_transfer_id(transfer_id.0, "undo");
                self.credit(
                    client,
                    undo,
                    subscription_id,
                    price,
                    CreditKind::Refund,
                    metadata,
                )
                .await?;
                Ok(Renewal::NotRenewable)
            }
            Err(e) => Err(e.into()),
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
