//! `/admin/work`: the work in flight — money held in escrow, requests by
//! status, requests nobody accepted in time (extend their deadline or give
//! them to a provider), and orders by status, frozen or not (complete one,
//! give it to another provider, or cancel its subscription with a refund).
//! Every control asks for a reason and a confirmation.

use std::future::Future;

use dioxus::prelude::*;

use super::ReasonConfirm;
use crate::api::ApiError;
use crate::api::admin::{self, Account, Control, EscrowTotals, Order};
use crate::api::types::{Page, Subscription};
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::format::date_time;
use crate::idempotency::{PendingKey, new_key};
use crate::routes::Route;
use crate::session::{self, LANG};

/// Subscription statuses of the requests filter.
const SUB_STATUSES: [&str; 8] = [
    "requested",
    "active",
    "past_due",
    "suspended",
    "overdue",
    "cancelled",
    "expired",
    "completed",
];
/// Order statuses of the orders filter (empty: all).
const ORDER_STATUSES: [&str; 5] = ["", "created", "in_progress", "completed", "cancelled"];

/// What an admin may do from this page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// A new acceptance deadline.
    Deadline,
    /// The subscription to another provider.
    ReassignSubscription,
    /// Cancel the subscription, refunding its escrow.
    CancelSubscription,
    /// The order to another provider.
    ReassignOrder,
    /// Complete the order now.
    CompleteOrder,
}

impl Act {
    fn testid(self) -> &'static str {
        match self {
            Act::Deadline => "act-deadline",
            Act::ReassignSubscription => "act-reassign-subscription",
            Act::CancelSubscription => "act-cancel-subscription",
            Act::ReassignOrder => "act-reassign-order",
            Act::CompleteOrder => "act-complete-order",
        }
    }

    fn label(self) -> &'static str {
        let a = session::t().admin;
        match self {
            Act::Deadline => a.extend_deadline,
            Act::ReassignSubscription | Act::ReassignOrder => a.reassign,
            Act::CancelSubscription => a.cancel_refund,
            Act::CompleteOrder => a.force_complete,
        }
    }

    /// The command, once its extra input (`provider` or the deadline's day) is there.
    pub fn control(self, extra: &str) -> Option<Control> {
        let extra = extra.trim();
        match self {
            Act::Deadline => end_of_day(extra).map(|until| Control::Deadline { until }),
            Act::ReassignSubscription => {
                (!extra.is_empty()).then(|| Control::ReassignSubscription {
                    provider_id: extra.to_string(),
                })
            }
            Act::ReassignOrder => (!extra.is_empty()).then(|| Control::ReassignOrder {
                provider_id: extra.to_string(),
            }),
            Act::CancelSubscription => Some(Control::CancelSubscription),
            Act::CompleteOrder => Some(Control::CompleteOrder),
        }
    }
}

/// The end of a day picked in a date field (`YYYY-MM-DD`), as RFC 3339.
pub fn end_of_day(date: &str) -> Option<String> {
    let b = date.as_bytes();
    let valid = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    valid.then(|| format!("{date}T23:59:59Z"))
}

/// A first page that is read again when the filters its `fetch` reads change,
/// or when `reload` moves; an older answer never overwrites a newer one.
fn use_list<T, F, Fut>(reload: Signal<u32>, fetch: F) -> Signal<Option<Result<Page<T>, String>>>
where
    T: 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    let mut list = use_signal(|| None);
    let mut generation = use_signal(|| 0u32);
    use_effect(move || {
        let _ = reload();
        let fut = fetch();
        let ticket = *generation.peek() + 1;
        generation.set(ticket);
        spawn(async move {
            let page = fut.await.map_err(|e| e.message(session::t()));
            if *generation.peek() == ticket {
                list.set(Some(page));
            }
        });
    });
    list
}

/// The work overview.
#[component]
pub fn AdminWork() -> Element {
    let t = session::t();
    let a = t.admin;
    let reload = use_signal(|| 0u32);
    let mut sub_status = use_signal(|| "requested".to_string());
    let mut order_status = use_signal(String::new);
    let mut frozen = use_signal(String::new);
    let escrow = use_resource(move || async move {
        let _ = reload();
        admin::escrow().await
    });
    let providers = use_resource(|| async { admin::accounts("provider", "", None).await });
    let subs = use_list(reload, move || {
        let s = sub_status();
        async move { admin::subscriptions(&s, false, None).await }
    });
    let overdue = use_list(reload, || async {
        admin::subscriptions("", true, None).await
    });
    let orders = use_list(reload, move || {
        let (s, f) = (order_status(), frozen());
        async move { admin::orders(&s, &f, None).await }
    });
    let provider_options: Vec<Account> = match &*providers.read() {
        Some(Ok(page)) => page.items.clone(),
        _ => Vec::new(),
    };

    rsx! {
        section { class: "page", "data-testid": "work-page",
            div { class: "page-head", h1 { "{a.work_title}" } }
            datalist { id: "providers",
                for p in provider_options {
                    option { key: "{p.account_id}", value: "{p.account_id}",
                        {p.company_name.clone().unwrap_or_default()} " · {p.email}" }
                }
            }
            EscrowCard { totals: escrow.read().clone() }

            section { class: "card wallet-section", "data-testid": "work-requests",
                div { class: "page-head",
                    h2 { "{a.requests_by_status}" }
                    select { "data-testid": "work-sub-status", value: "{sub_status}",
                        onchange: move |e| sub_status.set(e.value()),
                        for s in SUB_STATUSES { option { key: "{s}", value: "{s}", {t.status(s).to_string()} } }
                    }
                }
                SubList { list: subs(), acts: vec![Act::ReassignSubscription, Act::CancelSubscription], reload, testid: "work-sub-row" }
            }

            section { class: "card wallet-section", "data-testid": "work-overdue",
                h2 { "{a.overdue_title}" }
                SubList { list: overdue(), acts: vec![Act::Deadline, Act::ReassignSubscription], reload, testid: "work-overdue-row" }
            }

            section { class: "card wallet-section", "data-testid": "work-orders",
                div { class: "page-head",
                    h2 { "{a.orders_by_status}" }
                    select { "data-testid": "work-order-status", value: "{order_status}",
                        onchange: move |e| order_status.set(e.value()),
                        for s in ORDER_STATUSES { option { key: "{s}", value: "{s}", {order_status_label(s)} } }
                    }
                    select { "data-testid": "work-order-frozen", value: "{frozen}",
                        onchange: move |e| frozen.set(e.value()),
                        option { value: "", "{a.all}" }
                        option { value: "true", "{a.frozen_only}" }
                        option { value: "false", "{a.not_frozen}" }
                    }
                }
                OrderList { list: orders(), reload }
            }
        }
    }
}

fn order_status_label(s: &str) -> String {
    let a = session::t().admin;
    match s {
        "" => a.all,
        "created" => a.order_created,
        "in_progress" => a.order_in_progress,
        "completed" => a.order_completed,
        "cancelled" => session::t().order_status_cancelled,
        other => other,
    }
    .to_string()
}

#[component]
fn EscrowCard(totals: Option<Result<EscrowTotals, ApiError>>) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    rsx! {
        section { class: "card", "data-testid": "work-escrow",
            h2 { "{a.escrow_title}" }
            match totals {
                None => rsx! { p { class: "muted", "{t.loading}" } },
                Some(Err(e)) => rsx! { FormError { testid: "work-escrow-error", error: Some(e.message(t)) } },
                Some(Ok(e)) => rsx! {
                    div { class: "stats",
                        div {
                            p { class: "stat-label", "{a.escrow_total}" }
                            p { class: "stat-value", "data-testid": "escrow-total", "data-amount": "{e.total.amount}", {e.total.display(lang)} }
                            p { class: "muted small", {a.in_subscriptions.replace("{n}", &e.subscriptions.to_string())} }
                        }
                        div {
                            p { class: "stat-label", "{a.escrow_frozen}" }
                            p { class: "stat-value", "data-testid": "escrow-frozen", "data-amount": "{e.frozen.amount}", {e.frozen.display(lang)} }
                            p { class: "muted small", {a.in_subscriptions.replace("{n}", &e.frozen_subscriptions.to_string())} }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn SubList(
    list: Option<Result<Page<Subscription>, String>>,
    acts: Vec<Act>,
    reload: Signal<u32>,
    testid: String,
) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    match list {
        None => rsx! { p { class: "muted", "{t.loading}" } },
        Some(Err(msg)) => rsx! { FormError { testid: "{testid}-error", error: Some(msg) } },
        Some(Ok(page)) if page.items.is_empty() => {
            rsx! { p { class: "empty", "data-testid": "{testid}-empty", "{t.no_requests}" } }
        }
        Some(Ok(page)) => rsx! {
            div { class: "table-wrap",
                table { class: "table",
                    thead { tr {
                        th { "{t.col_description}" } th { "{t.col_status}" } th { class: "num", "{t.escrow}" }
                        th { "{t.deadline_label}" } th { "{t.col_actions}" }
                    } }
                    tbody {
                        for s in page.items {
                            tr { key: "{s.id}", "data-testid": "{testid}", "data-id": "{s.id}", "data-status": "{s.status}",
                                td { class: "desc", NavLink { to: Route::SubscriptionPage { id: s.id.clone() }, testid: "work-open-subscription", "{s.description}" } }
                                td { span { class: "status status-{s.status}", {t.status(&s.status).to_string()} } }
                                td { class: "num", {s.escrow.display(lang)} }
                                td { class: "nowrap", {s.acceptance_deadline.as_deref().map(|d| date_time(d, lang)).unwrap_or_default()} }
                                td { Controls { targets: acts.iter().map(|&k| (k, s.id.clone())).collect::<Vec<_>>(), reload } }
                            }
                        }
                    }
                }
            }
        },
    }
}

#[component]
fn OrderList(list: Option<Result<Page<Order>, String>>, reload: Signal<u32>) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    match list {
        None => rsx! { p { class: "muted", "{t.loading}" } },
        Some(Err(msg)) => rsx! { FormError { testid: "work-orders-error", error: Some(msg) } },
        Some(Ok(page)) if page.items.is_empty() => {
            rsx! { p { class: "empty", "data-testid": "work-orders-empty", "{a.no_orders}" } }
        }
        Some(Ok(page)) => rsx! {
            div { class: "table-wrap",
                table { class: "table",
                    thead { tr {
                        th { "{a.order}" } th { "{t.col_status}" } th { "{t.col_created}" } th { "{t.col_actions}" }
                    } }
                    tbody {
                        for o in page.items {
                            tr { key: "{o.id}", "data-testid": "work-order-row", "data-id": "{o.id}", "data-status": "{o.status}",
                                "data-frozen": if o.frozen_by.is_some() { "true" } else { "false" },
                                td { class: "desc",
                                    NavLink { to: Route::OrderTimeline { id: o.id.clone() }, testid: "work-open-timeline", "{o.title}" }
                                }
                                td {
                                    {order_status_label(&o.status)}
                                    if o.frozen_by.is_some() { " " span { class: "status status-past_due", "{a.frozen}" } }
                                }
                                td { class: "nowrap", {date_time(&o.created_at, lang)} }
                                td {
                                    if o.status != "completed" {
                                        Controls { targets: vec![
                                            (Act::CompleteOrder, o.id.clone()),
                                            (Act::ReassignOrder, o.id.clone()),
                                            (Act::CancelSubscription, o.subscription_id.clone()),
                                        ], reload }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    }
}

/// A row's controls: one button per act; the chosen one asks for what it
/// needs, the reason, and a confirmation.
#[component]
fn Controls(targets: Vec<(Act, String)>, reload: Signal<u32>) -> Element {
    let a = session::t().admin;
    let mut open = use_signal(|| None::<(Act, String)>);
    let mut extra = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut key = use_signal(PendingKey::default);
    let mut reload = reload;
    let Some((act, target)) = open() else {
        return rsx! {
            div { class: "actions",
                for (act, target) in targets {
                    button { key: "{act.testid()}", class: "btn btn-ghost btn-sm", r#type: "button", "data-testid": act.testid(),
                        onclick: move |_| { extra.set(String::new()); error.set(None); open.set(Some((act, target.clone()))); },
                        {act.label()} }
                }
            }
        };
    };
    let control = act.control(&extra());
    let question = match act {
        Act::CancelSubscription => a.confirm_cancel,
        Act::CompleteOrder => a.confirm_complete,
        Act::Deadline => a.confirm_deadline,
        Act::ReassignSubscription | Act::ReassignOrder => a.confirm_reassign,
    };
    rsx! {
        div { class: "control-panel", "data-testid": "control-panel",
            match act {
                Act::Deadline => rsx! {
                    label { "{a.new_deadline} "
                        input { r#type: "date", "data-testid": "control-until", value: "{extra}", oninput: move |e| extra.set(e.value()) } }
                },
                Act::ReassignSubscription | Act::ReassignOrder => rsx! {
                    label { "{a.new_provider} "
                        input { r#type: "text", list: "providers", "data-testid": "control-provider", value: "{extra}",
                            placeholder: "{a.provider_id_hint}", oninput: move |e| extra.set(e.value()) } }
                },
                _ => rsx! {},
            }
            ReasonConfirm {
                testid: "control-confirm",
                question: question.to_string(),
                busy: busy() || control.is_none(),
                error: error(),
                on_cancel: move |_| open.set(None),
                on_confirm: move |reason: String| {
                    let (Some(control), target) = (control.clone(), target.clone()) else { return; };
                    spawn(async move {
                        busy.set(true);
                        let k = key.write().key_for(&format!("{target}|{control:?}|{reason}"), new_key);
                        let result = admin::control(&target, &control, &reason, &k).await;
                        busy.set(false);
                        match result {
                            Ok(()) => { key.write().done(); open.set(None); *reload.write() += 1; }
                            Err(ApiError::Problem(p)) => {
                                // A refusal is final for this submit; a 5xx or 409 may be retried with its key.
                                if p.status < 500 && p.status != 409 { key.write().done(); }
                                error.set(Some(ApiError::Problem(p).message(session::t())));
                            }
                            Err(e) => error.set(Some(e.message(session::t()))),
                        }
                    });
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_needs_its_input() {
        assert_eq!(Act::Deadline.control(""), None);
        assert_eq!(Act::Deadline.control("2026-1-01"), None);
        assert_eq!(
            Act::Deadline.control("2026-12-01"),
            Some(Control::Deadline {
                until: "2026-12-01T23:59:59Z".into()
            })
        );
        assert_eq!(Act::ReassignOrder.control("  "), None);
        assert_eq!(
            Act::ReassignOrder.control(" p1 "),
            Some(Control::ReassignOrder {
                provider_id: "p1".into()
            })
        );
        assert_eq!(Act::CompleteOrder.control(""), Some(Control::CompleteOrder));
    }
}
