//! Property: random command sequences, invalid ones and redeliveries included,
//! never take a balance below zero, always leave the balances equal to what the
//! committed events say, and a transfer id applies at most once.

use super::tests::{bank, owner, tid};
use super::*;
use crate::{AccountId, Actor, Money, Role, SubscriptionId, TransferId};
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

/// Runs `command` on `wallet`, whose finished transfers are looked up in
/// `history` (every event it recorded), as the store does.
fn execute(
    wallet: &mut Wallet,
    history: &mut Vec<WalletEvent>,
    command: WalletCommand,
) -> Result<Vec<WalletEvent>, WalletError> {
    let services =
        WalletServices::with_history(std::sync::Arc::new(InMemoryHistory(history.clone())));
    let sink = EventSink::default();
    let mut next = wallet.clone();
    ready(next.handle(command, &services, &sink))?;
    *wallet = next;
    let events = ready(sink.collect());
    history.extend(events.iter().cloned());
    Ok(events)
}

fn amount() -> impl Strategy<Value = Money> {
    // A small set makes a redelivery with the same amount likely.
    prop_oneof![
        3 => prop::sample::select(vec![0i64, 1, 2550, 10000, 15000]),
        1 => 0i64..30000,
    ]
    .prop_map(|cents| Money::rub(Decimal::new(cents, 2)))
}

fn actor() -> impl Strategy<Value = Actor> {
    let stranger = AccountId(Uuid::from_u128(2));
    prop::sample::select(vec![
        Actor::new(owner(), Role::Client),
        Actor::new(owner(), Role::Provider),
        Actor::new(stranger, Role::Client),
        Actor::new(owner(), Role::Admin),
    ])
}

fn command() -> impl Strategy<Value = WalletCommand> {
    let t = (0u128..6).prop_map(tid);
    let sub = SubscriptionId(Uuid::from_u128(77));
    prop_oneof![
        (actor(), t.clone(), amount()).prop_map(|(actor, transfer_id, amount)| {
            WalletCommand::RequestTopUp {
                actor,
                owner: actor.id,
                transfer_id,
                amount,
            }
        }),
        t.clone()
            .prop_map(|transfer_id| WalletCommand::SettleTopUp { transfer_id }),
        (t.clone(), prop::sample::select(vec!["", "declined"])).prop_map(
            |(transfer_id, reason)| {
                WalletCommand::FailTopUp {
                    transfer_id,
                    reason: reason.into(),
                }
            }
        ),
        (actor(), t.clone(), amount()).prop_map(|(actor, transfer_id, amount)| {
            WalletCommand::RequestWithdrawal {
                actor,
                transfer_id,
                amount,
                bank: bank(),
            }
        }),
        t.clone()
            .prop_map(|transfer_id| WalletCommand::MarkWithdrawalSent { transfer_id }),
        t.clone()
            .prop_map(|transfer_id| WalletCommand::SettleWithdrawal { transfer_id }),
        (t.clone(), prop::sample::select(vec!["", "refused"])).prop_map(|(transfer_id, reason)| {
            WalletCommand::FailWithdrawal {
                transfer_id,
                reason: reason.into(),
            }
        }),
        (t.clone(), amount()).prop_map(move |(transfer_id, amount)| {
            WalletCommand::MoveToEscrow {
                transfer_id,
                subscription_id: sub,
                amount,
            }
        }),
        (t, amount(), any::<bool>()).prop_map(move |(transfer_id, amount, refund)| {
            WalletCommand::CreditFromEscrow {
                owner: owner(),
                transfer_id,
                subscription_id: sub,
                amount,
                kind: if refund {
                    CreditKind::Refund
                } else {
                    CreditKind::Earnings
                },
            }
        }),
    ]
}

/// Balance and pending payouts in cents, recomputed from the events alone.
fn replay(events: &[WalletEvent]) -> (Decimal, Decimal) {
    let (mut balance, mut pending) = (Decimal::ZERO, Decimal::ZERO);
    for event in events {
        match event {
            WalletEvent::TopUpRequested { .. }
            | WalletEvent::TopUpFailed { .. }
            | WalletEvent::WithdrawalSent { .. } => {}
            WalletEvent::TopUpSettled { amount, .. }
            | WalletEvent::FundsCreditedFromEscrow { amount, .. } => balance += amount.amount(),
            WalletEvent::WithdrawalRequested { amount, .. } => {
                balance -= amount.amount();
                pending += amount.amount();
            }
            WalletEvent::WithdrawalSettled { amount, .. } => pending -= amount.amount(),
            WalletEvent::WithdrawalFailed { amount, .. } => {
                pending -= amount.amount();
                balance += amount.amount();
            }
            WalletEvent::FundsMovedToEscrow { amount, .. } => balance -= amount.amount(),
        }
    }
    (balance, pending)
}

/// The command's kind and transfer id, and whether it starts a new movement.
fn key(command: &WalletCommand) -> (&'static str, TransferId, bool) {
    match command {
        WalletCommand::RequestTopUp { transfer_id, .. } => ("top_up", *transfer_id, true),
        WalletCommand::SettleTopUp { transfer_id } => ("settle_top_up", *transfer_id, false),
        WalletCommand::FailTopUp { transfer_id, .. } => ("fail_top_up", *transfer_id, false),
        WalletCommand::RequestWithdrawal { transfer_id, .. } => ("withdraw", *transfer_id, true),
        WalletCommand::MarkWithdrawalSent { transfer_id } => ("sent", *transfer_id, false),
        WalletCommand::SettleWithdrawal { transfer_id } => ("settle_w", *transfer_id, false),
        WalletCommand::FailWithdrawal { transfer_id, .. } => ("fail", *transfer_id, false),
        WalletCommand::MoveToEscrow { transfer_id, .. } => ("to_escrow", *transfer_id, true),
        WalletCommand::CreditFromEscrow { transfer_id, .. } => ("credit", *transfer_id, true),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn balances_stay_non_negative_and_match_the_events(
        commands in prop::collection::vec(command(), 1..60)
    ) {
        let mut wallet = Wallet::default();
        let mut history = Vec::new();
        let mut committed: Vec<WalletEvent> = Vec::new();
        let mut applied_commands: HashSet<(&'static str, TransferId)> = HashSet::new();
        let mut seen_ids: HashSet<TransferId> = HashSet::new();

        for command in commands {
            let before = wallet.clone();
            let (kind, transfer_id, starts_movement) = key(&command);
            let repeated = applied_commands.contains(&(kind, transfer_id))
                || (starts_movement && seen_ids.contains(&transfer_id));
            match execute(&mut wallet, &mut history, command.clone()) {
                Ok(events) => {
                    if repeated {
                        prop_assert!(events.is_empty(), "{command:?} applied twice: {events:?}");
                    }
                    if !events.is_empty() {
                        applied_commands.insert((kind, transfer_id));
                    }
                    seen_ids.extend(events.iter().map(WalletEvent::transfer_id));
                    committed.extend(events);
                }
                Err(_) => prop_assert_eq!(&wallet, &before, "a refused command changed state"),
            }
            if repeated {
                prop_assert_eq!(wallet.balance(), before.balance());
                prop_assert_eq!(wallet.pending_payouts(), before.pending_payouts());
            }

            let (balance, pending) = replay(&committed);
            prop_assert!(wallet.balance().amount() >= Decimal::ZERO);
            prop_assert!(wallet.pending_payouts().amount() >= Decimal::ZERO);
            prop_assert!(balance >= Decimal::ZERO, "replayed balance below zero");
            prop_assert_eq!(wallet.balance().amount(), balance);
            prop_assert_eq!(wallet.pending_payouts().amount(), pending);
            // A top-up ends settled or failed, never both.
            let ended = |pick: fn(&WalletEvent) -> bool| -> HashSet<TransferId> {
                committed.iter().filter(|e| pick(e)).map(WalletEvent::transfer_id).collect()
            };
            let settled = ended(|e| matches!(e, WalletEvent::TopUpSettled { .. }));
            let failed = ended(|e| matches!(e, WalletEvent::TopUpFailed { .. }));
            prop_assert!(settled.is_disjoint(&failed), "a top-up both settled and failed");

            // Loading from the store gives the same wallet.
            let mut reloaded = Wallet::default();
            for event in committed.iter().cloned() {
                reloaded.apply(event);
            }
            prop_assert_eq!(&reloaded, &wallet);
        }
    }

    #[test]
    fn redelivering_every_command_changes_nothing(
        commands in prop::collection::vec(command(), 1..40)
    ) {
        let mut wallet = Wallet::default();
        let mut history = Vec::new();
        for command in &commands {
            let _ = execute(&mut wallet, &mut history, command.clone());
        }
        for command in commands {
            let (_, _, starts_movement) = key(&command);
            if starts_movement {
                let before = history.clone();
                let result = execute(&mut wallet, &mut history, command);
                // Anything already applied is a no-op; anything new may apply, but
                // an id used before never moves money again.
                if let Ok(events) = &result
                    && let Some(first) = events.first()
                {
                    let id = first.transfer_id();
                    prop_assert!(!before.iter().any(|e| e.transfer_id() == id));
                }
            }
        }
        prop_assert!(wallet.balance().amount() >= Decimal::ZERO);
    }
}
