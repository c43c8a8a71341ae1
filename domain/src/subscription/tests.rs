//! One behaviour per test: each command's happy path and each of its rejections.

use super::*;
use crate::{
    AccountId, Actor, ComplaintId, Money, Plan, Role, ServiceType, SubscriptionId, TransferId,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

type SubTest = TestFramework<Subscription>;

pub(super) fn sub_id() -> SubscriptionId {
    SubscriptionId(Uuid::from_u128(500))
}
pub(super) fn client_id() -> AccountId {
    AccountId(Uuid::from_u128(1))
}
pub(super) fn provider_id() -> AccountId {
    AccountId(Uuid::from_u128(2))
}
pub(super) fn other_provider_id() -> AccountId {
    AccountId(Uuid::from_u128(3))
}
pub(super) fn client() -> Actor {
    Actor::new(client_id(), Role::Client)
}
pub(super) fn admin() -> Actor {
    Actor::new(AccountId(Uuid::from_u128(9)), Role::Admin)
}
pub(super) fn provider() -> Actor {
    Actor::new(provider_id(), Role::Provider)
}
pub(super) fn legal() -> ServiceType {
    ServiceType::parse("legal").expect("valid")
}
pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 31, 10, 0, 0)
        .single()
        .expect("valid time")
}
pub(super) fn deadline() -> DateTime<Utc> {
    t0() + Duration::days(2)
}
pub(super) fn tid(n: u128) -> TransferId {
    TransferId(Uuid::from_u128(1000 + n))
}
pub(super) fn cid(n: u128) -> ComplaintId {
    ComplaintId(Uuid::from_u128(2000 + n))
}
pub(super) fn rub(d: Decimal) -> Money {
    Money::rub(d)
}
pub(super) fn price() -> Money {
    rub(dec!(1000))
}
/// 2026-02-28: one calendar month after 2026-01-31 clamps to the month's end.
pub(super) fn month_later() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 28, 10, 0, 0)
        .single()
        .expect("valid time")
}

pub(super) fn requested(plan: Plan) -> SubscriptionEvent {
    SubscriptionEvent::SubscriptionRequested {
        subscription_id: sub_id(),
        client: client_id(),
        service_type: legal(),
        plan,
        description: "Register a company".into(),
        price: price(),
        acceptance_deadline: deadline(),
        requested_at: t0(),
    }
}
pub(super) fn funded_event(n: u128, amount: Decimal) -> SubscriptionEvent {
    SubscriptionEvent::EscrowFunded {
        transfer_id: tid(n),
        amount: rub(amount),
    }
}
pub(super) fn open(plan: Plan) -> Vec<SubscriptionEvent> {
    vec![requested(plan), funded_event(1, dec!(1000))]
}
pub(super) fn accepted(plan: Plan) -> SubscriptionEvent {
    SubscriptionEvent::SubscriptionAccepted {
        provider: provider_id(),
        period_start: t0(),
        period_end: (plan == Plan::Monthly).then(month_later),
    }
}
pub(super) fn active(plan: Plan) -> Vec<SubscriptionEvent> {
    let mut events = open(plan);
    events.push(accepted(plan));
    events
}
pub(super) fn with(
    mut events: Vec<SubscriptionEvent>,
    more: impl IntoIterator<Item = SubscriptionEvent>,
) -> Vec<SubscriptionEvent> {
    events.extend(more);
    events
}
pub(super) fn refund(purpose: &str, amount: Decimal) -> SubscriptionEvent {
    SubscriptionEvent::EscrowReleased {
        transfer_id: derived_transfer_id(sub_id().0, purpose),
        to: EscrowParty::Client,
        recipient: Some(client_id()),
        amount: rub(amount),
    }
}

fn request(
    actor: Actor,
    description: &str,
    price: Money,
    deadline: DateTime<Utc>,
) -> SubscriptionCommand {
    SubscriptionCommand::Request {
        actor,
        subscription_id: sub_id(),
        service_type: legal(),
        plan: Plan::OneOff,
        description: description.into(),
        price,
        acceptance_deadline: deadline,
        at: t0(),
    }
}

// --- Request ---

#[test]
fn client_requests_a_service() {
    SubTest::with(())
        .given_no_previous_events()
        .when(request(
            client(),
            "  Register a company ",
            price(),
            deadline(),
        ))
        .then_expect_events(vec![requested(Plan::OneOff)]);
}

#[test]
fn provider_cannot_request() {
    SubTest::with(())
        .given_no_previous_events()
        .when(request(provider(), "x", price(), deadline()))
        .then_expect_error(SubscriptionError::NotClient);
}

#[test]
fn empty_description_is_refused() {
    SubTest::with(())
        .given_no_previous_events()
        .when(request(client(), "   ", price(), deadline()))
        .then_expect_error(SubscriptionError::TextLength {
            field: "description",
            max: 4000,
        });
}

#[test]
fn overlong_description_is_refused() {
    SubTest::with(())
        .given_no_previous_events()
        .when(request(client(), &"я".repeat(4001), price(), deadline()))
        .then_expect_error(SubscriptionError::TextLength {
            field: "description",
            max: 4000,
        });
}

#[test]
fn free_request_is_refused() {
    SubTest::with(())
        .given_no_previous_events()
        .when(request(client(), "x", rub(dec!(0)), deadline()))
        .then_expect_error(SubscriptionError::AmountNotPositive);
}

#[test]
fn deadline_in_the_past_is_refused() {
    SubTest::with(())
        .given_no_previous_events()
        .when(request(client(), "x", price(), t0()))
        .then_expect_error(SubscriptionError::DeadlineInPast);
}

#[test]
fn requesting_twice_is_refused() {
    SubTest::with(())
        .given(vec![requested(Plan::OneOff)])
        .when(request(client(), "x", price(), deadline()))
        .then_expect_error(SubscriptionError::AlreadyRequested);
}

// --- FundEscrow ---

fn fund(n: u128, amount: Decimal) -> SubscriptionCommand {
    SubscriptionCommand::FundEscrow {
        transfer_id: tid(n),
        amount: rub(amount),
    }
}

#[test]
fn escrow_is_funded() {
    SubTest::with(())
        .given(vec![requested(Plan::OneOff)])
        .when(fund(1, dec!(1000)))
        .then_expect_events(vec![funded_event(1, dec!(1000))]);
}

#[test]
fn funding_twice_is_a_no_op() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(fund(1, dec!(1000)))
        .then_expect_events(vec![]);
}

#[test]
fn funding_zero_is_refused() {
    SubTest::with(())
        .given(vec![requested(Plan::OneOff)])
        .when(fund(1, dec!(0)))
        .then_expect_error(SubscriptionError::AmountNotPositive);
}

#[test]
fn funding_an_unknown_subscription_is_refused() {
    SubTest::with(())
        .given_no_previous_events()
        .when(fund(1, dec!(10)))
        .then_expect_error(SubscriptionError::NotFound);
}

#[test]
fn funding_after_cancel_goes_straight_back() {
    SubTest::with(())
        .given(vec![
            requested(Plan::OneOff),
            SubscriptionEvent::SubscriptionCancelled {
                by: client_id(),
                at: t0(),
            },
        ])
        .when(fund(1, dec!(1000)))
        .then_expect_events(vec![
            funded_event(1, dec!(1000)),
            SubscriptionEvent::EscrowReleased {
                transfer_id: derived_transfer_id(tid(1).0, "refund"),
                to: EscrowParty::Client,
                recipient: Some(client_id()),
                amount: rub(dec!(1000)),
            },
        ]);
}

// --- Accept ---

fn accept(actor: Actor, types: Vec<ServiceType>, at: DateTime<Utc>) -> SubscriptionCommand {
    SubscriptionCommand::Accept {
        actor,
        provider_service_types: types,
        at,
    }
}

#[test]
fn provider_accepts_a_one_off() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(accept(provider(), vec![legal()], t0()))
        .then_expect_events(vec![accepted(Plan::OneOff)]);
}

#[test]
fn accepting_a_monthly_starts_a_calendar_month() {
    SubTest::with(())
        .given(open(Plan::Monthly))
        .when(accept(provider(), vec![legal()], t0()))
        .then_expect_events(vec![accepted(Plan::Monthly)]);
}

#[test]
fn second_accept_is_refused() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(accept(
            Actor::new(other_provider_id(), Role::Provider),
            vec![legal()],
            t0(),
        ))
        .then_expect_error(SubscriptionError::AlreadyAccepted);
}

#[test]
fn provider_of_another_type_cannot_accept() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(accept(
            provider(),
            vec![ServiceType::parse("delivery").expect("valid")],
            t0(),
        ))
        .then_expect_error(SubscriptionError::ServiceTypeNotHandled);
}

#[test]
fn client_cannot_accept() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(accept(client(), vec![legal()], t0()))
        .then_expect_error(SubscriptionError::NotProvider);
}

#[test]
fn provider_that_rejected_cannot_accept() {
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [SubscriptionEvent::RequestRejected {
                provider: provider_id(),
                at: t0(),
            }],
        ))
        .when(accept(provider(), vec![legal()], t0()))
        .then_expect_error(SubscriptionError::AlreadyRejected);
}

#[test]
fn accept_after_cancel_is_refused() {
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [SubscriptionEvent::SubscriptionCancelled {
                by: client_id(),
                at: t0(),
            }],
        ))
        .when(accept(provider(), vec![legal()], t0()))
        .then_expect_error(SubscriptionError::Cancelled);
}

pub(super) fn overdue() -> SubscriptionEvent {
    SubscriptionEvent::AcceptanceDeadlinePassed { at: deadline() }
}

#[test]
fn a_provider_may_still_accept_an_overdue_request() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(accept(provider(), vec![legal()], deadline()))
        .then_expect_events(vec![SubscriptionEvent::SubscriptionAccepted {
            provider: provider_id(),
            period_start: deadline(),
            period_end: None,
        }]);
}

#[test]
fn accept_of_an_unpaid_request_is_refused() {
    SubTest::with(())
        .given(vec![requested(Plan::OneOff)])
        .when(accept(provider(), vec![legal()], t0()))
        .then_expect_error(SubscriptionError::NotFunded);
}

// --- Reject ---

fn reject(actor: Actor, types: Vec<ServiceType>) -> SubscriptionCommand {
    SubscriptionCommand::Reject {
        actor,
        provider_service_types: types,
        at: t0(),
    }
}

#[test]
fn provider_rejects() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(reject(provider(), vec![legal()]))
        .then_expect_events(vec![SubscriptionEvent::RequestRejected {
            provider: provider_id(),
            at: t0(),
        }]);
}

#[test]
fn rejecting_twice_is_refused() {
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [SubscriptionEvent::RequestRejected {
                provider: provider_id(),
                at: t0(),
            }],
        ))
        .when(reject(provider(), vec![legal()]))
        .then_expect_error(SubscriptionError::AlreadyRejected);
}

#[test]
fn rejecting_after_acceptance_is_refused() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(reject(
            Actor::new(other_provider_id(), Role::Provider),
            vec![legal()],
        ))
        .then_expect_error(SubscriptionError::AlreadyAccepted);
}

#[test]
fn rejecting_another_type_is_refused() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(reject(provider(), vec![]))
        .then_expect_error(SubscriptionError::ServiceTypeNotHandled);
}

#[test]
fn admin_cannot_reject() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(reject(admin(), vec![legal()]))
        .then_expect_error(SubscriptionError::NotProvider);
}

// --- MarkDeadlinePassed ---

#[test]
fn deadline_makes_the_request_overdue_and_keeps_the_escrow() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(SubscriptionCommand::MarkDeadlinePassed { at: deadline() })
        .then_expect_events(vec![overdue()]);
}

#[test]
fn deadline_fires_once() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(SubscriptionCommand::MarkDeadlinePassed { at: deadline() })
        .then_expect_events(vec![]);
}

#[test]
fn a_deadline_the_client_moved_is_not_due_at_the_old_time() {
    let later = deadline() + chrono::Duration::days(3);
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [overdue(), extended(client(), Some(later))],
        ))
        .when(SubscriptionCommand::MarkDeadlinePassed { at: deadline() })
        .then_expect_error(SubscriptionError::DeadlineNotDue);
}

#[test]
fn waiting_without_a_deadline_never_falls_overdue() {
    SubTest::with(())
        .given(with(
            open(Plan::OneOff),
            [overdue(), extended(client(), None)],
        ))
        .when(SubscriptionCommand::MarkDeadlinePassed {
            at: deadline() + chrono::Duration::days(365),
        })
        .then_expect_events(vec![]);
}

// --- ExtendDeadline ---

fn extended(by: Actor, until: Option<DateTime<Utc>>) -> SubscriptionEvent {
    SubscriptionEvent::AcceptanceDeadlineExtended {
        by: by.id,
        until,
        at: deadline(),
    }
}

fn extend(actor: Actor, until: Option<DateTime<Utc>>) -> SubscriptionCommand {
    SubscriptionCommand::ExtendDeadline {
        actor,
        until,
        at: deadline(),
    }
}

#[test]
fn the_client_extends_an_overdue_request() {
    let later = deadline() + chrono::Duration::days(3);
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(extend(client(), Some(later)))
        .then_expect_events(vec![extended(client(), Some(later))]);
}

#[test]
fn an_admin_may_extend_and_a_stranger_may_not() {
    let later = deadline() + chrono::Duration::days(3);
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(extend(admin(), Some(later)))
        .then_expect_events(vec![extended(admin(), Some(later))]);
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(extend(
            Actor::new(other_provider_id(), Role::Client),
            Some(later),
        ))
        .then_expect_error(SubscriptionError::NotAllowed);
}

#[test]
fn a_new_deadline_in_the_past_is_refused() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(extend(client(), Some(t0())))
        .then_expect_error(SubscriptionError::DeadlineInPast);
}

#[test]
fn an_accepted_request_has_no_deadline_to_extend() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(extend(client(), None))
        .then_expect_error(SubscriptionError::NotOpen);
}

#[test]
fn an_overdue_request_cancels_with_a_full_refund() {
    SubTest::with(())
        .given(with(open(Plan::OneOff), [overdue()]))
        .when(SubscriptionCommand::Cancel {
            actor: client(),
            at: deadline(),
        })
        .then_expect_events(vec![
            SubscriptionEvent::SubscriptionCancelled {
                by: client_id(),
                at: deadline(),
            },
            refund("cancel", dec!(1000)),
        ]);
}

#[test]
fn deadline_after_acceptance_is_a_no_op() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(SubscriptionCommand::MarkDeadlinePassed { at: deadline() })
        .then_expect_events(vec![]);
}

#[test]
fn deadline_not_yet_due_is_refused() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(SubscriptionCommand::MarkDeadlinePassed { at: t0() })
        .then_expect_error(SubscriptionError::DeadlineNotDue);
}

// --- Cancel ---

fn cancel(actor: Actor) -> SubscriptionCommand {
    SubscriptionCommand::Cancel { actor, at: t0() }
}

#[test]
fn cancel_before_acceptance_refunds_the_escrow() {
    SubTest::with(())
        .given(open(Plan::Monthly))
        .when(cancel(client()))
        .then_expect_events(vec![
            SubscriptionEvent::SubscriptionCancelled {
                by: client_id(),
                at: t0(),
            },
            refund("cancel", dec!(1000)),
        ]);
}

#[test]
fn cancel_twice_is_a_no_op() {
    SubTest::with(())
        .given(with(
            open(Plan::Monthly),
            [
                SubscriptionEvent::SubscriptionCancelled {
                    by: client_id(),
                    at: t0(),
                },
                refund("cancel", dec!(1000)),
            ],
        ))
        .when(cancel(client()))
        .then_expect_events(vec![]);
}

#[test]
fn cancel_of_an_active_monthly_waits_for_the_period_end() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(cancel(client()))
        .then_expect_events(vec![SubscriptionEvent::CancellationScheduled {
            by: client_id(),
            at: t0(),
            effective_at: month_later(),
        }]);
}

#[test]
fn client_cannot_cancel_an_active_one_off() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(cancel(client()))
        .then_expect_error(SubscriptionError::OneOffNeedsComplaint);
}

#[test]
fn admin_cancels_an_active_one_off_with_a_refund() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(cancel(admin()))
        .then_expect_events(vec![
            SubscriptionEvent::SubscriptionCancelled {
                by: admin().id,
                at: t0(),
            },
            refund("cancel", dec!(1000)),
        ]);
}

#[test]
fn another_client_cannot_cancel() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(cancel(Actor::new(other_provider_id(), Role::Client)))
        .then_expect_error(SubscriptionError::NotAllowed);
}

#[test]
fn provider_cannot_cancel() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(cancel(provider()))
        .then_expect_error(SubscriptionError::NotAllowed);
}

#[test]
fn completed_subscription_cannot_be_cancelled() {
    SubTest::with(())
        .given(with(
            active(Plan::OneOff),
            [SubscriptionEvent::SubscriptionCompleted { at: t0() }],
        ))
        .when(cancel(client()))
        .then_expect_error(SubscriptionError::NotCancellable);
}

// --- RenewPeriod ---

fn renew(n: u128) -> SubscriptionCommand {
    SubscriptionCommand::RenewPeriod {
        transfer_id: tid(n),
        amount: price(),
        at: month_later(),
    }
}
fn renewed(n: u128) -> SubscriptionEvent {
    SubscriptionEvent::PeriodRenewed {
        transfer_id: tid(n),
        amount: price(),
        period_start: month_later(),
        period_end: Utc
            .with_ymd_and_hms(2026, 3, 28, 10, 0, 0)
            .single()
            .expect("valid"),
    }
}

#[test]
fn renewal_adds_a_month_and_its_money() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(renew(2))
        .then_expect_events(vec![renewed(2)]);
}

#[test]
fn renewal_clears_past_due() {
    SubTest::with(())
        .given(with(
            active(Plan::Monthly),
            [SubscriptionEvent::PastDue { at: month_later() }],
        ))
        .when(renew(2))
        .then_expect_events(vec![renewed(2)]);
}

#[test]
fn renewing_twice_is_a_no_op() {
    SubTest::with(())
        .given(with(active(Plan::Monthly), [renewed(2)]))
        .when(renew(2))
        .then_expect_events(vec![]);
}

#[test]
fn renewal_after_scheduled_cancel_is_refused() {
    SubTest::with(())
        .given(with(
            active(Plan::Monthly),
            [SubscriptionEvent::CancellationScheduled {
                by: client_id(),
                at: t0(),
                effective_at: month_later(),
            }],
        ))
        .when(renew(2))
        .then_expect_error(SubscriptionError::CancellationScheduled);
}

#[test]
fn renewal_of_a_suspended_subscription_is_refused() {
    SubTest::with(())
        .given(with(
            active(Plan::Monthly),
            [
                SubscriptionEvent::PastDue { at: month_later() },
                SubscriptionEvent::SubscriptionSuspended { at: month_later() },
            ],
        ))
        .when(renew(2))
        .then_expect_error(SubscriptionError::WrongStatus {
            status: "suspended",
        });
}

#[test]
fn renewal_of_a_one_off_is_refused() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(renew(2))
        .then_expect_error(SubscriptionError::NotMonthly);
}

// --- MarkPastDue / Suspend ---

#[test]
fn unpaid_renewal_makes_it_past_due() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(SubscriptionCommand::MarkPastDue { at: month_later() })
        .then_expect_events(vec![SubscriptionEvent::PastDue { at: month_later() }]);
}

#[test]
fn past_due_before_the_period_ends_is_refused() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(SubscriptionCommand::MarkPastDue { at: t0() })
        .then_expect_error(SubscriptionError::PeriodNotEnded);
}

#[test]
fn past_due_of_a_one_off_is_refused() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(SubscriptionCommand::MarkPastDue { at: month_later() })
        .then_expect_error(SubscriptionError::NotMonthly);
}

#[test]
fn past_due_of_a_request_is_refused() {
    SubTest::with(())
        .given(open(Plan::Monthly))
        .when(SubscriptionCommand::MarkPastDue { at: month_later() })
        .then_expect_error(SubscriptionError::WrongStatus {
            status: "requested",
        });
}

#[test]
fn past_due_subscription_is_suspended() {
    SubTest::with(())
        .given(with(
            active(Plan::Monthly),
            [SubscriptionEvent::PastDue { at: month_later() }],
        ))
        .when(SubscriptionCommand::Suspend { at: month_later() })
        .then_expect_events(vec![SubscriptionEvent::SubscriptionSuspended {
            at: month_later(),
        }]);
}

#[test]
fn suspending_an_active_subscription_is_refused() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(SubscriptionCommand::Suspend { at: month_later() })
        .then_expect_error(SubscriptionError::WrongStatus { status: "active" });
}

// --- ReleaseEscrow ---

fn release(n: u128, to: EscrowParty, amount: Decimal) -> SubscriptionCommand {
    SubscriptionCommand::ReleaseEscrow {
        transfer_id: tid(n),
        to,
        amount: rub(amount),
    }
}

#[test]
fn escrow_is_released_to_the_provider() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(release(3, EscrowParty::Provider, dec!(900)))
        .then_expect_events(vec![SubscriptionEvent::EscrowReleased {
            transfer_id: tid(3),
            to: EscrowParty::Provider,
            recipient: Some(provider_id()),
            amount: rub(dec!(900)),
        }]);
}

#[test]
fn platform_fee_has_no_recipient_account() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(release(3, EscrowParty::Platform, dec!(100)))
        .then_expect_events(vec![SubscriptionEvent::EscrowReleased {
            transfer_id: tid(3),
            to: EscrowParty::Platform,
            recipient: None,
            amount: rub(dec!(100)),
        }]);
}

#[test]
fn releasing_more_than_held_is_refused() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(release(3, EscrowParty::Provider, dec!(1000.01)))
        .then_expect_error(SubscriptionError::InsufficientEscrow {
            held: "1000.00 RUB".into(),
            requested: "1000.01 RUB".into(),
        });
}

#[test]
fn releasing_while_frozen_is_refused() {
    SubTest::with(())
        .given(with(
            active(Plan::OneOff),
            [SubscriptionEvent::EscrowFrozen {
                complaint_id: cid(1),
            }],
        ))
        .when(release(3, EscrowParty::Provider, dec!(1)))
        .then_expect_error(SubscriptionError::EscrowFrozen);
}

#[test]
fn releasing_to_a_missing_provider_is_refused() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(release(3, EscrowParty::Provider, dec!(1)))
        .then_expect_error(SubscriptionError::NoProvider);
}

#[test]
fn releasing_zero_is_refused() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(release(3, EscrowParty::Client, dec!(0)))
        .then_expect_error(SubscriptionError::AmountNotPositive);
}

#[test]
fn releasing_twice_is_a_no_op() {
    SubTest::with(())
        .given(with(
            active(Plan::OneOff),
            [SubscriptionEvent::EscrowReleased {
                transfer_id: tid(3),
                to: EscrowParty::Provider,
                recipient: Some(provider_id()),
                amount: rub(dec!(1000)),
            }],
        ))
        .when(release(3, EscrowParty::Provider, dec!(1000)))
        .then_expect_events(vec![]);
}

// --- FreezeEscrow / SettleComplaint ---

pub(super) fn frozen(plan: Plan) -> Vec<SubscriptionEvent> {
    with(
        active(plan),
        [SubscriptionEvent::EscrowFrozen {
            complaint_id: cid(1),
        }],
    )
}

#[test]
fn complaint_freezes_the_escrow() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(SubscriptionCommand::FreezeEscrow {
            complaint_id: cid(1),
        })
        .then_expect_events(vec![SubscriptionEvent::EscrowFrozen {
            complaint_id: cid(1),
        }]);
}

#[test]
fn freezing_twice_is_a_no_op() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(SubscriptionCommand::FreezeEscrow {
            complaint_id: cid(1),
        })
        .then_expect_events(vec![]);
}

#[test]
fn second_complaint_cannot_freeze() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(SubscriptionCommand::FreezeEscrow {
            complaint_id: cid(2),
        })
        .then_expect_error(SubscriptionError::AlreadyFrozen);
}

#[test]
fn freezing_before_acceptance_is_refused() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(SubscriptionCommand::FreezeEscrow {
            complaint_id: cid(1),
        })
        .then_expect_error(SubscriptionError::NoProvider);
}

fn settle(
    complaint: u128,
    n: u128,
    to_client: Decimal,
    to_provider: Decimal,
) -> SubscriptionCommand {
    SubscriptionCommand::SettleComplaint {
        complaint_id: cid(complaint),
        transfer_id: tid(n),
        to_client: rub(to_client),
        to_provider: rub(to_provider),
    }
}

fn settled(n: u128, to_client: Decimal, to_provider: Decimal) -> SubscriptionEvent {
    SubscriptionEvent::ComplaintSettled {
        complaint_id: cid(1),
        transfer_id: tid(n),
        client: client_id(),
        provider: provider_id(),
        to_client: rub(to_client),
        to_provider: rub(to_provider),
    }
}

#[test]
fn complaint_splits_the_escrow() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(settle(1, 4, dec!(600), dec!(400)))
        .then_expect_events(vec![settled(4, dec!(600), dec!(400))]);
}

#[test]
fn splitting_more_than_held_is_refused() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(settle(1, 4, dec!(600), dec!(400.01)))
        .then_expect_error(SubscriptionError::InsufficientEscrow {
            held: "1000.00 RUB".into(),
            requested: "1000.01 RUB".into(),
        });
}

#[test]
fn settling_another_complaint_is_refused() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(settle(2, 4, dec!(1), dec!(1)))
        .then_expect_error(SubscriptionError::ComplaintNotOpen);
}

#[test]
fn settling_twice_is_a_no_op() {
    SubTest::with(())
        .given(with(
            frozen(Plan::OneOff),
            [settled(4, dec!(600), dec!(400))],
        ))
        .when(settle(1, 4, dec!(600), dec!(400)))
        .then_expect_events(vec![]);
}

#[test]
fn a_settled_complaint_does_not_freeze_again() {
    SubTest::with(())
        .given(with(frozen(Plan::OneOff), [settled(4, dec!(0), dec!(0))]))
        .when(SubscriptionCommand::FreezeEscrow {
            complaint_id: cid(1),
        })
        .then_expect_events(vec![]);
}

// --- Complete ---

#[test]
fn one_off_completes() {
    SubTest::with(())
        .given(active(Plan::OneOff))
        .when(SubscriptionCommand::Complete { at: t0() })
        .then_expect_events(vec![SubscriptionEvent::SubscriptionCompleted { at: t0() }]);
}

#[test]
fn monthly_completes_at_the_end_of_a_cancelled_period() {
    SubTest::with(())
        .given(with(
            active(Plan::Monthly),
            [SubscriptionEvent::CancellationScheduled {
                by: client_id(),
                at: t0(),
                effective_at: month_later(),
            }],
        ))
        .when(SubscriptionCommand::Complete { at: month_later() })
        .then_expect_events(vec![SubscriptionEvent::SubscriptionCompleted {
            at: month_later(),
        }]);
}

#[test]
fn monthly_completion_before_the_period_end_is_refused() {
    SubTest::with(())
        .given(with(
            active(Plan::Monthly),
            [SubscriptionEvent::CancellationScheduled {
                by: client_id(),
                at: t0(),
                effective_at: month_later(),
            }],
        ))
        .when(SubscriptionCommand::Complete { at: t0() })
        .then_expect_error(SubscriptionError::PeriodNotEnded);
}

#[test]
fn running_monthly_cannot_complete() {
    SubTest::with(())
        .given(active(Plan::Monthly))
        .when(SubscriptionCommand::Complete { at: month_later() })
        .then_expect_error(SubscriptionError::WrongStatus { status: "active" });
}

#[test]
fn completing_while_frozen_is_refused() {
    SubTest::with(())
        .given(frozen(Plan::OneOff))
        .when(SubscriptionCommand::Complete { at: t0() })
        .then_expect_error(SubscriptionError::EscrowFrozen);
}

#[test]
fn completing_a_request_is_refused() {
    SubTest::with(())
        .given(open(Plan::OneOff))
        .when(SubscriptionCommand::Complete { at: t0() })
        .then_expect_error(SubscriptionError::WrongStatus {
            status: "requested",
        });
}

// --- state and stored shape ---

#[test]
fn accessors_follow_the_events() {
    let mut s = Subscription::default();
    for event in with(
        active(Plan::Monthly),
        [SubscriptionEvent::EscrowFrozen {
            complaint_id: cid(1),
        }],
    ) {
        cqrs_es::Aggregate::apply(&mut s, event);
    }
    assert_eq!(s.status(), Some(SubscriptionStatus::Active));
    assert!(s.is_active());
    assert_eq!(s.client(), Some(client_id()));
    assert_eq!(s.provider(), Some(provider_id()));
    assert_eq!(s.service_type(), Some(&legal()));
    assert_eq!(s.plan(), Some(Plan::Monthly));
    assert_eq!(s.escrow(), price());
    assert_eq!(s.price(), Some(price()));
    assert_eq!(s.deadline(), Some(deadline()));
    assert_eq!(s.period_end(), Some(month_later()));
    assert_eq!(s.frozen_by(), Some(cid(1)));
    let json = serde_json::to_string(&s).expect("serializes");
    assert_eq!(
        serde_json::from_str::<Subscription>(&json).expect("deserializes"),
        s
    );
}

#[test]
fn derived_transfer_ids_are_stable_and_distinct() {
    let base = sub_id().0;
    assert_eq!(
        derived_transfer_id(base, "cancel"),
        derived_transfer_id(base, "cancel")
    );
    assert_ne!(
        derived_transfer_id(base, "cancel"),
        derived_transfer_id(base, "deadline")
    );
}

#[test]
fn event_type_is_the_variant_name() {
    use cqrs_es::DomainEvent;
    let event = requested(Plan::OneOff);
    assert_eq!(event.event_type(), "SubscriptionRequested");
    let json = serde_json::to_value(&event).expect("serializes");
    assert!(json.get("SubscriptionRequested").is_some());
}
