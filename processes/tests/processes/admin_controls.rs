//! The process managers after the admin's controls: a deadline an admin set
//! fires at its time, and a monthly period of a reassigned subscription is
//! released to the provider who holds it.

use crate::support::{World, rub};
use chrono::Duration;
use domain::subscription::{SubscriptionCommand, SubscriptionStatus};
use domain::{AccountId, Actor, Plan, Role, ServiceType};
use rust_decimal_macros::dec;
use store::EventMetadata;

fn admin() -> Actor {
    Actor::new(AccountId::new(), Role::Admin)
}

#[tokio::test]
async fn a_deadline_an_admin_set_passes_at_its_time() {
    let mut w = World::new().await;
    let client = w.client_with("700.00").await;
    let sub = w
        .requested(client, Plan::OneOff, "700.00", Duration::hours(1))
        .await;
    w.pump().await;
    let until = w.now() + Duration::hours(6);
    w.store
        .subscriptions()
        .execute_with_metadata(
            &sub.to_string(),
            SubscriptionCommand::AdminExtendDeadline {
                actor: admin(),
                until,
                reason: "a specialist returns on Monday".into(),
                at: w.now(),
            },
            EventMetadata::system().to_map(),
        )
        .await
        .expect("deadline moved");
    w.pump().await;
    w.advance(Duration::hours(2)).await;
    w.settle().await;
    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 0, "not yet");
    w.advance(Duration::hours(5)).await;
    w.settle().await;
    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 1);
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::Overdue)
    );
}

#[tokio::test]
async fn a_reassigned_monthly_period_is_released_to_the_new_provider() {
    let mut w = World::new().await;
    let client = w.client_with("1000.00").await;
    let (sub, old) = w.accepted(client, Plan::Monthly, "1000.00").await;
    w.settle().await;
    let new = AccountId::new();
    w.store
        .subscriptions()
        .execute_with_metadata(
            &sub.to_string(),
            SubscriptionCommand::Reassign {
                actor: admin(),
                to: new,
                to_service_types: vec![ServiceType::parse("legal").expect("type")],
                reason: "the provider closed down".into(),
                at: w.now(),
            },
            EventMetadata::system().to_map(),
        )
        .await
        .expect("reassigned");
    w.advance(Duration::days(32)).await;
    w.settle().await;
    assert_eq!(w.wallet(new).await.balance(), rub("900.00"));
    assert_eq!(w.wallet(old).await.balance(), rub("0.00"));
    assert_eq!(w.fees().await, dec!(100.00));
    w.assert_conserved(&[client, old, new], &[sub]).await;
}
