//! The double-entry postings of DESIGN §5: what each money event moves
//! between ledger accounts. One definition, read by the ledger projection
//! and by the property test of the money invariants.
//!
//! A transfer between two aggregates (wallet → escrow, escrow → wallet) is
//! written as one event on each side, in one transaction; each event posts
//! its own side, so a transfer balances once its transaction is in, and the
//! sum over all accounts is zero after every commit.

use crate::subscription::{EscrowParty, SubscriptionEvent};
use crate::wallet::WalletEvent;
use crate::{AccountId, Currency, Money, SubscriptionId, TransferId};
use rust_decimal::Decimal;
use std::fmt;

/// A ledger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerAccount {
    /// `external:bank`: top-ups come from it, payouts go to it.
    Bank,
    /// `wallet:<account>`: a client's or provider's available money.
    Wallet(AccountId),
    /// `escrow:<subscription>`: paid and not yet earned or refunded.
    Escrow(SubscriptionId),
    /// `payout:<account>`: withdrawals not yet settled by the bank.
    Payout(AccountId),
    /// `platform:fees`: the platform's commission.
    Fees,
}

impl LedgerAccount {
    /// Whether the account may never go below zero (everything but the
    /// outside world and the platform's own account).
    pub fn must_not_go_negative(&self) -> bool {
        matches!(
            self,
            LedgerAccount::Wallet(_) | LedgerAccount::Escrow(_) | LedgerAccount::Payout(_)
        )
    }

    /// Parses the form [`fmt::Display`] writes.
    pub fn parse(text: &str) -> Option<Self> {
        let id = |rest: &str| uuid::Uuid::parse_str(rest).ok();
        match text.split_once(':')? {
            ("external", "bank") => Some(LedgerAccount::Bank),
            ("platform", "fees") => Some(LedgerAccount::Fees),
            ("wallet", rest) => id(rest).map(|u| LedgerAccount::Wallet(AccountId(u))),
            ("payout", rest) => id(rest).map(|u| LedgerAccount::Payout(AccountId(u))),
            ("escrow", rest) => id(rest).map(|u| LedgerAccount::Escrow(SubscriptionId(u))),
            _ => None,
        }
    }
}

impl fmt::Display for LedgerAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerAccount::Bank => f.write_str("external:bank"),
            LedgerAccount::Wallet(id) => write!(f, "wallet:{}", id.0),
            LedgerAccount::Escrow(id) => write!(f, "escrow:{}", id.0),
            LedgerAccount::Payout(id) => write!(f, "payout:{}", id.0),
            LedgerAccount::Fees => f.write_str("platform:fees"),
        }
    }
}

/// One side of a transfer: `amount` into `account` (negative: out of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// The transfer, shared by every posting it makes.
    pub transfer_id: TransferId,
    /// Where the money goes in or out.
    pub account: LedgerAccount,
    /// Signed: positive into the account.
    pub amount: Decimal,
    /// The transfer's currency.
    pub currency: Currency,
}

fn leg(transfer_id: TransferId, account: LedgerAccount, sign: i8, money: &Money) -> Posting {
    let amount = if sign < 0 {
        -money.amount()
    } else {
        money.amount()
    };
    Posting {
        transfer_id,
        account,
        amount,
        currency: money.currency(),
    }
}

/// The postings of a wallet event of `owner`'s wallet. The escrow's side
/// of an escrow movement comes from the subscription's event.
pub fn wallet_postings(owner: AccountId, event: &WalletEvent) -> Vec<Posting> {
    use LedgerAccount::{Bank, Payout, Wallet};
    match event {
        WalletEvent::TopUpRequested { .. }
        | WalletEvent::TopUpFailed { .. }
        | WalletEvent::WithdrawalSent { .. } => Vec::new(),
        WalletEvent::TopUpSettled {
            transfer_id,
            amount,
        } => vec![
            leg(*transfer_id, Bank, -1, amount),
            leg(*transfer_id, Wallet(owner), 1, amount),
        ],
        WalletEvent::WithdrawalRequested {
            transfer_id,
            amount,
            ..
        } => vec![
            leg(*transfer_id, Wallet(owner), -1, amount),
            leg(*transfer_id, Payout(owner), 1, amount),
        ],
        WalletEvent::WithdrawalSettled {
            transfer_id,
            amount,
        } => vec![
            leg(*transfer_id, Payout(owner), -1, amount),
            leg(*transfer_id, Bank, 1, amount),
        ],
        WalletEvent::WithdrawalFailed {
            transfer_id,
            amount,
            ..
        } => vec![
            leg(*transfer_id, Payout(owner), -1, amount),
            leg(*transfer_id, Wallet(owner), 1, amount),
        ],
        WalletEvent::FundsMovedToEscrow {
            transfer_id,
            amount,
            ..
        } => vec![leg(*transfer_id, Wallet(owner), -1, amount)],
        WalletEvent::FundsCreditedFromEscrow {
            transfer_id,
            amount,
            ..
        } => vec![leg(*transfer_id, Wallet(owner), 1, amount)],
    }
}

/// The postings of an event of subscription `id`: the escrow's side, and
/// the platform's fee, which has no aggregate of its own.
pub fn subscription_postings(id: SubscriptionId, event: &SubscriptionEvent) -> Vec<Posting> {
    use LedgerAccount::{Escrow, Fees};
    match event {
        SubscriptionEvent::EscrowFunded {
            transfer_id,
            amount,
        }
        | SubscriptionEvent::PeriodRenewed {
            transfer_id,
            amount,
            ..
        } => vec![leg(*transfer_id, Escrow(id), 1, amount)],
        SubscriptionEvent::EscrowReleased {
            transfer_id,
            to,
            amount,
            ..
        } => {
            let mut legs = vec![leg(*transfer_id, Escrow(id), -1, amount)];
            if *to == EscrowParty::Platform {
                legs.push(leg(*transfer_id, Fees, 1, amount));
            }
            legs
        }
        SubscriptionEvent::ComplaintSettled {
            transfer_id,
            to_client,
            to_provider,
            ..
        } => vec![Posting {
            transfer_id: *transfer_id,
            account: Escrow(id),
            amount: -(to_client.amount() + to_provider.amount()),
            currency: to_client.currency(),
        }],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn accounts_read_back_what_they_write() {
        let id = Uuid::from_u128(7);
        for account in [
            LedgerAccount::Bank,
            LedgerAccount::Fees,
            LedgerAccount::Wallet(AccountId(id)),
            LedgerAccount::Payout(AccountId(id)),
            LedgerAccount::Escrow(SubscriptionId(id)),
        ] {
            assert_eq!(LedgerAccount::parse(&account.to_string()), Some(account));
        }
        for bad in [
            "",
            "wallet:",
            "wallet:nope",
            "bank",
            "external:cash",
            "escrow:1",
        ] {
            assert_eq!(LedgerAccount::parse(bad), None, "{bad}");
        }
    }
}
