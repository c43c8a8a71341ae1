//! `/complaints`: the admins' queue, newest first, by status, kept current by
//! the `complaint` events of the stream.

use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;

use super::{age, complaint_status, remember, seconds_since};
use crate::api::admin::{self, Complaint};
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::format::date_time;
use crate::live::use_stream_events;
use crate::pages::subscriptions::{LiveBadge, Load};
use crate::routes::Route;
use crate::session::{self, LANG};

/// The filter's choices: all, then each status.
const STATUSES: [&str; 5] = ["", "filed", "in_review", "resolved", "withdrawn"];

/// Takes a complaint from the stream into a list filtered by `status`
/// (empty: all): in place, on top when new, out when it left the filter.
pub fn apply(items: &mut Vec<Complaint>, c: Complaint, status: &str) {
    let fits = status.is_empty() || c.status == status;
    match items.iter().position(|x| x.id == c.id) {
        Some(i) if fits => items[i] = c,
        Some(i) => {
            items.remove(i);
        }
        None if fits => items.insert(0, c),
        None => {}
    }
}

/// How often the ages are redrawn.
const AGE_TICK_MS: u32 = 30_000;

/// The complaints queue.
#[component]
pub fn Complaints() -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut status = use_signal(String::new);
    let mut items = use_signal(Vec::<Complaint>::new);
    let mut next = use_signal(|| None::<String>);
    let mut state = use_signal(|| Load::Loading);
    let mut more_error = use_signal(|| None::<String>);
    let mut generation = use_signal(|| 0u32);
    let mut tick = use_signal(|| 0u32);

    // The first page of the chosen status, again whenever it changes or the
    // stream (re)connects: what committed while it was down comes this way.
    let live = use_stream_events("complaint", move |text| {
        if let Ok(c) = serde_json::from_str::<Complaint>(&text) {
            remember(&c);
            apply(&mut items.write(), c, &status.peek());
        }
    });
    use_effect(move || {
        let filter = status();
        let _ = live();
        let ticket = *generation.peek() + 1;
        generation.set(ticket);
        spawn(async move {
            let page = admin::complaints(&filter, None).await;
            if *generation.peek() != ticket {
                return; // a newer filter's answer is on its way
            }
            match page {
                Ok(page) => {
                    page.items.iter().for_each(remember);
                    items.set(page.items);
                    next.set(page.next_cursor);
                    state.set(Load::Ready);
                }
                Err(e) => state.set(Load::Failed(e.message(session::t()))),
            }
        });
    });
    use_future(move || async move {
        loop {
            TimeoutFuture::new(AGE_TICK_MS).await;
            *tick.write() += 1;
        }
    });
    let load_more = move |_| async move {
        let Some(cursor) = next.peek().clone() else {
            return;
        };
        let filter = status.peek().clone();
        match admin::complaints(&filter, Some(&cursor)).await {
            Ok(page) => {
                let mut list = items.write();
                for c in page.items {
                    remember(&c);
                    if !list.iter().any(|x| x.id == c.id) {
                        list.push(c);
                    }
                }
                next.set(page.next_cursor);
                more_error.set(None);
            }
            Err(e) => more_error.set(Some(e.message(session::t()))),
        }
    };

    let _ = tick();
    let list = items.read().clone();
    rsx! {
        section { class: "page", "data-testid": "complaints-page",
            div { class: "page-head",
                h1 { "{a.complaints_title}" }
                LiveBadge { open: live() }
            }
            div { class: "segmented", role: "radiogroup", "data-testid": "complaints-filter",
                for s in STATUSES {
                    label { key: "{s}", class: if status() == s { "active" } else { "" },
                        input { r#type: "radio", name: "complaint-status", value: "{s}",
                            "data-testid": if s.is_empty() { "complaints-filter-all".to_string() } else { format!("complaints-filter-{s}") },
                            checked: status() == s,
                            onchange: move |_| { state.set(Load::Loading); status.set(s.to_string()); } }
                        if s.is_empty() { "{a.all}" } else { {complaint_status(a, s).to_string()} }
                    }
                }
            }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "data-testid": "complaints-loading", "{t.loading}" } },
                Load::Failed(msg) => rsx! { FormError { testid: "complaints-error", error: Some(msg) } },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "complaints-empty", "{a.no_complaints}" } },
                Load::Ready => rsx! {
                    div { class: "table-wrap",
                        table { class: "table", "data-testid": "complaints-table",
                            thead { tr {
                                th { "{a.col_age}" }
                                th { "{t.col_status}" }
                                th { "{a.col_filed_by}" }
                                th { "{a.col_reason}" }
                                th { "{a.col_filed_at}" }
                            } }
                            tbody {
                                for c in list {
                                    tr { key: "{c.id}", "data-testid": "complaint-row", "data-id": "{c.id}", "data-status": "{c.status}",
                                        td { class: "nowrap", "data-testid": "complaint-age",
                                            {seconds_since(&c.filed_at).map(|s| age(s, a)).unwrap_or_default()} }
                                        td { span { class: "status status-{c.status}", "data-testid": "complaint-status",
                                            {complaint_status(a, &c.status).to_string()} } }
                                        td { {role_of(&c.filed_by_role)} }
                                        td { class: "desc",
                                            NavLink { to: Route::AdminComplaint { id: c.id.clone() }, testid: "complaint-open", "{c.reason}" } }
                                        td { class: "nowrap", {date_time(&c.filed_at, lang)} }
                                    }
                                }
                            }
                        }
                    }
                },
            }
            FormError { testid: "complaints-more-error", error: more_error() }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "complaints-more", onclick: load_more, "{t.load_more}" }
            }
        }
    }
}

/// The label of a party's role.
pub fn role_of(role: &str) -> String {
    let t = session::t();
    match role {
        "client" => t.role_client,
        "provider" => t.role_provider,
        "admin" => t.role_admin,
        "auditor" => t.role_auditor,
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, status: &str) -> Complaint {
        Complaint {
            id: id.into(),
            order_id: "o".into(),
            subscription_id: "s".into(),
            client_id: "a".into(),
            provider_id: "b".into(),
            filed_by: "a".into(),
            filed_by_role: "client".into(),
            reason: "Nothing was delivered".into(),
            status: status.into(),
            reviewer_id: None,
            notes: vec![],
            resolution: None,
            filed_at: "2026-11-01T10:00:00Z".into(),
            closed_at: None,
            updated_at: "2026-11-01T10:00:00Z".into(),
        }
    }

    fn ids(items: &[Complaint]) -> Vec<&str> {
        items.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn a_new_complaint_goes_on_top_of_a_list_it_fits() {
        let mut items = vec![c("a", "filed")];
        apply(&mut items, c("b", "filed"), "filed");
        assert_eq!(ids(&items), ["b", "a"]);
        apply(&mut items, c("z", "resolved"), "filed");
        assert_eq!(ids(&items), ["b", "a"], "not of this filter");
    }

    #[test]
    fn a_complaint_that_leaves_the_filter_leaves_the_list() {
        let mut items = vec![c("a", "filed"), c("b", "filed")];
        apply(&mut items, c("a", "in_review"), "filed");
        assert_eq!(ids(&items), ["b"]);
        let mut all = vec![c("a", "filed")];
        apply(&mut all, c("a", "in_review"), "");
        assert_eq!(all[0].status, "in_review", "all statuses: updated in place");
    }
}
