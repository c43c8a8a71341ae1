//! `read.wallets`: each account's balance and withdrawals on their way to the bank.

use async_trait::async_trait;
use domain::Money;
use domain::wallet::WalletEvent;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// Wallet balances.
pub struct Wallets;

#[async_trait]
impl Projection for Wallets {
    fn name(&self) -> &'static str {
        "wallets"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Wallet"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["wallets"]
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &StoredEvent,
        changes: &mut Vec<Change>,
    ) -> Result<(), ProjectionError> {
        // A wallet's id is its owner's account id.
        let id = event.aggregate_uuid()?;
        let zero = Decimal::ZERO;
        // (balance delta, pending payouts delta, the amount for its currency)
        let (balance, pending, money): (Decimal, Decimal, Option<Money>) = match event
            .decode::<WalletEvent>()?
        {
            WalletEvent::TopUpRequested { amount, .. } => (zero, zero, Some(amount)),
            // This model keeps balances, not top-ups: a failed top-up never
            // reached the balance, so nothing changes.
            WalletEvent::TopUpFailed { .. } => (zero, zero, None),
            WalletEvent::TopUpSettled { amount, .. }
            | WalletEvent::FundsCreditedFromEscrow { amount, .. } => {
                (amount.amount(), zero, Some(amount))
            }
            WalletEvent::WithdrawalRequested { amount, .. } => {
                (-amount.amount(), amount.amount(), Some(amount))
            }
            WalletEvent::WithdrawalSent { .. } => (zero, zero, None),
            WalletEvent::WithdrawalSettled { amount, .. } => (zero, -amount.amount(), Some(amount)),
            WalletEvent::WithdrawalFailed { amount, .. } => {
                (amount.amount(), -amount.amount(), Some(amount))
            }
            WalletEvent::FundsMovedToEscrow { amount, .. } => {
                (-amount.amount(), zero, Some(amount))
            }
        };
        let currency = money.map(|m| m.currency()).unwrap_or_default().to_string();
        let at = event.occurred_at();
        // Two statements: CHECK (balance >= 0) also applies to the row an
        // INSERT .. ON CONFLICT proposes, so a debit cannot ride on it.
        sqlx::query(
            "INSERT INTO wallets (account_id, balance, pending_payouts, currency, updated_at) \
             VALUES ($1, 0, 0, $2, $3) ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(id)
        .bind(currency)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE wallets SET balance = balance + $2, pending_payouts = pending_payouts + $3, \
             updated_at = $4 WHERE account_id = $1",
        )
        .bind(id)
        .bind(balance)
        .bind(pending)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        if !(balance.is_zero() && pending.is_zero()) {
            changes.push(Change::Wallet { id });
        }
        Ok(())
    }
}
