//! The notification bell: the unread count, kept live by the stream, and
//! the latest notifications when opened.

use dioxus::prelude::*;

use crate::api::{self, types::Notification};
use crate::live::use_stream_events;
use crate::routes::Route;
use crate::session;

/// How many notifications the open bell lists.
const SHOWN: usize = 10;

/// The bell in the top bar of a signed-in page.
#[component]
pub fn Bell() -> Element {
    let t = session::t();
    let mut unread = use_signal(|| 0_i64);
    let mut open = use_signal(|| false);
    let mut items = use_signal(Vec::<Notification>::new);

    let mut count = use_future(move || async move {
        if let Ok(c) = api::unread_notifications().await {
            unread.set(c.unread);
        }
    });
    // Each new notification arrives on the stream; the count is read again
    // rather than added to, so a reconnect cannot make it drift.
    let live = use_stream_events("notification", move |_| count.restart());
    use_effect(move || {
        if live() {
            count.restart();
        }
    });

    let toggle = move |_| async move {
        let opening = !*open.peek();
        open.set(opening);
        if opening && let Ok(page) = api::notifications(None).await {
            items.set(page.items.into_iter().take(SHOWN).collect());
        }
    };
    let read_all = move |_| async move {
        if api::mark_notifications_read().await.is_ok() {
            unread.set(0);
            for n in items.write().iter_mut() {
                n.read_at.get_or_insert_with(String::new);
            }
        }
    };

    let n = unread();
    rsx! {
        div { class: "bell",
            button {
                class: "btn btn-ghost bell-button",
                r#type: "button",
                "data-testid": "bell",
                title: "{t.notifications}",
                onclick: toggle,
                // Drawn, not an emoji: not every machine has an emoji font.
                svg {
                    width: "16",
                    height: "16",
                    view_box: "0 0 24 24",
                    fill: "none",
                    stroke: "currentColor",
                    stroke_width: "2",
                    path { d: "M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" }
                    path { d: "M13.7 21a2 2 0 0 1-3.4 0" }
                }
                span {
                    class: if n > 0 { "bell-count on" } else { "bell-count" },
                    "data-testid": "bell-count",
                    "data-count": "{n}",
                    "{n}"
                }
            }
            if open() {
                div { class: "bell-panel", "data-testid": "bell-panel",
                    div { class: "bell-head",
                        strong { "{t.notifications}" }
                        button {
                            class: "btn btn-ghost",
                            r#type: "button",
                            "data-testid": "bell-read-all",
                            onclick: read_all,
                            "{t.mark_all_read}"
                        }
                    }
                    if items().is_empty() {
                        p { class: "muted", "{t.no_notifications}" }
                    }
                    for item in items() {
                        a {
                            key: "{item.id}",
                            class: if item.read_at.is_none() { "bell-item unread" } else { "bell-item" },
                            "data-testid": "bell-item",
                            "data-kind": "{item.kind}",
                            href: "{item.link}",
                            // A link into the app (an order, a subscription) opens
                            // without reloading it, and closes the bell.
                            onclick: {
                                let link = item.link.clone();
                                move |e: MouseEvent| {
                                    if let Ok(route) = link.parse::<Route>()
                                        && !matches!(route, Route::NotFound { .. })
                                    {
                                        e.prevent_default();
                                        open.set(false);
                                        navigator().push(route);
                                    }
                                }
                            },
                            strong { "{item.subject}" }
                            span { "{item.text}" }
                        }
                    }
                }
            }
        }
    }
}
