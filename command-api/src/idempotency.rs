//! `Idempotency-Key` on every POST that moves money (DESIGN §8).
//!
//! The [`layer`] reads the key and the body, answers a repeat from the stored
//! answer (`Idempotent-Replayed: true`; another body under the same key is
//! 422) and otherwise hands the handler an [`IdempotencyKey`]. The handler
//! derives the ids of what it creates from (caller, key) with
//! [`IdempotencyKey::derive`] and stores its answer with
//! [`IdempotencyKey::answer`] **in the same transaction as its events**, so
//! a request costs one commit and there is no moment where the effect is
//! stored and its answer is not (or the reverse):
//! - a retry after a lost answer finds the stored one;
//! - a retry after a crash before the commit finds nothing and runs again,
//!   harmlessly: nothing had committed;
//! - concurrent duplicates derive the same ids, so the streams' optimistic
//!   checks and transfer-id dedupe let exactly one effect through, and each
//!   answers the same body.
//!
//! Refusals (4xx) store nothing: nothing happened, so the key stays free.
//! Keys are per account and may be reused after a day.

use crate::{ApiError, AppState};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use platform::{Caller, Problem};
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{Statement, UnitOfWork};
use uuid::Uuid;

/// The request header.
pub static KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed answer.
pub static REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest accepted key.
pub const MAX_KEY_LEN: usize = 255;

/// The caller's key for this request, with the hash of what it asked.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    account: Uuid,
    key: String,
    request_hash: Vec<u8>,
}

impl IdempotencyKey {
    /// An id for what this request creates, the same on every retry with
    /// this key by this caller: UUID v5 of the account, the key and `purpose`.
    pub fn derive(&self, purpose: &str) -> Uuid {
        let name = format!("{}\n{purpose}", self.key);
        Uuid::new_v5(&self.account, name.as_bytes())
    }

    /// Stores `body` as the answer to this key inside `unit`: it commits with
    /// the handler's events or not at all.
    pub fn answer<T: Serialize>(
        &self,
        unit: &mut UnitOfWork,
        status: StatusCode,
        body: Option<&T>,
    ) -> Result<(), ApiError> {
        let (content_type, bytes) = match body {
            Some(body) => (
                Some("application/json".to_owned()),
                serde_json::to_vec(body).map_err(ApiError::internal)?,
            ),
            None => (None, Vec::new()),
        };
        // A concurrent duplicate that committed first stored the same answer
        // (same key, same derived ids): keep it.
        unit.also(
            Statement::new(
                "INSERT INTO idempotency_keys \
                   (account_id, key, request_hash, state, response_status, response_type, response_body) \
                 VALUES ($1, $2, $3, 'done', $4, $5, $6) \
                 ON CONFLICT (account_id, key) DO UPDATE \
                   SET request_hash = EXCLUDED.request_hash, state = 'done', \
                       response_status = EXCLUDED.response_status, \
                       response_type = EXCLUDED.response_type, \
                       response_body = EXCLUDED.response_body, created_at = now() \
                 WHERE idempotency_keys.created_at < now() - interval '1 day'",
            )
            .bind(self.account)
            .bind(self.key.clone())
            .bind(self.request_hash.clone())
            .bind(i16::try_from(status.as_u16()).unwrap_or(500))
            .bind(content_type)
            .bind(bytes),
        );
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<IdempotencyKey>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route lacks the idempotency layer"))
    }
}

fn key_of(req: &Request) -> Result<String, ApiError> {
    let raw = req
        .headers()
        .get(&KEY_HEADER)
        .ok_or(ApiError::IdempotencyKey("is required on this request"))?;
    let key = raw
        .to_str()
        .map_err(|_| ApiError::IdempotencyKey("must be visible ASCII"))?
        .trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(ApiError::IdempotencyKey("must be 1 to 255 characters"));
    }
    Ok(key.to_owned())
}

type Stored = (Vec<u8>, Option<i16>, Option<String>, Option<Vec<u8>>);

/// Middleware requiring `Idempotency-Key` on the routes it wraps.
pub async fn layer(
    State(state): State<AppState>,
    caller: Caller,
    req: Request,
    next: Next,
) -> Response {
    match run(state, caller, req, next).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn run(
    state: AppState,
    caller: Caller,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let key = key_of(&req)?;
    let (mut parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, state.http.body_limit_bytes)
        .await
        .map_err(|_| {
            ApiError::from(
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "Payload too large",
                )
                .with_detail("the request body exceeds the limit"),
            )
        })?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hasher.finalize().to_vec();
    let account = caller.account_id.as_uuid();

    let stored: Option<Stored> = sqlx::query_as(
        "SELECT request_hash, response_status, response_type, response_body \
           FROM idempotency_keys \
          WHERE account_id = $1 AND key = $2 AND state = 'done' \
            AND created_at >= now() - interval '1 day'",
    )
    .bind(account)
    .bind(&key)
    .fetch_optional(&state.pool)
    .await?;
    match stored {
        Some((hash, _, _, _)) if hash != request_hash => Err(ApiError::IdempotencyMismatch),
        Some((_, status, content_type, body)) => Ok(replay(
            status.unwrap_or(200),
            content_type,
            body.unwrap_or_default(),
        )),
        None => {
            parts.extensions.insert(IdempotencyKey {
                account,
                key,
                request_hash,
            });
            Ok(next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await)
        }
    }
}

fn replay(status: i16, content_type: Option<String>, body: Vec<u8>) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = (status, body).into_response();
    if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    res.headers_mut()
        .insert(REPLAYED_HEADER.clone(), HeaderValue::from_static("true"));
    res
}
