//! The table of subscriptions shared by the client's, provider's and admin's lists.

use dioxus::prelude::*;

use crate::CatalogResource;
use crate::api::types::Subscription;
use crate::components::layout::NavLink;
use crate::format::{date_time, service_name};
use crate::routes::Route;
use crate::session::{self, LANG};

/// Rows of subscriptions; with `on_accept`/`on_reject` each row gets Accept and Reject buttons.
#[component]
pub fn SubscriptionTable(
    items: Vec<Subscription>,
    #[props(default)] on_accept: Option<EventHandler<String>>,
    #[props(default)] on_reject: Option<EventHandler<String>>,
    #[props(default)] busy_id: Option<String>,
) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let catalog = use_context::<CatalogResource>();
    let catalog_items = match &*catalog.read() {
        Some(Ok(items)) => items.clone(),
        _ => Vec::new(),
    };
    let with_actions = on_accept.is_some() || on_reject.is_some();
    rsx! {
        div { class: "table-wrap",
            table { class: "table", "data-testid": "requests-table",
                thead {
                    tr {
                        th { "{t.col_service}" }
                        th { "{t.col_plan}" }
                        th { "{t.col_description}" }
                        th { class: "num", "{t.col_price}" }
                        th { "{t.col_status}" }
                        th { "{t.col_created}" }
                        if with_actions { th { "{t.col_actions}" } }
                    }
                }
                tbody {
                    for s in items {
                        tr {
                            key: "{s.id}",
                            "data-testid": "request-row",
                            "data-id": "{s.id}",
                            "data-status": "{s.status}",
                            td { "data-testid": "request-service", {service_name(&catalog_items, &s.service_type, lang)} }
                            td { "data-testid": "request-plan", {t.plan_label(&s.plan).to_string()} }
                            td { class: "desc", "data-testid": "request-description",
                                if with_actions {
                                    "{s.description}"
                                } else {
                                    NavLink { to: Route::SubscriptionPage { id: s.id.clone() }, testid: "request-open", "{s.description}" }
                                }
                            }
                            td { class: "num", "data-testid": "request-price", {s.price.display(lang)} }
                            td {
                                span { class: "status status-{s.status}", "data-testid": "request-status", {t.status(&s.status).to_string()} }
                            }
                            td { class: "nowrap", {date_time(&s.created_at, lang)} }
                            if with_actions {
                                td { class: "nowrap",
                                div { class: "actions",
                                    if let Some(h) = on_accept {
                                        button {
                                            class: "btn btn-primary btn-sm",
                                            r#type: "button",
                                            "data-testid": "request-accept",
                                            disabled: busy_id.as_deref() == Some(s.id.as_str()),
                                            onclick: {
                                                let id = s.id.clone();
                                                move |_| h.call(id.clone())
                                            },
                                            "{t.accept}"
                                        }
                                    }
                                    if let Some(h) = on_reject {
                                        button {
                                            class: "btn btn-ghost btn-sm",
                                            r#type: "button",
                                            "data-testid": "request-reject",
                                            disabled: busy_id.as_deref() == Some(s.id.as_str()),
                                            onclick: {
                                                let id = s.id.clone();
                                                move |_| h.call(id.clone())
                                            },
                                            "{t.reject}"
                                        }
                                    }
                                }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
