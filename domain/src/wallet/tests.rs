//! One behaviour per test: each command's happy path and each of its rejections.

use super::*;
use crate::{
    AccountId, Actor, BankAccountNumber, BankDetails, Bik, Money, Role, SubscriptionId, TransferId,
};
use cqrs_es::test::TestFramework;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

type WalletTest = TestFramework<Wallet>;

/// A wallet that has recorded `events`, its history holding the same
/// events (finished transfers are looked up there, not in the state).
fn given(events: Vec<WalletEvent>) -> cqrs_es::test::AggregateTestExecutor<Wallet> {
    let history = InMemoryHistory(events.clone());
    WalletTest::with(WalletServices::with_history(std::sync::Arc::new(history))).given(events)
}

pub(super) fn owner() -> AccountId {
    AccountId(Uuid::from_u128(1))
}

fn stranger() -> AccountId {
    AccountId(Uuid::from_u128(2))
}

pub(super) fn tid(n: u128) -> TransferId {
    TransferId(Uuid::from_u128(1000 + n))
}

fn sub() -> SubscriptionId {
    SubscriptionId(Uuid::from_u128(77))
}

fn rub(d: Decimal) -> Money {
    Money::rub(d)
}

fn client() -> Actor {
    Actor::new(owner(), Role::Client)
}

/// A BIK with an account whose control digit is computed to match it.
pub(super) fn bank() -> BankDetails {
    let bik = Bik::parse("044525225").expect("valid BIK");
    (0..10)
        .find_map(|d| {
            let account = BankAccountNumber::parse(&format!("40702810{d}38000000001")).ok()?;
            BankDetails::new(bik.clone(), account).ok()
        })
        .expect("one control digit fits")
}

fn top_up_requested(n: u128, amount: Decimal) -> WalletEvent {
    WalletEvent::TopUpRequested {
        owner: owner(),
        transfer_id: tid(n),
        amount: rub(amount),
    }
}

fn top_up_settled(n: u128, amount: Decimal) -> WalletEvent {
    WalletEvent::TopUpSettled {
        transfer_id: tid(n),
        amount: rub(amount),
    }
}

/// A wallet holding 100.00 from top-up 1.
fn funded() -> Vec<WalletEvent> {
    vec![top_up_requested(1, dec!(100)), top_up_settled(1, dec!(100))]
}

fn withdrawal_requested(n: u128, amount: Decimal) -> WalletEvent {
    WalletEvent::WithdrawalRequested {
        transfer_id: tid(n),
        amount: rub(amount),
        bank: bank(),
    }
}

fn with(
    mut events: Vec<WalletEvent>,
    more: impl IntoIterator<Item = WalletEvent>,
) -> Vec<WalletEvent> {
    events.extend(more);
    events
}

fn request_top_up(actor: Actor, n: u128, amount: Decimal) -> WalletCommand {
    WalletCommand::RequestTopUp {
        actor,
        owner: owner(),
        transfer_id: tid(n),
        amount: rub(amount),
    }
}

fn request_withdrawal(actor: Actor, n: u128, amount: Decimal) -> WalletCommand {
    WalletCommand::RequestWithdrawal {
        actor,
        transfer_id: tid(n),
        amount: rub(amount),
        bank: bank(),
    }
}

// --- RequestTopUp ---

#[test]
fn top_up_request_opens_the_wallet() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(request_top_up(client(), 1, dec!(100)))
        .then_expect_events(vec![top_up_requested(1, dec!(100))]);
}

#[test]
fn provider_may_top_up_its_own_wallet() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(request_top_up(
            Actor::new(owner(), Role::Provider),
            1,
            dec!(5),
        ))
        .then_expect_events(vec![top_up_requested(1, dec!(5))]);
}

#[test]
fn top_up_repeated_transfer_id_is_a_no_op() {
    given(vec![top_up_requested(1, dec!(100))])
        .when(request_top_up(client(), 1, dec!(100)))
        .then_expect_events(vec![]);
}

#[test]
fn top_up_transfer_id_of_another_movement_is_refused() {
    given(vec![top_up_requested(1, dec!(100))])
        .when(request_top_up(client(), 1, dec!(50)))
        .then_expect_error(WalletError::TransferIdReused);
}

#[test]
fn top_up_in_someone_elses_name_is_refused() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(request_top_up(
            Actor::new(stranger(), Role::Client),
            1,
            dec!(100),
        ))
        .then_expect_error(WalletError::NotOwner);
}

#[test]
fn top_up_of_a_wallet_owned_by_another_is_refused() {
    given(funded())
        .when(WalletCommand::RequestTopUp {
            actor: Actor::new(stranger(), Role::Client),
            owner: stranger(),
            transfer_id: tid(2),
            amount: rub(dec!(1)),
        })
        .then_expect_error(WalletError::NotOwner);
}

#[test]
fn admin_cannot_top_up() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(request_top_up(
            Actor::new(owner(), Role::Admin),
            1,
            dec!(100),
        ))
        .then_expect_error(WalletError::NotOwner);
}

#[test]
fn zero_top_up_is_refused() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(request_top_up(client(), 1, dec!(0)))
        .then_expect_error(WalletError::AmountNotPositive);
}

#[test]
fn top_up_past_the_maximum_balance_is_refused() {
    given(vec![
        top_up_requested(1, Money::MAX_AMOUNT),
        top_up_settled(1, Money::MAX_AMOUNT),
    ])
    .when(request_top_up(client(), 2, dec!(0.01)))
    .then_expect_error(WalletError::BalanceTooLarge);
}

// --- SettleTopUp ---

#[test]
fn settling_a_requested_top_up_credits_it() {
    given(vec![top_up_requested(1, dec!(100))])
        .when(WalletCommand::SettleTopUp {
            transfer_id: tid(1),
        })
        .then_expect_events(vec![top_up_settled(1, dec!(100))]);
}

#[test]
fn settling_twice_is_a_no_op() {
    given(funded())
        .when(WalletCommand::SettleTopUp {
            transfer_id: tid(1),
        })
        .then_expect_events(vec![]);
}

#[test]
fn settling_an_unknown_top_up_is_refused() {
    given(funded())
        .when(WalletCommand::SettleTopUp {
            transfer_id: tid(9),
        })
        .then_expect_error(WalletError::UnknownTransfer);
}

#[test]
fn settling_a_withdrawal_as_a_top_up_is_refused() {
    given(with(funded(), [withdrawal_requested(2, dec!(10))]))
        .when(WalletCommand::SettleTopUp {
            transfer_id: tid(2),
        })
        .then_expect_error(WalletError::WrongTransferKind);
}

// --- FailTopUp ---

fn fail_top_up(n: u128, reason: &str) -> WalletCommand {
    WalletCommand::FailTopUp {
        transfer_id: tid(n),
        reason: reason.into(),
    }
}

fn top_up_failed(n: u128, reason: &str) -> WalletEvent {
    WalletEvent::TopUpFailed {
        transfer_id: tid(n),
        reason: reason.into(),
    }
}

#[test]
fn a_requested_top_up_can_fail() {
    given(vec![top_up_requested(1, dec!(100))])
        .when(fail_top_up(1, "  declined by the bank "))
        .then_expect_events(vec![top_up_failed(1, "declined by the bank")]);
}

#[test]
fn a_failed_top_up_moves_no_money() {
    let mut wallet = Wallet::default();
    for event in with(
        funded(),
        [top_up_requested(2, dec!(40)), top_up_failed(2, "declined")],
    ) {
        cqrs_es::Aggregate::apply(&mut wallet, event);
    }
    assert_eq!(wallet.balance(), rub(dec!(100)));
    assert_eq!(wallet.pending_payouts(), rub(dec!(0)));
}

#[test]
fn failing_a_top_up_twice_is_a_no_op() {
    given(vec![
        top_up_requested(1, dec!(100)),
        top_up_failed(1, "declined"),
    ])
    .when(fail_top_up(1, "declined again"))
    .then_expect_events(vec![]);
}

#[test]
fn failing_a_settled_top_up_is_refused() {
    given(funded())
        .when(fail_top_up(1, "declined"))
        .then_expect_error(WalletError::TransferNotPending { state: "settled" });
}

#[test]
fn settling_a_failed_top_up_is_refused() {
    given(vec![
        top_up_requested(1, dec!(100)),
        top_up_failed(1, "declined"),
    ])
    .when(WalletCommand::SettleTopUp {
        transfer_id: tid(1),
    })
    .then_expect_error(WalletError::TransferNotPending { state: "failed" });
}

#[test]
fn failing_an_unknown_top_up_is_refused() {
    given(funded())
        .when(fail_top_up(9, "declined"))
        .then_expect_error(WalletError::UnknownTransfer);
}

#[test]
fn failing_a_withdrawal_as_a_top_up_is_refused() {
    given(with(funded(), [withdrawal_requested(2, dec!(10))]))
        .when(fail_top_up(2, "declined"))
        .then_expect_error(WalletError::WrongTransferKind);
}

#[test]
fn failing_a_top_up_without_a_reason_is_refused() {
    given(vec![top_up_requested(1, dec!(100))])
        .when(fail_top_up(1, "   "))
        .then_expect_error(WalletError::TextLength {
            field: "reason",
            max: 500,
        });
}

#[test]
fn a_snapshot_from_before_failed_top_ups_still_loads() {
    let mut wallet = Wallet::default();
    cqrs_es::Aggregate::apply(&mut wallet, top_up_requested(1, dec!(5)));
    let mut json = serde_json::to_value(&wallet).expect("serializes");
    let top_up = json["transfers"]
        .as_object_mut()
        .and_then(|t| t.values_mut().next())
        .and_then(|t| t.as_object_mut())
        .expect("one transfer");
    top_up.remove("failed").expect("the new field is written");
    let old: Wallet = serde_json::from_value(json).expect("old snapshot loads");
    assert_eq!(old, wallet);
}

// --- RequestWithdrawal ---

#[test]
fn withdrawal_moves_money_to_pending_payout() {
    given(funded())
        .when(request_withdrawal(client(), 2, dec!(40)))
        .then_expect_events(vec![withdrawal_requested(2, dec!(40))]);
}

#[test]
fn withdrawal_of_everything_is_allowed() {
    given(funded())
        .when(request_withdrawal(client(), 2, dec!(100)))
        .then_expect_events(vec![withdrawal_requested(2, dec!(100))]);
}

#[test]
fn withdrawal_beyond_the_balance_is_refused() {
    given(funded())
        .when(request_withdrawal(client(), 2, dec!(100.01)))
        .then_expect_error(WalletError::InsufficientFunds {
            available: "100.00 RUB".into(),
            requested: "100.01 RUB".into(),
        });
}

#[test]
fn withdrawal_from_an_unsettled_top_up_is_refused() {
    given(vec![top_up_requested(1, dec!(100))])
        .when(request_withdrawal(client(), 2, dec!(1)))
        .then_expect_error(WalletError::InsufficientFunds {
            available: "0.00 RUB".into(),
            requested: "1.00 RUB".into(),
        });
}

#[test]
fn admin_cannot_withdraw_someone_elses_money() {
    given(funded())
        .when(request_withdrawal(
            Actor::new(stranger(), Role::Admin),
            2,
            dec!(1),
        ))
        .then_expect_error(WalletError::NotOwner);
}

#[test]
fn another_client_cannot_withdraw() {
    given(funded())
        .when(request_withdrawal(
            Actor::new(stranger(), Role::Client),
            2,
            dec!(1),
        ))
        .then_expect_error(WalletError::NotOwner);
}

#[test]
fn zero_withdrawal_is_refused() {
    given(funded())
        .when(request_withdrawal(client(), 2, dec!(0)))
        .then_expect_error(WalletError::AmountNotPositive);
}

#[test]
fn repeated_withdrawal_is_a_no_op_even_when_funds_are_gone() {
    given(with(funded(), [withdrawal_requested(2, dec!(100))]))
        .when(request_withdrawal(client(), 2, dec!(100)))
        .then_expect_events(vec![]);
}

#[test]
fn withdrawal_reusing_a_top_up_id_is_refused() {
    given(funded())
        .when(request_withdrawal(client(), 1, dec!(100)))
        .then_expect_error(WalletError::TransferIdReused);
}

// --- MarkWithdrawalSent ---

#[test]
fn requested_withdrawal_can_be_sent() {
    given(with(funded(), [withdrawal_requested(2, dec!(40))]))
        .when(WalletCommand::MarkWithdrawalSent {
            transfer_id: tid(2),
        })
        .then_expect_events(vec![WalletEvent::WithdrawalSent {
            transfer_id: tid(2),
        }]);
}

#[test]
fn sending_twice_is_a_no_op() {
    given(with(
        funded(),
        [
            withdrawal_requested(2, dec!(40)),
            WalletEvent::WithdrawalSent {
                transfer_id: tid(2),
            },
        ],
    ))
    .when(WalletCommand::MarkWithdrawalSent {
        transfer_id: tid(2),
    })
    .then_expect_events(vec![]);
}

#[test]
fn sending_a_failed_withdrawal_is_refused() {
    given(with(
        funded(),
        [
            withdrawal_requested(2, dec!(40)),
            WalletEvent::WithdrawalFailed {
                transfer_id: tid(2),
                amount: rub(dec!(40)),
                reason: "closed".into(),
            },
        ],
    ))
    .when(WalletCommand::MarkWithdrawalSent {
        transfer_id: tid(2),
    })
    .then_expect_error(WalletError::TransferNotPending { state: "failed" });
}

#[test]
fn sending_an_unknown_withdrawal_is_refused() {
    given(funded())
        .when(WalletCommand::MarkWithdrawalSent {
            transfer_id: tid(9),
        })
        .then_expect_error(WalletError::UnknownTransfer);
}

#[test]
fn sending_a_top_up_is_refused() {
    given(funded())
        .when(WalletCommand::MarkWithdrawalSent {
            transfer_id: tid(1),
        })
        .then_expect_error(WalletError::WrongTransferKind);
}

// --- SettleWithdrawal ---

fn sent(amount: Decimal) -> Vec<WalletEvent> {
    with(
        funded(),
        [
            withdrawal_requested(2, amount),
            WalletEvent::WithdrawalSent {
                transfer_id: tid(2),
            },
        ],
    )
}

#[test]
fn sent_withdrawal_settles() {
    given(sent(dec!(40)))
        .when(WalletCommand::SettleWithdrawal {
            transfer_id: tid(2),
        })
        .then_expect_events(vec![WalletEvent::WithdrawalSettled {
            transfer_id: tid(2),
            amount: rub(dec!(40)),
        }]);
}

#[test]
fn settling_a_settled_withdrawal_is_a_no_op() {
    given(with(
        sent(dec!(40)),
        [WalletEvent::WithdrawalSettled {
            transfer_id: tid(2),
            amount: rub(dec!(40)),
        }],
    ))
    .when(WalletCommand::SettleWithdrawal {
        transfer_id: tid(2),
    })
    .then_expect_events(vec![]);
}

#[test]
fn settling_an_unsent_withdrawal_is_refused() {
    given(with(funded(), [withdrawal_requested(2, dec!(40))]))
        .when(WalletCommand::SettleWithdrawal {
            transfer_id: tid(2),
        })
        .then_expect_error(WalletError::TransferNotPending { state: "requested" });
}

#[test]
fn settling_an_unknown_withdrawal_is_refused() {
    given(funded())
        .when(WalletCommand::SettleWithdrawal {
            transfer_id: tid(9),
        })
        .then_expect_error(WalletError::UnknownTransfer);
}

// --- FailWithdrawal ---

fn fail(reason: &str) -> WalletCommand {
    WalletCommand::FailWithdrawal {
        transfer_id: tid(2),
        reason: reason.into(),
    }
}

#[test]
fn failed_withdrawal_returns_the_money() {
    given(sent(dec!(40)))
        .when(fail("  account closed "))
        .then_expect_events(vec![WalletEvent::WithdrawalFailed {
            transfer_id: tid(2),
            amount: rub(dec!(40)),
            reason: "account closed".into(),
        }]);
}

#[test]
fn a_requested_withdrawal_can_fail_before_sending() {
    given(with(funded(), [withdrawal_requested(2, dec!(40))]))
        .when(fail("bad details"))
        .then_expect_events(vec![WalletEvent::WithdrawalFailed {
            transfer_id: tid(2),
            amount: rub(dec!(40)),
            reason: "bad details".into(),
        }]);
}

#[test]
fn failing_twice_is_a_no_op() {
    given(with(
        sent(dec!(40)),
        [WalletEvent::WithdrawalFailed {
            transfer_id: tid(2),
            amount: rub(dec!(40)),
            reason: "closed".into(),
        }],
    ))
    .when(fail("closed"))
    .then_expect_events(vec![]);
}

#[test]
fn failing_a_settled_withdrawal_is_refused() {
    given(with(
        sent(dec!(40)),
        [WalletEvent::WithdrawalSettled {
            transfer_id: tid(2),
            amount: rub(dec!(40)),
        }],
    ))
    .when(fail("too late"))
    .then_expect_error(WalletError::TransferNotPending { state: "settled" });
}

#[test]
fn failing_without_a_reason_is_refused() {
    given(sent(dec!(40)))
        .when(fail("   "))
        .then_expect_error(WalletError::TextLength {
            field: "reason",
            max: 500,
        });
}

#[test]
fn failing_with_an_overlong_reason_is_refused() {
    given(sent(dec!(40)))
        .when(fail(&"x".repeat(501)))
        .then_expect_error(WalletError::TextLength {
            field: "reason",
            max: 500,
        });
}

#[test]
fn failing_an_unknown_withdrawal_is_refused() {
    given(funded())
        .when(fail("no"))
        .then_expect_error(WalletError::UnknownTransfer);
}

// --- MoveToEscrow ---

fn move_to_escrow(n: u128, amount: Decimal) -> WalletCommand {
    WalletCommand::MoveToEscrow {
        transfer_id: tid(n),
        subscription_id: sub(),
        amount: rub(amount),
    }
}

fn moved(n: u128, amount: Decimal) -> WalletEvent {
    WalletEvent::FundsMovedToEscrow {
        transfer_id: tid(n),
        subscription_id: sub(),
        amount: rub(amount),
    }
}

#[test]
fn money_moves_to_escrow() {
    given(funded())
        .when(move_to_escrow(3, dec!(60)))
        .then_expect_events(vec![moved(3, dec!(60))]);
}

#[test]
fn moving_more_than_available_is_refused() {
    given(with(funded(), [withdrawal_requested(2, dec!(50))]))
        .when(move_to_escrow(3, dec!(60)))
        .then_expect_error(WalletError::InsufficientFunds {
            available: "50.00 RUB".into(),
            requested: "60.00 RUB".into(),
        });
}

#[test]
fn moving_to_escrow_twice_is_a_no_op() {
    given(with(funded(), [moved(3, dec!(60))]))
        .when(move_to_escrow(3, dec!(60)))
        .then_expect_events(vec![]);
}

#[test]
fn moving_zero_to_escrow_is_refused() {
    given(funded())
        .when(move_to_escrow(3, dec!(0)))
        .then_expect_error(WalletError::AmountNotPositive);
}

#[test]
fn moving_from_an_empty_wallet_is_refused() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(move_to_escrow(3, dec!(1)))
        .then_expect_error(WalletError::InsufficientFunds {
            available: "0.00 RUB".into(),
            requested: "1.00 RUB".into(),
        });
}

// --- CreditFromEscrow ---

fn credit(who: AccountId, n: u128, amount: Decimal, kind: CreditKind) -> WalletCommand {
    WalletCommand::CreditFromEscrow {
        owner: who,
        transfer_id: tid(n),
        subscription_id: sub(),
        amount: rub(amount),
        kind,
    }
}

fn credited(who: AccountId, n: u128, amount: Decimal, kind: CreditKind) -> WalletEvent {
    WalletEvent::FundsCreditedFromEscrow {
        owner: who,
        transfer_id: tid(n),
        subscription_id: sub(),
        amount: rub(amount),
        kind,
    }
}

#[test]
fn earnings_open_a_providers_wallet() {
    WalletTest::with(WalletServices::default())
        .given_no_previous_events()
        .when(credit(owner(), 4, dec!(90), CreditKind::Earnings))
        .then_expect_events(vec![credited(owner(), 4, dec!(90), CreditKind::Earnings)]);
}

#[test]
fn refund_is_credited() {
    given(with(funded(), [moved(3, dec!(60))]))
        .when(credit(owner(), 4, dec!(60), CreditKind::Refund))
        .then_expect_events(vec![credited(owner(), 4, dec!(60), CreditKind::Refund)]);
}

#[test]
fn crediting_twice_is_a_no_op() {
    given(vec![credited(owner(), 4, dec!(90), CreditKind::Earnings)])
        .when(credit(owner(), 4, dec!(90), CreditKind::Earnings))
        .then_expect_events(vec![]);
}

#[test]
fn crediting_another_owners_wallet_is_refused() {
    given(funded())
        .when(credit(stranger(), 4, dec!(90), CreditKind::Earnings))
        .then_expect_error(WalletError::NotOwner);
}

#[test]
fn crediting_zero_is_refused() {
    given(funded())
        .when(credit(owner(), 4, dec!(0), CreditKind::Refund))
        .then_expect_error(WalletError::AmountNotPositive);
}

// --- state and stored shape ---

#[test]
fn accessors_follow_the_events() {
    let mut wallet = Wallet::default();
    for event in with(
        sent(dec!(40)),
        [
            moved(3, dec!(10)),
            credited(owner(), 4, dec!(5), CreditKind::Refund),
        ],
    ) {
        cqrs_es::Aggregate::apply(&mut wallet, event);
    }
    assert_eq!(wallet.owner(), Some(owner()));
    assert_eq!(wallet.balance(), rub(dec!(55)));
    assert_eq!(wallet.pending_payouts(), rub(dec!(40)));
    assert_eq!(
        wallet.withdrawal_status(tid(2)),
        Some(WithdrawalStatus::Sent)
    );
    // The open withdrawal stays in the state; finished moves do not.
    assert!(wallet.has_transfer(tid(2)));
    assert!(!wallet.has_transfer(tid(3)));
}

#[test]
fn finished_transfers_leave_the_state_so_it_stays_small() {
    let mut wallet = Wallet::default();
    let mut events = Vec::new();
    for n in 1..=500u128 {
        events.push(top_up_requested(n, dec!(1)));
        events.push(WalletEvent::TopUpSettled {
            transfer_id: tid(n),
            amount: rub(dec!(1)),
        });
    }
    for event in events {
        cqrs_es::Aggregate::apply(&mut wallet, event);
    }
    assert_eq!(wallet.balance(), rub(dec!(500)));
    let snapshot = serde_json::to_string(&wallet).expect("json");
    assert!(snapshot.len() < 300, "{} bytes: {snapshot}", snapshot.len());
}

#[test]
fn a_finished_transfer_is_recognised_through_the_history() {
    // Settled long ago: not in the state, only in the history.
    let history = vec![
        top_up_requested(1, dec!(100)),
        WalletEvent::TopUpSettled {
            transfer_id: tid(1),
            amount: rub(dec!(100)),
        },
    ];
    given(history.clone())
        .when(WalletCommand::SettleTopUp {
            transfer_id: tid(1),
        })
        .then_expect_events(vec![]);
    given(history.clone())
        .when(request_top_up(client(), 1, dec!(100)))
        .then_expect_events(vec![]);
    given(history)
        .when(request_top_up(client(), 1, dec!(70)))
        .then_expect_error(WalletError::TransferIdReused);
}

#[test]
fn snapshot_round_trips() {
    let mut wallet = Wallet::default();
    for event in sent(dec!(40)) {
        cqrs_es::Aggregate::apply(&mut wallet, event);
    }
    let json = serde_json::to_string(&wallet).expect("serializes");
    let back: Wallet = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, wallet);
}

#[test]
fn event_type_is_the_variant_name() {
    use cqrs_es::DomainEvent;
    let event = top_up_settled(1, dec!(1));
    assert_eq!(event.event_type(), "TopUpSettled");
    assert_eq!(event.event_version(), "1.0");
    let json = serde_json::to_value(&event).expect("serializes");
    assert!(json.get("TopUpSettled").is_some());
}
