//! A subscription's orders, as its page lists them: read a page at a time,
//! kept current by `order` events the page hands over.

use dioxus::prelude::*;

use crate::api::orders::{self, Order};
use crate::api::types::Role;
use crate::components::form::FormError;
use crate::components::layout::NavLink;
use crate::format::date_time;
use crate::i18n::Strings;
use crate::pages::subscriptions::Load;
use crate::routes::Route;
use crate::session::{self, LANG};

/// Label of an order's status; an unknown one shows as sent.
pub fn order_status<'a>(t: &'static Strings, status: &'a str) -> &'a str {
    match status {
        "created" => t.order_status_created,
        "in_progress" => t.order_status_in_progress,
        "completed" => t.order_status_completed,
        "cancelled" => t.order_status_cancelled,
        other => other,
    }
}

/// Puts `order` in place of the one with its id, or on top when it is new (newest first).
pub fn upsert(items: &mut Vec<Order>, order: Order) {
    match items.iter_mut().find(|o| o.id == order.id) {
        Some(slot) => *slot = order,
        None => items.insert(0, order),
    }
}

/// The orders of one subscription; cheap to copy into handlers.
#[derive(Clone, Copy, PartialEq)]
pub struct Orders {
    /// Newest first.
    pub items: Signal<Vec<Order>>,
    /// The next page's cursor, while there is one.
    pub next: Signal<Option<String>>,
    /// The first page's state.
    pub state: Signal<Load>,
    /// Why the last "more" failed.
    pub more_error: Signal<Option<String>>,
    subscription_id: Signal<String>,
}

/// Reads the first page of `subscription_id`'s orders.
pub fn use_orders(subscription_id: String) -> Orders {
    let orders = Orders {
        items: use_signal(Vec::new),
        next: use_signal(|| None),
        state: use_signal(|| Load::Loading),
        more_error: use_signal(|| None),
        subscription_id: use_signal(|| subscription_id),
    };
    use_hook(move || orders.refresh());
    orders
}

impl Orders {
    /// Whether an event about `order` belongs in this list.
    pub fn owns(&self, order: &Order) -> bool {
        order.subscription_id == *self.subscription_id.peek()
    }

    /// Takes an `order` event (or a freshly read order) into the list.
    pub fn take(mut self, order: Order) {
        if self.owns(&order) {
            upsert(&mut self.items.write(), order);
        }
    }

    /// Reads the first page again: shown orders are updated, new ones go on
    /// top (for a stream that has just (re)connected, and the first load).
    pub fn refresh(self) {
        let Orders {
            mut items,
            mut next,
            mut state,
            subscription_id,
            ..
        } = self;
        spawn(async move {
            let sid = subscription_id.peek().clone();
            match orders::subscription_orders(&sid, None).await {
                Ok(page) => {
                    let first = *state.peek() != Load::Ready;
                    {
                        let mut list = items.write();
                        for o in page.items.into_iter().rev() {
                            upsert(&mut list, o);
                        }
                    }
                    if first {
                        next.set(page.next_cursor);
                    }
                    state.set(Load::Ready);
                }
                Err(e) => {
                    if *state.peek() != Load::Ready {
                        state.set(Load::Failed(e.message(session::t())));
                    }
                }
            }
        });
    }

    /// Appends the next page, if there is one.
    pub async fn load_more(mut self) {
        let Some(cursor) = self.next.peek().clone() else {
            return;
        };
        let sid = self.subscription_id.peek().clone();
        match orders::subscription_orders(&sid, Some(&cursor)).await {
            Ok(page) => {
                let mut list = self.items.write();
                for o in page.items {
                    if !list.iter().any(|x| x.id == o.id) {
                        list.push(o);
                    }
                }
                self.next.set(page.next_cursor);
                self.more_error.set(None);
            }
            Err(e) => self.more_error.set(Some(e.message(session::t()))),
        }
    }
}

/// The status badge of an order (and the frozen one beside it).
#[component]
pub fn OrderStatus(order: Order) -> Element {
    let t = session::t();
    rsx! {
        span { class: "status order-status-{order.status}", "data-testid": "order-status", "data-status": "{order.status}",
            {order_status(t, &order.status).to_string()}
        }
        if order.frozen_by.is_some() {
            " "
            span { class: "status status-past_due", "data-testid": "order-frozen-badge", "{t.order_frozen_badge}" }
        }
    }
}

/// The orders table; the provider may take a new order into work from its row.
#[component]
pub fn OrdersSection(orders: Orders, role: Option<Role>) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let mut busy = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let take = move |id: String| async move {
        if busy.peek().is_some() {
            return;
        }
        busy.set(Some(id.clone()));
        let result = orders::take(&id).await;
        if result.is_ok()
            && let Ok(o) = orders::order(&id).await
        {
            orders.take(o);
        }
        busy.set(None);
        error.set(result.err().map(|e| e.message(session::t())));
    };
    let list = orders.items.read().clone();
    let Orders {
        state,
        next,
        more_error,
        ..
    } = orders;
    rsx! {
        div { class: "orders", "data-testid": "orders-section",
            h2 { "{t.orders_title}" }
            FormError { testid: "order-take-error", error: error() }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "data-testid": "orders-loading", "{t.loading}" } },
                Load::Failed(msg) => rsx! {
                    FormError { testid: "orders-error", error: Some(msg) }
                    button { class: "btn btn-ghost", r#type: "button", onclick: move |_| orders.refresh(), "{t.retry}" }
                },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "orders-empty", "{t.no_orders}" } },
                Load::Ready => rsx! {
                    div { class: "table-wrap",
                        table { class: "table", "data-testid": "orders-table",
                            thead {
                                tr {
                                    th { "{t.col_order}" }
                                    th { "{t.col_status}" }
                                    th { "{t.col_done}" }
                                    th { "{t.col_created}" }
                                    if role == Some(Role::Provider) { th { "{t.col_actions}" } }
                                }
                            }
                            tbody {
                                for o in list {
                                    tr { key: "{o.id}", "data-testid": "order-row", "data-id": "{o.id}", "data-status": "{o.status}",
                                        td { class: "desc",
                                            NavLink { to: Route::OrderPage { id: o.id.clone() }, testid: "order-open", "{o.title}" }
                                        }
                                        td { class: "nowrap", OrderStatus { order: o.clone() } }
                                        td { class: "small",
                                            if o.provider_done { div { "✓ {t.role_provider}" } }
                                            if o.client_done { div { "✓ {t.role_client}" } }
                                        }
                                        td { class: "nowrap", {date_time(&o.created_at, lang)} }
                                        if role == Some(Role::Provider) {
                                            td { class: "nowrap",
                                                if o.status == "created" && o.frozen_by.is_none() {
                                                    button { class: "btn btn-primary btn-sm", r#type: "button",
                                                        "data-testid": "order-row-take",
                                                        disabled: busy().is_some(),
                                                        onclick: {
                                                            let id = o.id.clone();
                                                            move |_| take(id.clone())
                                                        },
                                                        "{t.take_into_work}"
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
            FormError { testid: "orders-more-error", error: more_error() }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "orders-more",
                    onclick: move |_| orders.load_more(), "{t.load_more}" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: &str, status: &str) -> Order {
        Order {
            id: id.into(),
            subscription_id: "s".into(),
            client_id: "c".into(),
            provider_id: "p".into(),
            plan: "monthly".into(),
            title: format!("order {id}"),
            details: String::new(),
            status: status.into(),
            client_done: false,
            provider_done: false,
            frozen_by: None,
            message_count: 0,
            created_at: "2026-11-01T10:00:00Z".into(),
            taken_at: None,
            completed_at: None,
            updated_at: "2026-11-01T10:00:00Z".into(),
        }
    }

    #[test]
    fn a_new_order_goes_on_top_and_a_known_one_is_replaced_in_place() {
        let mut items = vec![order("a", "created"), order("b", "created")];
        upsert(&mut items, order("b", "in_progress"));
        upsert(&mut items, order("n", "created"));
        let ids: Vec<_> = items.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["n", "a", "b"]);
        assert_eq!(items[2].status, "in_progress");
    }

    #[test]
    fn order_statuses_are_labelled_and_unknown_ones_pass_through() {
        assert_eq!(order_status(&crate::i18n::EN, "in_progress"), "In progress");
        assert_eq!(order_status(&crate::i18n::RU, "completed"), "Выполнен");
        assert_eq!(order_status(&crate::i18n::EN, "mystery"), "mystery");
    }
}
