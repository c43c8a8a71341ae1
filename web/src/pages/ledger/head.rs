//! Where the ledger's hash chain ends now: entries, head hash, whether it
//! balances; what the last row of a full export must match.

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::types::LedgerHead;
use crate::components::form::FormError;
use crate::session::{self, LANG};

/// `GET /ledger/head` as read by the page (`None` while on its way).
#[component]
pub fn HeadPanel(
    head: Option<Result<LedgerHead, ApiError>>,
    on_refresh: EventHandler<()>,
) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    rsx! {
        section { class: "card ledger-head", "data-testid": "ledger-head",
            div { class: "page-head",
                h2 { "{t.ledger_head_title}" }
                button {
                    class: "btn btn-ghost btn-sm",
                    r#type: "button",
                    "data-testid": "ledger-head-refresh",
                    onclick: move |_| on_refresh.call(()),
                    "{t.refresh}"
                }
            }
            match head {
                None => rsx! { p { class: "muted", "{t.loading}" } },
                Some(Err(e)) => rsx! { FormError { testid: "ledger-head-error", error: Some(e.message(t)) } },
                Some(Ok(h)) => rsx! {
                    dl { class: "facts",
                        dt { "{t.ledger_entries}" }
                        dd { "data-testid": "ledger-head-entries", "data-entries": "{h.entries}", "{h.entries}" }
                        dt { "{t.ledger_head_hash}" }
                        dd { code { class: "hash", "data-testid": "ledger-head-hash", "{h.head_hash}" } }
                        dt { "{t.ledger_balanced}" }
                        dd {
                            span {
                                class: if h.balanced { "status status-active" } else { "status status-cancelled" },
                                "data-testid": "ledger-head-balanced",
                                "data-balanced": if h.balanced { "true" } else { "false" },
                                if h.balanced { "{t.yes}" } else { "{t.no}" }
                            }
                        }
                        dt { "{t.ledger_sum}" }
                        dd { "data-testid": "ledger-head-sum", "data-amount": "{h.sum.amount}", {h.sum.display(lang)} }
                        dt { "{t.ledger_negative_accounts}" }
                        dd {
                            span {
                                class: if h.negative_accounts == 0 { "" } else { "status status-cancelled" },
                                "data-testid": "ledger-head-negative",
                                "{h.negative_accounts}"
                            }
                        }
                    }
                },
            }
        }
    }
}
