//! The account's wallet: available, in escrow, in payout (and a provider's
//! earnings), the top-up and withdrawal forms, the history with its running
//! balance and the payouts; kept current by the event stream.

mod history;
mod payouts;
mod top_up;
mod withdraw;

use dioxus::prelude::*;

use crate::api::types::{Money, Role, Wallet};
use crate::api::{self, ApiError};
use crate::components::form::FormError;
use crate::live::use_stream_events;
use crate::pages::subscriptions::LiveBadge;
use crate::session::{self, LANG, SESSION};

pub use history::History;
pub use payouts::Payouts;
pub use top_up::TopUpForm;
pub use withdraw::WithdrawForm;

/// `GET /wallet` and the wallet's lists; a `wallet` event refreshes them all.
#[component]
pub fn WalletPage() -> Element {
    let t = session::t();
    let role = SESSION.read().as_ref().map(|s| s.role);
    let mut wallet = use_signal(|| None::<Result<Wallet, ApiError>>);
    // Bumped on every change of the wallet: the lists reload their first page.
    let mut changes = use_signal(|| 0u32);
    let mut load = use_future(move || async move {
        wallet.set(Some(api::wallet().await));
    });
    let live = use_stream_events("wallet", move |text| {
        if let Ok(w) = serde_json::from_str::<Wallet>(&text) {
            wallet.set(Some(Ok(w)));
        }
        *changes.write() += 1;
    });
    let on_withdrawn = move |_| {
        load.restart();
        *changes.write() += 1;
    };
    let state = wallet.read().clone();
    rsx! {
        section { class: "page", "data-testid": "wallet-page",
            div { class: "page-head",
                h1 { "{t.wallet_title}" }
                LiveBadge { open: live() }
            }
            match state {
                None => rsx! { p { class: "muted", "{t.loading}" } },
                Some(Err(e)) => rsx! {
                    FormError { testid: "wallet-error", error: Some(e.message(t)) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| load.restart(), "{t.retry}" }
                },
                Some(Ok(w)) => rsx! { Totals { wallet: w, provider: role == Some(Role::Provider) } },
            }
            div { class: "forms",
                TopUpForm {}
                WithdrawForm { on_done: on_withdrawn }
            }
            Payouts { changes }
            History { changes }
        }
    }
}

/// The totals as cards.
#[component]
fn Totals(wallet: Wallet, provider: bool) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let card = |label: &'static str, testid: &'static str, m: &Money| {
        let value = m.display(lang);
        rsx! {
            div { class: "stat card",
                div { class: "stat-label", "{label}" }
                div { class: "stat-value", "data-testid": testid, "data-amount": "{m.amount}", "{value}" }
            }
        }
    };
    rsx! {
        div { class: "stats",
            {card(t.available, "wallet-available", &wallet.available)}
            if !provider {
                {card(t.in_escrow, "wallet-escrow", &wallet.in_escrow)}
            }
            {card(t.in_payout, "wallet-payout", &wallet.in_payout)}
            if let Some(earnings) = &wallet.earnings {
                {card(t.earnings, "wallet-earnings", earnings)}
            }
        }
    }
}
