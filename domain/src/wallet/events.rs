//! What happened to a wallet. Variant names are stored event types: never rename them.

use crate::{AccountId, BankDetails, Money, SubscriptionId, TransferId};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

/// Why money came back from an escrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    /// The client gets unearned money back.
    Refund,
    /// The provider is paid for work done.
    Earnings,
}

/// An event of a [`super::Wallet`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WalletEvent {
    /// The owner asked for a top-up; no money yet.
    TopUpRequested {
        /// The wallet's owner (fixes it when this is the first event).
        owner: AccountId,
        /// The top-up.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
    },
    /// The top-up arrived: external:bank → wallet.
    TopUpSettled {
        /// The top-up.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
    },
    /// The gateway reported the top-up will not arrive; nothing moved.
    TopUpFailed {
        /// The top-up.
        transfer_id: TransferId,
        /// The gateway's reason.
        reason: String,
    },
    /// A payout was requested: wallet → payout.
    WithdrawalRequested {
        /// The withdrawal.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
        /// Where to.
        bank: BankDetails,
    },
    /// The payout was handed to the bank.
    WithdrawalSent {
        /// The withdrawal.
        transfer_id: TransferId,
    },
    /// The bank confirmed the payout: payout → external:bank.
    WithdrawalSettled {
        /// The withdrawal.
        transfer_id: TransferId,
        /// How much.
        amount: Money,
    },
    /// The bank refused the payout: payout → wallet.
    WithdrawalFailed {
        /// The withdrawal.
        transfer_id: TransferId,
        /// How much came back.
        amount: Money,
        /// The bank's reason.
        reason: String,
    },
    /// Money left for a subscription's escrow: wallet → escrow.
    FundsMovedToEscrow {
        /// The transfer.
        transfer_id: TransferId,
        /// The escrow's subscription.
        subscription_id: SubscriptionId,
        /// How much.
        amount: Money,
    },
    /// Money came back from an escrow: escrow → wallet.
    FundsCreditedFromEscrow {
        /// The wallet's owner (fixes it when this is the first event).
        owner: AccountId,
        /// The transfer.
        transfer_id: TransferId,
        /// The escrow's subscription.
        subscription_id: SubscriptionId,
        /// How much.
        amount: Money,
        /// Refund or earnings.
        kind: CreditKind,
    },
}

impl WalletEvent {
    /// The transfer this event belongs to.
    pub fn transfer_id(&self) -> TransferId {
        match self {
            WalletEvent::TopUpRequested { transfer_id, .. }
            | WalletEvent::TopUpSettled { transfer_id, .. }
            | WalletEvent::TopUpFailed { transfer_id, .. }
            | WalletEvent::WithdrawalRequested { transfer_id, .. }
            | WalletEvent::WithdrawalSent { transfer_id }
            | WalletEvent::WithdrawalSettled { transfer_id, .. }
            | WalletEvent::WithdrawalFailed { transfer_id, .. }
            | WalletEvent::FundsMovedToEscrow { transfer_id, .. }
            | WalletEvent::FundsCreditedFromEscrow { transfer_id, .. } => *transfer_id,
        }
    }
}

impl DomainEvent for WalletEvent {
    fn event_type(&self) -> String {
        match self {
            WalletEvent::TopUpRequested { .. } => "TopUpRequested",
            WalletEvent::TopUpSettled { .. } => "TopUpSettled",
            WalletEvent::TopUpFailed { .. } => "TopUpFailed",
            WalletEvent::WithdrawalRequested { .. } => "WithdrawalRequested",
            WalletEvent::WithdrawalSent { .. } => "WithdrawalSent",
            WalletEvent::WithdrawalSettled { .. } => "WithdrawalSettled",
            WalletEvent::WithdrawalFailed { .. } => "WithdrawalFailed",
            WalletEvent::FundsMovedToEscrow { .. } => "FundsMovedToEscrow",
            WalletEvent::FundsCreditedFromEscrow { .. } => "FundsCreditedFromEscrow",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}
