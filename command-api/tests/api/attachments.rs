//! Files in an order's chat: PDFs and images posted as messages by the
//! parties and admins; too big (413, at the declared length and while
//! streaming), the wrong kind (415, whatever it claims) and strangers (404)
//! refused with nothing stored or appended.

use crate::helpers::*;
use crate::work_support::*;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn path(order: &str, query: &str) -> String {
    format!("/api/v1/commands/orders/{order}/attachments{query}")
}

/// POSTs `bytes` as `who`, claiming `content_type`.
async fn upload(
    w: &World,
    who: Who,
    order: &str,
    query: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut req = w
        .app
        .client
        .post(w.app.url(&path(order, query)))
        .header("content-type", content_type)
        .body(bytes);
    if let Some(token) = w.token(who) {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request")
}

/// The `AttachmentPosted` payloads of `order`, in order.
async fn posted(w: &World, order: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT payload->'AttachmentPosted' FROM events \
         WHERE aggregate_id = $1 AND event_type = 'AttachmentPosted' ORDER BY sequence",
    )
    .bind(order)
    .fetch_all(&w.app.pool)
    .await
    .expect("events")
}

async fn stored_files(w: &World) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM attachments")
        .fetch_one(&w.app.pool)
        .await
        .expect("count")
}

/// A request written by hand, so the body can be chunked (no length) or
/// declared longer than what is sent; the status and head of the answer.
/// Writes the server refuses to read are expected to fail and are ignored.
async fn raw_upload(w: &World, order: &str, framing: &str, pieces: &[Vec<u8>]) -> (u16, String) {
    let addr = w.app.base.trim_start_matches("http://").to_owned();
    let token = w.token(Who::ClientA).expect("token");
    let mut tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/pdf\r\n{framing}\r\nConnection: close\r\n\r\n",
        path(order, "?name=big.pdf")
    );
    tcp.write_all(head.as_bytes()).await.expect("head");
    let chunked = framing.contains("chunked");
    for piece in pieces {
        let mut frame = Vec::new();
        if chunked {
            frame.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        }
        frame.extend_from_slice(piece);
        if chunked {
            frame.extend_from_slice(b"\r\n");
        }
        if tcp.write_all(&frame).await.is_err() {
            break;
        }
    }
    if chunked {
        let _ = tcp.write_all(b"0\r\n\r\n").await;
    }
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer.to_ascii_lowercase())
}

#[tokio::test]
async fn a_pdf_and_a_png_become_chat_messages_with_their_metadata() {
    let w = World::new().await;
    let order = w.taken_order().await;
    // A client's claimed type is ignored: the bytes say PDF.
    let res = upload(
        &w,
        Who::ClientA,
        &order,
        "?name=%D0%90%D0%BA%D1%82%20%E2%84%961.pdf&caption=%20see%20p.%202%20",
        "text/plain",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(res.status(), 201);
    let pdf: Value = res.json().await.expect("json");
    assert_eq!(pdf["name"], "Акт №1.pdf");
    assert_eq!(pdf["content_type"], "application/pdf");
    assert_eq!(pdf["size"], PDF.len());

    let res = upload(
        &w,
        Who::Winner,
        &order,
        "",
        "application/octet-stream",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(res.status(), 201);
    let png: Value = res.json().await.expect("json");
    assert_eq!(png["name"], "attachment.png");
    assert_eq!(png["content_type"], "image/png");

    let events = posted(&w, &order).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["message_id"], pdf["id"]);
    assert_eq!(events[0]["attachment_id"], pdf["attachment_id"]);
    assert_eq!(events[0]["author"], w.client_a.id.to_string());
    assert_eq!(events[0]["author_role"], "client");
    assert_eq!(events[0]["name"], "Акт №1.pdf");
    assert_eq!(events[0]["content_type"], "application/pdf");
    assert_eq!(events[0]["size"], PDF.len());
    assert_eq!(events[0]["caption"], "see p. 2");
    assert_eq!(events[1]["author_role"], "provider");
    assert_eq!(events[1]["content_type"], "image/png");
    assert_eq!(events[1]["caption"], "");

    for (answer, bytes) in [(&pdf, PDF), (&png, PNG)] {
        let id: uuid::Uuid = answer["attachment_id"]
            .as_str()
            .expect("id")
            .parse()
            .expect("uuid");
        let (stored, kind, order_id): (Vec<u8>, String, uuid::Uuid) =
            sqlx::query_as("SELECT content, content_type, order_id FROM attachments WHERE id = $1")
                .bind(id)
                .fetch_one(&w.app.pool)
                .await
                .expect("stored");
        assert_eq!(stored, bytes);
        assert_eq!(kind, answer["content_type"].as_str().expect("type"));
        assert_eq!(order_id.to_string(), order);
    }
}

#[tokio::test]
async fn an_admin_posts_a_file_into_any_order() {
    let w = World::new().await;
    let order = w.order().await;
    let res = upload(
        &w,
        Who::Admin,
        &order,
        "?name=rules.pdf",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(res.status(), 201);
    let events = posted(&w, &order).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["author_role"], "admin");
    assert_eq!(events[0]["author"], w.admin.id.to_string());
}

#[tokio::test]
async fn strangers_get_the_404_of_an_absent_order_and_nothing_is_stored() {
    let w = World::new().await;
    let order = w.order().await;
    for who in [Who::ClientB, Who::OtherProvider] {
        let res = upload(&w, who, &order, "", "application/pdf", PDF.to_vec()).await;
        assert_problem(res, 404, None).await;
    }
    let res = upload(
        &w,
        Who::Auditor,
        &order,
        "",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_problem(res, 403, None).await;
    let res = upload(
        &w,
        Who::Anonymous,
        &order,
        "",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_problem(res, 401, None).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let res = upload(
        &w,
        Who::ClientA,
        &unknown,
        "",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_problem(res, 404, None).await;
    assert!(posted(&w, &order).await.is_empty());
    assert_eq!(stored_files(&w).await, 0);
}

#[tokio::test]
async fn the_default_limit_is_ten_mebibytes_and_one_byte_more_is_413() {
    let w = World::new().await;
    assert_eq!(w.app.state.attachments.max_bytes, 10 * 1024 * 1024);
    let order = w.order().await;
    // Declared one byte over: refused before a byte of the body is read.
    let (status, answer) = raw_upload(&w, &order, "Content-Length: 10485761", &[]).await;
    assert_eq!(status, 413, "{answer}");
    assert!(
        answer.contains("content-type: application/problem+json"),
        "{answer}"
    );
    // Sent in full, 10 MiB + 1 with its length: the same.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let res = upload(
        &w,
        Who::ClientA,
        &order,
        "?name=big.pdf",
        "application/pdf",
        big,
    )
    .await;
    let body = assert_problem(res, 413, Some("body")).await;
    assert_eq!(body["type"], "/problems/payload-too-large");
    // Exactly 10 MiB passes.
    let mut fits = PDF.to_vec();
    fits.resize(10 * 1024 * 1024, b' ');
    let res = upload(
        &w,
        Who::ClientA,
        &order,
        "?name=fits.pdf",
        "application/pdf",
        fits,
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(posted(&w, &order).await.len(), 1);
    assert_eq!(stored_files(&w).await, 1);
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit() {
    let w = World::with_state(|s| s.attachments.max_bytes = 1024).await;
    let order = w.order().await;
    let mut first = PDF.to_vec();
    first.resize(512, b' ');
    let rest = vec![b' '; 512];
    // 1536 bytes without a declared length: refused on the third piece.
    let (status, answer) = raw_upload(
        &w,
        &order,
        "Transfer-Encoding: chunked",
        &[first.clone(), rest.clone(), rest.clone()],
    )
    .await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("payload-too-large"), "{answer}");
    assert_eq!(stored_files(&w).await, 0);
    // 1024 bytes the same way fit.
    let (status, answer) =
        raw_upload(&w, &order, "Transfer-Encoding: chunked", &[first, rest]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(posted(&w, &order).await[0]["size"], 1024);
}

#[tokio::test]
async fn anything_but_a_pdf_or_an_image_is_415_whatever_it_claims() {
    let w = World::new().await;
    let order = w.order().await;
    let cases: [(&str, &[u8]); 4] = [
        (
            "?name=invoice.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script>",
        ),
        ("?name=invoice.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"),
        ("?name=photo.png", b"\x7fELF\x02\x01\x01"),
        ("?name=empty.pdf", b""),
    ];
    for (query, bytes) in cases {
        let res = upload(
            &w,
            Who::ClientA,
            &order,
            query,
            "application/pdf",
            bytes.to_vec(),
        )
        .await;
        let body = assert_problem(res, 415, Some("body")).await;
        assert_eq!(body["type"], "/problems/unsupported-media-type");
    }
    assert!(posted(&w, &order).await.is_empty());
    assert_eq!(stored_files(&w).await, 0);
}

#[tokio::test]
async fn a_retry_with_the_same_message_id_posts_once_and_another_file_under_it_is_409() {
    let w = World::new().await;
    let order = w.order().await;
    let message_id = uuid::Uuid::new_v4();
    let query = format!("?name=a.pdf&message_id={message_id}");
    let first: Value = upload(
        &w,
        Who::ClientA,
        &order,
        &query,
        "application/pdf",
        PDF.to_vec(),
    )
    .await
    .json()
    .await
    .expect("json");
    let res = upload(
        &w,
        Who::ClientA,
        &order,
        &query,
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(res.status(), 201);
    let again: Value = res.json().await.expect("json");
    assert_eq!(again, first);
    assert_ne!(
        first["id"],
        message_id.to_string(),
        "the message id is derived from the caller's key, never the key itself"
    );
    assert_eq!(posted(&w, &order).await.len(), 1);

    let res = upload(&w, Who::ClientA, &order, &query, "image/png", PNG.to_vec()).await;
    assert_problem(res, 409, Some("message_id")).await;
    assert_eq!(posted(&w, &order).await.len(), 1);
    assert_eq!(stored_files(&w).await, 1);
}

#[tokio::test]
async fn bad_query_values_name_their_field() {
    let w = World::new().await;
    let order = w.order().await;
    let long_caption = format!("?caption={}", "c".repeat(4001));
    for (query, field) in [
        ("?message_id=nope", "message_id"),
        ("?name=a%01b.pdf", "name"),
        (long_caption.as_str(), "caption"),
    ] {
        let res = upload(
            &w,
            Who::ClientA,
            &order,
            query,
            "application/pdf",
            PDF.to_vec(),
        )
        .await;
        assert_problem(res, 422, Some(field)).await;
    }
    let res = upload(&w, Who::ClientA, "42", "", "application/pdf", PDF.to_vec()).await;
    assert_problem(res, 422, Some("id")).await;
    assert!(posted(&w, &order).await.is_empty());
}

#[tokio::test]
async fn after_completion_only_an_admin_posts_files() {
    let w = World::new().await;
    let order = w.taken_order().await;
    for who in [Who::Winner, Who::ClientA] {
        let res = w
            .post_as(
                who,
                &format!("/api/v1/commands/orders/{order}/complete"),
                None,
            )
            .await;
        assert_eq!(res.status(), 204);
    }
    let res = upload(
        &w,
        Who::ClientA,
        &order,
        "",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_rule(res, "order_completed").await;
    let res = upload(&w, Who::Admin, &order, "", "application/pdf", PDF.to_vec()).await;
    assert_eq!(res.status(), 201);
    assert_eq!(posted(&w, &order).await.len(), 1);
}
