//! Given past events, when a command, then these events or this error.

use super::*;
use crate::{AccountId, Actor, ComplaintId, Money, OrderId, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal_macros::dec;
use uuid::Uuid;

type ComplaintTest = TestFramework<Complaint>;

const CLIENT: AccountId = AccountId(Uuid::from_u128(1));
const PROVIDER: AccountId = AccountId(Uuid::from_u128(2));
const OTHER_CLIENT: AccountId = AccountId(Uuid::from_u128(3));
const OTHER_PROVIDER: AccountId = AccountId(Uuid::from_u128(4));
const ADMIN: AccountId = AccountId(Uuid::from_u128(5));
const SUBSCRIPTION: SubscriptionId = SubscriptionId(Uuid::from_u128(10));
const ORDER: OrderId = OrderId(Uuid::from_u128(20));
const COMPLAINT: ComplaintId = ComplaintId(Uuid::from_u128(30));

const REASON: &str = "Work was not delivered on time";

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
fn rub(amount: rust_decimal::Decimal) -> Money {
    Money::rub(amount)
}

fn order() -> OrderFacts {
    OrderFacts {
        order_id: ORDER,
        subscription_id: SUBSCRIPTION,
        client: CLIENT,
        provider: PROVIDER,
    }
}

fn file(actor: Actor, reason: &str) -> ComplaintCommand {
    ComplaintCommand::File {
        actor,
        complaint_id: COMPLAINT,
        order: order(),
        reason: reason.to_owned(),
        at: at(),
    }
}
fn take_into_review(actor: Actor) -> ComplaintCommand {
    ComplaintCommand::TakeIntoReview { actor, at: at() }
}
fn add_note(actor: Actor, text: &str) -> ComplaintCommand {
    ComplaintCommand::AddNote {
        actor,
        text: text.to_owned(),
        at: at(),
    }
}
fn resolve(actor: Actor, to_client: Money, to_provider: Money, escrow: Money) -> ComplaintCommand {
    ComplaintCommand::Resolve {
        actor,
        to_client,
        to_provider,
        escrow_available: escrow,
        note: "Half the work was done".to_owned(),
        at: at(),
    }
}
fn withdraw(actor: Actor) -> ComplaintCommand {
    ComplaintCommand::Withdraw { actor, at: at() }
}

fn filed_by(actor: Actor) -> ComplaintEvent {
    ComplaintEvent::ComplaintFiled {
        complaint_id: COMPLAINT,
        order_id: ORDER,
        subscription_id: SUBSCRIPTION,
        client: CLIENT,
        provider: PROVIDER,
        filed_by: actor.id,
        role: actor.role,
        reason: REASON.to_owned(),
        at: at(),
    }
}
fn filed() -> ComplaintEvent {
    filed_by(client())
}
fn in_review() -> ComplaintEvent {
    ComplaintEvent::ComplaintTakenIntoReview {
        admin: ADMIN,
        at: at(),
    }
}
fn note_added(text: &str) -> ComplaintEvent {
    ComplaintEvent::ComplaintNoteAdded {
        admin: ADMIN,
        text: text.to_owned(),
        at: at(),
    }
}
fn resolved(to_client: Money, to_provider: Money) -> ComplaintEvent {
    ComplaintEvent::ComplaintResolved {
        admin: ADMIN,
        to_client,
        to_provider,
        note: "Half the work was done".to_owned(),
        at: at(),
    }
}
fn withdrawn() -> ComplaintEvent {
    ComplaintEvent::ComplaintWithdrawn {
        by: CLIENT,
        at: at(),
    }
}

// --- File ---------------------------------------------------------------------

#[test]
fn the_client_files_a_complaint_with_a_trimmed_reason() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(client(), &format!("  {REASON}\n")))
        .then_expect_events(vec![filed()]);
}

#[test]
fn the_provider_files_a_complaint() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(provider(), REASON))
        .then_expect_events(vec![filed_by(provider())]);
}

#[test]
fn a_reason_of_exactly_10_characters_is_enough() {
    let result = ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(client(), "Не сделано"))
        .inspect_result();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn filing_is_refused_when_the_complaint_exists() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(file(client(), REASON))
        .then_expect_error(ComplaintError::AlreadyExists);
}

#[test]
fn filing_is_refused_for_another_client() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(Actor::new(OTHER_CLIENT, Role::Client), REASON))
        .then_expect_error(ComplaintError::NotOrderParty);
}

#[test]
fn filing_is_refused_for_another_provider() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(Actor::new(OTHER_PROVIDER, Role::Provider), REASON))
        .then_expect_error(ComplaintError::NotOrderParty);
}

#[test]
fn filing_is_refused_for_the_clients_id_in_the_provider_role() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(Actor::new(CLIENT, Role::Provider), REASON))
        .then_expect_error(ComplaintError::NotOrderParty);
}

#[test]
fn filing_is_refused_for_an_admin() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(admin(), REASON))
        .then_expect_error(ComplaintError::NotOrderParty);
}

#[test]
fn filing_is_refused_with_a_reason_under_10_characters() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(client(), "   too short  "))
        .then_expect_error(ComplaintError::InvalidReason);
}

#[test]
fn filing_is_refused_with_a_reason_over_4000_characters() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(file(client(), &"r".repeat(4_001)))
        .then_expect_error(ComplaintError::InvalidReason);
}

// --- TakeIntoReview -----------------------------------------------------------------

#[test]
fn an_admin_takes_a_complaint_into_review() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(take_into_review(admin()))
        .then_expect_events(vec![in_review()]);
}

#[test]
fn review_is_refused_before_filing() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(take_into_review(admin()))
        .then_expect_error(ComplaintError::NotFound);
}

#[test]
fn review_is_refused_for_a_non_admin() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(take_into_review(provider()))
        .then_expect_error(ComplaintError::AdminOnly);
}

#[test]
fn review_is_refused_when_already_in_review() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(take_into_review(admin()))
        .then_expect_error(ComplaintError::AlreadyInReview);
}

#[test]
fn review_is_refused_after_resolution() {
    ComplaintTest::with(())
        .given(vec![filed(), resolved(rub(dec!(1)), rub(dec!(1)))])
        .when(take_into_review(admin()))
        .then_expect_error(ComplaintError::Resolved);
}

#[test]
fn review_is_refused_after_withdrawal() {
    ComplaintTest::with(())
        .given(vec![filed(), withdrawn()])
        .when(take_into_review(admin()))
        .then_expect_error(ComplaintError::Withdrawn);
}

// --- AddNote --------------------------------------------------------------------------

#[test]
fn an_admin_adds_a_trimmed_note() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(add_note(admin(), "  Called the provider "))
        .then_expect_events(vec![note_added("Called the provider")]);
}

#[test]
fn an_admin_adds_a_note_before_review() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(add_note(admin(), "Seen"))
        .then_expect_events(vec![note_added("Seen")]);
}

#[test]
fn notes_are_refused_before_filing() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(add_note(admin(), "Seen"))
        .then_expect_error(ComplaintError::NotFound);
}

#[test]
fn notes_are_refused_for_a_non_admin() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(add_note(client(), "Seen"))
        .then_expect_error(ComplaintError::AdminOnly);
}

#[test]
fn notes_are_refused_when_blank() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(add_note(admin(), "  "))
        .then_expect_error(ComplaintError::InvalidNote);
}

#[test]
fn notes_are_refused_over_4000_characters() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(add_note(admin(), &"n".repeat(4_001)))
        .then_expect_error(ComplaintError::InvalidNote);
}

#[test]
fn notes_are_refused_after_resolution() {
    ComplaintTest::with(())
        .given(vec![filed(), resolved(rub(dec!(1)), rub(dec!(1)))])
        .when(add_note(admin(), "Late remark"))
        .then_expect_error(ComplaintError::Resolved);
}

// --- Resolve --------------------------------------------------------------------------

#[test]
fn an_admin_resolves_with_a_split_within_the_escrow() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(resolve(
            admin(),
            rub(dec!(400)),
            rub(dec!(500.50)),
            rub(dec!(1000)),
        ))
        .then_expect_events(vec![resolved(rub(dec!(400)), rub(dec!(500.50)))]);
}

#[test]
fn a_split_may_hand_out_the_whole_escrow() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(resolve(
            admin(),
            rub(dec!(999.99)),
            rub(dec!(0.01)),
            rub(dec!(1000)),
        ))
        .then_expect_events(vec![resolved(rub(dec!(999.99)), rub(dec!(0.01)))]);
}

#[test]
fn an_admin_may_resolve_without_taking_into_review_first() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(resolve(admin(), rub(dec!(0)), rub(dec!(10)), rub(dec!(10))))
        .then_expect_events(vec![resolved(rub(dec!(0)), rub(dec!(10)))]);
}

#[test]
fn resolution_is_refused_before_filing() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(resolve(admin(), rub(dec!(1)), rub(dec!(1)), rub(dec!(10))))
        .then_expect_error(ComplaintError::NotFound);
}

#[test]
fn resolution_is_refused_for_a_non_admin() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(resolve(
            client(),
            rub(dec!(10)),
            rub(dec!(0)),
            rub(dec!(10)),
        ))
        .then_expect_error(ComplaintError::AdminOnly);
}

#[test]
fn a_split_above_the_escrow_is_refused() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(resolve(
            admin(),
            rub(dec!(500)),
            rub(dec!(500.01)),
            rub(dec!(1000)),
        ))
        .then_expect_error(ComplaintError::SplitExceedsEscrow);
}

#[test]
fn a_split_whose_sum_passes_the_money_maximum_is_refused() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(resolve(
            admin(),
            rub(Money::MAX_AMOUNT),
            rub(Money::MAX_AMOUNT),
            rub(Money::MAX_AMOUNT),
        ))
        .then_expect_error(ComplaintError::SplitExceedsEscrow);
}

#[test]
fn resolution_is_refused_with_a_blank_note() {
    let command = ComplaintCommand::Resolve {
        actor: admin(),
        to_client: rub(dec!(1)),
        to_provider: rub(dec!(1)),
        escrow_available: rub(dec!(10)),
        note: " \n".to_owned(),
        at: at(),
    };
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(command)
        .then_expect_error(ComplaintError::InvalidNote);
}

#[test]
fn a_complaint_is_resolved_only_once() {
    ComplaintTest::with(())
        .given(vec![filed(), resolved(rub(dec!(1)), rub(dec!(1)))])
        .when(resolve(admin(), rub(dec!(1)), rub(dec!(1)), rub(dec!(10))))
        .then_expect_error(ComplaintError::Resolved);
}

#[test]
fn a_withdrawn_complaint_cannot_be_resolved() {
    ComplaintTest::with(())
        .given(vec![filed(), withdrawn()])
        .when(resolve(admin(), rub(dec!(1)), rub(dec!(1)), rub(dec!(10))))
        .then_expect_error(ComplaintError::Withdrawn);
}

// --- Withdraw -------------------------------------------------------------------------

#[test]
fn the_filer_withdraws_a_filed_complaint() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(withdraw(client()))
        .then_expect_events(vec![withdrawn()]);
}

#[test]
fn the_filer_withdraws_a_complaint_in_review() {
    ComplaintTest::with(())
        .given(vec![filed(), in_review()])
        .when(withdraw(client()))
        .then_expect_events(vec![withdrawn()]);
}

#[test]
fn withdrawal_is_refused_before_filing() {
    ComplaintTest::with(())
        .given_no_previous_events()
        .when(withdraw(client()))
        .then_expect_error(ComplaintError::NotFound);
}

#[test]
fn the_other_party_cannot_withdraw() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(withdraw(provider()))
        .then_expect_error(ComplaintError::NotFiler);
}

#[test]
fn an_admin_cannot_withdraw() {
    ComplaintTest::with(())
        .given(vec![filed()])
        .when(withdraw(admin()))
        .then_expect_error(ComplaintError::NotFiler);
}

#[test]
fn withdrawal_is_refused_after_resolution() {
    ComplaintTest::with(())
        .given(vec![filed(), resolved(rub(dec!(1)), rub(dec!(1)))])
        .when(withdraw(client()))
        .then_expect_error(ComplaintError::Resolved);
}

#[test]
fn withdrawal_is_refused_when_already_withdrawn() {
    ComplaintTest::with(())
        .given(vec![filed(), withdrawn()])
        .when(withdraw(client()))
        .then_expect_error(ComplaintError::Withdrawn);
}

// --- State and wire format --------------------------------------------------------------

#[test]
fn accessors_reflect_the_history() {
    let mut complaint = Complaint::default();
    assert_eq!(complaint.status(), None);
    for event in [filed_by(provider()), in_review(), note_added("Seen")] {
        complaint.apply(event);
    }
    assert_eq!(complaint.id(), COMPLAINT);
    assert_eq!(complaint.status(), Some(ComplaintStatus::InReview));
    assert_eq!(complaint.order_id(), ORDER);
    assert_eq!(complaint.subscription_id(), SUBSCRIPTION);
    assert_eq!(complaint.client(), CLIENT);
    assert_eq!(complaint.provider(), PROVIDER);
    assert_eq!(complaint.filed_by(), Some(provider()));
    assert_eq!(complaint.reviewer(), Some(ADMIN));
    assert_eq!(complaint.notes_count(), 1);
    let snapshot = serde_json::to_string(&complaint).unwrap();
    assert_eq!(
        serde_json::from_str::<Complaint>(&snapshot).unwrap(),
        complaint
    );
}

#[test]
fn event_types_are_the_variant_names() {
    let names: Vec<String> = [
        filed(),
        in_review(),
        note_added("Seen"),
        resolved(rub(dec!(1)), rub(dec!(2))),
        withdrawn(),
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
            "ComplaintFiled",
            "ComplaintTakenIntoReview",
            "ComplaintNoteAdded",
            "ComplaintResolved",
            "ComplaintWithdrawn"
        ]
    );
}

#[test]
fn resolved_amounts_are_stored_as_decimal_strings() {
    let json = serde_json::to_value(resolved(rub(dec!(400)), rub(dec!(0.5)))).unwrap();
    assert_eq!(json["ComplaintResolved"]["to_client"]["amount"], "400.00");
    assert_eq!(json["ComplaintResolved"]["to_provider"]["amount"], "0.50");
}
