//! Dispute replay (DESIGN §8, `GET /api/v1/admin/orders/{id}/history`):
//! every event that touched an order, in commit order, each with the order's
//! state after it as the domain's own `apply` derives it.
//!
//! An order's history is:
//! - the Order stream itself;
//! - its subscription's stream (the order lives in it, its escrow pays for it);
//! - the streams of its complaints (linked by `ComplaintFiled.order_id`);
//! - the wallet side of every transfer in or out of that subscription's
//!   escrow (`FundsMovedToEscrow`, `FundsCreditedFromEscrow`, linked by
//!   `subscription_id`): funding, renewals, releases, refunds and complaint
//!   splits. Escrow lives inside the Subscription aggregate, so there is no
//!   separate escrow stream to follow.
//!
//! Steps come in `(tx_id, global_position)` order, the order the relay
//! publishes and the ledger posts in, so a step never precedes one that
//! committed before it.

mod load;
pub mod route;
mod state;

pub use load::{HistoryError, load};

pub use state::OrderView;

use chrono::{DateTime, Utc};
use domain::Role;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a step is about, for reading and for `?kind=` filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An event of the order itself.
    Order,
    /// An event of the order's subscription that moves no money.
    Subscription,
    /// An event of one of the order's complaints.
    Complaint,
    /// Money moving: the wallets' escrow transfers and the subscription's
    /// escrow funding, renewals, releases and complaint settlements.
    Money,
}

impl Kind {
    /// Every kind, in the order they are documented.
    pub const ALL: [Kind; 4] = [
        Kind::Order,
        Kind::Subscription,
        Kind::Complaint,
        Kind::Money,
    ];

    /// The name used in JSON and in `?kind=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Subscription => "subscription",
            Kind::Complaint => "complaint",
            Kind::Money => "money",
        }
    }

    /// The kind called `name`, if any.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind of an event of `aggregate_type` called `event_type`.
    pub fn of(aggregate_type: &str, event_type: &str) -> Kind {
        match (aggregate_type, event_type) {
            ("Order", _) => Kind::Order,
            ("Complaint", _) => Kind::Complaint,
            (
                "Subscription",
                "EscrowFunded" | "PeriodRenewed" | "EscrowReleased" | "ComplaintSettled",
            ) => Kind::Money,
            ("Subscription", _) => Kind::Subscription,
            _ => Kind::Money,
        }
    }

    /// Parses a comma-separated list (`order,money`); `Err` names the first
    /// unknown entry.
    pub fn parse_list(list: &str) -> Result<Vec<Kind>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Kind::parse(s).ok_or_else(|| s.to_owned()))
            .collect()
    }
}

/// Who did a step: the account that issued the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct StepActor {
    /// `client`, `provider`, `admin` or `auditor`.
    #[schema(value_type = String, example = "client")]
    pub role: Role,
    /// The account.
    pub id: Uuid,
}

/// One event of the order's history.
#[derive(Debug, ToSchema)]
pub struct Step {
    /// The event's `global_position` in the store.
    pub position: i64,
    /// What the step is about.
    pub kind: Kind,
    /// `Order`, `Subscription`, `Complaint` or `Wallet`.
    pub aggregate_type: String,
    /// The stream's id (a UUID).
    pub aggregate_id: String,
    /// The event's sequence in its stream, from 1.
    pub sequence: i64,
    /// The stored event type, e.g. `OrderCreated`.
    pub event_type: String,
    /// When the command was issued (the event's `occurred_at`; the commit
    /// time for an event without one).
    pub at: DateTime<Utc>,
    /// Who issued the command; `null` when a process manager did.
    pub actor: Option<StepActor>,
    /// The event as stored: `{"<event_type>": {...}}`.
    #[schema(value_type = Object)]
    pub payload: Box<str>,
    /// The order's state after this step.
    pub state: OrderView,
    /// The state's fields this step changed (empty for steps of other streams).
    pub changed: Vec<&'static str>,
}

/// An order's whole history.
#[derive(Debug, ToSchema)]
pub struct History {
    /// The order.
    pub order_id: Uuid,
    /// The order's state after the last step.
    pub state: OrderView,
    /// Every step, in commit order.
    pub steps: Vec<Step>,
}

impl History {
    /// Keeps only the steps of `kinds` (the final state is unchanged).
    pub fn retain_kinds(&mut self, kinds: &[Kind]) {
        self.steps.retain(|s| kinds.contains(&s.kind));
    }

    /// The JSON answer, written in one pass into one buffer, each payload
    /// copied in as stored (no parse, no `Value`).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let payloads: usize = self.steps.iter().map(|s| s.payload.len()).sum();
        // About 700 bytes a step besides its payload: one allocation for most.
        let mut body = Vec::with_capacity(payloads + 768 * (self.steps.len() + 1));
        body.extend_from_slice(b"{\"order_id\":");
        serde_json::to_writer(&mut body, &self.order_id)?;
        body.extend_from_slice(b",\"state\":");
        serde_json::to_writer(&mut body, &self.state)?;
        body.extend_from_slice(b",\"steps\":[");
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            step.write_json(&mut body)?;
        }
        body.extend_from_slice(b"]}");
        Ok(body)
    }
}

/// A step's fields before its payload, in the documented order.
#[derive(Serialize)]
struct StepHead<'a> {
    position: i64,
    kind: Kind,
    aggregate_type: &'a str,
    aggregate_id: &'a str,
    sequence: i64,
    event_type: &'a str,
    at: &'a DateTime<Utc>,
    actor: Option<StepActor>,
}

impl Step {
    fn write_json(&self, body: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let head = StepHead {
            position: self.position,
            kind: self.kind,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            at: &self.at,
            actor: self.actor,
        };
        serde_json::to_writer(&mut *body, &head)?;
        // Reopen the object the serializer closed.
        body.pop();
        body.extend_from_slice(b",\"payload\":");
        body.extend_from_slice(self.payload.as_bytes());
        body.extend_from_slice(b",\"state\":");
        serde_json::to_writer(&mut *body, &self.state)?;
        body.extend_from_slice(b",\"changed\":");
        serde_json::to_writer(&mut *body, &self.changed)?;
        body.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_json_of_the_documented_shape() {
        let id = Uuid::new_v4();
        let history = History {
            order_id: id,
            state: OrderView::default(),
            steps: vec![
                Step {
                    position: 7,
                    kind: Kind::Money,
                    aggregate_type: "Wallet".into(),
                    aggregate_id: id.to_string(),
                    sequence: 3,
                    event_type: "FundsMovedToEscrow".into(),
                    at: chrono::DateTime::from_timestamp(1_800_000_000, 5).expect("time"),
                    actor: Some(StepActor {
                        role: Role::Client,
                        id,
                    }),
                    payload: r#"{"FundsMovedToEscrow": {"amount": 1}}"#.into(),
                    state: OrderView::default(),
                    changed: vec![],
                },
                Step {
                    position: 8,
                    kind: Kind::Order,
                    aggregate_type: "Order".into(),
                    aggregate_id: id.to_string(),
                    sequence: 1,
                    event_type: "OrderTaken".into(),
                    at: chrono::DateTime::from_timestamp(1_800_000_001, 0).expect("time"),
                    actor: None,
                    payload: r#"{"OrderTaken":{}}"#.into(),
                    state: OrderView {
                        messages_count: 2,
                        ..OrderView::default()
                    },
                    changed: vec!["status"],
                },
            ],
        };
        let json: serde_json::Value =
            serde_json::from_slice(&history.to_json().expect("json")).expect("parses");
        assert_eq!(json["order_id"], id.to_string());
        assert_eq!(json["state"]["messages_count"], 0);
        let steps = json["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0],
            serde_json::json!({
                "position": 7, "kind": "money", "aggregate_type": "Wallet",
                "aggregate_id": id.to_string(), "sequence": 3, "event_type": "FundsMovedToEscrow",
                "at": "2027-01-15T08:00:00.000000005Z", "actor": {"role": "client", "id": id.to_string()},
                "payload": {"FundsMovedToEscrow": {"amount": 1}},
                "state": serde_json::to_value(OrderView::default()).expect("view"),
                "changed": []
            })
        );
        assert_eq!(steps[1]["actor"], serde_json::Value::Null);
        assert_eq!(steps[1]["changed"], serde_json::json!(["status"]));
        assert_eq!(steps[1]["state"]["messages_count"], 2);
    }
}
