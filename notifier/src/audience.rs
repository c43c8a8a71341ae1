//! Who hears of which event, and what they are told: pure, from the event
//! and (where the event does not name its people) the aggregate it belongs
//! to, read from the store by the caller.

use domain::order::OrderEvent;
use domain::subscription::SubscriptionEvent;
use domain::wallet::WalletEvent;
use domain::{AccountId, Role};
use serde_json::{Value, json};

/// Who a notification goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One account.
    Account(AccountId),
    /// Every provider that handles this service type.
    ProvidersOf(String),
    /// Every admin.
    Admins,
}

/// One thing to tell an audience.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Who.
    pub audience: Audience,
    /// The template's name, e.g. `new_request`.
    pub kind: &'static str,
    /// Where in the web app it leads, e.g. `/subscriptions/{id}`.
    pub link: String,
    /// What the template fills in.
    pub params: Value,
}

fn note(audience: Audience, kind: &'static str, link: String, params: Value) -> Note {
    Note {
        audience,
        kind,
        link,
        params,
    }
}

/// People a subscription event concerns, when its payload does not say.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubscriptionPeople {
    /// The client.
    pub client: Option<AccountId>,
    /// The provider, once one accepted.
    pub provider: Option<AccountId>,
}

/// A subscription event's notes.
pub fn subscription(id: &str, event: &SubscriptionEvent, people: SubscriptionPeople) -> Vec<Note> {
    let link = format!("/subscriptions/{id}");
    let client = people.client.map(Audience::Account);
    match event {
        SubscriptionEvent::SubscriptionRequested {
            service_type,
            description,
            price,
            plan,
            ..
        } => vec![note(
            Audience::ProvidersOf(service_type.as_str().to_owned()),
            "new_request",
            "/available".to_owned(),
            json!({"service_type": service_type.as_str(), "description": description,
                   "price": price.amount().to_string(), "plan": plan}),
        )],
        SubscriptionEvent::SubscriptionAccepted { provider, .. } => client
            .map(|c| note(c, "request_accepted", link, json!({"provider": provider})))
            .into_iter()
            .collect(),
        SubscriptionEvent::AcceptanceDeadlinePassed { .. } => {
            let mut notes: Vec<Note> = client
                .map(|c| note(c, "deadline_passed", link.clone(), json!({})))
                .into_iter()
                .collect();
            notes.push(note(
                Audience::Admins,
                "deadline_passed_admin",
                link,
                json!({"subscription": id}),
            ));
            notes
        }
        SubscriptionEvent::PastDue { .. } => client
            .map(|c| note(c, "past_due", link, json!({})))
            .into_iter()
            .collect(),
        SubscriptionEvent::SubscriptionSuspended { .. } => client
            .map(|c| note(c, "suspended", link, json!({})))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// An order event's notes.
pub fn order(id: &str, event: &OrderEvent, client: AccountId, provider: AccountId) -> Vec<Note> {
    let link = format!("/orders/{id}");
    match event {
        OrderEvent::OrderCreated { .. } => {
            vec![note(
                Audience::Account(provider),
                "new_order",
                link,
                json!({}),
            )]
        }
        // The other side is asked to confirm.
        OrderEvent::OrderMarkedDone { by, .. } => {
            let other = if *by == Role::Client {
                provider
            } else {
                client
            };
            vec![note(
                Audience::Account(other),
                "order_done",
                link,
                json!({"by": by}),
            )]
        }
        OrderEvent::OrderCompleted { .. } => [client, provider]
            .into_iter()
            .map(|a| {
                note(
                    Audience::Account(a),
                    "order_completed",
                    link.clone(),
                    json!({}),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A wallet event's notes (the wallet's id is its owner's).
pub fn wallet(owner: AccountId, event: &WalletEvent) -> Vec<Note> {
    let link = "/wallet".to_owned();
    let (kind, params) = match event {
        WalletEvent::TopUpSettled { amount, .. } => (
            "top_up_settled",
            json!({"amount": amount.amount().to_string()}),
        ),
        WalletEvent::WithdrawalSettled { amount, .. } => (
            "payout_settled",
            json!({"amount": amount.amount().to_string()}),
        ),
        WalletEvent::WithdrawalFailed { amount, reason, .. } => (
            "payout_failed",
            json!({"amount": amount.amount().to_string(), "reason": reason}),
        ),
        _ => return Vec::new(),
    };
    vec![note(Audience::Account(owner), kind, link, params)]
}

/// The routing keys these notes come from.
pub const ROUTING_KEYS: &[&str] = &[
    "Subscription.SubscriptionRequested",
    "Subscription.SubscriptionAccepted",
    "Subscription.AcceptanceDeadlinePassed",
    "Subscription.PastDue",
    "Subscription.SubscriptionSuspended",
    "Order.OrderCreated",
    "Order.OrderMarkedDone",
    "Order.OrderCompleted",
    "Wallet.TopUpSettled",
    "Wallet.WithdrawalSettled",
    "Wallet.WithdrawalFailed",
];

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Money, TransferId};

    #[test]
    fn a_settled_top_up_tells_its_owner_with_the_amount() {
        let owner = AccountId::new();
        let notes = wallet(
            owner,
            &WalletEvent::TopUpSettled {
                transfer_id: TransferId::new(),
                amount: Money::parse_rub("1500.00").expect("money"),
            },
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].audience, Audience::Account(owner));
        assert_eq!(notes[0].kind, "top_up_settled");
        assert_eq!(notes[0].params["amount"], "1500.00");
    }

    #[test]
    fn a_requested_top_up_tells_nobody() {
        let owner = AccountId::new();
        let notes = wallet(
            owner,
            &WalletEvent::TopUpRequested {
                owner,
                transfer_id: TransferId::new(),
                amount: Money::parse_rub("1.00").expect("money"),
            },
        );
        assert!(notes.is_empty());
    }
}
