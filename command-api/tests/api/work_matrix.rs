//! The authorization matrix of the order and complaint commands: every
//! command × {anonymous, client A (owner), client B, the winning provider,
//! a provider of another type, admin, auditor}. Each cell runs on a fresh
//! target; a refused cell must leave the event store untouched.

use crate::work_support::*;
use serde_json::{Value, json};

/// One row: what the command needs set up, and how it is called.
#[derive(Debug, Clone, Copy)]
enum Command {
    CreateOrder,
    Take,
    Message,
    Complete,
    FileComplaint,
    Withdraw,
    Review,
    Note,
    Resolve,
    AdminOrderMessage,
    AdminDirectMessage,
}

impl Command {
    /// The statuses for [`EVERYONE`], in its order:
    /// anonymous, client A, client B, winner, other provider, admin, auditor.
    fn expected(self) -> [u16; 7] {
        match self {
            Command::CreateOrder => [401, 201, 404, 403, 403, 403, 403],
            Command::Take => [401, 403, 403, 204, 404, 403, 403],
            Command::Message => [401, 201, 404, 201, 404, 201, 403],
            Command::Complete => [401, 204, 404, 204, 404, 403, 403],
            Command::FileComplaint => [401, 201, 404, 201, 404, 403, 403],
            // The winner is a party (sees it) but not the filer: the rule refuses.
            Command::Withdraw => [401, 204, 404, 422, 404, 403, 403],
            Command::Review | Command::Note | Command::Resolve => {
                [401, 403, 403, 403, 403, 204, 403]
            }
            Command::AdminOrderMessage => [401, 403, 403, 403, 403, 201, 403],
            Command::AdminDirectMessage => [401, 403, 403, 403, 403, 202, 403],
        }
    }

    /// A fresh target for one cell: `(path, body)`.
    async fn prepare(self, w: &World) -> (String, Option<Value>) {
        let c = "/api/v1/commands";
        match self {
            Command::CreateOrder => (
                format!("{c}/subscriptions/{}/orders", w.subscription_id),
                Some(json!({"title": "Audit", "details": ""})),
            ),
            Command::Take => (format!("{c}/orders/{}/take", w.order().await), None),
            Command::Message => (
                format!("{c}/orders/{}/messages", w.order().await),
                Some(json!({"text": "Any news?"})),
            ),
            Command::Complete => (
                format!("{c}/orders/{}/complete", w.taken_order().await),
                None,
            ),
            Command::FileComplaint => (
                format!("{c}/orders/{}/complaints", w.order().await),
                Some(json!({"reason": "Nothing was delivered"})),
            ),
            Command::Withdraw => (
                format!("{c}/complaints/{}/withdraw", w.complaint().await),
                None,
            ),
            Command::Review => (
                format!("{c}/admin/complaints/{}/review", w.complaint().await),
                None,
            ),
            Command::Note => (
                format!("{c}/admin/complaints/{}/notes", w.complaint().await),
                Some(json!({"text": "Asked for the contract"})),
            ),
            Command::Resolve => (
                format!("{c}/admin/complaints/{}/resolve", w.complaint().await),
                Some(json!({
                    "to_client": "0",
                    "to_provider": "0",
                    "note": "Nothing to split"
                })),
            ),
            Command::AdminOrderMessage => (
                format!("{c}/admin/messages"),
                Some(json!({"order_id": w.order().await, "text": "Hello from support"})),
            ),
            Command::AdminDirectMessage => (
                format!("{c}/admin/messages"),
                Some(json!({"account_id": w.client_a.id, "text": "Hello from support"})),
            ),
        }
    }
}

async fn check(command: Command) {
    let w = World::new().await;
    w.with_credentials(Who::ClientA).await;
    let mut failures = Vec::new();
    for (who, expected) in EVERYONE.into_iter().zip(command.expected()) {
        let (path, body) = command.prepare(&w).await;
        let events = w.events().await;
        let status = w.post_as(who, &path, body.as_ref()).await.status().as_u16();
        if status != expected {
            failures.push(format!("{who:?}: expected {expected}, got {status}"));
        }
        if expected >= 400 && w.events().await != events {
            failures.push(format!(
                "{who:?}: refused with {status} but events were stored"
            ));
        }
    }
    assert!(failures.is_empty(), "{command:?}: {failures:#?}");
}

#[tokio::test]
async fn create_order() {
    check(Command::CreateOrder).await;
}

#[tokio::test]
async fn take() {
    check(Command::Take).await;
}

#[tokio::test]
async fn message() {
    check(Command::Message).await;
}

#[tokio::test]
async fn complete() {
    check(Command::Complete).await;
}

#[tokio::test]
async fn file_complaint() {
    check(Command::FileComplaint).await;
}

#[tokio::test]
async fn withdraw() {
    check(Command::Withdraw).await;
}

#[tokio::test]
async fn review() {
    check(Command::Review).await;
}

#[tokio::test]
async fn note() {
    check(Command::Note).await;
}

#[tokio::test]
async fn resolve() {
    check(Command::Resolve).await;
}

#[tokio::test]
async fn admin_order_message() {
    check(Command::AdminOrderMessage).await;
}

#[tokio::test]
async fn admin_direct_message() {
    check(Command::AdminDirectMessage).await;
}
