//! The files posted into an order's chat, for its client, its provider and
//! admins; anyone else gets the 404 of a file that does not exist.
//!
//! A file is served as a download of the kind told from its bytes when it
//! was stored, with `nosniff` and a sandboxing CSP, so a browser never runs
//! what someone uploaded.

use crate::access::{self, ORDER_VISIBLE, PARTIES_AND_ADMINS};
use crate::error::ApiResult;
use crate::openapi::ProblemDoc;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::AttachmentId;
use platform::{Caller, Problem};
use uuid::Uuid;

/// `{id}` and `{attachment_id}` of the path; anything but UUIDs is a 400
/// naming the parameter.
fn ids(raw: &(String, String)) -> Result<(Uuid, Uuid), Problem> {
    let parse = |value: &str, field: &str| {
        value.parse::<Uuid>().map_err(|_| {
            Problem::bad_request(format!("path parameter `{field}`: not a UUID"))
                .with_field(field, "not a UUID")
        })
    };
    Ok((parse(&raw.0, "id")?, parse(&raw.1, "attachment_id")?))
}

/// A file of the order's chat, as a download.
#[utoipa::path(get, path = "/api/v1/orders/{id}/attachments/{attachment_id}", tag = "orders",
    params(("id" = Uuid, Path, description = "The order"),
           ("attachment_id" = Uuid, Path, description = "The file (a message's `attachment.id`)")),
    responses((status = 200, description = "The file's bytes, with the kind told from them when it was posted \
                                            (`application/pdf`, `image/png`, `image/jpeg`, `image/gif` or `image/webp`), \
                                            `Content-Disposition: attachment` with its name (RFC 6266), \
                                            and `X-Content-Type-Options: nosniff`",
               content_type = "application/octet-stream", body = Vec<u8>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, description = "no such file in an order of the caller", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, raw), fields(caller = %caller.account_id))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    raw: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Response> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let Path(raw) = raw.map_err(|e| Problem::bad_request(e.body_text()))?;
    let (order_id, attachment_id) = ids(&raw)?;
    // The chat names the file (so it was posted, not only stored) in an
    // order the caller may see.
    let sql = format!(
        "SELECT m.attachment_name FROM read.order_messages m \
           JOIN read.orders o ON o.id = m.order_id \
         WHERE m.order_id = $3 AND m.attachment_id = $4 AND {ORDER_VISIBLE} LIMIT 1"
    );
    let name: Option<String> = sqlx::query_scalar(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(access::is_admin(&caller))
        .bind(order_id)
        .bind(attachment_id)
        .fetch_optional(&state.pool)
        .await?;
    let Some(name) = name else {
        return Err(Problem::not_found().into());
    };
    let file = state
        .files
        .get(AttachmentId::from(attachment_id))
        .await?
        .filter(|f| f.order_id.as_uuid() == order_id)
        .ok_or_else(Problem::not_found)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                file.content_type.media_type().to_owned(),
            ),
            (header::CONTENT_LENGTH, file.bytes.len().to_string()),
            (header::CONTENT_DISPOSITION, content_disposition(&name)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            (header::CACHE_CONTROL, "private, max-age=0".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}

/// `attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<name>`
/// (RFC 6266 with RFC 8187's encoding): every client gets a safe name,
/// those that read `filename*` get the real one.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        // RFC 8187 attr-char: sent as is; every other byte is %XX.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn a_name_is_given_ascii_safe_and_utf8_encoded() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            content_disposition("Акт №1.pdf"),
            "attachment; filename=\"___ _1.pdf\"; \
             filename*=UTF-8''%D0%90%D0%BA%D1%82%20%E2%84%961.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c;d%e.png"),
            "attachment; filename=\"a_b_c;d%e.png\"; filename*=UTF-8''a%22b%5Cc%3Bd%25e.png"
        );
    }
}
