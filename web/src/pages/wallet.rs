//! The account's wallet.

use dioxus::prelude::*;

use crate::api;
use crate::components::form::FormError;
use crate::session;

/// `GET /wallet`: balance and pending payouts.
#[component]
pub fn WalletPage() -> Element {
    let t = session::t();
    let mut wallet = use_resource(api::wallet);
    let state = wallet.read().clone();
    rsx! {
        section { class: "page", "data-testid": "wallet-page",
            div { class: "page-head", h1 { "{t.wallet_title}" } }
            match state {
                None => rsx! { p { class: "muted", "{t.loading}" } },
                Some(Err(e)) => rsx! {
                    FormError { testid: "wallet-error", error: Some(e.message(t)) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| wallet.restart(), "{t.retry}" }
                },
                Some(Ok(w)) => rsx! {
                    div { class: "stats",
                        div { class: "stat card",
                            div { class: "stat-label", "{t.balance}" }
                            div { class: "stat-value", "data-testid": "wallet-balance", {w.balance.display()} }
                        }
                        div { class: "stat card",
                            div { class: "stat-label", "{t.pending_payouts}" }
                            div { class: "stat-value", "data-testid": "wallet-pending", {w.pending_payouts.display()} }
                        }
                    }
                },
            }
        }
    }
}
