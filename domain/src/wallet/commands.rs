//! What can be asked of a wallet.

use crate::{AccountId, Actor, BankDetails, Money, SubscriptionId, TransferId};
use serde::{Deserialize, Serialize};

use super::CreditKind;

/// A command to a [`super::Wallet`]. Every one carries a transfer id: a
/// transfer id the wallet has already applied makes the command a no-op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WalletCommand {
    /// The owner asks to add money from their bank; the gateway settles it later.
    RequestTopUp {
        /// The owner (a client or a provider).
        actor: Actor,
        /// Whose wallet this is; must be the actor, and the wallet's owner if it has one.
        owner: AccountId,
        /// Idempotency key of the top-up.
        transfer_id: TransferId,
        /// How much; must be positive.
        amount: Money,
    },
    /// The payment gateway confirms a requested top-up.
    SettleTopUp {
        /// The requested top-up.
        transfer_id: TransferId,
    },
    /// The payment gateway reports that a requested top-up will not arrive
    /// (declined, expired); no money moves.
    FailTopUp {
        /// The requested top-up.
        transfer_id: TransferId,
        /// Why, as the gateway said (1..=500 characters).
        reason: String,
    },
    /// The owner asks to pay money out to a bank account.
    RequestWithdrawal {
        /// The owner.
        actor: Actor,
        /// Idempotency key of the withdrawal.
        transfer_id: TransferId,
        /// How much; must be positive and available.
        amount: Money,
        /// Where to send it.
        bank: BankDetails,
    },
    /// The payout was handed to the bank.
    MarkWithdrawalSent {
        /// The requested withdrawal.
        transfer_id: TransferId,
    },
    /// The bank confirmed the payout.
    SettleWithdrawal {
        /// The sent withdrawal.
        transfer_id: TransferId,
    },
    /// The bank refused the payout; the money returns to the wallet.
    FailWithdrawal {
        /// The requested or sent withdrawal.
        transfer_id: TransferId,
        /// Why, as the bank said (1..=500 characters).
        reason: String,
    },
    /// A process manager moves money into a subscription's escrow.
    MoveToEscrow {
        /// Idempotency key, shared with the subscription's `FundEscrow`/`RenewPeriod`.
        transfer_id: TransferId,
        /// The escrow's subscription.
        subscription_id: SubscriptionId,
        /// How much; must be positive and available.
        amount: Money,
    },
    /// A process manager credits money released from a subscription's escrow.
    CreditFromEscrow {
        /// The wallet's owner; may open the wallet (a provider's first earnings).
        owner: AccountId,
        /// Idempotency key, shared with the subscription's release.
        transfer_id: TransferId,
        /// The escrow's subscription.
        subscription_id: SubscriptionId,
        /// How much; must be positive.
        amount: Money,
        /// A refund to the client or earnings of the provider.
        kind: CreditKind,
    },
}

impl WalletCommand {
    /// The transfer this command moves.
    pub fn transfer_id(&self) -> TransferId {
        match self {
            WalletCommand::RequestTopUp { transfer_id, .. }
            | WalletCommand::SettleTopUp { transfer_id }
            | WalletCommand::FailTopUp { transfer_id, .. }
            | WalletCommand::RequestWithdrawal { transfer_id, .. }
            | WalletCommand::MarkWithdrawalSent { transfer_id }
            | WalletCommand::SettleWithdrawal { transfer_id }
            | WalletCommand::FailWithdrawal { transfer_id, .. }
            | WalletCommand::MoveToEscrow { transfer_id, .. }
            | WalletCommand::CreditFromEscrow { transfer_id, .. } => *transfer_id,
        }
    }
}
