//! The wallet's withdrawals and where each stands at the bank.

use dioxus::prelude::*;

use crate::api::types::Payout;
use crate::api::{self};
use crate::components::form::FormError;
use crate::format::date_time;
use crate::pages::subscriptions::Load;
use crate::session::{self, LANG};

/// `GET /wallet/payouts`, reloaded whenever `changes` moves.
#[component]
pub fn Payouts(changes: Signal<u32>) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let mut items = use_signal(Vec::<Payout>::new);
    let mut next = use_signal(|| None::<String>);
    let mut state = use_signal(|| Load::Loading);
    let mut more_error = use_signal(|| None::<String>);

    use_effect(move || {
        let _ = changes();
        spawn(async move {
            match api::wallet_payouts(None).await {
                Ok(page) => {
                    items.set(page.items);
                    next.set(page.next_cursor);
                    state.set(Load::Ready);
                }
                Err(e) => state.set(Load::Failed(e.message(session::t()))),
            }
        });
    });
    let load_more = move |_| async move {
        let Some(cursor) = next.peek().clone() else {
            return;
        };
        match api::wallet_payouts(Some(&cursor)).await {
            Ok(page) => {
                let mut list = items.write();
                for p in page.items {
                    if !list.iter().any(|x| x.transfer_id == p.transfer_id) {
                        list.push(p);
                    }
                }
                next.set(page.next_cursor);
                more_error.set(None);
            }
            Err(e) => more_error.set(Some(e.message(session::t()))),
        }
    };

    let list = items.read().clone();
    rsx! {
        section { class: "wallet-section", "data-testid": "payouts",
            h2 { "{t.payouts_title}" }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "{t.loading}" } },
                Load::Failed(msg) => rsx! { FormError { testid: "payouts-error", error: Some(msg) } },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "payouts-empty", "{t.no_payouts}" } },
                Load::Ready => rsx! {
                    div { class: "table-wrap",
                        table { class: "table", "data-testid": "payouts-table",
                            thead {
                                tr {
                                    th { "{t.col_time}" }
                                    th { "{t.col_account}" }
                                    th { class: "num", "{t.col_amount}" }
                                    th { "{t.col_status}" }
                                }
                            }
                            tbody {
                                for p in list {
                                    tr {
                                        key: "{p.transfer_id}",
                                        "data-testid": "payout-row",
                                        "data-status": "{p.status}",
                                        td { class: "nowrap", {date_time(&p.requested_at, lang)} }
                                        td { class: "nowrap", "{p.account} · {p.bik}" }
                                        td { class: "num", {p.amount.display(lang)} }
                                        td {
                                            span { class: "status payout-{p.status}", "data-testid": "payout-status", {t.payout_status(&p.status).to_string()} }
                                            if let Some(reason) = &p.reason {
                                                div { class: "muted small", "data-testid": "payout-reason", "{reason}" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
            FormError { testid: "payouts-more-error", error: more_error() }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "payouts-more", onclick: load_more, "{t.load_more}" }
            }
        }
    }
}
