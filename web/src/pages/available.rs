//! A provider's open requests, with Accept and Reject; kept current by the event stream.

use dioxus::prelude::*;

use crate::api::types::Subscription;
use crate::api::{self};
use crate::components::form::FormError;
use crate::components::subscription_table::SubscriptionTable;
use crate::live::use_subscription_events;
use crate::live_list;
use crate::pages::subscriptions::{LiveBadge, Load};
use crate::session;

/// `GET /requests/available`.
#[component]
pub fn AvailableRequests() -> Element {
    let t = session::t();
    let mut items = use_signal(Vec::<Subscription>::new);
    let mut next = use_signal(|| None::<String>);
    let mut state = use_signal(|| Load::Loading);
    let mut busy = use_signal(|| None::<String>);
    let mut action_error = use_signal(|| None::<String>);

    let mut first_page = use_future(move || async move {
        state.set(Load::Loading);
        match api::available_requests(None).await {
            Ok(page) => {
                let mut merged = items.peek().clone();
                live_list::append_page(&mut merged, page.items);
                items.set(merged);
                next.set(page.next_cursor);
                state.set(Load::Ready);
            }
            Err(e) => state.set(Load::Failed(e.message(session::t()))),
        }
    });
    let live = use_subscription_events(move |s| live_list::apply_available(&mut items.write(), s));

    let act = move |id: String, accept: bool| {
        spawn(async move {
            if busy.peek().is_some() {
                return;
            }
            busy.set(Some(id.clone()));
            let result = if accept {
                api::accept(&id).await
            } else {
                api::reject(&id).await
            };
            busy.set(None);
            match result {
                Ok(()) => {
                    // Accepted or rejected, it is no longer open to this provider.
                    live_list::remove(&mut items.write(), &id);
                    action_error.set(None);
                }
                Err(e) => action_error.set(Some(e.message(session::t()))),
            }
        });
    };

    let load_more = move |_| async move {
        let Some(cursor) = next.peek().clone() else {
            return;
        };
        match api::available_requests(Some(&cursor)).await {
            Ok(page) => {
                live_list::append_page(&mut items.write(), page.items);
                next.set(page.next_cursor);
            }
            Err(e) => action_error.set(Some(e.message(session::t()))),
        }
    };

    let list = items.read().clone();
    rsx! {
        section { class: "page", "data-testid": "available-page",
            div { class: "page-head",
                h1 { "{t.available_title}" }
                LiveBadge { open: live() }
            }
            FormError { testid: "action-error", error: action_error() }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "data-testid": "requests-loading", "{t.loading}" } },
                Load::Failed(msg) => rsx! {
                    FormError { testid: "requests-error", error: Some(msg) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| first_page.restart(), "{t.retry}" }
                },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "requests-empty", "{t.no_available}" } },
                Load::Ready => rsx! {
                    SubscriptionTable {
                        items: list,
                        busy_id: busy(),
                        on_accept: move |id| act(id, true),
                        on_reject: move |id| act(id, false),
                    }
                },
            }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "load-more", onclick: load_more, "{t.load_more}" }
            }
        }
    }
}
