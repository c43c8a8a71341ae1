//! Who hears of which event, and what they are told: pure, from the event
//! and (where the event does not name its people) the aggregate it belongs
//! to, read from the store by the caller.

use domain::complaint::ComplaintEvent;
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
        OrderEvent::OrderTaken { .. } => {
            vec![note(
                Audience::Account(client),
                "order_taken",
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
        // The other side; an admin's message reaches both.
        OrderEvent::MessagePosted { author, text, .. } => [client, provider]
            .into_iter()
            .filter(|a| a != author)
            .map(|a| {
                note(
                    Audience::Account(a),
                    "chat_message",
                    link.clone(),
                    json!({"text": excerpt(text)}),
                )
            })
            .collect(),
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

/// A complaint event's notes: both sides of the order hear of it.
pub fn complaint(event: &ComplaintEvent, client: AccountId, provider: AccountId) -> Vec<Note> {
    let (kind, link, params) = match event {
        ComplaintEvent::ComplaintFiled {
            order_id, reason, ..
        } => (
            "complaint_filed",
            format!("/orders/{order_id}"),
            json!({"reason": excerpt(reason)}),
        ),
        ComplaintEvent::ComplaintResolved {
            to_client,
            to_provider,
            note,
            ..
        } => (
            "complaint_resolved",
            "/wallet".to_owned(),
            json!({"to_client": to_client.amount().to_string(),
                   "to_provider": to_provider.amount().to_string(), "note": excerpt(note)}),
        ),
        _ => return Vec::new(),
    };
    [client, provider]
        .into_iter()
        .map(|a| note(Audience::Account(a), kind, link.clone(), params.clone()))
        .collect()
}

/// At most 200 characters of what someone wrote, for a notification.
fn excerpt(text: &str) -> String {
    let mut cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
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
    "Order.OrderTaken",
    "Order.OrderMarkedDone",
    "Order.OrderCompleted",
    "Order.MessagePosted",
    "Complaint.ComplaintFiled",
    "Complaint.ComplaintResolved",
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

#[cfg(test)]
mod chat_tests {
    use super::*;
    use domain::MessageId;

    fn posted(author: AccountId, role: Role) -> OrderEvent {
        OrderEvent::MessagePosted {
            message_id: MessageId::new(),
            author,
            author_role: role,
            text: "x".repeat(300),
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_chat_message_reaches_the_other_side_only_and_an_admins_both() {
        let (client, provider, admin) = (AccountId::new(), AccountId::new(), AccountId::new());
        let to = |notes: Vec<Note>| notes.into_iter().map(|n| n.audience).collect::<Vec<_>>();
        assert_eq!(
            to(order("o", &posted(client, Role::Client), client, provider)),
            [Audience::Account(provider)]
        );
        assert_eq!(
            to(order(
                "o",
                &posted(provider, Role::Provider),
                client,
                provider
            )),
            [Audience::Account(client)]
        );
        assert_eq!(
            to(order("o", &posted(admin, Role::Admin), client, provider)),
            [Audience::Account(client), Audience::Account(provider)]
        );
        let notes = order("o", &posted(client, Role::Client), client, provider);
        assert_eq!(
            notes[0].params["text"].as_str().map(|t| t.chars().count()),
            Some(201)
        );
    }
}
