//! What a side may do with an order now: take it into work (provider), say
//! the work is done (either side; the client confirms the provider's), and
//! why nothing may be done while a complaint freezes it.

use dioxus::prelude::*;

use crate::api::orders::{self, Order};
use crate::api::types::Role;
use crate::components::form::FormError;
use crate::session;

/// What the page offers `role` for `order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    /// "Take into work".
    pub take: bool,
    /// "Mark as done" (or, for a client after the provider's, "confirm").
    pub mark_done: bool,
    /// The client is asked to confirm the provider's "done".
    pub confirm: bool,
    /// This side said done and waits for the other.
    pub waiting: bool,
}

/// The order's rules as the server applies them, to show only what it would accept.
pub fn offer(order: &Order, role: Option<Role>) -> Offer {
    let open = order.status != "completed" && order.frozen_by.is_none();
    match role {
        Some(Role::Provider) => Offer {
            take: open && order.status == "created",
            mark_done: open && order.status == "in_progress" && !order.provider_done,
            confirm: false,
            waiting: order.status != "completed" && order.provider_done,
        },
        Some(Role::Client) => Offer {
            take: false,
            mark_done: open && !order.client_done,
            confirm: open && !order.client_done && order.provider_done,
            waiting: order.status != "completed" && order.client_done,
        },
        _ => Offer {
            take: false,
            mark_done: false,
            confirm: false,
            waiting: false,
        },
    }
}

/// The order's action panel; `on_changed` gets the order as it is after a command.
#[component]
pub fn OrderActions(order: Order, role: Option<Role>, on_changed: EventHandler<Order>) -> Element {
    let t = session::t();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let run = move |(id, take): (String, bool)| async move {
        if *busy.peek() {
            return;
        }
        busy.set(true);
        let result = if take {
            orders::take(&id).await
        } else {
            orders::mark_done(&id).await
        };
        match result {
            Ok(()) => {
                error.set(None);
                if let Ok(o) = orders::order(&id).await {
                    on_changed.call(o);
                }
            }
            Err(e) => error.set(Some(e.message(session::t()))),
        }
        busy.set(false);
    };
    let can = offer(&order, role);
    let (take_id, done_id) = (order.id.clone(), order.id.clone());
    rsx! {
        div { class: "order-actions", "data-testid": "order-actions",
            if order.frozen_by.is_some() {
                div { class: "confirm overdue", role: "alert", "data-testid": "order-frozen",
                    h3 { "{t.frozen_title}" }
                    p { "{t.frozen_body}" }
                }
            }
            if order.status == "completed" {
                p { class: "alert alert-ok", "data-testid": "order-completed-note", "{t.order_completed_note}" }
            }
            if role == Some(Role::Client) && order.status == "created" && order.frozen_by.is_none() {
                p { class: "muted", "data-testid": "order-not-taken", "{t.not_taken_yet}" }
            }
            if can.confirm {
                div { class: "confirm", role: "alertdialog", "data-testid": "order-confirm-prompt",
                    p { strong { "{t.provider_done_prompt}" } }
                    p { class: "muted small", "data-testid": "order-auto-confirm-note", "{t.auto_confirm_note}" }
                }
            }
            if can.waiting {
                p { class: "muted", "data-testid": "order-waiting",
                    if role == Some(Role::Provider) { "{t.waiting_client_confirm}" } else { "{t.waiting_provider_done}" }
                }
            }
            if role == Some(Role::Provider) && can.mark_done && order.client_done {
                p { class: "muted", "data-testid": "order-client-done-hint", "{t.client_done_provider_hint}" }
            }
            FormError { testid: "order-action-error", error: error() }
            div { class: "actions",
                if can.take {
                    button { class: "btn btn-primary", r#type: "button", "data-testid": "order-take",
                        disabled: busy(), onclick: move |_| run((take_id.clone(), true)), "{t.take_into_work}" }
                }
                if can.mark_done {
                    button { class: "btn btn-primary", r#type: "button",
                        "data-testid": if can.confirm { "order-confirm-done" } else { "order-mark-done" },
                        disabled: busy(), onclick: move |_| run((done_id.clone(), false)),
                        if can.confirm { "{t.confirm_done}" } else { "{t.mark_done}" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str, client_done: bool, provider_done: bool, frozen: bool) -> Order {
        Order {
            id: "o".into(),
            subscription_id: "s".into(),
            client_id: "c".into(),
            provider_id: "p".into(),
            plan: "monthly".into(),
            title: "t".into(),
            details: String::new(),
            status: status.into(),
            client_done,
            provider_done,
            frozen_by: frozen.then(|| "k".to_string()),
            message_count: 0,
            created_at: String::new(),
            taken_at: None,
            completed_at: None,
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_provider_takes_a_new_order_then_marks_it_done() {
        let p = Some(Role::Provider);
        let new = offer(&order("created", false, false, false), p);
        assert!(new.take && !new.mark_done);
        let working = offer(&order("in_progress", false, false, false), p);
        assert!(!working.take && working.mark_done);
        let said = offer(&order("in_progress", false, true, false), p);
        assert!(!said.mark_done && said.waiting);
    }

    #[test]
    fn the_client_is_asked_to_confirm_the_providers_done() {
        let c = Some(Role::Client);
        let asked = offer(&order("in_progress", false, true, false), c);
        assert!(asked.mark_done && asked.confirm);
        let early = offer(&order("in_progress", false, false, false), c);
        assert!(early.mark_done && !early.confirm);
        let waiting = offer(&order("in_progress", true, false, false), c);
        assert!(!waiting.mark_done && waiting.waiting);
    }

    #[test]
    fn a_frozen_or_completed_order_offers_nothing() {
        for role in [Some(Role::Client), Some(Role::Provider), Some(Role::Admin)] {
            let frozen = offer(&order("in_progress", false, true, true), role);
            assert!(!frozen.take && !frozen.mark_done && !frozen.confirm);
            let done = offer(&order("completed", true, true, false), role);
            assert!(!done.take && !done.mark_done && !done.waiting);
        }
    }
}
