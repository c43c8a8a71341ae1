//! Top-ups whose payment never comes: failed when they expire, so nothing
//! waits forever; a paid one is left alone.

use crate::support::{World, rub};
use chrono::Duration;
use domain::wallet::WalletCommand;
use domain::{AccountId, Actor, Role, TransferId};
use store::EventMetadata;

async fn request(w: &World, owner: AccountId, amount: &str) -> TransferId {
    let transfer_id = TransferId::new();
    w.store
        .wallets()
        .execute_with_metadata(
            &owner.to_string(),
            WalletCommand::RequestTopUp {
                actor: Actor::new(owner, Role::Client),
                owner,
                transfer_id,
                amount: rub(amount),
            },
            EventMetadata::system().to_map(),
        )
        .await
        .expect("top-up requested");
    transfer_id
}

async fn settle(w: &World, owner: AccountId, transfer_id: TransferId) -> Result<(), String> {
    w.store
        .wallets()
        .execute_with_metadata(
            &owner.to_string(),
            WalletCommand::SettleTopUp { transfer_id },
            EventMetadata::system().to_map(),
        )
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn an_unpaid_top_up_fails_when_it_expires_and_a_paid_one_stays() {
    let mut w = World::new().await;
    let owner = AccountId::new();
    let unpaid = request(&w, owner, "300.00").await;
    let paid = request(&w, owner, "200.00").await;
    settle(&w, owner, paid).await.expect("paid");
    w.settle().await;

    // A minute short of a day: still waiting for the payer.
    w.advance(Duration::hours(24) - Duration::minutes(1)).await;
    w.settle().await;
    assert_eq!(w.count("TopUpFailed").await, 0);

    w.advance(Duration::minutes(2)).await;
    w.settle().await;
    assert_eq!(
        w.count("TopUpFailed").await,
        1,
        "the unpaid one failed, once"
    );
    assert_eq!(
        w.count("TopUpSettled").await,
        1,
        "the paid one is left alone"
    );
    let wallet = w.wallet(owner).await;
    assert_eq!(wallet.balance(), rub("200.00"));

    // The payer turns up late: refused, nothing moves.
    let late = settle(&w, owner, unpaid).await;
    assert!(late.is_err(), "a late payment is refused");
    assert_eq!(w.wallet(owner).await.balance(), rub("200.00"));
    w.assert_conserved(&[owner], &[]).await;
}
