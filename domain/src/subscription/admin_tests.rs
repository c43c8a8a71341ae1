//! The admin's controls, one behaviour per test: reassign, cancel with a
//! refund, move a request's deadline.

use super::tests::{
    accepted, active, admin, client, deadline, frozen, legal, month_later, open, other_provider_id,
    overdue, provider, provider_id, refund, requested, t0, with,
};
use super::*;
use crate::{Actor, Plan, ServiceType};
use chrono::Duration;
use cqrs_es::Aggregate;
use cqrs_es::test::TestFramework;
use rust_decimal_macros::dec;

type SubTest = TestFramework<Subscription>;

fn reassign(actor: Actor, types: Vec<ServiceType>, reason: &str) -> SubscriptionCommand {
    SubscriptionCommand::Reassign {
        actor,
        to: other_provider_id(),
        to_service_types: types,
        reason: reason.to_owned(),
        at: t0(),
    }
}

fn reassigned(from: Option<crate::AccountId>) -> SubscriptionEvent {
    SubscriptionEvent::SubscriptionReassigned {
        from,
        to: other_provider_id(),
        admin: admin().id,
        reason: "provider unreachable".to_owned(),
        at: t0(),
    }
}

// --- Reassign ---

#[test]
fn an_admin_moves_an_active_subscription_to_another_provider() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(reassign(admin(), vec![legal()], "  provider unreachable "))
        .then_expect_events(vec![reassigned(Some(provider_id()))]);
}

#[test]
fn an_admin_assigns_a_request_as_if_the_provider_accepted() {
    SubTest::with(())
        .given(open(Plan::Monthly))
        .when(reassign(admin(), vec![legal()], "provider unreachable"))
        .then_expect_events(vec![
            reassigned(None),
            SubscriptionEvent::SubscriptionAccepted {
                provider: other_provider_id(),
                period_start: t0(),
                period_end: Some(month_later()),
            },
        ]);
}

#[test]
fn an_overdue_request_can_be_assigned() {
    let mut events = open(Plan::OneOff);
    events.push(overdue());
    let mut sub = Subscription::default();
    events.into_iter().for_each(|e| sub.apply(e));
    let decided = sub
        .decide(reassign(admin(), vec![legal()], "provider unreachable"))
        .expect("assigned");
    decided.into_iter().for_each(|e| sub.apply(e));
    assert_eq!(sub.status(), Some(SubscriptionStatus::Active));
    assert_eq!(sub.provider(), Some(other_provider_id()));
}

#[test]
fn the_new_provider_is_the_one_a_release_pays() {
    let mut sub = Subscription::default();
    with(active(Plan::OneOff), [reassigned(Some(provider_id()))])
        .into_iter()
        .for_each(|e| sub.apply(e));
    let events = sub
        .decide(SubscriptionCommand::ReleaseEscrow {
            transfer_id: super::tests::tid(7),
            to: EscrowParty::Provider,
            amount: crate::Money::rub(dec!(900)),
        })
        .expect("released");
    assert!(matches!(
        events.as_slice(),
        [SubscriptionEvent::EscrowReleased { recipient: Some(r), .. }] if *r == other_provider_id()
    ));
}

#[test]
fn reassigning_to_the_current_provider_is_a_no_op() {
    SubTest::with(())
        .given(with(
            active(Plan::OneOff),
            [reassigned(Some(provider_id()))],
        ))
        .when(reassign(admin(), vec![legal()], "again"))
        .then_expect_events(vec![]);
}

#[test]
fn only_an_admin_may_reassign() {
    for actor in [client(), provider()] {
        SubTest::with(())
            .given(active(Plan::OneOff))
            .when(reassign(actor, vec![legal()], "mine now"))
            .then_expect_error(SubscriptionError::NotAllowed);
    }
}

#[test]
fn a_reassign_needs_a_reason_of_at_most_1000_characters() {
    for reason in ["   ", &"x".repeat(1001)] {
        SubTest::with(())
            .given(active(Plan::OneOff))
            .when(reassign(admin(), vec![legal()], reason))
            .then_expect_error(SubscriptionError::TextLength {
                field: "reason",
                max: 1000,
            });
    }
}

#[test]
fn the_new_provider_must_handle_the_service_type() {
    let other = ServiceType::parse("accounting").expect("valid");
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(reassign(admin(), vec![other.clone()], "x"))
        .then_expect_error(SubscriptionError::ServiceTypeNotHandled);
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(reassign(admin(), vec![other], "x"))
        .then_expect_error(SubscriptionError::ServiceTypeNotHandled);
}

#[test]
fn an_unfunded_request_cannot_be_assigned() {
    SubTest::with(())
        .given(vec![requested(Plan::OneOff)])
        .when(reassign(admin(), vec![legal()], "x"))
        .then_expect_error(SubscriptionError::NotFunded);
}

#[test]
fn a_frozen_escrow_blocks_a_reassign() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(reassign(admin(), vec![legal()], "x"))
        .then_expect_error(SubscriptionError::EscrowFrozen);
}

#[test]
fn closed_subscriptions_cannot_be_reassigned() {
    SubTest::with(())
        .given(with(
            active(Plan::OneOff),
            [SubscriptionEvent::SubscriptionCompleted { at: t0() }],
        ))
        .when(reassign(admin(), vec![legal()], "x"))
        .then_expect_error(SubscriptionError::WrongStatus {
            status: "completed",
        });
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [SubscriptionEvent::SubscriptionCancelled {
                by: client().id,
                at: t0(),
            }],
        ))
        .when(reassign(admin(), vec![legal()], "x"))
        .then_expect_error(SubscriptionError::Cancelled);
}

// --- AdminCancel ---

fn admin_cancel(actor: Actor, reason: &str) -> SubscriptionCommand {
    SubscriptionCommand::AdminCancel {
        actor,
        reason: reason.to_owned(),
        at: t0(),
    }
}

fn cancelled_by_admin() -> SubscriptionEvent {
    SubscriptionEvent::SubscriptionCancelledByAdmin {
        admin: admin().id,
        reason: "client asked support".to_owned(),
        at: t0(),
    }
}

#[test]
fn an_admin_cancels_an_active_monthly_at_once_with_a_full_refund() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(admin_cancel(admin(), "client asked support"))
        .then_expect_events(vec![cancelled_by_admin(), refund("cancel", dec!(1000))]);
}

#[test]
fn an_admin_cancels_a_request_with_a_full_refund() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(admin_cancel(admin(), "client asked support"))
        .then_expect_events(vec![cancelled_by_admin(), refund("cancel", dec!(1000))]);
}

#[test]
fn an_empty_escrow_cancels_without_a_release() {
    SubTest::with(())
        .given(vec![requested(Plan::OneOff)])
        .when(admin_cancel(admin(), "client asked support"))
        .then_expect_events(vec![cancelled_by_admin()]);
}

#[test]
fn an_admin_cancel_of_a_cancelled_subscription_is_a_no_op() {
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [cancelled_by_admin(), refund("cancel", dec!(1000))],
        ))
        .when(admin_cancel(admin(), "client asked support"))
        .then_expect_events(vec![]);
}

#[test]
fn a_completed_subscription_is_not_cancelled_by_an_admin() {
    SubTest::with(())
        .given(with(
            active(Plan::OneOff),
            [SubscriptionEvent::SubscriptionCompleted { at: t0() }],
        ))
        .when(admin_cancel(admin(), "x"))
        .then_expect_error(SubscriptionError::NotCancellable);
}

#[test]
fn a_frozen_escrow_blocks_an_admin_cancel() {
    SubTest::with(())
        .given(frozen(Plan::Monthly))
        .when(admin_cancel(admin(), "x"))
        .then_expect_error(SubscriptionError::EscrowFrozen);
}

#[test]
fn only_an_admin_cancels_with_a_reason() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(admin_cancel(client(), "x"))
        .then_expect_error(SubscriptionError::NotAllowed);
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(admin_cancel(admin(), ""))
        .then_expect_error(SubscriptionError::TextLength {
            field: "reason",
            max: 1000,
        });
}

#[test]
fn an_admin_cancelled_subscription_is_cancelled_with_an_empty_escrow() {
    let mut sub = Subscription::default();
    with(
        active(Plan::Monthly),
        [cancelled_by_admin(), refund("cancel", dec!(1000))],
    )
    .into_iter()
    .for_each(|e| sub.apply(e));
    assert_eq!(sub.status(), Some(SubscriptionStatus::Cancelled));
    assert!(sub.escrow().is_zero());
}

// --- AdminExtendDeadline ---

fn admin_extend(actor: Actor, until: chrono::DateTime<chrono::Utc>) -> SubscriptionCommand {
    SubscriptionCommand::AdminExtendDeadline {
        actor,
        until,
        reason: "waiting for a specialist".to_owned(),
        at: deadline(),
    }
}

fn extended_by_admin(until: chrono::DateTime<chrono::Utc>) -> SubscriptionEvent {
    SubscriptionEvent::AcceptanceDeadlineExtendedByAdmin {
        admin: admin().id,
        until,
        reason: "waiting for a specialist".to_owned(),
        at: deadline(),
    }
}

#[test]
fn an_admin_extends_an_overdue_request_which_opens_again() {
    let later = deadline() + Duration::days(3);
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(admin_extend(admin(), later))
        .then_expect_events(vec![extended_by_admin(later)]);
    let mut sub = Subscription::default();
    with(open(Plan::OneOff), [overdue(), extended_by_admin(later)])
        .into_iter()
        .for_each(|e| sub.apply(e));
    assert_eq!(sub.status(), Some(SubscriptionStatus::Requested));
    assert_eq!(sub.deadline(), Some(later));
}

#[test]
fn an_admin_moves_a_deadline_not_yet_reached() {
    let later = deadline() + Duration::days(1);
    let mut sub = Subscription::default();
    open(Plan::OneOff).into_iter().for_each(|e| sub.apply(e));
    let events = sub
        .decide(SubscriptionCommand::AdminExtendDeadline {
            actor: admin(),
            until: later,
            reason: "busy week".to_owned(),
            at: t0(),
        })
        .expect("moved");
    assert_eq!(events.len(), 1);
}

#[test]
fn the_same_deadline_again_is_a_no_op() {
    let later = deadline() + Duration::days(3);
    SubTest::with(())
        .given(with(open(Plan::OneOff), [extended_by_admin(later)]))
        .when(admin_extend(admin(), later))
        .then_expect_events(vec![]);
}

#[test]
fn an_admin_deadline_must_be_in_the_future() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(admin_extend(admin(), deadline()))
        .then_expect_error(SubscriptionError::DeadlineInPast);
}

#[test]
fn an_accepted_request_has_no_deadline_for_an_admin_to_move() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [accepted(Plan::OneOff)]))
        .when(admin_extend(admin(), deadline() + Duration::days(1)))
        .then_expect_error(SubscriptionError::NotOpen);
}

#[test]
fn only_an_admin_extends_with_a_reason() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(admin_extend(client(), deadline() + Duration::days(1)))
        .then_expect_error(SubscriptionError::NotAllowed);
}

#[test]
fn admin_event_types_are_their_variant_names() {
    use cqrs_es::DomainEvent;
    for (event, name) in [
        (reassigned(None), "SubscriptionReassigned"),
        (cancelled_by_admin(), "SubscriptionCancelledByAdmin"),
        (
            extended_by_admin(deadline()),
            "AcceptanceDeadlineExtendedByAdmin",
        ),
    ] {
        assert_eq!(event.event_type(), name);
        let json = serde_json::to_value(&event).expect("serializes");
        assert!(json.get(name).is_some(), "{name}");
    }
}
