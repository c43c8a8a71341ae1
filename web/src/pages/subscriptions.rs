//! The caller's subscriptions: a client's requests, a provider's won work, or (admin) all of them.

use dioxus::prelude::*;

use crate::api::types::{Role, Subscription};
use crate::api::{self};
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::components::subscription_table::SubscriptionTable;
use crate::live::use_subscription_events;
use crate::live_list;
use crate::routes::Route;
use crate::session::{self, SESSION};

/// Loading state of a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// First page on its way.
    Loading,
    /// Shown.
    Ready,
    /// The first page failed; the message says why.
    Failed(String),
}

/// `GET /subscriptions`, kept current by the event stream.
#[component]
pub fn Subscriptions() -> Element {
    let t = session::t();
    let role = SESSION.read().as_ref().map(|s| s.role);
    let mut items = use_signal(Vec::<Subscription>::new);
    let mut next = use_signal(|| None::<String>);
    let mut state = use_signal(|| Load::Loading);
    let mut more_error = use_signal(|| None::<String>);

    let mut first_page = use_future(move || async move {
        state.set(Load::Loading);
        match api::subscriptions(None).await {
            Ok(page) => {
                // Events that came while loading are newer than the page: keep them on top.
                let mut merged = items.peek().clone();
                live_list::append_page(&mut merged, page.items);
                items.set(merged);
                next.set(page.next_cursor);
                state.set(Load::Ready);
            }
            Err(e) => state.set(Load::Failed(e.message(session::t()))),
        }
    });
    let live = use_subscription_events(move |s| live_list::upsert(&mut items.write(), s));
    // The first page and the stream start together: whatever committed after
    // the page was read but before the stream listened would be missed, so
    // every time the stream opens the first page is read again.
    use_effect(move || {
        if live() && *state.peek() == Load::Ready {
            spawn(async move {
                if let Ok(page) = api::subscriptions(None).await {
                    live_list::refresh(&mut items.write(), page.items);
                }
            });
        }
    });

    let load_more = move |_| async move {
        let Some(cursor) = next.peek().clone() else {
            return;
        };
        match api::subscriptions(Some(&cursor)).await {
            Ok(page) => {
                live_list::append_page(&mut items.write(), page.items);
                next.set(page.next_cursor);
                more_error.set(None);
            }
            Err(e) => more_error.set(Some(e.message(session::t()))),
        }
    };

    let title = match role {
        Some(Role::Provider) => t.my_subscriptions_title,
        Some(Role::Admin) => t.all_subscriptions_title,
        _ => t.my_requests_title,
    };
    let list = items.read().clone();
    rsx! {
        section { class: "page", "data-testid": "subscriptions-page",
            div { class: "page-head",
                h1 { "{title}" }
                LiveBadge { open: live() }
                if role == Some(Role::Client) {
                    NavLink { to: Route::NewRequest {}, testid: "new-request-link", class: "btn btn-primary", "{t.nav_new_request}" }
                }
            }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "data-testid": "requests-loading", "{t.loading}" } },
                Load::Failed(msg) => rsx! {
                    FormError { testid: "requests-error", error: Some(msg) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| first_page.restart(), "{t.retry}" }
                },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "requests-empty", "{t.no_requests}" } },
                Load::Ready => rsx! { SubscriptionTable { items: list } },
            }
            FormError { testid: "load-more-error", error: more_error() }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "load-more", onclick: load_more, "{t.load_more}" }
            }
        }
    }
}

/// Shows whether the live stream is connected.
#[component]
pub fn LiveBadge(open: bool) -> Element {
    let t = session::t();
    rsx! {
        span {
            class: if open { "live-badge on" } else { "live-badge" },
            "data-testid": "live-indicator",
            "data-live": if open { "true" } else { "false" },
            title: "{t.live}",
            span { class: "dot" }
            "{t.live}"
        }
    }
}
