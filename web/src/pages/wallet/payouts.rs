//! The wallet's withdrawals and where each stands at the bank.

use dioxus::prelude::*;

use crate::api::types::Payout;
use crate::api::{self};
use crate::components::form::FormError;
use crate::format::date_time;
use crate::paged::{Paged, use_paged};
use crate::pages::subscriptions::Load;
use crate::session::{self, LANG};

/// `GET /wallet/payouts`, reloaded whenever `changes` moves.
#[component]
pub fn Payouts(changes: Signal<u32>) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let paged = use_paged(
        changes,
        |cursor| Box::pin(async move { api::wallet_payouts(cursor.as_deref()).await }),
        |p: &Payout| p.transfer_id.clone(),
    );
    let Paged {
        items,
        next,
        state,
        more_error,
        ..
    } = paged;
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
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "payouts-more", onclick: move |_| paged.load_more(), "{t.load_more}" }
            }
        }
    }
}
