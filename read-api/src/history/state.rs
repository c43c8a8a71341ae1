//! The order's state step by step, by the domain's own `apply`: this module
//! only reads the aggregate's accessors, it never decides what an event does.

use cqrs_es::Aggregate;
use domain::order::{Order, OrderEvent, OrderStatus};
use domain::{OrderId, Plan};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An order's public state: what the aggregate decides with, without its
/// internal window of recent message ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrderView {
    /// `created`, `in_progress`, `completed` or `cancelled` (by an admin); `null` before the order exists.
    #[schema(value_type = Option<String>, example = "in_progress")]
    pub status: Option<OrderStatus>,
    /// The title given at creation.
    pub title: Option<String>,
    /// The subscription the order lives in.
    pub subscription_id: Option<Uuid>,
    /// The subscription's client.
    pub client_id: Option<Uuid>,
    /// The subscription's provider.
    pub provider_id: Option<Uuid>,
    /// `one_off` or `monthly`.
    #[schema(value_type = Option<String>, example = "monthly")]
    pub plan: Option<Plan>,
    /// The client said the work is done.
    pub client_done: bool,
    /// The provider said the work is done.
    pub provider_done: bool,
    /// The open complaint that froze the order.
    pub frozen_by: Option<Uuid>,
    /// Chat messages posted.
    pub messages_count: u64,
}

impl OrderView {
    /// The view of `order`; `title` comes from its `OrderCreated` (the
    /// aggregate keeps no title: nothing it decides depends on it).
    pub fn of(order: &Order, title: Option<&str>) -> Self {
        let exists = order.status().is_some();
        let some = |id: Uuid| exists.then_some(id);
        Self {
            status: order.status(),
            title: title.map(str::to_owned),
            subscription_id: some(order.subscription_id().as_uuid()),
            client_id: some(order.client().as_uuid()),
            provider_id: some(order.provider().as_uuid()),
            plan: order.plan(),
            client_done: order.client_done(),
            provider_done: order.provider_done(),
            frozen_by: order.frozen_by().map(|c| c.as_uuid()),
            messages_count: order.messages_count(),
        }
    }

    /// The names of the fields that differ from `before`.
    pub fn changed_from(&self, before: &OrderView) -> Vec<&'static str> {
        let mut changed = Vec::new();
        let mut check = |differs: bool, name: &'static str| {
            if differs {
                changed.push(name);
            }
        };
        check(self.status != before.status, "status");
        check(self.title != before.title, "title");
        check(
            self.subscription_id != before.subscription_id,
            "subscription_id",
        );
        check(self.client_id != before.client_id, "client_id");
        check(self.provider_id != before.provider_id, "provider_id");
        check(self.plan != before.plan, "plan");
        check(self.client_done != before.client_done, "client_done");
        check(self.provider_done != before.provider_done, "provider_done");
        check(self.frozen_by != before.frozen_by, "frozen_by");
        check(
            self.messages_count != before.messages_count,
            "messages_count",
        );
        changed
    }
}

/// The order as its events so far left it.
#[derive(Debug, Default)]
pub struct Replay {
    order: Order,
    title: Option<String>,
    view: OrderView,
}

impl Replay {
    /// Applies the order's next event; returns the fields it changed.
    pub fn apply(&mut self, event: OrderEvent) -> Vec<&'static str> {
        if let OrderEvent::OrderCreated { title, .. } = &event {
            self.title = Some(title.clone());
        }
        self.order.apply(event);
        let next = OrderView::of(&self.order, self.title.as_deref());
        let changed = next.changed_from(&self.view);
        self.view = next;
        changed
    }

    /// The state after the events applied so far.
    pub fn view(&self) -> &OrderView {
        &self.view
    }

    /// The order's id once it was created.
    pub fn order_id(&self) -> Option<OrderId> {
        self.order.status().map(|_| self.order.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{AccountId, ComplaintId, MessageId, Role, SubscriptionId};

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time")
    }

    #[test]
    fn each_event_names_what_it_changed() {
        let mut replay = Replay::default();
        let created = replay.apply(OrderEvent::OrderCreated {
            order_id: OrderId::new(),
            subscription_id: SubscriptionId::new(),
            client: AccountId::new(),
            provider: AccountId::new(),
            plan: Plan::Monthly,
            title: "Отчёт".into(),
            details: String::new(),
            at: at(),
        });
        assert_eq!(
            created,
            [
                "status",
                "title",
                "subscription_id",
                "client_id",
                "provider_id",
                "plan"
            ]
        );
        assert_eq!(
            replay.apply(OrderEvent::OrderTaken {
                provider: AccountId::new(),
                at: at(),
            }),
            ["status"]
        );
        assert_eq!(
            replay.apply(OrderEvent::MessagePosted {
                message_id: MessageId::new(),
                author: AccountId::new(),
                author_role: Role::Client,
                text: "Привет".into(),
                at: at(),
            }),
            ["messages_count"]
        );
        let complaint = ComplaintId::new();
        assert_eq!(
            replay.apply(OrderEvent::OrderFrozen {
                complaint_id: complaint,
                at: at(),
            }),
            ["frozen_by"]
        );
        assert_eq!(replay.view().frozen_by, Some(complaint.as_uuid()));
        assert_eq!(
            replay.apply(OrderEvent::OrderMarkedDone {
                by: Role::Provider,
                at: at(),
            }),
            ["provider_done"]
        );
        assert_eq!(replay.view().status, Some(OrderStatus::InProgress));
        assert_eq!(replay.view().messages_count, 1);
    }

    #[test]
    fn before_creation_nothing_is_known() {
        let view = OrderView::of(&Order::default(), None);
        assert_eq!(view, OrderView::default());
        let json = serde_json::to_value(&view).expect("json");
        assert_eq!(json["status"], serde_json::Value::Null);
        assert_eq!(json["client_id"], serde_json::Value::Null);
    }
}
