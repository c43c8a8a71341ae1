//! The wallet aggregate: its state, its rules (`handle`) and how events change it (`apply`).

use crate::{AccountId, Money, MoneyError, Role, TransferId};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{WalletCommand, WalletError, WalletEvent, WalletServices};

/// The longest failure reason kept from a bank.
const REASON_MAX: usize = 500;

/// Where a withdrawal is on its way to the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalStatus {
    /// Money left the available balance; not yet handed to the bank.
    Requested,
    /// Handed to the bank.
    Sent,
    /// The bank paid it out.
    Settled,
    /// The bank refused; the money is back in the wallet.
    Failed,
}

impl WithdrawalStatus {
    fn as_str(self) -> &'static str {
        match self {
            WithdrawalStatus::Requested => "requested",
            WithdrawalStatus::Sent => "sent",
            WithdrawalStatus::Settled => "settled",
            WithdrawalStatus::Failed => "failed",
        }
    }
}

/// Where one transfer of this wallet stands, folded from its events. The
/// state keeps only open ones; finished ones come from the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Transfer {
    TopUp {
        amount: Money,
        settled: bool,
        // Absent from snapshots taken before top-ups could fail.
        #[serde(default)]
        failed: bool,
    },
    Withdrawal {
        amount: Money,
        status: WithdrawalStatus,
    },
    ToEscrow {
        amount: Money,
    },
    FromEscrow {
        amount: Money,
    },
}

impl Transfer {
    /// The transfer after `event` (one of its own events).
    fn after(previous: Option<Transfer>, event: &WalletEvent) -> Option<Transfer> {
        use WalletEvent as E;
        let status = |s, previous: Option<Transfer>| match previous {
            Some(Transfer::Withdrawal { amount, .. }) => {
                Some(Transfer::Withdrawal { amount, status: s })
            }
            other => other,
        };
        match event {
            E::TopUpRequested { amount, .. } => Some(Transfer::TopUp {
                amount: *amount,
                settled: false,
                failed: false,
            }),
            E::TopUpSettled { amount, .. } => Some(Transfer::TopUp {
                amount: *amount,
                settled: true,
                failed: false,
            }),
            E::TopUpFailed { .. } => match previous {
                Some(Transfer::TopUp { amount, .. }) => Some(Transfer::TopUp {
                    amount,
                    settled: false,
                    failed: true,
                }),
                other => other,
            },
            E::WithdrawalRequested { amount, .. } => Some(Transfer::Withdrawal {
                amount: *amount,
                status: WithdrawalStatus::Requested,
            }),
            E::WithdrawalSent { .. } => status(WithdrawalStatus::Sent, previous),
            E::WithdrawalSettled { .. } => status(WithdrawalStatus::Settled, previous),
            E::WithdrawalFailed { .. } => status(WithdrawalStatus::Failed, previous),
            E::FundsMovedToEscrow { amount, .. } => Some(Transfer::ToEscrow { amount: *amount }),
            E::FundsCreditedFromEscrow { amount, .. } => {
                Some(Transfer::FromEscrow { amount: *amount })
            }
        }
    }

    /// Still waiting for an outcome: kept in the state.
    fn is_open(&self) -> bool {
        match self {
            Transfer::TopUp {
                settled, failed, ..
            } => !settled && !failed,
            Transfer::Withdrawal { status, .. } => {
                matches!(status, WithdrawalStatus::Requested | WithdrawalStatus::Sent)
            }
            Transfer::ToEscrow { .. } | Transfer::FromEscrow { .. } => false,
        }
    }
}

/// A client's or provider's money. Its aggregate id is the owner's account id.
///
/// The available balance never goes below zero; withdrawals wait in
/// `pending_payouts` until the bank settles or refuses them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    owner: Option<AccountId>,
    balance: Money,
    pending_payouts: Money,
    transfers: BTreeMap<TransferId, Transfer>,
}

impl Wallet {
    /// Money the owner can spend or withdraw.
    pub fn balance(&self) -> Money {
        self.balance
    }

    /// Money on its way to the owner's bank.
    pub fn pending_payouts(&self) -> Money {
        self.pending_payouts
    }

    /// The owner, fixed by the wallet's first event; `None` for a wallet never used.
    pub fn owner(&self) -> Option<AccountId> {
        self.owner
    }

    /// True while this transfer is open here (a top-up or withdrawal
    /// waiting for its outcome); finished ones live in the history only.
    pub fn has_transfer(&self, transfer_id: TransferId) -> bool {
        self.transfers.contains_key(&transfer_id)
    }

    /// Where an open withdrawal stands (`None` once settled or failed).
    pub fn withdrawal_status(&self, transfer_id: TransferId) -> Option<WithdrawalStatus> {
        match self.transfers.get(&transfer_id) {
            Some(Transfer::Withdrawal { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// Top-ups and withdrawals are the owner's own decisions: an admin cannot
    /// move someone's money out, and nobody can top up a wallet in another's name.
    fn check_owner(&self, actor_id: AccountId, role: Role) -> Result<(), WalletError> {
        let is_customer = matches!(role, Role::Client | Role::Provider);
        let owns = self.owner.is_none_or(|owner| owner == actor_id);
        if is_customer && owns {
            Ok(())
        } else {
            Err(WalletError::NotOwner)
        }
    }

    /// The transfer as it stands: from the state while open, else folded
    /// from the history's events (`None` for a transfer never seen).
    async fn known(
        &self,
        transfer_id: TransferId,
        services: &WalletServices,
    ) -> Result<Option<Transfer>, WalletError> {
        if let Some(open) = self.transfers.get(&transfer_id) {
            return Ok(Some(open.clone()));
        }
        let Some(owner) = self.owner else {
            return Ok(None);
        };
        let events = services
            .recorded(owner, transfer_id)
            .await
            .map_err(|e| WalletError::HistoryUnavailable(e.0))?;
        Ok(events.iter().fold(None, Transfer::after))
    }

    fn credit(&self, amount: Money) -> Result<Money, WalletError> {
        self.balance.checked_add(amount).map_err(|e| match e {
            MoneyError::CurrencyMismatch => WalletError::CurrencyMismatch,
            _ => WalletError::BalanceTooLarge,
        })
    }

    fn debit(&self, amount: Money) -> Result<Money, WalletError> {
        self.balance.checked_sub(amount).map_err(|e| match e {
            MoneyError::CurrencyMismatch => WalletError::CurrencyMismatch,
            _ => WalletError::InsufficientFunds {
                available: self.balance.to_string(),
                requested: amount.to_string(),
            },
        })
    }
}

/// `Ok(true)` when the transfer already applied as this very movement (a
/// redelivery), an error when its id names a different one.
fn already_applied(
    known: Option<&Transfer>,
    same: impl Fn(&Transfer) -> bool,
) -> Result<bool, WalletError> {
    match known {
        None => Ok(false),
        Some(t) if same(t) => Ok(true),
        Some(_) => Err(WalletError::TransferIdReused),
    }
}

fn withdrawal(known: Option<&Transfer>) -> Result<(Money, WithdrawalStatus), WalletError> {
    match known {
        None => Err(WalletError::UnknownTransfer),
        Some(Transfer::Withdrawal { amount, status }) => Ok((*amount, *status)),
        Some(_) => Err(WalletError::WrongTransferKind),
    }
}

fn positive(amount: Money) -> Result<(), WalletError> {
    if amount.is_zero() {
        Err(WalletError::AmountNotPositive)
    } else {
        Ok(())
    }
}

/// An outside party's reason, trimmed: 1..=`REASON_MAX` characters.
fn reason_text(reason: &str) -> Result<String, WalletError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Err(WalletError::TextLength {
            field: "reason",
            max: REASON_MAX,
        });
    }
    Ok(reason.to_owned())
}

fn not_pending(status: WithdrawalStatus) -> WalletError {
    WalletError::TransferNotPending {
        state: status.as_str(),
    }
}

impl Aggregate for Wallet {
    const TYPE: &'static str = "Wallet";
    type Command = WalletCommand;
    type Event = WalletEvent;
    type Error = WalletError;
    type Services = WalletServices;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let known = self.known(command.transfer_id(), services).await?;
        let known = known.as_ref();
        let event = match command {
            WalletCommand::RequestTopUp {
                actor,
                owner,
                transfer_id,
                amount,
            } => {
                if actor.id != owner {
                    return Err(WalletError::NotOwner);
                }
                self.check_owner(actor.id, actor.role)?;
                if already_applied(
                    known,
                    |t| matches!(t, Transfer::TopUp { amount: a, .. } if *a == amount),
                )? {
                    return Ok(());
                }
                positive(amount)?;
                self.credit(amount)?;
                WalletEvent::TopUpRequested {
                    owner,
                    transfer_id,
                    amount,
                }
            }
            WalletCommand::SettleTopUp { transfer_id } => {
                let amount = match known {
                    None => return Err(WalletError::UnknownTransfer),
                    Some(Transfer::TopUp { settled: true, .. }) => return Ok(()),
                    Some(Transfer::TopUp { failed: true, .. }) => {
                        return Err(WalletError::TransferNotPending { state: "failed" });
                    }
                    Some(Transfer::TopUp { amount, .. }) => *amount,
                    Some(_) => return Err(WalletError::WrongTransferKind),
                };
                self.credit(amount)?;
                WalletEvent::TopUpSettled {
                    transfer_id,
                    amount,
                }
            }
            WalletCommand::FailTopUp {
                transfer_id,
                reason,
            } => {
                match known {
                    None => return Err(WalletError::UnknownTransfer),
                    Some(Transfer::TopUp { failed: true, .. }) => return Ok(()),
                    Some(Transfer::TopUp { settled: true, .. }) => {
                        return Err(WalletError::TransferNotPending { state: "settled" });
                    }
                    Some(Transfer::TopUp { .. }) => {}
                    Some(_) => return Err(WalletError::WrongTransferKind),
                }
                WalletEvent::TopUpFailed {
                    transfer_id,
                    reason: reason_text(&reason)?,
                }
            }
            WalletCommand::RequestWithdrawal {
                actor,
                transfer_id,
                amount,
                bank,
            } => {
                self.check_owner(actor.id, actor.role)?;
                if already_applied(
                    known,
                    |t| matches!(t, Transfer::Withdrawal { amount: a, .. } if *a == amount),
                )? {
                    return Ok(());
                }
                positive(amount)?;
                self.debit(amount)?;
                WalletEvent::WithdrawalRequested {
                    transfer_id,
                    amount,
                    bank,
                }
            }
            WalletCommand::MarkWithdrawalSent { transfer_id } => match withdrawal(known)?.1 {
                WithdrawalStatus::Requested => WalletEvent::WithdrawalSent { transfer_id },
                WithdrawalStatus::Sent | WithdrawalStatus::Settled => return Ok(()),
                s @ WithdrawalStatus::Failed => return Err(not_pending(s)),
            },
            WalletCommand::SettleWithdrawal { transfer_id } => match withdrawal(known)? {
                (amount, WithdrawalStatus::Sent) => WalletEvent::WithdrawalSettled {
                    transfer_id,
                    amount,
                },
                (_, WithdrawalStatus::Settled) => return Ok(()),
                (_, s) => return Err(not_pending(s)),
            },
            WalletCommand::FailWithdrawal {
                transfer_id,
                reason,
            } => {
                let (amount, status) = withdrawal(known)?;
                match status {
                    WithdrawalStatus::Requested | WithdrawalStatus::Sent => {}
                    WithdrawalStatus::Failed => return Ok(()),
                    s @ WithdrawalStatus::Settled => return Err(not_pending(s)),
                }
                let reason = reason_text(&reason)?;
                self.credit(amount)?;
                WalletEvent::WithdrawalFailed {
                    transfer_id,
                    amount,
                    reason,
                }
            }
            WalletCommand::MoveToEscrow {
                transfer_id,
                subscription_id,
                amount,
            } => {
                if already_applied(
                    known,
                    |t| matches!(t, Transfer::ToEscrow { amount: a } if *a == amount),
                )? {
                    return Ok(());
                }
                positive(amount)?;
                self.debit(amount)?;
                WalletEvent::FundsMovedToEscrow {
                    transfer_id,
                    subscription_id,
                    amount,
                }
            }
            WalletCommand::CreditFromEscrow {
                owner,
                transfer_id,
                subscription_id,
                amount,
                kind,
            } => {
                if self.owner.is_some_and(|o| o != owner) {
                    return Err(WalletError::NotOwner);
                }
                if already_applied(
                    known,
                    |t| matches!(t, Transfer::FromEscrow { amount: a } if *a == amount),
                )? {
                    return Ok(());
                }
                positive(amount)?;
                self.credit(amount)?;
                WalletEvent::FundsCreditedFromEscrow {
                    owner,
                    transfer_id,
                    subscription_id,
                    amount,
                    kind,
                }
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    // `handle` validated every amount before the event existed, so the checked
    // operations below cannot fail on events this aggregate wrote; keeping the
    // old value instead of panicking protects loading a wallet from the store.
    fn apply(&mut self, event: Self::Event) {
        let transfer_id = event.transfer_id();
        let previous = self.transfers.remove(&transfer_id);
        if let Some(open) = Transfer::after(previous, &event).filter(Transfer::is_open) {
            self.transfers.insert(transfer_id, open);
        }
        let add = |to: Money, amount| to.checked_add(amount).unwrap_or(to);
        let sub = |from: Money, amount| from.checked_sub(amount).unwrap_or(from);
        match event {
            WalletEvent::TopUpRequested { owner, .. } => {
                self.owner.get_or_insert(owner);
            }
            WalletEvent::TopUpSettled { amount, .. } => self.balance = add(self.balance, amount),
            WalletEvent::TopUpFailed { .. } | WalletEvent::WithdrawalSent { .. } => {}
            WalletEvent::WithdrawalRequested { amount, .. } => {
                self.balance = sub(self.balance, amount);
                self.pending_payouts = add(self.pending_payouts, amount);
            }
            WalletEvent::WithdrawalSettled { amount, .. } => {
                self.pending_payouts = sub(self.pending_payouts, amount);
            }
            WalletEvent::WithdrawalFailed { amount, .. } => {
                self.pending_payouts = sub(self.pending_payouts, amount);
                self.balance = add(self.balance, amount);
            }
            WalletEvent::FundsMovedToEscrow { amount, .. } => {
                self.balance = sub(self.balance, amount);
            }
            WalletEvent::FundsCreditedFromEscrow { owner, amount, .. } => {
                self.owner.get_or_insert(owner);
                self.balance = add(self.balance, amount);
            }
        }
    }
}
