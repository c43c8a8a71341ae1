//! One subscription: its period, next charge, status and escrow; the client
//! may cancel it (after a confirmation), and answers a request nobody
//! accepted in time: keep waiting, extend the deadline, or cancel with a
//! full refund.
//!
//! Once a provider accepted it, the page lists the subscription's orders
//! (live); the client opens new ones while it is active, the provider takes
//! them into work.

use dioxus::prelude::*;

use crate::CatalogResource;
use crate::api::orders::Order;
use crate::api::types::{Role, Subscription};
use crate::api::{self, ApiError};
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::format::{date_time, service_name};
use crate::idempotency::{PendingKey, new_key};
use crate::live::use_stream_kinds;
use crate::pages::order::list::{OrdersSection, use_orders};
use crate::pages::order::new::NewOrderForm;
use crate::pages::subscriptions::LiveBadge;
use crate::routes::Route;
use crate::session::{self, LANG, SESSION};

/// Statuses a client may still cancel from.
fn cancellable(s: &Subscription) -> bool {
    matches!(
        s.status.as_str(),
        "requested" | "overdue" | "active" | "past_due"
    ) && !s.cancellation_scheduled
}

/// The end of the day picked in a date field (`YYYY-MM-DD`), as RFC 3339.
fn end_of_day(date: &str) -> Option<String> {
    let valid = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
    valid.then(|| format!("{date}T23:59:59Z"))
}

/// What the client may do about a request nobody accepted in time.
#[component]
fn OverduePanel(id: String, deadline: Option<String>, on_done: EventHandler<()>) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let mut until = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let send = move |id: String, new_deadline: Option<String>| {
        spawn(async move {
            if *busy.peek() {
                return;
            }
            busy.set(true);
            let result = api::extend_deadline(&id, new_deadline).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    error.set(None);
                    on_done.call(());
                }
                Err(e) => error.set(Some(e.message(session::t()))),
            }
        });
    };
    let when = deadline
        .as_deref()
        .map(|d| date_time(d, lang))
        .unwrap_or_default();
    let (wait_id, extend_id) = (id.clone(), id);
    rsx! {
        div { class: "confirm overdue", role: "alert", "data-testid": "overdue-panel",
            h3 { {t.overdue_title.replace("{date}", &when)} }
            p { "{t.overdue_body}" }
            FormError { testid: "overdue-error", error: error() }
            div { class: "actions",
                button { class: "btn", r#type: "button", disabled: busy(), "data-testid": "keep-waiting",
                    onclick: move |_| send(wait_id.clone(), None), "{t.keep_waiting}" }
                label { "{t.extend_until} "
                    input { r#type: "date", "data-testid": "extend-until", value: "{until}",
                        oninput: move |e| until.set(e.value()) }
                }
                button { class: "btn", r#type: "button", "data-testid": "extend-deadline",
                    disabled: busy() || end_of_day(&until()).is_none(),
                    onclick: move |_| send(extend_id.clone(), end_of_day(&until.peek())), "{t.extend}" }
            }
        }
    }
}

/// `GET /subscriptions/{id}`, kept current by the event stream.
#[component]
pub fn SubscriptionPage(id: String) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let role = SESSION.read().as_ref().map(|s| s.role);
    let catalog = use_context::<CatalogResource>();
    let mut sub = use_signal(|| None::<Result<Subscription, ApiError>>);
    let mut confirming = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut key = use_signal(PendingKey::default);

    let mut live_updates = use_signal(|| 0u64);
    let sid = id.clone();
    let mut load = use_future(move || {
        let sid = sid.clone();
        async move {
            let seen = *live_updates.peek();
            let fetched = api::subscription(&sid).await;
            // A live update that came while this fetch was out is at least as
            // new as what the fetch read: keep it (a later change brings
            // another update).
            if *live_updates.peek() == seen {
                sub.set(Some(fetched));
            }
        }
    });
    let watched = use_signal(|| id.clone());
    let orders = use_orders(id.clone());
    // One connection for the subscription and its orders.
    let live = use_stream_kinds(&["subscription", "order"], move |kind, text| match kind {
        "subscription" => {
            if let Ok(s) = serde_json::from_str::<Subscription>(&text)
                && s.id == *watched.peek()
            {
                *live_updates.write() += 1;
                sub.set(Some(Ok(s)));
            }
        }
        "order" => {
            if let Ok(o) = serde_json::from_str::<Order>(&text) {
                orders.take(o);
            }
        }
        _ => {}
    });
    // Orders that came while the stream was down are read again when it opens.
    use_effect(move || {
        if live() {
            orders.refresh();
        }
    });
    let sid = id.clone();
    let cancel = move |_| {
        let sid = sid.clone();
        spawn(async move {
            if *busy.peek() {
                return;
            }
            busy.set(true);
            let k = key.write().key_for(&sid, new_key);
            let result = api::cancel_subscription(&sid, &k).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    key.write().done();
                    confirming.set(false);
                    error.set(None);
                    let seen = *live_updates.peek();
                    let fetched = api::subscription(&sid).await;
                    if *live_updates.peek() == seen {
                        sub.set(Some(fetched));
                    }
                }
                Err(ApiError::Problem(p)) => {
                    if p.status < 500 && p.status != 409 {
                        key.write().done();
                    }
                    error.set(Some(ApiError::Problem(p).message(session::t())));
                }
                Err(e) => error.set(Some(e.message(session::t()))),
            }
        });
    };

    let items = match &*catalog.read() {
        Some(Ok(items)) => items.clone(),
        _ => Vec::new(),
    };
    let state = sub.read().clone();
    rsx! {
        section { class: "page", "data-testid": "subscription-page",
            div { class: "page-head",
                NavLink { to: Route::Subscriptions {}, testid: "back-to-list", class: "btn btn-ghost btn-sm", "{t.back_to_list}" }
                h1 { "{t.subscription_title}" }
                LiveBadge { open: live() }
            }
            match state {
                None => rsx! { p { class: "muted", "{t.loading}" } },
                Some(Err(e)) => rsx! {
                    FormError { testid: "subscription-error", error: Some(e.message(t)) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| load.restart(), "{t.retry}" }
                },
                Some(Ok(s)) => rsx! {
                    div { class: "card detail",
                        h2 { {service_name(&items, &s.service_type, lang)} " · " {t.plan_label(&s.plan).to_string()} }
                        p { class: "desc", "{s.description}" }
                        dl { class: "facts",
                            dt { "{t.col_status}" }
                            dd {
                                span { class: "status status-{s.status}", "data-testid": "subscription-status", "data-status": "{s.status}", {t.status(&s.status).to_string()} }
                                if s.cancellation_scheduled {
                                    " "
                                    span { class: "status status-past_due", "data-testid": "subscription-cancel-scheduled",
                                        {t.cancellation_scheduled.replace("{date}", &s.cancel_effective_at.as_deref().map(|d| date_time(d, lang)).unwrap_or_default())}
                                    }
                                }
                            }
                            dt { "{t.col_price}" }
                            dd { {s.price.display(lang)} }
                            dt { "{t.period}" }
                            dd { "data-testid": "subscription-period",
                                match (&s.period_start, &s.period_end) {
                                    (Some(a), Some(b)) => format!("{} — {}", date_time(a, lang), date_time(b, lang)),
                                    (Some(a), None) => date_time(a, lang),
                                    _ => "—".to_string(),
                                }
                            }
                            dt { "{t.next_charge}" }
                            dd { "data-testid": "subscription-next-charge",
                                match (&s.next_charge_at, &s.next_charge) {
                                    (Some(at), Some(m)) => {
                                        let overdue = if s.status == "past_due" { format!(" ({})", t.next_charge_overdue) } else { String::new() };
                                        format!("{} · {}{overdue}", date_time(at, lang), m.display(lang))
                                    }
                                    _ => t.no_next_charge.to_string(),
                                }
                            }
                            dt { "{t.escrow}" }
                            dd { "data-testid": "subscription-escrow", {s.escrow.display(lang)} }
                            if matches!(s.status.as_str(), "requested" | "overdue") {
                                dt { "{t.deadline_label}" }
                                dd { "data-testid": "subscription-deadline",
                                    match &s.acceptance_deadline {
                                        Some(d) => date_time(d, lang),
                                        None => t.no_deadline.to_string(),
                                    }
                                }
                            }
                        }
                        if role == Some(Role::Client) && s.status == "overdue" {
                            OverduePanel { id: s.id.clone(), deadline: s.acceptance_deadline.clone(),
                                on_done: move |()| load.restart() }
                        }
                        if role == Some(Role::Client) && s.status == "requested" && s.acceptance_deadline.is_none() {
                            p { class: "muted", "data-testid": "waiting-without-deadline", "{t.overdue_waiting}" }
                        }
                        FormError { testid: "cancel-error", error: error() }
                        if role == Some(Role::Client) && cancellable(&s) {
                            if confirming() {
                                div { class: "confirm", role: "alertdialog", "data-testid": "cancel-confirm",
                                    p { "{t.cancel_question}" }
                                    div { class: "actions",
                                        button { class: "btn btn-danger", r#type: "button", disabled: busy(), "data-testid": "cancel-yes", onclick: cancel, "{t.cancel_yes}" }
                                        button { class: "btn btn-ghost", r#type: "button", "data-testid": "cancel-no", onclick: move |_| confirming.set(false), "{t.cancel_keep}" }
                                    }
                                }
                            } else {
                                button { class: "btn btn-ghost", r#type: "button", "data-testid": "cancel-subscription", onclick: move |_| confirming.set(true),
                                    if s.status == "overdue" { "{t.cancel_refund}" } else { "{t.cancel_subscription}" }
                                }
                            }
                        }
                    }
                    if s.provider_id.is_some() {
                        if role == Some(Role::Client) && s.status == "active" {
                            NewOrderForm { subscription_id: s.id.clone(), on_created: move |o: Order| orders.take(o) }
                        }
                        OrdersSection { orders, role }
                    }
                },
            }
        }
    }
}
