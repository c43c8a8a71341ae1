//! The bank that pays withdrawals out (DESIGN §5): a trait, and the sandbox
//! `hub dev` and tests use. A real bank's adapter implements the same two
//! calls; see `docs/payouts.md`.

use crate::jobs::Payout;
use async_trait::async_trait;

/// Where a payout stands at the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayoutStatus {
    /// Not decided yet: ask again later.
    Pending,
    /// Paid out to the account.
    Settled,
    /// Refused, with the bank's reason: the money goes back to the wallet.
    Failed(String),
}

/// The bank could not be asked (network, outage): try again later.
#[derive(Debug, thiserror::Error)]
#[error("payout bank unavailable: {0}")]
pub struct BankUnavailable(pub String);

/// A bank that pays money out to accounts.
///
/// Both calls must be idempotent on the payout's transfer id: a crashed
/// process manager submits the same payout again.
#[async_trait]
pub trait PayoutBank: Send + Sync + std::fmt::Debug {
    /// Hands the payout to the bank.
    async fn submit(&self, payout: &Payout) -> Result<(), BankUnavailable>;
    /// How the payout went.
    async fn status(&self, payout: &Payout) -> Result<PayoutStatus, BankUnavailable>;
}

/// The sandbox: accepts every payout, then settles it, except for accounts
/// whose number ends in [`SandboxBank::FAILING_SUFFIX`], which it refuses.
/// It keeps no state (the answer follows from the account), so replicas and
/// restarts agree.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxBank;

impl SandboxBank {
    /// Accounts ending in these digits are refused, e.g. BIK `044525225`
    /// with account `40702810900000000013` (its control key is valid).
    pub const FAILING_SUFFIX: &'static str = "0000013";
    /// The reason the sandbox gives for a refusal.
    pub const FAILURE_REASON: &'static str = "sandbox bank: account closed";
}

#[async_trait]
impl PayoutBank for SandboxBank {
    async fn submit(&self, payout: &Payout) -> Result<(), BankUnavailable> {
        tracing::info!(transfer_id = %payout.transfer_id, amount = %payout.amount, "sandbox bank: payout received");
        Ok(())
    }

    async fn status(&self, payout: &Payout) -> Result<PayoutStatus, BankUnavailable> {
        if payout.bank.account.as_str().ends_with(Self::FAILING_SUFFIX) {
            Ok(PayoutStatus::Failed(Self::FAILURE_REASON.to_owned()))
        } else {
            Ok(PayoutStatus::Settled)
        }
    }
}
