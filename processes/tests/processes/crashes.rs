//! A process cut short between two commits (a crash, a kill -9) is finished
//! by the redelivery or the rerun, with exactly one effect. The release and
//! the renewal now commit their streams together (`store::UnitOfWork`); these
//! states arise from a crash between a release and the subscription's
//! completion, or from data written before that, and must still heal.

use crate::support::{World, rub};
use chrono::Duration;
use domain::Plan;
use domain::subscription::{EscrowParty, SubscriptionCommand, SubscriptionStatus};
use domain::wallet::WalletCommand;
use processes::money::{period_base, provider_transfer, renewal_transfer};
use rust_decimal_macros::dec;

#[tokio::test]
async fn a_release_cut_short_after_the_providers_share_is_finished_by_the_redelivery() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::OneOff, "1000.00").await;
    w.order_done(sub, client, provider, Plan::OneOff, true)
        .await;
    let events = w.new_events().await;
    let completed = events
        .iter()
        .find(|e| e.event_type == "OrderCompleted")
        .expect("order completed")
        .clone();

    // The first delivery got as far as the provider's share, then died:
    // no fee, no wallet credit, subscription still active.
    w.store
        .subscriptions()
        .execute_with_metadata(
            &sub.to_string(),
            SubscriptionCommand::ReleaseEscrow {
                transfer_id: provider_transfer(processes::event_uuid(&completed)),
                to: EscrowParty::Provider,
                amount: rub("900.00"),
            },
            store::EventMetadata::system().to_map(),
        )
        .await
        .expect("first step");

    w.processes.react(&completed).await.expect("redelivery");
    w.pump().await;
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    assert_eq!(w.fees().await, dec!(100.00));
    assert_eq!(w.count("EscrowReleased").await, 2);
    assert_eq!(w.count("FundsCreditedFromEscrow").await, 1);
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::Completed)
    );
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn a_renewal_cut_short_after_the_charge_is_finished_by_the_rerun() {
    let mut w = World::new().await;
    let client = w.client_with("3000.00").await;
    let (sub, provider) = w.accepted(client, Plan::Monthly, "1000.00").await;
    w.settle().await;
    let end = w.subscription(sub).await.period_end().expect("period end");

    // The period-end job released the escrow and charged the wallet, then
    // died before `RenewPeriod` and before marking itself done.
    w.advance(Duration::days(32)).await;
    let metadata = store::EventMetadata::system();
    let base = period_base(sub, end);
    for (transfer_id, to, amount) in [
        (provider_transfer(base), EscrowParty::Provider, "900.00"),
        (
            processes::money::fee_transfer(base),
            EscrowParty::Platform,
            "100.00",
        ),
    ] {
        w.store
            .subscriptions()
            .execute_with_metadata(
                &sub.to_string(),
                SubscriptionCommand::ReleaseEscrow {
                    transfer_id,
                    to,
                    amount: rub(amount),
                },
                metadata.to_map(),
            )
            .await
            .expect("released");
    }
    w.store
        .wallets()
        .execute_with_metadata(
            &client.to_string(),
            WalletCommand::MoveToEscrow {
                transfer_id: renewal_transfer(sub, end),
                subscription_id: sub,
                amount: rub("1000.00"),
            },
            metadata.to_map(),
        )
        .await
        .expect("charged");

    w.settle().await;
    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::Active));
    assert_eq!(s.escrow(), rub("1000.00"));
    assert_eq!(w.count("PeriodRenewed").await, 1);
    assert_eq!(
        w.count("FundsMovedToEscrow").await,
        2,
        "first period + one renewal"
    );
    assert_eq!(w.wallet(client).await.balance(), rub("1000.00"));
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    w.assert_conserved(&[client, provider], &[sub]).await;
}
