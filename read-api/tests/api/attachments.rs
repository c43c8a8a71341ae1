//! Files of an order's chat: listed with their messages, sent live, and
//! downloaded by the parties and admins only, byte for byte, as the kind
//! told from their bytes.

use crate::helpers::*;
use domain::order::AttachmentType;
use domain::{AccountId, AttachmentId, OrderId, Role};
use std::time::Duration;
use store::AttachmentStore;
use store::attachments::{NewAttachment, PgAttachments};
use uuid::Uuid;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

struct Chat {
    app: TestApp,
    client: Account,
    provider: Account,
    order: Uuid,
    message: Uuid,
    file: Uuid,
}

/// An order of a client with its provider, whose chat carries a PNG named
/// `Скан «счёта» №1.png`, stored and projected the way command-api and the
/// projections would.
async fn chat() -> Chat {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let provider = account(&app.pool, Role::Provider, &["legal"]).await;
    let mut s = NewSubscription::requested(&client, "legal");
    s.status = "active";
    s.provider = Some(&provider);
    let sub = s.insert(&app.pool).await;
    let order = order(&app.pool, sub, &client, &provider).await;
    let (message, file) = (Uuid::new_v4(), Uuid::new_v4());
    store_file(&app, order, file, PNG).await;
    sqlx::query(
        "INSERT INTO read.order_messages (message_id, order_id, sequence, author_id, author_role, text, \
         posted_at, attachment_id, attachment_name, attachment_type, attachment_size) \
         VALUES ($1, $2, 2, $3, 'provider', 'скан', now(), $4, $5, 'image/png', $6)",
    )
    .bind(message)
    .bind(order)
    .bind(provider.id)
    .bind(file)
    .bind("Скан «счёта» №1.png")
    .bind(PNG.len() as i64)
    .execute(&app.pool)
    .await
    .expect("message");
    Chat {
        app,
        client,
        provider,
        order,
        message,
        file,
    }
}

async fn store_file(app: &TestApp, order: Uuid, id: Uuid, bytes: &[u8]) {
    PgAttachments::new(app.pool.clone())
        .put(NewAttachment {
            id: AttachmentId::from(id),
            order_id: OrderId::from(order),
            uploaded_by: AccountId::new(),
            content_type: AttachmentType::sniff(bytes).expect("a known kind"),
            bytes: bytes.to_vec(),
        })
        .await
        .expect("stored");
}

fn download_path(order: Uuid, file: impl std::fmt::Display) -> String {
    format!("/api/v1/orders/{order}/attachments/{file}")
}

async fn download(c: &Chat, who: &Account, path: &str) -> reqwest::Response {
    c.app
        .http
        .get(c.app.url(path))
        .bearer_auth(c.app.token(who))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn the_parties_and_admins_download_the_same_bytes_as_a_safe_download() {
    let c = chat().await;
    let admin = account(&c.app.pool, Role::Admin, &[]).await;
    for who in [&c.client, &c.provider, &admin] {
        let res = download(&c, who, &download_path(c.order, c.file)).await;
        assert_eq!(res.status(), 200);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("content-type").as_deref(), Some("image/png"));
        assert_eq!(header("content-length"), Some(PNG.len().to_string()));
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
        // The download's own policy, not the one the API layer gives JSON.
        assert_eq!(
            header("content-security-policy").as_deref(),
            Some("default-src 'none'; sandbox")
        );
        assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(
            header("content-disposition").as_deref(),
            Some(
                "attachment; filename=\"____ _______ _1.png\"; filename*=UTF-8''\
                 %D0%A1%D0%BA%D0%B0%D0%BD%20%C2%AB%D1%81%D1%87%D1%91%D1%82%D0%B0%C2%BB%20%E2%84%961.png"
            )
        );
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), PNG);
    }
}

#[tokio::test]
async fn a_file_is_listed_with_its_message() {
    let c = chat().await;
    message(&c.app.pool, c.order, &c.client, 1, "Пришлите скан").await;
    let (status, body) = c
        .app
        .get(
            Some(&c.client),
            &format!("/api/v1/orders/{}/messages", c.order),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().expect("items");
    let with_file = items
        .iter()
        .find(|m| m["id"] == c.message.to_string())
        .expect("the file's message");
    assert_eq!(with_file["text"], "скан");
    assert_eq!(with_file["attachment"]["id"], c.file.to_string());
    assert_eq!(with_file["attachment"]["name"], "Скан «счёта» №1.png");
    assert_eq!(with_file["attachment"]["content_type"], "image/png");
    assert_eq!(with_file["attachment"]["size"], PNG.len());
    let plain = items
        .iter()
        .find(|m| m["id"] != c.message.to_string())
        .expect("the text message");
    assert!(plain["attachment"].is_null(), "{plain}");
}

#[tokio::test]
async fn strangers_auditors_and_unknown_or_misplaced_files_are_refused() {
    let c = chat().await;
    let stranger = account(&c.app.pool, Role::Client, &[]).await;
    let other_provider = account(&c.app.pool, Role::Provider, &["legal"]).await;
    let auditor = account(&c.app.pool, Role::Auditor, &[]).await;
    let path = download_path(c.order, c.file);
    for who in [&stranger, &other_provider] {
        let res = download(&c, who, &path).await;
        assert_eq!(res.status(), 404);
    }
    assert_eq!(download(&c, &auditor, &path).await.status(), 403);
    let anonymous = c
        .app
        .http
        .get(c.app.url(&path))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);

    // Unknown file; a stored file no message names (its append failed);
    // this order's file asked for under another order of the same client.
    let orphan = Uuid::new_v4();
    store_file(&c.app, c.order, orphan, PNG).await;
    let mut s = NewSubscription::requested(&c.client, "legal");
    s.status = "active";
    s.provider = Some(&c.provider);
    let sub = s.insert(&c.app.pool).await;
    let other_order = order(&c.app.pool, sub, &c.client, &c.provider).await;
    for path in [
        download_path(c.order, Uuid::new_v4()),
        download_path(c.order, orphan),
        download_path(other_order, c.file),
    ] {
        let res = download(&c, &c.client, &path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
    }
    let res = download(&c, &c.client, &download_path(c.order, "nope")).await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["errors"][0]["field"], "attachment_id", "{body}");
}

#[tokio::test]
async fn a_live_message_carries_its_file() {
    let c = chat().await;
    let mut res = c
        .app
        .http
        .get(c.app.url("/api/v1/events/stream"))
        .bearer_auth(c.app.token(&c.client))
        .send()
        .await
        .expect("stream");
    assert_eq!(res.status(), 200);
    c.app.state.events.wait_listening().await;
    c.app
        .notify(serde_json::json!({"kind": "message", "id": c.message}))
        .await;
    let mut seen = String::new();
    let data = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let chunk = res.chunk().await.expect("chunk").expect("open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(frame) = seen
                .split("\n\n")
                .find(|f| f.contains("event: message") || f.contains("event:message"))
            {
                let data: String = frame
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                break serde_json::from_str::<serde_json::Value>(&data).expect("json");
            }
        }
    })
    .await
    .expect("a message event");
    assert_eq!(data["id"], c.message.to_string());
    assert_eq!(data["attachment"]["id"], c.file.to_string());
    assert_eq!(data["attachment"]["content_type"], "image/png");
}
