//! Property: random command sequences, invalid ones and redeliveries included,
//! never take the escrow below zero, keep it equal to what the committed events
//! say, never release money while frozen, and a transfer id moves money at most once.

use super::tests::{admin, cid, client, legal, provider, requested, rub, t0, tid};
use super::*;
use crate::{AccountId, Actor, Plan, Role, TransferId};
use chrono::Duration;
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashSet;
use std::future::Future;
use std::task::{Context, Poll, Waker};
use uuid::Uuid;

/// Runs `handle`, which never waits on anything (the sink's mutex is uncontended).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("handle did not complete");
}

fn execute(
    s: &mut Subscription,
    command: SubscriptionCommand,
) -> Result<Vec<SubscriptionEvent>, SubscriptionError> {
    let sink = EventSink::default();
    ready(s.handle(command, &(), &sink))?;
    Ok(ready(sink.collect()))
}

fn amount() -> impl Strategy<Value = crate::Money> {
    prop_oneof![
        3 => prop::sample::select(vec![0i64, 1, 50000, 100000, 150000]),
        1 => 0i64..200000,
    ]
    .prop_map(|cents| rub(Decimal::new(cents, 2)))
}

fn command() -> impl Strategy<Value = SubscriptionCommand> {
    use SubscriptionCommand as C;
    let t = (0u128..6).prop_map(tid);
    let at = prop::sample::select(vec![0i64, 3, 40, 100]).prop_map(|d| t0() + Duration::days(d));
    let someone = prop::sample::select(vec![
        client(),
        admin(),
        provider(),
        Actor::new(AccountId(Uuid::from_u128(3)), Role::Provider),
        Actor::new(AccountId(Uuid::from_u128(4)), Role::Client),
    ]);
    let party = prop::sample::select(vec![
        EscrowParty::Client,
        EscrowParty::Provider,
        EscrowParty::Platform,
    ]);
    let complaint = (1u128..3).prop_map(cid);
    prop_oneof![
        (t.clone(), amount()).prop_map(|(transfer_id, amount)| C::FundEscrow {
            transfer_id,
            amount
        }),
        (someone.clone(), any::<bool>(), at.clone()).prop_map(|(actor, handles, at)| C::Accept {
            actor,
            provider_service_types: if handles { vec![legal()] } else { vec![] },
            at,
        }),
        (someone.clone(), at.clone()).prop_map(|(actor, at)| C::Reject {
            actor,
            provider_service_types: vec![legal()],
            at,
        }),
        at.clone().prop_map(|at| C::MarkDeadlinePassed { at }),
        (
            someone.clone(),
            proptest::option::of(at.clone()),
            at.clone()
        )
            .prop_map(|(actor, until, at)| C::ExtendDeadline { actor, until, at }),
        (someone, at.clone()).prop_map(|(actor, at)| C::Cancel { actor, at }),
        (t.clone(), amount(), at.clone()).prop_map(|(transfer_id, amount, at)| C::RenewPeriod {
            transfer_id,
            amount,
            at
        }),
        at.clone().prop_map(|at| C::MarkPastDue { at }),
        at.clone().prop_map(|at| C::Suspend { at }),
        (t.clone(), party, amount()).prop_map(|(transfer_id, to, amount)| C::ReleaseEscrow {
            transfer_id,
            to,
            amount
        }),
        complaint
            .clone()
            .prop_map(|complaint_id| C::FreezeEscrow { complaint_id }),
        (complaint, t, amount(), amount()).prop_map(
            |(complaint_id, transfer_id, to_client, to_provider)| {
                C::SettleComplaint {
                    complaint_id,
                    transfer_id,
                    to_client,
                    to_provider,
                }
            }
        ),
        at.prop_map(|at| C::Complete { at }),
    ]
}

/// The escrow recomputed from the events alone.
fn replay(events: &[SubscriptionEvent]) -> Decimal {
    events
        .iter()
        .fold(Decimal::ZERO, |escrow, event| match event {
            SubscriptionEvent::EscrowFunded { amount, .. }
            | SubscriptionEvent::PeriodRenewed { amount, .. } => escrow + amount.amount(),
            SubscriptionEvent::EscrowReleased { amount, .. } => escrow - amount.amount(),
            SubscriptionEvent::ComplaintSettled {
                to_client,
                to_provider,
                ..
            } => escrow - to_client.amount() - to_provider.amount(),
            _ => escrow,
        })
}

fn money_transfer(command: &SubscriptionCommand) -> Option<TransferId> {
    match command {
        SubscriptionCommand::FundEscrow { transfer_id, .. }
        | SubscriptionCommand::RenewPeriod { transfer_id, .. }
        | SubscriptionCommand::ReleaseEscrow { transfer_id, .. }
        | SubscriptionCommand::SettleComplaint { transfer_id, .. } => Some(*transfer_id),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn escrow_stays_non_negative_and_matches_the_events(
        monthly in any::<bool>(),
        start in 0u8..3,
        commands in prop::collection::vec(command(), 1..60),
    ) {
        let plan = if monthly { Plan::Monthly } else { Plan::OneOff };
        // Start as a bare request, a paid one, or an accepted one, so that
        // short sequences reach the frozen and renewal states too.
        let mut committed = vec![requested(plan)];
        if start >= 1 {
            committed.push(SubscriptionEvent::EscrowFunded {
                transfer_id: tid(100),
                amount: rub(Decimal::new(1000, 0)),
            });
        }
        if start >= 2 {
            committed.push(SubscriptionEvent::SubscriptionAccepted {
                provider: provider().id,
                period_start: t0(),
                period_end: monthly.then(|| t0() + Duration::days(28)),
            });
        }
        let mut s = Subscription::default();
        for event in committed.iter().cloned() {
            s.apply(event);
        }
        let mut seen_ids: HashSet<TransferId> = committed.iter().filter_map(SubscriptionEvent::transfer_id).collect();

        for command in commands {
            let before = s.clone();
            let repeated = money_transfer(&command).is_some_and(|t| seen_ids.contains(&t));
            match execute(&mut s, command.clone()) {
                Ok(events) => {
                    if repeated {
                        prop_assert!(events.is_empty(), "{command:?} applied twice: {events:?}");
                    }
                    if before.is_frozen() {
                        prop_assert!(
                            !events.iter().any(|e| matches!(e, SubscriptionEvent::EscrowReleased { .. })),
                            "released while frozen: {events:?}"
                        );
                    }
                    for event in &events {
                        if let Some(t) = event.transfer_id() {
                            prop_assert!(seen_ids.insert(t), "transfer id {t} used twice");
                        }
                    }
                    committed.extend(events);
                }
                Err(_) => prop_assert_eq!(&s, &before, "a refused command changed state"),
            }
            if repeated {
                prop_assert_eq!(s.escrow(), before.escrow());
            }

            let escrow = replay(&committed);
            prop_assert!(escrow >= Decimal::ZERO, "replayed escrow below zero");
            prop_assert_eq!(s.escrow().amount(), escrow);

            let mut reloaded = Subscription::default();
            for event in committed.iter().cloned() {
                reloaded.apply(event);
            }
            prop_assert_eq!(&reloaded, &s);
        }
    }
}
