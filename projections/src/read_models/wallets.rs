//! `read.wallets`, `read.wallet_movements`, `read.wallet_payouts`: each
//! account's balance, pending payouts and earnings; every movement with the
//! balance after it; and withdrawals with where they stand at the bank.

use crate::event::EventExt;
use async_trait::async_trait;
use domain::wallet::{CreditKind, WalletEvent};
use domain::{BankDetails, Money};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use super::expect_row;
use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// Wallet balances, history and payouts.
pub struct Wallets;

/// What one wallet event does to the read model.
struct Effect {
    /// Change of the available balance.
    balance: Decimal,
    /// Change of the money on its way to the bank.
    pending: Decimal,
    /// Change of the provider's earnings total.
    earnings: Decimal,
    /// The amount, when the event carries one (fixes a new wallet's currency).
    money: Option<Money>,
    /// The history row's kind; `None` for events that are not movements (a
    /// top-up request moves no money until the gateway settles it).
    kind: Option<&'static str>,
    /// The subscription whose escrow the money went to or came from.
    subscription_id: Option<Uuid>,
    /// A failure's reason.
    reason: Option<String>,
}

impl Effect {
    fn new(kind: Option<&'static str>, balance: Decimal, money: Option<Money>) -> Self {
        Self {
            balance,
            pending: Decimal::ZERO,
            earnings: Decimal::ZERO,
            money,
            kind,
            subscription_id: None,
            reason: None,
        }
    }
}

fn effect(event: &WalletEvent) -> Effect {
    let zero = Decimal::ZERO;
    match event {
        WalletEvent::TopUpRequested { amount, .. } => Effect::new(None, zero, Some(*amount)),
        WalletEvent::TopUpSettled { amount, .. } => {
            Effect::new(Some("top_up"), amount.amount(), Some(*amount))
        }
        WalletEvent::TopUpFailed { reason, .. } => Effect {
            reason: Some(reason.clone()),
            ..Effect::new(Some("top_up_failed"), zero, None)
        },
        WalletEvent::WithdrawalRequested { amount, .. } => Effect {
            pending: amount.amount(),
            ..Effect::new(Some("withdrawal"), -amount.amount(), Some(*amount))
        },
        WalletEvent::WithdrawalSent { .. } => Effect::new(Some("withdrawal_sent"), zero, None),
        WalletEvent::WithdrawalSettled { amount, .. } => Effect {
            pending: -amount.amount(),
            ..Effect::new(Some("withdrawal_settled"), zero, Some(*amount))
        },
        WalletEvent::WithdrawalFailed { amount, reason, .. } => Effect {
            pending: -amount.amount(),
            reason: Some(reason.clone()),
            ..Effect::new(Some("withdrawal_failed"), amount.amount(), Some(*amount))
        },
        WalletEvent::FundsMovedToEscrow {
            amount,
            subscription_id,
            ..
        } => Effect {
            subscription_id: Some(subscription_id.as_uuid()),
            ..Effect::new(Some("to_escrow"), -amount.amount(), Some(*amount))
        },
        WalletEvent::FundsCreditedFromEscrow {
            amount,
            subscription_id,
            kind,
            ..
        } => {
            let (name, earnings) = match kind {
                CreditKind::Refund => ("refund", zero),
                CreditKind::Earnings => ("earnings", amount.amount()),
            };
            Effect {
                earnings,
                subscription_id: Some(subscription_id.as_uuid()),
                ..Effect::new(Some(name), amount.amount(), Some(*amount))
            }
        }
    }
}

/// The account number as the payouts list shows it: its balance-account
/// prefix and last four digits.
pub fn mask_account(account: &str) -> String {
    match (
        account.get(..5),
        account.get(account.len().saturating_sub(4)..),
    ) {
        (Some(head), Some(tail)) if account.len() > 9 => format!("{head}••••{tail}"),
        _ => "••••".to_owned(),
    }
}

#[async_trait]
impl Projection for Wallets {
    fn name(&self) -> &'static str {
        "wallets"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Wallet"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["wallets", "wallet_movements", "wallet_payouts"]
    }

    /// `wallets` and `wallet_movements` rows are keyed by `account_id`, the
    /// aggregate's id; a `wallet_payouts` row is inserted by its wallet's
    /// `WithdrawalRequested` and updated only by that wallet's later events
    /// (the aggregate accepts a withdrawal's steps only for its own
    /// transfers).
    fn independent_aggregates(&self) -> bool {
        true
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &StoredEvent,
        changes: Option<&mut Vec<Change>>,
    ) -> Result<(), ProjectionError> {
        // A wallet's id is its owner's account id.
        let id = event.aggregate_uuid()?;
        let decoded = event.decode::<WalletEvent>()?;
        let fx = effect(&decoded);
        let currency = fx
            .money
            .map(|m| m.currency())
            .unwrap_or_default()
            .to_string();
        let at = event.occurred_at();
        // Two statements: CHECK (balance >= 0) also applies to the row an
        // INSERT .. ON CONFLICT proposes, so a debit cannot ride on it.
        sqlx::query(
            "INSERT INTO wallets (account_id, balance, pending_payouts, currency, updated_at) \
             VALUES ($1, 0, 0, $2, $3) ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(id)
        .bind(&currency)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        let (balance_after, wallet_currency): (Decimal, String) = sqlx::query_as(
            "UPDATE wallets SET balance = balance + $2, pending_payouts = pending_payouts + $3, \
             earnings = earnings + $4, updated_at = $5 WHERE account_id = $1 \
             RETURNING balance, currency",
        )
        .bind(id)
        .bind(fx.balance)
        .bind(fx.pending)
        .bind(fx.earnings)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;

        let transfer_id = decoded.transfer_id().0;
        payout(conn, id, &decoded, &wallet_currency, at).await?;
        if let Some(kind) = fx.kind {
            // ON CONFLICT: a gap filled from the store may replay an event
            // whose row a crashed rebuild already wrote; same key, same row.
            sqlx::query(
                "INSERT INTO wallet_movements (account_id, sequence, kind, amount, balance_after, \
                 currency, transfer_id, subscription_id, reason, occurred_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (account_id, sequence) DO NOTHING",
            )
            .bind(id)
            .bind(event.sequence)
            .bind(kind)
            .bind(fx.balance)
            .bind(balance_after)
            .bind(&wallet_currency)
            .bind(transfer_id)
            .bind(fx.subscription_id)
            .bind(fx.reason)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            if let Some(changes) = changes {
                changes.push(Change::Wallet { id });
            }
        }
        Ok(())
    }
}

/// Keeps `wallet_payouts` in step with a withdrawal's events.
async fn payout(
    conn: &mut PgConnection,
    owner: Uuid,
    event: &WalletEvent,
    currency: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), ProjectionError> {
    let (transfer_id, status, reason) = match event {
        WalletEvent::WithdrawalRequested {
            transfer_id,
            amount,
            bank,
        } => {
            let BankDetails { bik, account } = bank;
            sqlx::query(
                "INSERT INTO wallet_payouts (transfer_id, account_id, amount, currency, status, \
                 bik, account_masked, requested_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'requested', $5, $6, $7, $7) \
                 ON CONFLICT (transfer_id) DO NOTHING",
            )
            .bind(transfer_id.0)
            .bind(owner)
            .bind(amount.amount())
            .bind(currency)
            .bind(bik.as_str())
            .bind(mask_account(account.as_str()))
            .bind(at)
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
        WalletEvent::WithdrawalSent { transfer_id } => (transfer_id, "sent", None),
        WalletEvent::WithdrawalSettled { transfer_id, .. } => (transfer_id, "settled", None),
        WalletEvent::WithdrawalFailed {
            transfer_id,
            reason,
            ..
        } => (transfer_id, "failed", Some(reason.as_str())),
        _ => return Ok(()),
    };
    let r = sqlx::query(
        "UPDATE wallet_payouts SET status = $2, reason = COALESCE($3, reason), updated_at = $4 \
         WHERE transfer_id = $1",
    )
    .bind(transfer_id.0)
    .bind(status)
    .bind(reason)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    expect_row(r, "payout", transfer_id.0)
}

#[cfg(test)]
mod tests {
    use super::mask_account;

    #[test]
    fn masks_all_but_the_prefix_and_the_last_four_digits() {
        assert_eq!(mask_account("40702810938000000001"), "40702••••0001");
        assert_eq!(mask_account("123"), "••••");
    }
}
