//! The wallet's history: every movement, newest first, with the balance after it.

use dioxus::prelude::*;

use crate::api::types::Movement;
use crate::api::{self};
use crate::components::form::FormError;
use crate::format::date_time;
use crate::paged::{Paged, use_paged};
use crate::pages::subscriptions::Load;
use crate::session::{self, LANG};

/// `GET /wallet/history`, reloaded whenever `changes` moves.
#[component]
pub fn History(changes: Signal<u32>) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let paged = use_paged(
        changes,
        |cursor| Box::pin(async move { api::wallet_history(cursor.as_deref()).await }),
        |m: &Movement| m.sequence.to_string(),
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
        section { class: "wallet-section", "data-testid": "history",
            h2 { "{t.history_title}" }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "{t.loading}" } },
                Load::Failed(msg) => rsx! { FormError { testid: "history-error", error: Some(msg) } },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "history-empty", "{t.no_history}" } },
                Load::Ready => rsx! {
                    div { class: "table-wrap",
                        table { class: "table", "data-testid": "history-table",
                            thead {
                                tr {
                                    th { "{t.col_time}" }
                                    th { "{t.col_kind}" }
                                    th { class: "num", "{t.col_amount}" }
                                    th { class: "num", "{t.col_balance_after}" }
                                }
                            }
                            tbody {
                                for m in list {
                                    tr {
                                        key: "{m.sequence}",
                                        "data-testid": "history-row",
                                        "data-kind": "{m.kind}",
                                        "data-transfer": "{m.transfer_id}",
                                        td { class: "nowrap", {date_time(&m.occurred_at, lang)} }
                                        td {
                                            {t.movement(&m.kind).to_string()}
                                            if let Some(reason) = &m.reason {
                                                div { class: "muted small", "{reason}" }
                                            }
                                        }
                                        td {
                                            class: if m.amount.amount.starts_with('-') { "num debit" } else { "num credit" },
                                            "data-testid": "history-amount",
                                            {m.amount.display_signed(lang)}
                                        }
                                        td { class: "num", "data-testid": "history-balance", "data-amount": "{m.balance_after.amount}", {m.balance_after.display(lang)} }
                                    }
                                }
                            }
                        }
                    }
                },
            }
            FormError { testid: "history-more-error", error: more_error() }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "history-more", onclick: move |_| paged.load_more(), "{t.load_more}" }
            }
        }
    }
}
