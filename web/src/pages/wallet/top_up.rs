//! The top-up form: an amount, then the gateway's payment page.

use dioxus::prelude::*;

use crate::api::types::TopUp;
use crate::api::{self, ApiError};
use crate::bank::parse_amount;
use crate::components::form::{FormError, TextField};
use crate::form_errors::FormErrors;
use crate::idempotency::{PendingKey, new_key};
use crate::routes::Route;
use crate::session;

/// `POST /commands/wallet/top-ups`, then to the payment page it names.
#[component]
pub fn TopUpForm() -> Element {
    let t = session::t();
    let amount = use_signal(String::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);
    let mut key = use_signal(PendingKey::default);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let t = session::t();
        let Some(value) = parse_amount(&amount.peek()) else {
            errors.set(FormErrors {
                fields: [("amount".to_string(), t.amount_invalid.to_string())].into(),
                general: None,
            });
            return;
        };
        let req = TopUp { amount: value };
        let body = serde_json::to_string(&req).unwrap_or_default();
        let k = key.write().key_for(&body, new_key);
        busy.set(true);
        let result = api::top_up(&req, &k).await;
        busy.set(false);
        match result {
            Ok(created) => {
                key.write().done();
                errors.set(FormErrors::default());
                go_to(&created.payment_url);
            }
            Err(ApiError::Problem(p)) => {
                if super::withdraw::answer_is_final(p.status) {
                    key.write().done();
                }
                errors.set(FormErrors::from_problem(&p, &["amount"]));
            }
            // No answer: the same submit retried keeps its key.
            Err(other) => errors.set(FormErrors::general(other.message(t))),
        }
    };

    let errs = errors.read().clone();
    rsx! {
        section { class: "card form-card",
            h2 { "{t.top_up_title}" }
            form { novalidate: true, onsubmit: submit, "data-testid": "top-up-form",
                FormError { testid: "top-up-error", error: errs.general.clone() }
                TextField { label: t.amount, testid: "top-up-amount", value: amount, error: errs.field("amount") }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "top-up-submit",
                    "{t.top_up_submit}"
                }
            }
        }
    }
}

/// Opens the payment page: inside the app when it is one of its routes.
fn go_to(url: &str) {
    if url.starts_with('/')
        && let Ok(route) = url.parse::<Route>()
    {
        navigator().push(route);
        return;
    }
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(url);
    }
}
