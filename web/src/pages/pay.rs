//! The sandbox gateway's payment page: "Pay 1 000 ₽" with Approve and
//! Decline; then waits for the outcome and leads back to the wallet.

use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;

use crate::api::types::SandboxPayment;
use crate::api::{self, ApiError};
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::routes::Route;
use crate::session::{self, LANG};

/// How often the outcome is asked for, and for how long.
const POLL_MS: u32 = 700;
const POLL_TRIES: u32 = 90;

/// `GET /payments/sandbox/{payment_id}`, `POST .../approve` or `.../decline`.
#[component]
pub fn Pay(payment_id: String) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let mut payment = use_signal(|| None::<Result<SandboxPayment, ApiError>>);
    let mut busy = use_signal(|| false);
    let mut waiting = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);

    let id = payment_id.clone();
    let mut load = use_future(move || {
        let id = id.clone();
        async move {
            payment.set(Some(api::sandbox_payment(&id).await));
        }
    });
    let id = payment_id.clone();
    let decide = move |approve: bool| {
        let id = id.clone();
        spawn(async move {
            if *busy.peek() {
                return;
            }
            busy.set(true);
            error.set(None);
            match api::sandbox_decide(&id, approve).await {
                Ok(()) => {
                    waiting.set(true);
                    for _ in 0..POLL_TRIES {
                        TimeoutFuture::new(POLL_MS).await;
                        if let Ok(p) = api::sandbox_payment(&id).await {
                            let pending = p.status == "pending";
                            payment.set(Some(Ok(p)));
                            if !pending {
                                break;
                            }
                        }
                    }
                    waiting.set(false);
                }
                Err(e) => error.set(Some(e.message(session::t()))),
            }
            busy.set(false);
        });
    };
    let approve = decide.clone();

    let state = payment.read().clone();
    rsx! {
        section { class: "card form-card pay-card", "data-testid": "pay-page",
            h1 { "{t.pay_title}" }
            p { class: "muted", "{t.pay_note}" }
            FormError { testid: "pay-error", error: error() }
            match state {
                None => rsx! { p { class: "muted", "{t.loading}" } },
                Some(Err(e)) => rsx! {
                    FormError { testid: "pay-load-error", error: Some(e.message(t)) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| load.restart(), "{t.retry}" }
                },
                Some(Ok(p)) => rsx! {
                    p {
                        class: "pay-amount",
                        "data-testid": "pay-amount",
                        "data-status": "{p.status}",
                        {t.pay_amount.replace("{amount}", &p.amount.display(lang))}
                    }
                    match p.status.as_str() {
                        "pending" if waiting() => rsx! { p { class: "muted", "data-testid": "pay-waiting", "{t.pay_waiting}" } },
                        "pending" => rsx! {
                            div { class: "actions",
                                button {
                                    class: "btn btn-primary",
                                    r#type: "button",
                                    disabled: busy(),
                                    "data-testid": "pay-approve",
                                    onclick: move |_| approve(true),
                                    "{t.pay_approve}"
                                }
                                button {
                                    class: "btn btn-ghost",
                                    r#type: "button",
                                    disabled: busy(),
                                    "data-testid": "pay-decline",
                                    onclick: move |_| decide(false),
                                    "{t.pay_decline}"
                                }
                            }
                        },
                        "settled" => rsx! { p { class: "alert alert-ok", role: "status", "data-testid": "pay-settled", "{t.pay_settled}" } },
                        _ => rsx! { p { class: "alert alert-error", role: "status", "data-testid": "pay-failed", "{t.pay_failed}" } },
                    }
                },
            }
            if session::current().is_some() {
                NavLink { to: Route::WalletPage {}, testid: "pay-back", class: "btn btn-ghost", "{t.back_to_wallet}" }
            }
        }
    }
}
