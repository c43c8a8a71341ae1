//! Given past events, when a command, then these events or this error.

use super::aggregate::REMEMBERED_MESSAGE_IDS;
use super::*;
use crate::{AccountId, Actor, ComplaintId, MessageId, OrderId, Plan, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use uuid::Uuid;

type OrderTest = TestFramework<Order>;

const CLIENT: AccountId = AccountId(Uuid::from_u128(1));
const PROVIDER: AccountId = AccountId(Uuid::from_u128(2));
const OTHER_CLIENT: AccountId = AccountId(Uuid::from_u128(3));
const OTHER_PROVIDER: AccountId = AccountId(Uuid::from_u128(4));
const ADMIN: AccountId = AccountId(Uuid::from_u128(5));
const SUBSCRIPTION: SubscriptionId = SubscriptionId(Uuid::from_u128(10));
const ORDER: OrderId = OrderId(Uuid::from_u128(20));
const COMPLAINT: ComplaintId = ComplaintId(Uuid::from_u128(30));
const OTHER_COMPLAINT: ComplaintId = ComplaintId(Uuid::from_u128(31));

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn client() -> Actor {
    Actor::new(CLIENT, Role::Client)
}
fn provider() -> Actor {
    Actor::new(PROVIDER, Role::Provider)
}
fn admin() -> Actor {
    Actor::new(ADMIN, Role::Admin)
}
fn msg(n: u128) -> MessageId {
    MessageId(Uuid::from_u128(100 + n))
}

fn facts() -> SubscriptionFacts {
    SubscriptionFacts {
        subscription_id: SUBSCRIPTION,
        client: CLIENT,
        provider: Some(PROVIDER),
        active: true,
        plan: Plan::OneOff,
    }
}

fn create(
    actor: Actor,
    subscription: SubscriptionFacts,
    title: &str,
    details: &str,
) -> OrderCommand {
    OrderCommand::Create {
        actor,
        order_id: ORDER,
        subscription,
        title: title.to_owned(),
        details: details.to_owned(),
        at: at(),
    }
}

fn created() -> OrderEvent {
    OrderEvent::OrderCreated {
        order_id: ORDER,
        subscription_id: SUBSCRIPTION,
        client: CLIENT,
        provider: PROVIDER,
        plan: Plan::OneOff,
        title: "Audit Q3".to_owned(),
        details: "Bank statements attached".to_owned(),
        at: at(),
    }
}
fn taken() -> OrderEvent {
    OrderEvent::OrderTaken {
        provider: PROVIDER,
        at: at(),
    }
}
fn marked_done(by: Role) -> OrderEvent {
    OrderEvent::OrderMarkedDone { by, at: at() }
}
fn completed() -> OrderEvent {
    OrderEvent::OrderCompleted {
        subscription_id: SUBSCRIPTION,
        plan: Plan::OneOff,
        at: at(),
    }
}
fn frozen(complaint_id: ComplaintId) -> OrderEvent {
    OrderEvent::OrderFrozen {
        complaint_id,
        at: at(),
    }
}
fn unfrozen(complaint_id: ComplaintId) -> OrderEvent {
    OrderEvent::OrderUnfrozen {
        complaint_id,
        at: at(),
    }
}
fn posted(n: u128, author: Actor, text: &str) -> OrderEvent {
    OrderEvent::MessagePosted {
        message_id: msg(n),
        author: author.id,
        author_role: author.role,
        text: text.to_owned(),
        at: at(),
    }
}
fn done_history() -> Vec<OrderEvent> {
    vec![
        created(),
        taken(),
        marked_done(Role::Provider),
        marked_done(Role::Client),
        completed(),
    ]
}

fn take(actor: Actor) -> OrderCommand {
    OrderCommand::Take { actor, at: at() }
}
fn post(actor: Actor, n: u128, text: &str) -> OrderCommand {
    OrderCommand::PostMessage {
        actor,
        message_id: msg(n),
        text: text.to_owned(),
        at: at(),
    }
}
fn mark_done(actor: Actor) -> OrderCommand {
    OrderCommand::MarkDone { actor, at: at() }
}
fn freeze(complaint_id: ComplaintId) -> OrderCommand {
    OrderCommand::Freeze {
        complaint_id,
        at: at(),
    }
}
fn unfreeze(complaint_id: ComplaintId) -> OrderCommand {
    OrderCommand::Unfreeze {
        complaint_id,
        at: at(),
    }
}

// --- Create -----------------------------------------------------------------

#[test]
fn the_client_creates_an_order_with_trimmed_title_and_details() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(
            client(),
            facts(),
            "  Audit Q3 ",
            "\nBank statements attached  ",
        ))
        .then_expect_events(vec![created()]);
}

#[test]
fn create_accepts_empty_details() {
    let result = OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), facts(), "Audit Q3", "   "))
        .inspect_result();
    assert!(matches!(
        result.as_deref(),
        Ok([OrderEvent::OrderCreated { details, .. }]) if details.is_empty()
    ));
}

#[test]
fn create_counts_title_length_in_characters_not_bytes() {
    let title = "ж".repeat(200);
    let result = OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), facts(), &title, ""))
        .inspect_result();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn create_is_refused_when_the_order_exists() {
    OrderTest::with(())
        .given(vec![created()])
        .when(create(client(), facts(), "Audit Q3", ""))
        .then_expect_error(OrderError::AlreadyExists);
}

#[test]
fn create_is_refused_for_another_client() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(
            Actor::new(OTHER_CLIENT, Role::Client),
            facts(),
            "Audit Q3",
            "",
        ))
        .then_expect_error(OrderError::NotSubscriptionClient);
}

#[test]
fn create_is_refused_for_the_provider() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(provider(), facts(), "Audit Q3", ""))
        .then_expect_error(OrderError::NotSubscriptionClient);
}

#[test]
fn create_is_refused_for_the_clients_id_under_another_role() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(
            Actor::new(CLIENT, Role::Admin),
            facts(),
            "Audit Q3",
            "",
        ))
        .then_expect_error(OrderError::NotSubscriptionClient);
}

#[test]
fn create_is_refused_in_an_inactive_subscription() {
    let subscription = SubscriptionFacts {
        active: false,
        ..facts()
    };
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), subscription, "Audit Q3", ""))
        .then_expect_error(OrderError::SubscriptionNotActive);
}

#[test]
fn create_is_refused_in_a_subscription_without_provider() {
    let subscription = SubscriptionFacts {
        provider: None,
        ..facts()
    };
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), subscription, "Audit Q3", ""))
        .then_expect_error(OrderError::SubscriptionHasNoProvider);
}

#[test]
fn create_is_refused_with_a_blank_title() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), facts(), "  \t ", ""))
        .then_expect_error(OrderError::InvalidTitle);
}

#[test]
fn create_is_refused_with_a_title_over_200_characters() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), facts(), &"a".repeat(201), ""))
        .then_expect_error(OrderError::InvalidTitle);
}

#[test]
fn create_is_refused_with_details_over_10000_characters() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(create(client(), facts(), "Audit Q3", &"d".repeat(10_001)))
        .then_expect_error(OrderError::InvalidDetails);
}

// --- Take -------------------------------------------------------------------

#[test]
fn the_provider_takes_a_created_order() {
    OrderTest::with(())
        .given(vec![created()])
        .when(take(provider()))
        .then_expect_events(vec![taken()]);
}

#[test]
fn take_is_refused_before_creation() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(take(provider()))
        .then_expect_error(OrderError::NotFound);
}

#[test]
fn take_is_refused_for_another_provider() {
    OrderTest::with(())
        .given(vec![created()])
        .when(take(Actor::new(OTHER_PROVIDER, Role::Provider)))
        .then_expect_error(OrderError::NotOrderProvider);
}

#[test]
fn take_is_refused_for_the_client() {
    OrderTest::with(())
        .given(vec![created()])
        .when(take(client()))
        .then_expect_error(OrderError::NotOrderProvider);
}

#[test]
fn take_is_refused_when_already_taken() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(take(provider()))
        .then_expect_error(OrderError::AlreadyTaken);
}

#[test]
fn take_is_refused_after_completion() {
    OrderTest::with(())
        .given(done_history())
        .when(take(provider()))
        .then_expect_error(OrderError::Completed);
}

#[test]
fn take_is_refused_while_frozen() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT)])
        .when(take(provider()))
        .then_expect_error(OrderError::Frozen);
}

#[test]
fn take_is_allowed_again_once_unfrozen() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT), unfrozen(COMPLAINT)])
        .when(take(provider()))
        .then_expect_events(vec![taken()]);
}

// --- PostMessage --------------------------------------------------------------

#[test]
fn the_client_posts_a_trimmed_message() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(client(), 1, "  Any news?\n"))
        .then_expect_events(vec![posted(1, client(), "Any news?")]);
}

#[test]
fn the_provider_posts_a_message() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(post(provider(), 1, "Working on it"))
        .then_expect_events(vec![posted(1, provider(), "Working on it")]);
}

#[test]
fn an_admin_posts_a_message_in_any_order() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(admin(), 1, "Admin here"))
        .then_expect_events(vec![posted(1, admin(), "Admin here")]);
}

#[test]
fn posting_is_allowed_while_frozen() {
    OrderTest::with(())
        .given(vec![created(), taken(), frozen(COMPLAINT)])
        .when(post(client(), 1, "See the complaint"))
        .then_expect_events(vec![posted(1, client(), "See the complaint")]);
}

#[test]
fn a_repeated_message_id_is_a_no_op() {
    OrderTest::with(())
        .given(vec![created(), posted(1, client(), "Any news?")])
        .when(post(client(), 1, "Any news?"))
        .then_expect_events(vec![]);
}

#[test]
fn posting_is_refused_before_creation() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(post(client(), 1, "Hello"))
        .then_expect_error(OrderError::NotFound);
}

#[test]
fn posting_is_refused_for_another_client() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(Actor::new(OTHER_CLIENT, Role::Client), 1, "Hello"))
        .then_expect_error(OrderError::NotParticipant);
}

#[test]
fn posting_is_refused_for_another_provider() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(Actor::new(OTHER_PROVIDER, Role::Provider), 1, "Hello"))
        .then_expect_error(OrderError::NotParticipant);
}

#[test]
fn posting_is_refused_for_an_auditor() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(Actor::new(ADMIN, Role::Auditor), 1, "Hello"))
        .then_expect_error(OrderError::NotParticipant);
}

#[test]
fn a_non_participant_cannot_reuse_a_message_id() {
    OrderTest::with(())
        .given(vec![created(), posted(1, client(), "Any news?")])
        .when(post(Actor::new(OTHER_CLIENT, Role::Client), 1, "Any news?"))
        .then_expect_error(OrderError::NotParticipant);
}

#[test]
fn the_parties_cannot_post_after_completion() {
    OrderTest::with(())
        .given(done_history())
        .when(post(provider(), 1, "One more thing"))
        .then_expect_error(OrderError::Completed);
}

#[test]
fn an_admin_can_post_after_completion() {
    OrderTest::with(())
        .given(done_history())
        .when(post(admin(), 1, "Closing remark"))
        .then_expect_events(vec![posted(1, admin(), "Closing remark")]);
}

#[test]
fn posting_is_refused_with_a_blank_text() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(client(), 1, " \n "))
        .then_expect_error(OrderError::InvalidMessageText);
}

#[test]
fn posting_is_refused_with_a_text_over_4000_characters() {
    OrderTest::with(())
        .given(vec![created()])
        .when(post(client(), 1, &"я".repeat(4_001)))
        .then_expect_error(OrderError::InvalidMessageText);
}

#[test]
fn a_long_chat_keeps_the_state_small() {
    let mut order = Order::default();
    order.apply(created());
    for n in 0..10_000 {
        order.apply(posted(n, client(), &"long text ".repeat(100)));
    }
    assert_eq!(order.messages_count(), 10_000);
    let snapshot = serde_json::to_string(&order).unwrap();
    assert!(
        snapshot.len() < 20_000,
        "snapshot is {} bytes",
        snapshot.len()
    );
    let restored: Order = serde_json::from_str(&snapshot).unwrap();
    assert_eq!(restored, order);
}

#[test]
fn a_retry_within_the_remembered_window_is_still_recognised() {
    let mut events = vec![created()];
    events.extend((0..REMEMBERED_MESSAGE_IDS as u128).map(|n| posted(n, client(), "hi")));
    OrderTest::with(())
        .given(events)
        .when(post(client(), 0, "hi"))
        .then_expect_events(vec![]);
}

// --- MarkDone -----------------------------------------------------------------

#[test]
fn the_provider_marks_an_order_in_progress_done() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(mark_done(provider()))
        .then_expect_events(vec![marked_done(Role::Provider)]);
}

#[test]
fn the_client_marks_done() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(mark_done(client()))
        .then_expect_events(vec![marked_done(Role::Client)]);
}

#[test]
fn the_client_marking_done_after_the_provider_completes_the_order() {
    OrderTest::with(())
        .given(vec![created(), taken(), marked_done(Role::Provider)])
        .when(mark_done(client()))
        .then_expect_events(vec![marked_done(Role::Client), completed()]);
}

#[test]
fn the_provider_marking_done_after_the_client_completes_the_order() {
    OrderTest::with(())
        .given(vec![created(), taken(), marked_done(Role::Client)])
        .when(mark_done(provider()))
        .then_expect_events(vec![marked_done(Role::Provider), completed()]);
}

#[test]
fn the_provider_cannot_mark_done_before_taking_the_order() {
    OrderTest::with(())
        .given(vec![created()])
        .when(mark_done(provider()))
        .then_expect_error(OrderError::NotInProgress);
}

#[test]
fn marking_done_is_refused_before_creation() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(mark_done(client()))
        .then_expect_error(OrderError::NotFound);
}

#[test]
fn marking_done_is_refused_for_an_outsider() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(mark_done(Actor::new(OTHER_PROVIDER, Role::Provider)))
        .then_expect_error(OrderError::NotParticipant);
}

#[test]
fn marking_done_is_refused_for_an_admin() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(mark_done(admin()))
        .then_expect_error(OrderError::NotParticipant);
}

#[test]
fn marking_done_is_refused_after_completion() {
    OrderTest::with(())
        .given(done_history())
        .when(mark_done(client()))
        .then_expect_error(OrderError::Completed);
}

#[test]
fn marking_done_is_refused_while_frozen() {
    OrderTest::with(())
        .given(vec![created(), taken(), frozen(COMPLAINT)])
        .when(mark_done(client()))
        .then_expect_error(OrderError::Frozen);
}

#[test]
fn marking_done_twice_by_the_same_side_is_refused() {
    OrderTest::with(())
        .given(vec![created(), taken(), marked_done(Role::Provider)])
        .when(mark_done(provider()))
        .then_expect_error(OrderError::AlreadyMarkedDone);
}

// --- Freeze / Unfreeze ------------------------------------------------------------

#[test]
fn a_complaint_freezes_the_order() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(freeze(COMPLAINT))
        .then_expect_events(vec![frozen(COMPLAINT)]);
}

#[test]
fn freezing_again_for_the_same_complaint_is_a_no_op() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT)])
        .when(freeze(COMPLAINT))
        .then_expect_events(vec![]);
}

#[test]
fn freezing_for_another_complaint_is_refused() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT)])
        .when(freeze(OTHER_COMPLAINT))
        .then_expect_error(OrderError::FrozenByOtherComplaint);
}

#[test]
fn freezing_is_refused_before_creation() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(freeze(COMPLAINT))
        .then_expect_error(OrderError::NotFound);
}

#[test]
fn closing_the_complaint_unfreezes_the_order() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT)])
        .when(unfreeze(COMPLAINT))
        .then_expect_events(vec![unfrozen(COMPLAINT)]);
}

#[test]
fn unfreezing_an_order_that_is_not_frozen_is_a_no_op() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT), unfrozen(COMPLAINT)])
        .when(unfreeze(COMPLAINT))
        .then_expect_events(vec![]);
}

#[test]
fn unfreezing_for_another_complaint_is_refused() {
    OrderTest::with(())
        .given(vec![created(), frozen(COMPLAINT)])
        .when(unfreeze(OTHER_COMPLAINT))
        .then_expect_error(OrderError::FrozenByOtherComplaint);
}

#[test]
fn unfreezing_is_refused_before_creation() {
    OrderTest::with(())
        .given_no_previous_events()
        .when(unfreeze(COMPLAINT))
        .then_expect_error(OrderError::NotFound);
}

// --- State and wire format ------------------------------------------------------------

#[test]
fn accessors_reflect_the_history() {
    let mut order = Order::default();
    assert_eq!(order.status(), None);
    for event in [
        created(),
        taken(),
        frozen(COMPLAINT),
        posted(1, client(), "hi"),
    ] {
        order.apply(event);
    }
    assert_eq!(order.id(), ORDER);
    assert_eq!(order.status(), Some(OrderStatus::InProgress));
    assert_eq!(order.client(), CLIENT);
    assert_eq!(order.provider(), PROVIDER);
    assert_eq!(order.subscription_id(), SUBSCRIPTION);
    assert!(order.is_frozen());
    assert_eq!(order.frozen_by(), Some(COMPLAINT));
    assert_eq!(order.messages_count(), 1);
}

#[test]
fn event_types_are_the_variant_names() {
    let names: Vec<String> = [
        created(),
        taken(),
        posted(1, client(), "hi"),
        marked_done(Role::Client),
        completed(),
        frozen(COMPLAINT),
        unfrozen(COMPLAINT),
    ]
    .iter()
    .map(|e| {
        let json = serde_json::to_value(e).unwrap();
        let tag = json.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(tag, e.event_type());
        tag
    })
    .collect();
    assert_eq!(
        names,
        [
            "OrderCreated",
            "OrderTaken",
            "MessagePosted",
            "OrderMarkedDone",
            "OrderCompleted",
            "OrderFrozen",
            "OrderUnfrozen"
        ]
    );
}

#[test]
fn every_error_has_a_snake_case_rule() {
    use crate::RuleViolation;
    let rule = OrderError::FrozenByOtherComplaint.rule();
    assert_eq!(rule, "order_frozen_by_other_complaint");
    assert!(rule.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
}

// --- AutoConfirm -------------------------------------------------------------

fn auto_confirm() -> OrderCommand {
    OrderCommand::AutoConfirm { at: at() }
}

#[test]
fn auto_confirm_completes_an_order_the_provider_marked_done() {
    OrderTest::with(())
        .given(vec![created(), taken(), marked_done(Role::Provider)])
        .when(auto_confirm())
        .then_expect_events(vec![marked_done(Role::Client), completed()]);
}

#[test]
fn auto_confirm_of_a_completed_order_is_a_no_op() {
    OrderTest::with(())
        .given(done_history())
        .when(auto_confirm())
        .then_expect_events(vec![]);
}

#[test]
fn auto_confirm_is_refused_while_a_complaint_freezes_the_order() {
    OrderTest::with(())
        .given(vec![
            created(),
            taken(),
            marked_done(Role::Provider),
            frozen(COMPLAINT),
        ])
        .when(auto_confirm())
        .then_expect_error(OrderError::Frozen);
}

#[test]
fn auto_confirm_is_refused_before_the_provider_said_done() {
    OrderTest::with(())
        .given(vec![created(), taken()])
        .when(auto_confirm())
        .then_expect_error(OrderError::NotMarkedDoneByProvider);
}
