//! Files in an order's chat: `POST /orders/{id}/attachments` takes the raw
//! bytes of a PDF or an image, stores them, then posts them as a chat
//! message (issue [7]).
//!
//! The body is read as it streams in and refused (413) the moment it
//! passes `HUB_ATTACHMENTS__MAX_BYTES`, so no more than the limit is ever
//! held; a declared `Content-Length` over the limit is refused before
//! reading anything. The kind is told from the first bytes (415 for
//! anything but PDF, PNG, JPEG, GIF and WebP), whatever the name or the
//! `Content-Type` claim. The file is stored before the event that names it
//! is appended: a stored file no event names (a failed append) is harmless,
//! a message naming a missing file is not.

use crate::handler::{metadata, parse_id, require, run_or_refuse};
use crate::order::{order_field, visible_order};
use crate::{ApiError, AppState};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use domain::order::{AttachmentFacts, AttachmentType, OrderCommand, OrderError};
use domain::{AttachmentId, OrderId, Role};
use futures_util::StreamExt;
use platform::config::{ConfigError, Env};
use platform::{Caller, Json, Problem};
use serde::{Deserialize, Serialize};
use store::Store;
use store::attachments::{AttachmentError, NewAttachment};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The default largest file: 10 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// `HUB_ATTACHMENTS__*`: what the chat accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentSettings {
    /// `HUB_ATTACHMENTS__MAX_BYTES`, default 10 MiB (10485760): the largest
    /// file accepted; a larger one is answered 413.
    pub max_bytes: u64,
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl AttachmentSettings {
    /// Reads `HUB_ATTACHMENTS__MAX_BYTES` (at least 1).
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let max_bytes = env.parse_or("HUB_ATTACHMENTS__MAX_BYTES", DEFAULT_MAX_BYTES)?;
        if max_bytes == 0 {
            return Err(ConfigError::Invalid {
                var: "HUB_ATTACHMENTS__MAX_BYTES",
                reason: "must be at least 1".to_owned(),
            });
        }
        Ok(Self { max_bytes })
    }
}

/// The query of `POST /orders/{id}/attachments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentParams {
    /// The file name offered on download (UTF-8, percent-encoded in the
    /// query): 1 to 255 characters after any path before the last `/` or
    /// `\` is dropped; default `attachment.<ext>` of the kind found.
    pub name: Option<String>,
    /// A caption shown with the file, up to 4000 characters.
    pub caption: Option<String>,
    /// A UUID the caller chooses to make the upload retryable: the same id
    /// with the same file posts nothing new and answers the same ids; with
    /// another file it is 409. A fresh id when absent.
    pub message_id: Option<String>,
}

/// `201` body of an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentCreated {
    /// The chat message that carries the file.
    pub id: Uuid,
    /// The file, for `GET /api/v1/orders/{id}/attachments/{attachment_id}`.
    pub attachment_id: Uuid,
    /// The name offered on download.
    pub name: String,
    /// The kind told from the bytes, e.g. `application/pdf`.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// The request field an order's refusal of a file is about.
fn attachment_field(e: &OrderError) -> Option<&'static str> {
    match e {
        OrderError::InvalidAttachmentName => Some("name"),
        OrderError::InvalidCaption => Some("caption"),
        OrderError::EmptyAttachment => Some("body"),
        other => order_field(other),
    }
}

fn too_large(limit: u64) -> ApiError {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Payload too large",
    )
    .with_detail(format!("a file may have at most {limit} bytes"))
    .with_field("body", format!("larger than {limit} bytes"))
    .into()
}

fn unsupported() -> ApiError {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Unsupported media type",
    )
    .with_detail("only PDF, PNG, JPEG, GIF and WebP files are accepted, told from their bytes")
    .with_field("body", "not a PDF, PNG, JPEG, GIF or WebP file")
    .into()
}

/// The body's bytes, refused with 413 as soon as they pass `limit`.
async fn read_limited(headers: &HeaderMap, body: Body, limit: u64) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut bytes = Vec::with_capacity(
        declared
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(limit_usize),
    );
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::from(Problem::bad_request(format!(
                "the body could not be read: {e}"
            )))
        })?;
        if bytes.len().saturating_add(chunk.len()) > limit_usize {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The name to offer on download: what follows the last `/` or `\`
/// (browsers once sent whole paths), trimmed; `attachment.<ext>` when empty.
fn file_name(given: Option<&str>, kind: AttachmentType) -> String {
    let last = given
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim())
        .unwrap_or("");
    if last.is_empty() {
        format!("attachment.{}", kind.extension())
    } else {
        last.to_owned()
    }
}

/// Posts a PDF or image into the order's chat as its client, its provider or an admin.
#[utoipa::path(post, path = "/api/v1/commands/orders/{id}/attachments", tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "the order"), AttachmentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file's raw bytes, at most `HUB_ATTACHMENTS__MAX_BYTES` (10 MiB by default). \
                       Any `Content-Type` is accepted and ignored: the kind is told from the bytes."),
    security(("bearer" = [])),
    responses(
        (status = 201, body = AttachmentCreated),
        (status = 403, description = "an auditor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`message_id` already names another file", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "the file is larger than the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "not a PDF, PNG, JPEG, GIF or WebP file", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid `id`, `message_id`, `name` or `caption`, an empty file, or a rule (`order_completed`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, order.id = %id))]
pub async fn post_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    params: Result<Query<AttachmentParams>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    require(&caller, &[Role::Client, Role::Provider, Role::Admin])?;
    let order_id: OrderId = parse_id(&id, "id")?;
    let Query(params) = params.map_err(|e| ApiError::from(Problem::bad_request(e.body_text())))?;
    let message_id = crate::order::message_id_of(order_id, &caller, params.message_id.as_deref())?;
    visible_order(&state.pool, &caller, order_id).await?;

    let bytes = read_limited(&headers, body, state.attachments.max_bytes).await?;
    let content_type = AttachmentType::sniff(&bytes).ok_or_else(unsupported)?;
    let name = file_name(params.name.as_deref(), content_type);
    let size = bytes.len() as u64;
    // One caller's retry finds its own file; another caller reusing the
    // message id gets another attachment id and cannot touch this one.
    let attachment_id = AttachmentId::from(Uuid::new_v5(
        &message_id.as_uuid(),
        caller.account_id.as_uuid().as_bytes(),
    ));
    state
        .files
        .put(NewAttachment {
            id: attachment_id,
            order_id,
            uploaded_by: caller.account_id,
            content_type,
            bytes,
        })
        .await
        .map_err(|e| match e {
            AttachmentError::Conflict(_) => ApiError::from(
                Problem::conflict("this message_id was used for another file")
                    .with_field("message_id", "already used for another file"),
            ),
            other => ApiError::internal(other),
        })?;

    // A chat message carries the wall-clock time it was written.
    let at = chrono::Utc::now();
    let attachment = AttachmentFacts {
        attachment_id,
        name: name.clone(),
        content_type,
        size,
    };
    let caption = params.caption.unwrap_or_default();
    run_or_refuse(
        &Store::new(state.pool.clone()).orders(),
        &order_id.to_string(),
        || OrderCommand::PostAttachment {
            actor: caller.actor(),
            message_id,
            attachment: attachment.clone(),
            caption: caption.clone(),
            at,
        },
        &metadata(&caller),
        attachment_field,
    )
    .await?;
    tracing::info!(%message_id, %attachment_id, size, %content_type, "file posted");
    Ok((
        StatusCode::CREATED,
        Json(AttachmentCreated {
            id: message_id.as_uuid(),
            attachment_id: attachment_id.as_uuid(),
            name,
            content_type: content_type.media_type().to_owned(),
            size,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_defaults_to_ten_mebibytes_and_reads_the_environment() {
        let none = Env::from_pairs(Vec::<(String, String)>::new());
        assert_eq!(
            AttachmentSettings::load(&none).unwrap().max_bytes,
            10_485_760
        );
        assert_eq!(AttachmentSettings::default().max_bytes, 10_485_760);
        let set = Env::from_pairs([("HUB_ATTACHMENTS__MAX_BYTES", "2048")]);
        assert_eq!(AttachmentSettings::load(&set).unwrap().max_bytes, 2048);
        for bad in ["0", "ten", "-1"] {
            let env = Env::from_pairs([("HUB_ATTACHMENTS__MAX_BYTES", bad)]);
            assert!(AttachmentSettings::load(&env).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_loses_its_path_and_falls_back_to_the_kind() {
        assert_eq!(
            file_name(Some(r"C:\Users\anna\Акт.pdf"), AttachmentType::Pdf),
            "Акт.pdf"
        );
        assert_eq!(
            file_name(Some("../../etc/passwd"), AttachmentType::Png),
            "passwd"
        );
        assert_eq!(file_name(Some("  "), AttachmentType::Png), "attachment.png");
        assert_eq!(
            file_name(Some("dir/"), AttachmentType::Jpeg),
            "attachment.jpg"
        );
        assert_eq!(file_name(None, AttachmentType::Pdf), "attachment.pdf");
    }
}
