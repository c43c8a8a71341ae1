//! One order (`/orders/:id`) for its client, its provider and admins: its
//! status and parties, what each side may do now ([`actions`]), the
//! complaints about it ([`complaint`]) and its live chat ([`chat`]). The
//! subscription page lists a subscription's orders ([`list`]) and lets its
//! client open one ([`new`]).
//!
//! One event-stream connection feeds the whole page (`order`, `message`
//! and `complaint` events of this order).

pub mod actions;
pub mod chat;
pub mod complaint;
pub mod list;
pub mod new;

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::orders::{self, Complaint, Message, Order};
use crate::api::types::{Problem, Role};
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::format::date_time;
use crate::live::use_stream_kinds;
use crate::pages::subscriptions::LiveBadge;
use crate::routes::Route;
use crate::session::{self, LANG, SESSION};

use actions::OrderActions;
use chat::{ChatBox, use_chat};
use complaint::{ComplaintForm, ComplaintList};
use list::OrderStatus;

/// The last characters of an id, enough to tell parties apart (the first
/// ones of a time-ordered UUID are the time, shared by ids made together).
fn short_id(id: &str) -> &str {
    id.get(id.len().saturating_sub(8)..).unwrap_or(id)
}

/// The complaints of the order: a 404 from the list (a server without it)
/// counts as none, as the order itself was found.
async fn read_complaints(order_id: &str) -> Result<Vec<Complaint>, ApiError> {
    match orders::complaints(order_id).await {
        Err(ApiError::Problem(p)) if is_not_found(&p) => Ok(Vec::new()),
        other => other,
    }
}

fn is_not_found(p: &Problem) -> bool {
    p.status == 404
}

/// `/orders/:id`.
#[component]
pub fn OrderPage(id: String) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let session = SESSION.read().clone();
    let role = session.as_ref().map(|s| s.role);
    let me = session.map(|s| s.account_id).unwrap_or_default();

    let mut order = use_signal(|| None::<Result<Order, ApiError>>);
    let mut complaints = use_signal(Vec::<Complaint>::new);
    let mut complaints_error = use_signal(|| None::<String>);
    let chat = use_chat(id.clone(), me.clone());
    let watched = use_signal(|| id.clone());

    // An order event that came while a read was out is at least as new as the read.
    let mut live_updates = use_signal(|| 0u64);
    let mut load = use_future(move || async move {
        let oid = watched.peek().clone();
        let seen = *live_updates.peek();
        let fetched = orders::order(&oid).await;
        if *live_updates.peek() == seen {
            order.set(Some(fetched));
        }
        match read_complaints(&oid).await {
            Ok(list) => {
                let mut shown = complaints.write();
                for c in list.into_iter().rev() {
                    complaint::upsert(&mut shown, c);
                }
                complaints_error.set(None);
            }
            Err(e) => complaints_error.set(Some(e.message(session::t()))),
        }
    });

    let live = use_stream_kinds(&["order", "message", "complaint"], move |kind, text| {
        let oid = watched.peek().clone();
        match kind {
            "order" => {
                if let Ok(o) = serde_json::from_str::<Order>(&text)
                    && o.id == oid
                {
                    *live_updates.write() += 1;
                    order.set(Some(Ok(o)));
                }
            }
            "message" => {
                if let Ok(m) = serde_json::from_str::<Message>(&text) {
                    chat.take(m);
                }
            }
            "complaint" => {
                if let Ok(c) = serde_json::from_str::<Complaint>(&text)
                    && c.order_id.as_deref() == Some(oid.as_str())
                {
                    complaint::upsert(&mut complaints.write(), c);
                }
            }
            _ => {}
        }
    });
    // What committed while the stream was down (or before it first opened) is read again.
    use_effect(move || {
        if live() {
            load.restart();
            chat.refresh();
        }
    });

    let state = order.read().clone();
    let complaint_list = complaints.read().clone();
    rsx! {
        section { class: "page order-page", "data-testid": "order-page",
            div { class: "page-head",
                if let Some(Ok(o)) = &state {
                    NavLink { to: Route::SubscriptionPage { id: o.subscription_id.clone() }, testid: "back-to-subscription",
                        class: "btn btn-ghost btn-sm", "{t.back_to_subscription}" }
                }
                h1 { "{t.order_page_title}" }
                LiveBadge { open: live() }
            }
            match state {
                None => rsx! { p { class: "muted", "data-testid": "order-loading", "{t.loading}" } },
                Some(Err(e)) => rsx! {
                    FormError { testid: "order-error", error: Some(e.message(t)) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| load.restart(), "{t.retry}" }
                },
                Some(Ok(o)) => rsx! {
                    div { class: "order-layout",
                        div { class: "order-side",
                            div { class: "card detail", "data-testid": "order-detail", "data-id": "{o.id}", "data-status": "{o.status}",
                                h2 { "data-testid": "order-title", "{o.title}" }
                                if !o.details.is_empty() {
                                    p { class: "desc", "data-testid": "order-details", "{o.details}" }
                                }
                                dl { class: "facts",
                                    dt { "{t.col_status}" }
                                    dd { OrderStatus { order: o.clone() } }
                                    dt { "{t.parties}" }
                                    dd { "data-testid": "order-parties",
                                        div { "{t.role_client}: "
                                            code { {short_id(&o.client_id).to_string()} }
                                            if o.client_id == me { " {t.you_marker}" }
                                        }
                                        div { "{t.role_provider}: "
                                            code { {short_id(&o.provider_id).to_string()} }
                                            if o.provider_id == me { " {t.you_marker}" }
                                        }
                                    }
                                    dt { "{t.provider_says_done}" }
                                    dd { "data-testid": "order-provider-done", "data-done": "{o.provider_done}",
                                        if o.provider_done { "✓ {t.yes}" } else { "{t.no}" }
                                    }
                                    dt { "{t.client_says_done}" }
                                    dd { "data-testid": "order-client-done", "data-done": "{o.client_done}",
                                        if o.client_done { "✓ {t.yes}" } else { "{t.no}" }
                                    }
                                    dt { "{t.order_created_at}" }
                                    dd { {date_time(&o.created_at, lang)} }
                                    if let Some(at) = &o.taken_at {
                                        dt { "{t.order_taken_at}" }
                                        dd { {date_time(at, lang)} }
                                    }
                                    if let Some(at) = &o.completed_at {
                                        dt { "{t.order_completed_at}" }
                                        dd { {date_time(at, lang)} }
                                    }
                                }
                                OrderActions { order: o.clone(), role,
                                    on_changed: move |fresh: Order| {
                                        *live_updates.write() += 1;
                                        order.set(Some(Ok(fresh)));
                                    }
                                }
                                if o.frozen_by.is_none() && matches!(role, Some(Role::Client | Role::Provider)) {
                                    ComplaintForm { order_id: o.id.clone(), role: role.unwrap_or(Role::Client),
                                        on_filed: move |c: Complaint| {
                                            complaint::upsert(&mut complaints.write(), c);
                                            // The order is frozen now: read it rather than wait for the stream.
                                            load.restart();
                                        }
                                    }
                                }
                            }
                            FormError { testid: "complaints-error", error: complaints_error() }
                            ComplaintList { complaints: complaint_list, role,
                                on_changed: move |_| load.restart() }
                        }
                        ChatBox { chat, role: role.unwrap_or(Role::Client), me: me.clone(),
                            closed: o.status == "completed" && role != Some(Role::Admin) }
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_ids_are_the_random_tail() {
        assert_eq!(
            super::short_id("01a24ac3-d8fc-74c2-b5a9-a14c84578dba"),
            "84578dba"
        );
        assert_eq!(super::short_id("abc"), "abc");
    }
}
