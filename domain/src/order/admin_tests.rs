//! The admin's controls over an order: given past events, when a command,
//! then these events or this error.

use super::*;
use crate::{AccountId, Actor, ComplaintId, OrderId, Plan, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type OrderTest = TestFramework<Order>;

const CLIENT: AccountId = AccountId(Uuid::from_u128(1));
const PROVIDER: AccountId = AccountId(Uuid::from_u128(2));
const NEW_PROVIDER: AccountId = AccountId(Uuid::from_u128(4));
const ADMIN: AccountId = AccountId(Uuid::from_u128(5));
const SUBSCRIPTION: SubscriptionId = SubscriptionId(Uuid::from_u128(10));
const ORDER: OrderId = OrderId(Uuid::from_u128(20));
const REASON: &str = "the provider stopped answering";

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}
fn admin() -> Actor {
    Actor::new(ADMIN, Role::Admin)
}
fn client() -> Actor {
    Actor::new(CLIENT, Role::Client)
}
fn provider(id: AccountId) -> Actor {
    Actor::new(id, Role::Provider)
}
fn created(plan: Plan) -> OrderEvent {
    OrderEvent::OrderCreated {
        order_id: ORDER,
        subscription_id: SUBSCRIPTION,
        client: CLIENT,
        provider: PROVIDER,
        plan,
        title: "Audit Q3".to_owned(),
        details: String::new(),
        at: at(),
    }
}
fn taken() -> OrderEvent {
    OrderEvent::OrderTaken {
        provider: PROVIDER,
        at: at(),
    }
}
fn done(by: Role) -> OrderEvent {
    OrderEvent::OrderMarkedDone { by, at: at() }
}
fn completed(plan: Plan) -> OrderEvent {
    OrderEvent::OrderCompleted {
        subscription_id: SUBSCRIPTION,
        plan,
        at: at(),
    }
}
fn frozen() -> OrderEvent {
    OrderEvent::OrderFrozen {
        complaint_id: ComplaintId(Uuid::from_u128(30)),
        at: at(),
    }
}
fn reassign(actor: Actor, reason: &str) -> OrderCommand {
    OrderCommand::Reassign {
        actor,
        to: NEW_PROVIDER,
        reason: reason.to_owned(),
        at: at(),
    }
}
fn reassigned() -> OrderEvent {
    OrderEvent::OrderReassigned {
        from: PROVIDER,
        to: NEW_PROVIDER,
        admin: ADMIN,
        reason: REASON.to_owned(),
        at: at(),
    }
}
fn cancel(actor: Actor) -> OrderCommand {
    OrderCommand::Cancel {
        actor,
        reason: REASON.to_owned(),
        at: at(),
    }
}
fn cancelled() -> OrderEvent {
    OrderEvent::OrderCancelled {
        admin: ADMIN,
        reason: REASON.to_owned(),
        at: at(),
    }
}
fn force_complete(actor: Actor, reason: &str) -> OrderCommand {
    OrderCommand::ForceComplete {
        actor,
        reason: reason.to_owned(),
        at: at(),
    }
}
fn order_after(events: Vec<OrderEvent>) -> Order {
    let mut order = Order::default();
    events.into_iter().for_each(|e| order.apply(e));
    order
}

// --- Reassign ---------------------------------------------------------------

#[test]
fn an_admin_moves_an_order_in_work_to_another_provider() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), taken()])
        .when(reassign(admin(), &format!("  {REASON}  ")))
        .then_expect_events(vec![reassigned()]);
}

#[test]
fn a_moved_order_waits_for_the_new_provider_and_forgets_the_old_done() {
    let order = order_after(vec![
        created(Plan::OneOff),
        taken(),
        done(Role::Provider),
        reassigned(),
    ]);
    assert_eq!(order.provider(), NEW_PROVIDER);
    assert_eq!(order.status(), Some(OrderStatus::Created));
    assert!(!order.provider_done());
}

#[test]
fn the_new_provider_takes_the_moved_order_and_the_old_one_may_not() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), taken(), reassigned()])
        .when(OrderCommand::Take {
            actor: provider(NEW_PROVIDER),
            at: at(),
        })
        .then_expect_events(vec![OrderEvent::OrderTaken {
            provider: NEW_PROVIDER,
            at: at(),
        }]);
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), taken(), reassigned()])
        .when(OrderCommand::Take {
            actor: provider(PROVIDER),
            at: at(),
        })
        .then_expect_error(OrderError::NotOrderProvider);
}

#[test]
fn moving_an_order_to_its_provider_is_a_no_op() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), reassigned()])
        .when(reassign(admin(), REASON))
        .then_expect_events(vec![]);
}

#[test]
fn only_an_admin_moves_an_order_with_a_reason() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff)])
        .when(reassign(client(), REASON))
        .then_expect_error(OrderError::NotAdmin);
    OrderTest::with(())
        .given(vec![created(Plan::OneOff)])
        .when(reassign(admin(), &"x".repeat(1001)))
        .then_expect_error(OrderError::InvalidReason);
}

#[test]
fn closed_or_frozen_orders_are_not_moved() {
    for (history, error) in [
        (
            vec![
                created(Plan::OneOff),
                done(Role::Client),
                completed(Plan::OneOff),
            ],
            OrderError::Completed,
        ),
        (
            vec![created(Plan::OneOff), cancelled()],
            OrderError::Cancelled,
        ),
        (vec![created(Plan::OneOff), frozen()], OrderError::Frozen),
    ] {
        OrderTest::with(())
            .given(history)
            .when(reassign(admin(), REASON))
            .then_expect_error(error);
    }
}

// --- Cancel -----------------------------------------------------------------

#[test]
fn an_admin_cancels_an_open_order() {
    OrderTest::with(())
        .given(vec![created(Plan::Monthly), taken()])
        .when(cancel(admin()))
        .then_expect_events(vec![cancelled()]);
}

#[test]
fn cancelling_twice_is_a_no_op() {
    OrderTest::with(())
        .given(vec![created(Plan::Monthly), cancelled()])
        .when(cancel(admin()))
        .then_expect_events(vec![]);
}

#[test]
fn a_cancelled_order_takes_no_more_work_chat_or_complaints() {
    let history = vec![created(Plan::Monthly), cancelled()];
    OrderTest::with(())
        .given(history.clone())
        .when(OrderCommand::Take {
            actor: provider(PROVIDER),
            at: at(),
        })
        .then_expect_error(OrderError::Cancelled);
    OrderTest::with(())
        .given(history.clone())
        .when(OrderCommand::MarkDone {
            actor: client(),
            at: at(),
        })
        .then_expect_error(OrderError::Cancelled);
    OrderTest::with(())
        .given(history.clone())
        .when(OrderCommand::PostMessage {
            actor: client(),
            message_id: crate::MessageId(Uuid::from_u128(100)),
            text: "hello?".to_owned(),
            at: at(),
        })
        .then_expect_error(OrderError::Cancelled);
    OrderTest::with(())
        .given(history)
        .when(OrderCommand::Freeze {
            complaint_id: ComplaintId(Uuid::from_u128(31)),
            at: at(),
        })
        .then_expect_error(OrderError::Cancelled);
}

#[test]
fn completed_or_frozen_orders_are_not_cancelled() {
    OrderTest::with(())
        .given(vec![
            created(Plan::Monthly),
            done(Role::Client),
            completed(Plan::Monthly),
        ])
        .when(cancel(admin()))
        .then_expect_error(OrderError::Completed);
    OrderTest::with(())
        .given(vec![created(Plan::Monthly), frozen()])
        .when(cancel(admin()))
        .then_expect_error(OrderError::Frozen);
    OrderTest::with(())
        .given(vec![created(Plan::Monthly)])
        .when(cancel(provider(PROVIDER)))
        .then_expect_error(OrderError::NotAdmin);
}

// --- ForceComplete ----------------------------------------------------------

#[test]
fn an_admin_completes_an_order_as_if_both_sides_said_done() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), taken(), done(Role::Provider)])
        .when(force_complete(admin(), REASON))
        .then_expect_events(vec![
            OrderEvent::OrderForceCompleted {
                admin: ADMIN,
                reason: REASON.to_owned(),
                at: at(),
            },
            completed(Plan::OneOff),
        ]);
}

#[test]
fn a_force_completed_order_is_completed_and_done_by_both() {
    let order = order_after(vec![
        created(Plan::OneOff),
        OrderEvent::OrderForceCompleted {
            admin: ADMIN,
            reason: REASON.to_owned(),
            at: at(),
        },
        completed(Plan::OneOff),
    ]);
    assert_eq!(order.status(), Some(OrderStatus::Completed));
    assert!(order.provider_done());
}

#[test]
fn a_frozen_order_is_not_force_completed() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), taken(), frozen()])
        .when(force_complete(admin(), REASON))
        .then_expect_error(OrderError::Frozen);
}

#[test]
fn closed_orders_are_not_force_completed() {
    OrderTest::with(())
        .given(vec![
            created(Plan::OneOff),
            done(Role::Client),
            completed(Plan::OneOff),
        ])
        .when(force_complete(admin(), REASON))
        .then_expect_error(OrderError::Completed);
    OrderTest::with(())
        .given(vec![created(Plan::OneOff), cancelled()])
        .when(force_complete(admin(), REASON))
        .then_expect_error(OrderError::Cancelled);
}

#[test]
fn only_an_admin_force_completes_with_a_reason() {
    OrderTest::with(())
        .given(vec![created(Plan::OneOff)])
        .when(force_complete(client(), REASON))
        .then_expect_error(OrderError::NotAdmin);
    OrderTest::with(())
        .given(vec![created(Plan::OneOff)])
        .when(force_complete(admin(), " "))
        .then_expect_error(OrderError::InvalidReason);
}

#[test]
fn an_auto_confirm_after_a_cancel_does_nothing() {
    OrderTest::with(())
        .given(vec![
            created(Plan::OneOff),
            taken(),
            done(Role::Provider),
            cancelled(),
        ])
        .when(OrderCommand::AutoConfirm { at: at() })
        .then_expect_events(vec![]);
}

#[test]
fn admin_event_types_are_their_variant_names() {
    use cqrs_es::DomainEvent;
    for (event, name) in [
        (reassigned(), "OrderReassigned"),
        (cancelled(), "OrderCancelled"),
        (
            OrderEvent::OrderForceCompleted {
                admin: ADMIN,
                reason: REASON.to_owned(),
                at: at(),
            },
            "OrderForceCompleted",
        ),
    ] {
        assert_eq!(event.event_type(), name);
        assert!(serde_json::to_value(&event).unwrap().get(name).is_some());
    }
}
