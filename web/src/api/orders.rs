//! Orders inside a subscription, their chat (with attachments) and the
//! complaints about them: wire types and one function per endpoint.

use gloo_net::http::{Method, RequestBuilder};
use serde::{Deserialize, Serialize};

use super::attachment::Attachment;
use super::client::{
    ApiError, attachment, authed, decode, encode_query_value, expect_empty, json, problem,
    refresh_after_401, with_cursor,
};
use super::types::{Created, Money, Page};
use crate::session;

/// An order: one piece of work inside a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Order {
    /// Its id.
    pub id: String,
    /// Its subscription.
    pub subscription_id: String,
    /// The subscription's client.
    pub client_id: String,
    /// The subscription's provider.
    pub provider_id: String,
    /// `one_off` or `monthly`.
    #[serde(default)]
    pub plan: String,
    /// Short title.
    pub title: String,
    /// What is to be done.
    #[serde(default)]
    pub details: String,
    /// `created`, `in_progress` or `completed`.
    pub status: String,
    /// The client said the work is done.
    #[serde(default)]
    pub client_done: bool,
    /// The provider said the work is done.
    #[serde(default)]
    pub provider_done: bool,
    /// The open complaint freezing it, if any.
    #[serde(default)]
    pub frozen_by: Option<String>,
    /// Messages in its chat.
    #[serde(default)]
    pub message_count: i64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; when the provider took it into work.
    #[serde(default)]
    pub taken_at: Option<String>,
    /// RFC 3339; when both sides said done.
    #[serde(default)]
    pub completed_at: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub updated_at: String,
}

/// A file attached to a chat message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageAttachment {
    /// Its id, for the download.
    pub id: String,
    /// The file name the uploader gave.
    pub name: String,
    /// Its media type.
    #[serde(default)]
    pub content_type: String,
    /// Bytes.
    #[serde(default)]
    pub size: u64,
}

/// A message of an order's chat.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Message {
    /// Its id.
    pub id: String,
    /// The order whose chat it is.
    pub order_id: String,
    /// Its place in the order's history (grows with time).
    #[serde(default)]
    pub sequence: i64,
    /// Who wrote it.
    pub author_id: String,
    /// `client`, `provider` or `admin`.
    pub author_role: String,
    /// The text.
    #[serde(default)]
    pub text: String,
    /// RFC 3339.
    pub posted_at: String,
    /// The file it carries, if any (older servers send no such field).
    #[serde(default)]
    pub attachment: Option<MessageAttachment>,
}

/// An amount as the API may send it: money with its currency, or a bare decimal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    /// `{amount, currency}`.
    Money(Money),
    /// `"100.00"`.
    Plain(String),
}

impl Amount {
    /// As a reader of `lang` writes it (a bare decimal is taken as roubles).
    pub fn display(&self, lang: crate::i18n::Lang) -> String {
        match self {
            Amount::Money(m) => m.display(lang),
            Amount::Plain(a) => Money {
                amount: a.clone(),
                currency: "RUB".into(),
            }
            .display(lang),
        }
    }
}

/// How an admin split a complaint's escrow (the nested form of the answer).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Resolution {
    /// Back to the client.
    pub to_client: Amount,
    /// To the provider.
    pub to_provider: Amount,
    /// The admin's note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A complaint about an order as its parties see it. The outcome may come
/// nested (`resolution`) or flat (`to_client`, `to_provider`, `resolution_note`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Complaint {
    /// Its id.
    pub id: String,
    /// The order complained about.
    #[serde(default)]
    pub order_id: Option<String>,
    /// `filed`, `in_review`, `resolved` or `withdrawn`.
    pub status: String,
    /// Why.
    pub reason: String,
    /// `client` or `provider`.
    #[serde(default)]
    pub filed_by_role: String,
    /// The split, nested.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// Back to the client, flat.
    #[serde(default)]
    pub to_client: Option<Amount>,
    /// To the provider, flat.
    #[serde(default)]
    pub to_provider: Option<Amount>,
    /// The admin's note, flat.
    #[serde(default)]
    pub resolution_note: Option<String>,
    /// RFC 3339.
    pub filed_at: String,
    /// RFC 3339; when resolved or withdrawn.
    #[serde(default)]
    pub closed_at: Option<String>,
}

impl Complaint {
    /// Still waiting for an admin (or a withdrawal).
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "filed" | "in_review")
    }

    /// The split and the note, once resolved, whichever form the answer took.
    pub fn outcome(&self) -> Option<(Amount, Amount, Option<String>)> {
        if let Some(r) = &self.resolution {
            return Some((r.to_client.clone(), r.to_provider.clone(), r.note.clone()));
        }
        match (&self.to_client, &self.to_provider) {
            (Some(c), Some(p)) => Some((c.clone(), p.clone(), self.resolution_note.clone())),
            _ => None,
        }
    }
}

/// A list answered either bare or as a page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum ListOf<T> {
    Page(Page<T>),
    Bare(Vec<T>),
}

/// Body of `POST /commands/subscriptions/{id}/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOrder {
    /// 1 to 200 characters.
    pub title: String,
    /// Up to 10 000 characters.
    pub details: String,
}

fn order_command(order_id: &str, action: &str) -> String {
    format!(
        "/api/v1/commands/orders/{}/{action}",
        encode_query_value(order_id)
    )
}

/// `GET /subscriptions/{id}/orders`, newest first.
pub async fn subscription_orders(
    subscription_id: &str,
    cursor: Option<&str>,
) -> Result<Page<Order>, ApiError> {
    let path = with_cursor(
        &format!(
            "/api/v1/subscriptions/{}/orders",
            encode_query_value(subscription_id)
        ),
        cursor,
    );
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /orders/{id}`.
pub async fn order(id: &str) -> Result<Order, ApiError> {
    let path = format!("/api/v1/orders/{}", encode_query_value(id));
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /orders/{id}/messages`: newest first, a page at a time.
pub async fn messages(order_id: &str, cursor: Option<&str>) -> Result<Page<Message>, ApiError> {
    let path = with_cursor(
        &format!("/api/v1/orders/{}/messages", encode_query_value(order_id)),
        cursor,
    );
    decode(authed(Method::GET, &path, None).await?).await
}

/// `GET /orders/{id}/complaints`: every complaint about the order.
pub async fn complaints(order_id: &str) -> Result<Vec<Complaint>, ApiError> {
    let path = format!("/api/v1/orders/{}/complaints", encode_query_value(order_id));
    let list: ListOf<Complaint> = decode(authed(Method::GET, &path, None).await?).await?;
    Ok(match list {
        ListOf::Page(p) => p.items,
        ListOf::Bare(v) => v,
    })
}

/// `POST /commands/subscriptions/{id}/orders` (client) → the new order's id.
pub async fn create_order(subscription_id: &str, req: &NewOrder) -> Result<String, ApiError> {
    let path = format!(
        "/api/v1/commands/subscriptions/{}/orders",
        encode_query_value(subscription_id)
    );
    let created: Created = decode(authed(Method::POST, &path, Some(json(req)?)).await?).await?;
    Ok(created.id)
}

/// `POST /commands/orders/{id}/take` (provider).
pub async fn take(order_id: &str) -> Result<(), ApiError> {
    expect_empty(authed(Method::POST, &order_command(order_id, "take"), None).await?).await
}

/// `POST /commands/orders/{id}/complete`: the caller's side says the work is done.
pub async fn mark_done(order_id: &str) -> Result<(), ApiError> {
    expect_empty(authed(Method::POST, &order_command(order_id, "complete"), None).await?).await
}

/// `POST /commands/orders/{id}/messages` → the message's id.
/// `message_id` is the caller's key of this message, the same on every retry,
/// so a post whose answer was lost is not recorded twice.
pub async fn post_message(
    order_id: &str,
    message_id: &str,
    text: &str,
) -> Result<String, ApiError> {
    let body = serde_json::json!({ "text": text, "message_id": message_id });
    let created: Created = decode(
        authed(
            Method::POST,
            &order_command(order_id, "messages"),
            Some(body),
        )
        .await?,
    )
    .await?;
    Ok(created.id)
}

/// `POST /commands/orders/{id}/complaints` → the complaint's id.
pub async fn file_complaint(order_id: &str, reason: &str) -> Result<String, ApiError> {
    let body = serde_json::json!({ "reason": reason });
    let created: Created = decode(
        authed(
            Method::POST,
            &order_command(order_id, "complaints"),
            Some(body),
        )
        .await?,
    )
    .await?;
    Ok(created.id)
}

/// `POST /commands/complaints/{id}/withdraw`.
pub async fn withdraw_complaint(complaint_id: &str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/commands/complaints/{}/withdraw",
        encode_query_value(complaint_id)
    );
    expect_empty(authed(Method::POST, &path, None).await?).await
}

/// `POST /commands/orders/{id}/attachments?name=`: the file itself as the
/// body. The message carrying it comes on the stream like any other.
pub async fn upload_attachment(
    order_id: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<(), ApiError> {
    let path = format!(
        "{}?name={}",
        order_command(order_id, "attachments"),
        encode_query_value(name)
    );
    let send = |token: String| {
        let body = js_sys::Uint8Array::from(bytes);
        let request = RequestBuilder::new(&path)
            .method(Method::POST)
            .header("Accept", "application/json")
            .header("Content-Type", content_type)
            .header("Authorization", &format!("Bearer {token}"))
            .body(body);
        async move {
            request
                .map_err(|_| ApiError::Network)?
                .send()
                .await
                .map_err(|_| ApiError::Network)
        }
    };
    let Some(s) = session::current() else {
        return Err(ApiError::Unauthorized);
    };
    let mut resp = send(s.access_token.clone()).await?;
    if resp.status() == 401 {
        refresh_after_401(&s.access_token).await?;
        let Some(s) = session::current() else {
            return Err(ApiError::Unauthorized);
        };
        resp = send(s.access_token).await?;
        if resp.status() == 401 {
            session::clear();
            return Err(ApiError::Unauthorized);
        }
    }
    if resp.ok() {
        Ok(())
    } else {
        Err(problem(resp).await)
    }
}

/// `GET /orders/{id}/attachments/{attachment_id}`: the file, for saving.
pub async fn download_attachment(
    order_id: &str,
    attachment_id: &str,
) -> Result<Attachment, ApiError> {
    let path = format!(
        "/api/v1/orders/{}/attachments/{}",
        encode_query_value(order_id),
        encode_query_value(attachment_id)
    );
    attachment(&path, "*/*").await
}

/// Largest file the server takes.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// Why a file may not be sent, before sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    /// Over [`MAX_ATTACHMENT_BYTES`].
    TooLarge,
    /// Neither a PDF nor an image.
    WrongType,
    /// Empty.
    Empty,
}

/// The server's rules for a chat file, checked before the upload: a PDF or an
/// image of at most 10 MiB. The type comes from the browser, else the name.
pub fn precheck_file(name: &str, content_type: &str, size: u64) -> Result<String, FileRefusal> {
    if size == 0 {
        return Err(FileRefusal::Empty);
    }
    if size > MAX_ATTACHMENT_BYTES {
        return Err(FileRefusal::TooLarge);
    }
    let lower = name.to_ascii_lowercase();
    let by_name = [
        (".pdf", "application/pdf"),
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".gif", "image/gif"),
        (".webp", "image/webp"),
    ]
    .iter()
    .find(|(ext, _)| lower.ends_with(ext))
    .map(|(_, ct)| ct.to_string());
    let kind = if content_type.is_empty() {
        by_name.unwrap_or_default()
    } else {
        content_type.to_ascii_lowercase()
    };
    if kind == "application/pdf" || kind.starts_with("image/") {
        Ok(kind)
    } else {
        Err(FileRefusal::WrongType)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_and_images_up_to_ten_mib_pass() {
        assert_eq!(
            precheck_file("a.pdf", "application/pdf", 10).as_deref(),
            Ok("application/pdf")
        );
        assert_eq!(
            precheck_file("scan.JPG", "", MAX_ATTACHMENT_BYTES).as_deref(),
            Ok("image/jpeg")
        );
    }

    #[test]
    fn other_types_big_and_empty_files_are_refused() {
        assert_eq!(
            precheck_file("a.txt", "text/plain", 10),
            Err(FileRefusal::WrongType)
        );
        assert_eq!(precheck_file("a.bin", "", 10), Err(FileRefusal::WrongType));
        assert_eq!(
            precheck_file("a.pdf", "application/pdf", MAX_ATTACHMENT_BYTES + 1),
            Err(FileRefusal::TooLarge)
        );
        assert_eq!(
            precheck_file("a.pdf", "application/pdf", 0),
            Err(FileRefusal::Empty)
        );
    }

    #[test]
    fn a_message_without_the_attachment_field_reads() {
        let m: Message = serde_json::from_str(
            r#"{"id":"m","order_id":"o","sequence":3,"author_id":"a","author_role":"client","text":"hi","posted_at":"2026-11-01T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(m.attachment, None);
        let m: Message = serde_json::from_str(
            r#"{"id":"m","order_id":"o","sequence":3,"author_id":"a","author_role":"client","text":"","posted_at":"2026-11-01T10:00:00Z","attachment":{"id":"f","name":"a.pdf","content_type":"application/pdf","size":12}}"#,
        )
        .unwrap();
        assert_eq!(m.attachment.map(|a| a.name).as_deref(), Some("a.pdf"));
    }

    #[test]
    fn complaint_outcomes_read_nested_and_flat() {
        let nested: Complaint = serde_json::from_str(
            r#"{"id":"c","status":"resolved","reason":"late work","filed_by_role":"client","filed_at":"x",
                "resolution":{"to_client":{"amount":"100.00","currency":"RUB"},"to_provider":{"amount":"50.00","currency":"RUB"},"note":"split"}}"#,
        )
        .unwrap();
        let (c, p, note) = nested.outcome().unwrap();
        assert_eq!(
            c,
            Amount::Money(Money {
                amount: "100.00".into(),
                currency: "RUB".into()
            })
        );
        assert_eq!(
            p,
            Amount::Money(Money {
                amount: "50.00".into(),
                currency: "RUB".into()
            })
        );
        assert_eq!(note.as_deref(), Some("split"));
        let flat: Complaint = serde_json::from_str(
            r#"{"id":"c","status":"resolved","reason":"late work","filed_by_role":"client","filed_at":"x",
                "to_client":"10.00","to_provider":{"amount":"5.00","currency":"RUB"},"resolution_note":null,"notes":[]}"#,
        )
        .unwrap();
        let (c, _, note) = flat.outcome().unwrap();
        assert_eq!(c, Amount::Plain("10.00".into()));
        assert_eq!(note, None);
        assert!(!flat.is_open());
    }

    #[test]
    fn complaint_lists_read_bare_and_paged() {
        let c = r#"{"id":"c","status":"filed","reason":"late work","filed_at":"x"}"#;
        let bare: ListOf<Complaint> = serde_json::from_str(&format!("[{c}]")).unwrap();
        let paged: ListOf<Complaint> =
            serde_json::from_str(&format!(r#"{{"items":[{c}],"next_cursor":null}}"#)).unwrap();
        assert!(matches!(bare, ListOf::Bare(v) if v.len() == 1));
        assert!(matches!(paged, ListOf::Page(p) if p.items.len() == 1));
    }
}
