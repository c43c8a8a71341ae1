//! A JSON body extractor whose rejections are problems naming the field at
//! fault: malformed JSON → 400, a wrong type, unknown field, missing field or
//! invalid value → 422 with `errors: [{field, message}]`, a body over the
//! limit → 413, another media type → 415.
//!
//! Request bodies should carry `#[serde(deny_unknown_fields)]` so a
//! misspelled field is refused instead of silently ignored.

use crate::problem::{FieldError, Problem};
use axum::body::Bytes;
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON request body (or response body) in Hub's error format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Strips serde_json's " at line L column C" suffix.
fn message_of(err: &serde_json::Error) -> String {
    let s = err.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// The name inside the first pair of backticks: serde reports unknown and
/// missing fields at their parent's path, with the name only in the message.
fn backticked(msg: &str) -> Option<&str> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() || path == "." {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// Deserializes `bytes`, answering a problem that names the field at fault.
#[expect(
    clippy::result_large_err,
    reason = "built once per refused request; callers box it into their error"
)]
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => match de.end() {
            Ok(()) => Ok(v),
            Err(e) => Err(Problem::bad_request(format!(
                "malformed JSON: {}",
                message_of(&e)
            ))),
        },
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let msg = message_of(&inner);
            match inner.classify() {
                serde_json::error::Category::Data => {
                    // serde_path_to_error's path already ends with an unknown
                    // field, but stops at the parent of a missing one.
                    let field = if msg.starts_with("missing field") {
                        backticked(&msg).map_or_else(|| path.clone(), |f| join(&path, f))
                    } else if path == "." {
                        String::new()
                    } else {
                        path
                    };
                    Err(Problem::validation(vec![FieldError::new(field, msg)]))
                }
                _ => Err(Problem::bad_request(format!("malformed JSON: {msg}"))),
            }
        }
    }
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            )
            .with_detail("expected `Content-Type: application/json`"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "Payload too large",
                )
                .with_detail("the request body exceeds the limit")
            } else {
                Problem::bad_request(rej.body_text())
            }
        })?;
        from_slice(&bytes).map(Json)
    }
}

/// `Option<Json<T>>`: `None` for a request without `Content-Type` (no body
/// at all, as a browser's bodiless POST), else the body as [`Json`] reads it.
impl<T, S> OptionalFromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if req.headers().contains_key(header::CONTENT_TYPE) {
            <Self as FromRequest<S>>::from_request(req, state)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields are only deserialized")]
    struct Company {
        name: String,
        inn: domain::Inn,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields are only deserialized")]
    struct Body {
        email: String,
        age: u32,
        company: Company,
    }

    fn field_of(json: &str) -> (u16, String) {
        let p = from_slice::<Body>(json.as_bytes()).unwrap_err();
        (
            p.status,
            p.errors
                .first()
                .map(|e| e.field.clone())
                .unwrap_or_default(),
        )
    }

    #[test]
    fn malformed_json_is_400() {
        assert_eq!(field_of("{\"email\":").0, 400);
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let j = r#"{"email":"a@b.c","age":"x","company":{"name":"n","inn":"7707083893"}}"#;
        assert_eq!(field_of(j), (422, "age".into()));
    }

    #[test]
    fn an_unknown_nested_field_is_named_with_its_path() {
        let j = r#"{"email":"a@b.c","age":1,"company":{"name":"n","inn":"7707083893","x":1}}"#;
        assert_eq!(field_of(j), (422, "company.x".into()));
    }

    #[test]
    fn a_missing_field_is_named() {
        let j = r#"{"age":1,"company":{"name":"n","inn":"7707083893"}}"#;
        assert_eq!(field_of(j), (422, "email".into()));
    }

    #[test]
    fn an_invalid_value_is_named_with_the_domain_message() {
        let j = r#"{"email":"a@b.c","age":1,"company":{"name":"n","inn":"7707083890"}}"#;
        let p = from_slice::<Body>(j.as_bytes()).unwrap_err();
        assert_eq!(p.errors[0].field, "company.inn");
        assert_eq!(p.errors[0].message, "INN check digits do not match");
    }
}
