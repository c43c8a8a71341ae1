//! `Idempotency-Key` for POSTs that move money.
//!
//! Wrap such routes with [`layer`]:
//!
//! ```ignore
//! Router::new()
//!     .route("/wallet/top-ups", post(top_up))
//!     .route_layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer))
//! ```
//!
//! The first request with a key claims it (`INSERT .. ON CONFLICT DO
//! NOTHING`, state `pending`), runs, and stores its answer. A later request
//! with the same key and body gets that answer again (`Idempotent-Replayed:
//! true`) without a second effect; with another body, 422. One arriving while
//! the first still runs waits for its answer (up to [`WAIT`]), then gets 409.
//! Keys are per account and expire after a day. Answers of 5xx and 409 are
//! not stored: nothing happened, so the client may retry with the same key.

use crate::{ApiError, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use platform::{Caller, Problem};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The request header.
pub static KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed answer.
pub static REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long a duplicate waits for the first request's answer.
pub const WAIT: Duration = Duration::from_secs(10);
/// Longest accepted key.
pub const MAX_KEY_LEN: usize = 255;

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

type Stored = (
    Vec<u8>,
    String,
    Option<i16>,
    Option<String>,
    Option<Vec<u8>>,
);

/// Middleware enforcing `Idempotency-Key` on the routes it wraps.
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
    let (parts, body) = req.into_parts();
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
    let account: Uuid = caller.account_id.as_uuid();

    let deadline = Instant::now() + WAIT;
    loop {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (account_id, key, request_hash) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, key) DO UPDATE \
               SET request_hash = EXCLUDED.request_hash, state = 'pending', response_status = NULL, \
                   response_type = NULL, response_body = NULL, created_at = now() \
             WHERE idempotency_keys.created_at < now() - interval '1 day'",
        )
        .bind(account)
        .bind(&key)
        .bind(&request_hash)
        .execute(&state.pool)
        .await?
        .rows_affected()
            == 1;
        if claimed {
            let req = Request::from_parts(parts, Body::from(bytes));
            // Spawned: once the effect runs, its answer must be stored even
            // if the client hangs up or the request times out.
            return platform::request_id::spawn(first_run(state, account, key, req, next)).await?;
        }
        let row: Option<Stored> = sqlx::query_as(
            "SELECT request_hash, state, response_status, response_type, response_body \
             FROM idempotency_keys WHERE account_id = $1 AND key = $2",
        )
        .bind(account)
        .bind(&key)
        .fetch_optional(&state.pool)
        .await?;
        match row {
            // Released by a failed first run: claim it again.
            None => continue,
            Some((hash, _, _, _, _)) if hash != request_hash => {
                return Err(ApiError::IdempotencyMismatch);
            }
            Some((_, st, Some(status), content_type, body)) if st == "done" => {
                return Ok(replay(status, content_type, body.unwrap_or_default()));
            }
            Some(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Some(_) => return Err(ApiError::IdempotencyInProgress),
        }
    }
}

async fn first_run(
    state: AppState,
    account: Uuid,
    key: String,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let res = next.run(req).await;
    let status = res.status();
    if status.is_server_error() || status == StatusCode::CONFLICT {
        sqlx::query("DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2")
            .bind(account)
            .bind(&key)
            .execute(&state.pool)
            .await?;
        return Ok(res);
    }
    let (parts, body) = res.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(ApiError::internal)?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_type = $4, \
         response_body = $5 WHERE account_id = $1 AND key = $2",
    )
    .bind(account)
    .bind(&key)
    .bind(i16::try_from(status.as_u16()).unwrap_or(500))
    .bind(content_type)
    .bind(bytes.to_vec())
    .execute(&state.pool)
    .await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
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
