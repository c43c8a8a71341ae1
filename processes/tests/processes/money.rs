//! Escrow releases, renewals, past due and cancellation, driven by events
//! from the store and by the scheduler under a moved clock.

use crate::support::{World, rub};
use chrono::Duration;
use domain::subscription::{SubscriptionCommand, SubscriptionStatus};
use domain::{Actor, Plan, Role};
use rust_decimal_macros::dec;

#[tokio::test]
async fn one_off_completion_pays_the_provider_minus_the_fee_exactly_once() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::OneOff, "1000.00").await;
    w.order_done(sub, client, provider, Plan::OneOff, true)
        .await;
    let fed = w.pump().await;

    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    assert_eq!(w.fees().await, dec!(100.00));
    let s = w.subscription(sub).await;
    assert_eq!(s.escrow(), rub("0.00"));
    assert_eq!(s.status(), Some(SubscriptionStatus::Completed));
    w.assert_conserved(&[client, provider], &[sub]).await;
    // Escrow → provider's wallet and the fee moved in one transaction.
    let transactions: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT tx_id::text) FROM events \
         WHERE event_type IN ('EscrowReleased', 'FundsCreditedFromEscrow')",
    )
    .fetch_one(w.db.pool())
    .await
    .expect("transactions");
    assert_eq!(transactions, 1);

    // The same events again (a redelivery of everything): no second effect.
    for event in &fed {
        w.processes.react(event).await.expect("redelivery");
    }
    w.pump().await;
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    assert_eq!(w.count("EscrowReleased").await, 2);
    assert_eq!(w.count("FundsCreditedFromEscrow").await, 1);
    assert_eq!(w.count("SubscriptionCompleted").await, 1);
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn the_fee_setting_is_applied_and_rounded_to_kopecks() {
    let settings = processes::ProcessesSettings {
        platform_fee_percent: dec!(12.5),
        ..Default::default()
    };
    let mut w = World::with(settings).await;
    let client = w.client_with("333.33").await;
    let (sub, provider) = w.accepted(client, Plan::OneOff, "333.33").await;
    w.order_done(sub, client, provider, Plan::OneOff, true)
        .await;
    w.pump().await;
    assert_eq!(w.fees().await, dec!(41.67));
    assert_eq!(w.wallet(provider).await.balance(), rub("291.66"));
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn monthly_orders_release_nothing_until_the_period_ends_then_release_and_renew() {
    let mut w = World::new().await;
    let client = w.client_with("2500.00").await;
    let (sub, provider) = w.accepted(client, Plan::Monthly, "1000.00").await;
    w.order_done(sub, client, provider, Plan::Monthly, true)
        .await;
    w.settle().await;
    assert_eq!(
        w.count("EscrowReleased").await,
        0,
        "no release per monthly order"
    );
    let first_end = w.subscription(sub).await.period_end().expect("period end");

    w.advance(Duration::days(32)).await;
    w.settle().await;

    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::Active));
    assert_eq!(s.period_start(), Some(first_end));
    assert_eq!(s.escrow(), rub("1000.00"), "the next period is paid");
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    assert_eq!(w.wallet(client).await.balance(), rub("500.00"));
    assert_eq!(w.fees().await, dec!(100.00));
    assert_eq!(w.count("PeriodRenewed").await, 1);
    w.assert_conserved(&[client, provider], &[sub]).await;

    // Nothing more happens until the next period ends.
    w.settle().await;
    assert_eq!(w.count("PeriodRenewed").await, 1);
}

#[tokio::test]
async fn short_funds_make_it_past_due_then_retries_then_suspended() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::Monthly, "1000.00").await;
    w.settle().await;

    w.advance(Duration::days(32)).await;
    w.settle().await;
    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::PastDue));
    assert_eq!(
        w.wallet(provider).await.balance(),
        rub("900.00"),
        "the ended period is still paid out"
    );

    // Three retries a day apart (the defaults), each short, then suspended.
    for retry in 1..=3 {
        w.advance(Duration::days(1) + Duration::minutes(1)).await;
        w.settle().await;
        let status = w.subscription(sub).await.status();
        let expected = if retry < 3 {
            SubscriptionStatus::PastDue
        } else {
            SubscriptionStatus::Suspended
        };
        assert_eq!(status, Some(expected), "after retry {retry}");
    }
    assert_eq!(w.count("PastDue").await, 1);
    assert_eq!(w.count("SubscriptionSuspended").await, 1);
    assert_eq!(w.count("PeriodRenewed").await, 0);
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn a_top_up_before_the_retry_renews_a_past_due_subscription() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::Monthly, "1000.00").await;
    w.settle().await;
    w.advance(Duration::days(32)).await;
    w.settle().await;
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::PastDue)
    );

    w.top_up(client, "1000.00").await;
    w.advance(Duration::days(1) + Duration::minutes(1)).await;
    w.settle().await;
    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::Active));
    assert_eq!(s.escrow(), rub("1000.00"));
    assert_eq!(w.count("PeriodRenewed").await, 1);
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn a_scheduled_cancel_ends_the_subscription_at_period_end_without_renewal() {
    let mut w = World::new().await;
    let client = w.client_with("5000.00").await;
    let (sub, provider) = w.accepted(client, Plan::Monthly, "1000.00").await;
    w.store
        .subscriptions()
        .execute_with_metadata(
            &sub.to_string(),
            SubscriptionCommand::Cancel {
                actor: Actor::new(client, Role::Client),
                at: w.now(),
            },
            store::EventMetadata::system().to_map(),
        )
        .await
        .expect("cancel scheduled");
    w.settle().await;
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::Active)
    );

    w.advance(Duration::days(32)).await;
    w.settle().await;
    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::Completed));
    assert_eq!(s.escrow(), rub("0.00"));
    assert_eq!(w.count("PeriodRenewed").await, 0);
    assert_eq!(w.wallet(client).await.balance(), rub("4000.00"));
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn an_unanswered_done_is_confirmed_after_the_auto_confirm_days() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::OneOff, "1000.00").await;
    w.order_done(sub, client, provider, Plan::OneOff, false)
        .await;
    w.settle().await;

    w.advance(Duration::days(2)).await;
    w.settle().await;
    assert_eq!(w.count("OrderCompleted").await, 0, "not before 3 days");

    w.advance(Duration::days(1) + Duration::minutes(1)).await;
    w.settle().await;
    assert_eq!(w.count("OrderCompleted").await, 1);
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::Completed)
    );
    w.assert_conserved(&[client, provider], &[sub]).await;
}

#[tokio::test]
async fn a_frozen_order_is_not_auto_confirmed() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::OneOff, "1000.00").await;
    let order = w
        .order_done(sub, client, provider, Plan::OneOff, false)
        .await;
    w.store
        .orders()
        .execute_with_metadata(
            &order.to_string(),
            domain::order::OrderCommand::Freeze {
                complaint_id: domain::ComplaintId::new(),
                at: w.now(),
            },
            store::EventMetadata::system().to_map(),
        )
        .await
        .expect("frozen");
    w.settle().await;
    w.advance(Duration::days(4)).await;
    w.settle().await;
    assert_eq!(w.count("OrderCompleted").await, 0);
    assert_eq!(w.wallet(provider).await.balance(), rub("0.00"));
}
