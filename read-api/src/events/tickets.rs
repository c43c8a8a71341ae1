//! `POST /api/v1/events/tickets`: a one-time ticket that opens the SSE
//! stream once. A browser's EventSource cannot send the `Authorization`
//! header, and an access token in the URL would stay in every proxy's access
//! log; a ticket there is worth nothing once spent, and nothing after about
//! 30 seconds (`HUB_EVENTS__TICKET_TTL_SECS`).
//!
//! Tickets are rows of `stream_tickets` in PostgreSQL, so "once" holds
//! across replicas: spending is one `DELETE … RETURNING`, which only one
//! request can win. The table keeps the ticket's SHA-256, never the ticket.

use super::auth::{Authenticated, authenticate};
use crate::error::{ApiError, ApiResult};
use crate::openapi::ProblemDoc;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::AccountId;
use platform::{Caller, Problem};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::future::Future;
use std::time::Duration;
use utoipa::ToSchema;

/// How often expired tickets nobody spent are deleted.
pub const PURGE_EVERY: Duration = Duration::from_secs(60);

/// A ticket for `GET /api/v1/events/stream?ticket=…`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamTicket {
    /// Opens one stream, once, before `expires_at`.
    pub ticket: String,
    /// When it stops working, spent or not.
    pub expires_at: DateTime<Utc>,
}

/// What a spent ticket stood for.
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    /// Whom the stream is for.
    pub caller: Caller,
    /// When the access token the ticket was issued for expires.
    pub stream_until: DateTime<Utc>,
}

fn digest(ticket: &str) -> Vec<u8> {
    Sha256::digest(ticket.as_bytes()).to_vec()
}

/// A one-time ticket for the stream, for the bearer of the access token.
#[utoipa::path(post, path = "/api/v1/events/tickets", tag = "events",
    responses((status = 201, body = StreamTicket,
               description = "Open `GET /api/v1/events/stream?ticket=<ticket>` before `expires_at`; the ticket works once."),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "the account is blocked (`rule: account_blocked`)", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn issue(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<StreamTicket>)> {
    let Some(Authenticated {
        caller,
        token_expires,
    }) = authenticate(&state, &headers).await?
    else {
        return Err(Problem::unauthorized("an access token is required").into());
    };
    let ticket = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let ttl = state.streams.settings().ticket_ttl;
    let expires_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO stream_tickets (ticket_hash, account_id, role, expires_at, stream_until) \
         VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5) RETURNING expires_at",
    )
    .bind(digest(&ticket))
    .bind(caller.account_id.as_uuid())
    .bind(caller.role.as_str())
    .bind(ttl.as_secs_f64())
    .bind(token_expires)
    .fetch_one(&state.pool)
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(StreamTicket { ticket, expires_at }),
    ))
}

/// Spends `ticket`: what it stood for, or `None` when it is unknown, spent
/// or expired (an expired one is deleted all the same).
pub async fn spend(pool: &PgPool, ticket: &str) -> Result<Option<Spent>, ApiError> {
    let row: Option<(uuid::Uuid, String, bool, DateTime<Utc>)> = sqlx::query_as(
        "DELETE FROM stream_tickets WHERE ticket_hash = $1 \
         RETURNING account_id, role, expires_at > now(), stream_until",
    )
    .bind(digest(ticket))
    .fetch_optional(pool)
    .await?;
    let Some((account, role, fresh, stream_until)) = row else {
        return Ok(None);
    };
    if !fresh {
        return Ok(None);
    }
    let role = role.parse().map_err(|e: String| {
        ApiError::Database(sqlx::Error::Decode(
            format!("stream_tickets.role: {e}").into(),
        ))
    })?;
    Ok(Some(Spent {
        caller: Caller {
            account_id: AccountId::from(account),
            role,
        },
        stream_until,
    }))
}

/// Deletes the expired tickets nobody spent; how many.
pub async fn purge_expired(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM stream_tickets WHERE expires_at < now()")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

/// Purges expired tickets every [`PURGE_EVERY`] until `shutdown` completes
/// (the read API's housekeeping; any number of replicas may run it).
pub async fn housekeeping(pool: PgPool, shutdown: impl Future<Output = ()>) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {}
        }
        match purge_expired(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "expired stream tickets deleted"),
            Err(error) => tracing::warn!(%error, "cannot purge expired stream tickets"),
        }
    }
}
