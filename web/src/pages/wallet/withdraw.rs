//! The withdrawal form: amount, BIK and account, checked as they are typed
//! (the domain's rules, see `crate::bank`); the server's errors beside the
//! field they name.

use dioxus::prelude::*;

use crate::api::types::{BankBody, Withdrawal};
use crate::api::{self, ApiError};
use crate::bank::{BankProblem, check_account, check_bik, parse_amount};
use crate::components::form::{FormError, TextField};
use crate::form_errors::FormErrors;
use crate::i18n::Strings;
use crate::idempotency::{PendingKey, new_key};
use crate::session;

const FIELDS: &[&str] = &["amount", "bank.bik", "bank.account"];

/// Whether an error answer settles the submit (its key may go): a refusal
/// means nothing committed. A 5xx or a 409 may hide a commit, so a retry
/// keeps the key and gets the first answer again.
pub(super) fn answer_is_final(status: u16) -> bool {
    status < 500 && status != 409
}

fn digits_only(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn bank_message(t: &'static Strings, p: BankProblem) -> String {
    match p {
        BankProblem::BikFormat => t.bik_invalid,
        BankProblem::AccountFormat => t.account_format_invalid,
        BankProblem::ControlKey => t.account_key_invalid,
    }
    .to_string()
}

/// What is wrong with the typed values. `complete` is false while typing:
/// then only what can no longer become valid is reported.
fn client_errors(
    t: &'static Strings,
    amount: &str,
    bik: &str,
    account: &str,
    complete: bool,
) -> FormErrors {
    let mut e = FormErrors::default();
    let amount = amount.trim();
    if (complete || !amount.is_empty()) && parse_amount(amount).is_none() {
        e.fields.insert("amount".into(), t.amount_invalid.into());
    }
    let bik_hopeless =
        !digits_only(bik) || bik.len() > 9 || (bik.len() >= 2 && !bik.starts_with("04"));
    if (complete || bik.len() == 9 || bik_hopeless) && check_bik(bik).is_err() {
        e.fields.insert("bank.bik".into(), t.bik_invalid.into());
    }
    let account_hopeless = !digits_only(account) || account.len() > 20;
    let account_done = account.len() == 20 && check_bik(bik).is_ok();
    // A bad BIK is reported on the BIK only.
    if (complete || account_hopeless || account_done)
        && let Err(p) = check_account(bik, account)
        && p != BankProblem::BikFormat
    {
        e.fields.insert("bank.account".into(), bank_message(t, p));
    }
    e
}

/// `POST /commands/wallet/withdrawals`; `on_done` after it was accepted.
#[component]
pub fn WithdrawForm(on_done: EventHandler<()>) -> Element {
    let t = session::t();
    let mut amount = use_signal(String::new);
    let bik = use_signal(String::new);
    let account = use_signal(String::new);
    // The server's answer and the values it was about: shown while they stand.
    let mut server = use_signal(|| (FormErrors::default(), None::<Withdrawal>));
    let mut submitted = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut done = use_signal(|| false);
    let mut key = use_signal(PendingKey::default);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let t = session::t();
        submitted.set(true);
        done.set(false);
        let (a, b, c) = (
            amount.peek().trim().to_string(),
            bik.peek().trim().to_string(),
            account.peek().trim().to_string(),
        );
        if !client_errors(t, &a, &b, &c, true).is_empty() {
            return;
        }
        let req = Withdrawal {
            amount: parse_amount(&a).unwrap_or(a),
            bank: BankBody { bik: b, account: c },
        };
        let body = serde_json::to_string(&req).unwrap_or_default();
        let k = key.write().key_for(&body, new_key);
        busy.set(true);
        let result = api::withdraw(&req, &k).await;
        busy.set(false);
        match result {
            Ok(_) => {
                key.write().done();
                server.set((FormErrors::default(), None));
                submitted.set(false);
                // The bank details stay for the next payout; the amount does not.
                amount.set(String::new());
                done.set(true);
                on_done.call(());
            }
            Err(ApiError::Problem(p)) => {
                if answer_is_final(p.status) {
                    key.write().done();
                }
                server.set((FormErrors::from_problem(&p, FIELDS), Some(req)));
            }
            Err(other) => server.set((FormErrors::general(other.message(t)), Some(req))),
        }
    };

    let (a, b, c) = (
        amount.read().clone(),
        bik.read().clone(),
        account.read().clone(),
    );
    let local = client_errors(t, a.trim(), b.trim(), c.trim(), submitted());
    let (server_errors, about) = server.read().clone();
    let still = |field: &str| match (&about, field) {
        (Some(r), "amount") => parse_amount(&a).as_deref() == Some(r.amount.as_str()),
        (Some(r), "bank.bik") => b.trim() == r.bank.bik,
        (Some(r), "bank.account") => c.trim() == r.bank.account,
        _ => false,
    };
    let error = |field: &str| {
        local
            .field(field)
            .or_else(|| server_errors.field(field).filter(|_| still(field)))
    };
    rsx! {
        section { class: "card form-card",
            h2 { "{t.withdraw_title}" }
            form { novalidate: true, onsubmit: submit, "data-testid": "withdraw-form",
                FormError { testid: "withdraw-error", error: server_errors.general.clone() }
                if done() {
                    p { class: "alert alert-ok", role: "status", "data-testid": "withdraw-done", "{t.withdrawal_created}" }
                }
                TextField { label: t.amount, testid: "withdraw-amount", value: amount, error: error("amount") }
                TextField { label: t.bik, testid: "withdraw-bik", value: bik, error: error("bank.bik") }
                TextField { label: t.bank_account, testid: "withdraw-account", value: account, error: error("bank.account") }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "withdraw-submit",
                    "{t.withdraw_submit}"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    #[test]
    fn while_typing_only_hopeless_input_is_flagged() {
        let e = client_errors(&EN, "", "04452", "4070", false);
        assert!(e.is_empty(), "{e:?}");
        let e = client_errors(&EN, "", "14", "40a", false);
        assert_eq!(e.field("bank.bik").as_deref(), Some(EN.bik_invalid));
        assert_eq!(
            e.field("bank.account").as_deref(),
            Some(EN.account_format_invalid)
        );
    }

    #[test]
    fn a_complete_account_is_checked_against_the_bik_at_once() {
        let e = client_errors(&EN, "10", "044525225", "40702810938000000000", false);
        assert_eq!(
            e.field("bank.account").as_deref(),
            Some(EN.account_key_invalid)
        );
        let e = client_errors(&EN, "10", "044525225", "40702810238720001420", false);
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn on_submit_everything_missing_is_named() {
        let e = client_errors(&EN, "", "", "", true);
        assert_eq!(e.fields.len(), 3, "{e:?}");
        let e = client_errors(&EN, "5", "044525225", "", true);
        assert_eq!(
            e.field("bank.account").as_deref(),
            Some(EN.account_format_invalid)
        );
    }

    #[test]
    fn only_refusals_release_the_key() {
        assert!(answer_is_final(422) && answer_is_final(400));
        assert!(!answer_is_final(500) && !answer_is_final(503) && !answer_is_final(409));
    }
}
