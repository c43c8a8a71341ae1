//! Withdrawals through the sandbox bank: sent, then settled or failed.

use crate::support::{World, rub};
use chrono::Duration;
use domain::wallet::{WalletCommand, WithdrawalStatus};
use domain::{AccountId, Actor, BankAccountNumber, BankDetails, Bik, Role, TransferId};

fn bank(account: &str) -> BankDetails {
    BankDetails::new(
        Bik::parse("044525225").expect("bik"),
        BankAccountNumber::parse(account).expect("account"),
    )
    .expect("control key")
}

async fn withdraw(w: &World, owner: AccountId, amount: &str, account: &str) -> TransferId {
    let transfer_id = TransferId::new();
    w.store
        .wallets()
        .execute_with_metadata(
            &owner.to_string(),
            WalletCommand::RequestWithdrawal {
                actor: Actor::new(owner, Role::Client),
                transfer_id,
                amount: rub(amount),
                bank: bank(account),
            },
            store::EventMetadata::system().to_map(),
        )
        .await
        .expect("withdrawal requested");
    transfer_id
}

#[tokio::test]
async fn a_payout_is_sent_then_settled() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let transfer = withdraw(&w, client, "400.00", "40702810200000000001").await;
    w.settle().await;
    let wallet = w.wallet(client).await;
    assert_eq!(
        wallet.withdrawal_status(transfer),
        Some(WithdrawalStatus::Sent)
    );
    assert_eq!(wallet.pending_payouts(), rub("400.00"));

    w.advance(Duration::seconds(6)).await;
    w.settle().await;
    let wallet = w.wallet(client).await;
    // Finished, it leaves the wallet's state (its history keeps it).
    assert_eq!(wallet.withdrawal_status(transfer), None);
    assert_eq!(w.count("WithdrawalSettled").await, 1);
    assert_eq!(wallet.balance(), rub("600.00"));
    assert_eq!(wallet.pending_payouts(), rub("0.00"));
    w.assert_conserved(&[client], &[]).await;
}

#[tokio::test]
async fn a_payout_to_the_sandboxs_failing_account_fails_and_the_money_returns() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    assert!("40702810900000000013".ends_with(processes::SandboxBank::FAILING_SUFFIX));
    let transfer = withdraw(&w, client, "400.00", "40702810900000000013").await;
    w.settle().await;
    w.advance(Duration::seconds(6)).await;
    w.settle().await;
    let wallet = w.wallet(client).await;
    assert_eq!(wallet.withdrawal_status(transfer), None);
    assert_eq!(w.count("WithdrawalFailed").await, 1);
    assert_eq!(wallet.balance(), rub("1000.00"));
    assert_eq!(wallet.pending_payouts(), rub("0.00"));
    assert_eq!(w.count("WithdrawalSent").await, 1);
    assert_eq!(w.count("WithdrawalFailed").await, 1);
    w.assert_conserved(&[client], &[]).await;
}
