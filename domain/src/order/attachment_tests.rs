//! Posting a stored file into the chat: given past events, when
//! `PostAttachment`, then an `AttachmentPosted` or this error.

use super::*;
use crate::{AccountId, Actor, AttachmentId, MessageId, OrderId, Plan, Role, SubscriptionId};
use chrono::{DateTime, Utc};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

type OrderTest = TestFramework<Order>;

const CLIENT: AccountId = AccountId(Uuid::from_u128(1));
const PROVIDER: AccountId = AccountId(Uuid::from_u128(2));
const ADMIN: AccountId = AccountId(Uuid::from_u128(5));
const FILE: AttachmentId = AttachmentId(Uuid::from_u128(40));

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn created() -> OrderEvent {
    OrderEvent::OrderCreated {
        order_id: OrderId(Uuid::from_u128(20)),
        subscription_id: SubscriptionId(Uuid::from_u128(10)),
        client: CLIENT,
        provider: PROVIDER,
        plan: Plan::OneOff,
        title: "Audit Q3".to_owned(),
        details: String::new(),
        at: at(),
    }
}

fn done() -> Vec<OrderEvent> {
    vec![
        created(),
        OrderEvent::OrderMarkedDone {
            by: Role::Client,
            at: at(),
        },
        OrderEvent::OrderCompleted {
            subscription_id: SubscriptionId(Uuid::from_u128(10)),
            plan: Plan::OneOff,
            at: at(),
        },
    ]
}

fn file(name: &str, size: u64) -> AttachmentFacts {
    AttachmentFacts {
        attachment_id: FILE,
        name: name.to_owned(),
        content_type: AttachmentType::Pdf,
        size,
    }
}

fn post(actor: Actor, name: &str, size: u64, caption: &str) -> OrderCommand {
    OrderCommand::PostAttachment {
        actor,
        message_id: MessageId(Uuid::from_u128(100)),
        attachment: file(name, size),
        caption: caption.to_owned(),
        at: at(),
    }
}

fn posted(actor: Actor, name: &str, caption: &str) -> OrderEvent {
    OrderEvent::AttachmentPosted {
        message_id: MessageId(Uuid::from_u128(100)),
        attachment_id: FILE,
        author: actor.id,
        author_role: actor.role,
        name: name.to_owned(),
        content_type: AttachmentType::Pdf,
        size: 1234,
        caption: caption.to_owned(),
        at: at(),
    }
}

#[test]
fn a_party_posts_a_file_with_a_trimmed_name_and_caption() {
    let client = Actor::new(CLIENT, Role::Client);
    OrderTest::with(())
        .given(vec![created()])
        .when(post(client, " Акт сверки.pdf ", 1234, "  see p. 2\n"))
        .then_expect_events(vec![posted(client, "Акт сверки.pdf", "see p. 2")]);
}

#[test]
fn a_file_counts_as_a_chat_message_and_its_retry_is_a_no_op() {
    let provider = Actor::new(PROVIDER, Role::Provider);
    let mut order = Order::default();
    for e in [created(), posted(provider, "a.pdf", "")] {
        cqrs_es::Aggregate::apply(&mut order, e);
    }
    assert_eq!(order.messages_count(), 1);
    OrderTest::with(())
        .given(vec![created(), posted(provider, "a.pdf", "")])
        .when(post(provider, "a.pdf", 1234, ""))
        .then_expect_events(vec![]);
}

#[test]
fn only_the_parties_and_admins_post_files() {
    for outsider in [
        Actor::new(AccountId(Uuid::from_u128(3)), Role::Client),
        Actor::new(AccountId(Uuid::from_u128(4)), Role::Provider),
        Actor::new(ADMIN, Role::Auditor),
    ] {
        OrderTest::with(())
            .given(vec![created()])
            .when(post(outsider, "a.pdf", 1234, ""))
            .then_expect_error(OrderError::NotParticipant);
    }
}

#[test]
fn after_completion_only_an_admin_posts_files() {
    OrderTest::with(())
        .given(done())
        .when(post(Actor::new(CLIENT, Role::Client), "a.pdf", 1234, ""))
        .then_expect_error(OrderError::Completed);
    let admin = Actor::new(ADMIN, Role::Admin);
    OrderTest::with(())
        .given(done())
        .when(post(admin, "a.pdf", 1234, ""))
        .then_expect_events(vec![posted(admin, "a.pdf", "")]);
}

#[test]
fn bad_names_captions_and_empty_files_are_refused() {
    let client = Actor::new(CLIENT, Role::Client);
    let long_name = format!("{}.pdf", "a".repeat(252));
    for (name, size, caption, error) in [
        ("   ", 1, "", OrderError::InvalidAttachmentName),
        (long_name.as_str(), 1, "", OrderError::InvalidAttachmentName),
        ("../etc/passwd", 1, "", OrderError::InvalidAttachmentName),
        ("a\\b.pdf", 1, "", OrderError::InvalidAttachmentName),
        ("a\u{0}b.pdf", 1, "", OrderError::InvalidAttachmentName),
        ("a.pdf", 1, &"c".repeat(4001), OrderError::InvalidCaption),
        ("a.pdf", 0, "", OrderError::EmptyAttachment),
    ] {
        OrderTest::with(())
            .given(vec![created()])
            .when(post(client, name, size, caption))
            .then_expect_error(error);
    }
}
