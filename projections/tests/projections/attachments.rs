//! A file posted into an order's chat: a message row carrying the file's
//! metadata, counted and announced like any message.

use domain::order::{AttachmentType, OrderEvent};
use domain::{AccountId, AttachmentId, MessageId, OrderId, Plan, Role, SubscriptionId};
use serde_json::json;
use sqlx::postgres::PgListener;
use uuid::Uuid;

use crate::helpers::{TestDb, append, at};
use crate::read_models::feed;

#[tokio::test]
async fn a_posted_file_is_a_chat_message_with_its_metadata() {
    let db = TestDb::new().await;
    let (order, client, provider) = (OrderId::new(), AccountId::new(), AccountId::new());
    let (message, file) = (MessageId::new(), AttachmentId::new());
    let events = [
        OrderEvent::OrderCreated {
            order_id: order,
            subscription_id: SubscriptionId::new(),
            client,
            provider,
            plan: Plan::Monthly,
            title: "Отчёт".into(),
            details: String::new(),
            at: at(0),
        },
        OrderEvent::MessagePosted {
            message_id: MessageId::new(),
            author: client,
            author_role: Role::Client,
            text: "Прикладываю выписку".into(),
            at: at(1),
        },
        OrderEvent::AttachmentPosted {
            message_id: message,
            attachment_id: file,
            author: client,
            author_role: Role::Client,
            name: "Выписка за ноябрь.pdf".into(),
            content_type: AttachmentType::Pdf,
            size: 48_213,
            caption: "см. стр. 2".into(),
            at: at(2),
        },
    ];
    let mut stored = Vec::new();
    for (i, e) in events.iter().enumerate() {
        stored.push(append(&db.pool, "Order", &order.to_string(), i as i64 + 1, e).await);
    }
    for e in &stored[..2] {
        feed(&db.pool, "orders", e).await;
    }
    let mut listener = PgListener::connect(&db.url).await.expect("listener");
    listener
        .listen(projections::notify::CHANNEL)
        .await
        .expect("listen");
    feed(&db.pool, "orders", &stored[2]).await;
    let change: serde_json::Value =
        serde_json::from_str(listener.recv().await.expect("notification").payload()).expect("json");
    assert_eq!(change["kind"], "message");
    assert_eq!(change["id"], json!(message.as_uuid()));
    assert_eq!(change["client_id"], json!(client.as_uuid()));

    type Row = (
        String,
        String,
        Option<Uuid>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT author_role, text, attachment_id, attachment_name, attachment_type, attachment_size \
         FROM read.order_messages WHERE order_id = $1 ORDER BY sequence",
    )
    .bind(order.as_uuid())
    .fetch_all(&db.pool)
    .await
    .expect("chat");
    assert_eq!(
        rows,
        vec![
            (
                "client".into(),
                "Прикладываю выписку".into(),
                None,
                None,
                None,
                None
            ),
            (
                "client".into(),
                "см. стр. 2".into(),
                Some(file.as_uuid()),
                Some("Выписка за ноябрь.pdf".into()),
                Some("application/pdf".into()),
                Some(48_213)
            ),
        ]
    );
    let count: i32 = sqlx::query_scalar("SELECT message_count FROM read.orders WHERE id = $1")
        .bind(order.as_uuid())
        .fetch_one(&db.pool)
        .await
        .expect("order");
    assert_eq!(count, 2);
}
