//! `GET /api/v1/events/stream`: server-sent events for the caller.
//!
//! `event: <kind>` with the resource's JSON as `data` (`subscription`,
//! `order`, `message`, `wallet`, `complaint`), `event: resync` when changes
//! may have been missed (refetch), and a `: keep-alive` comment every 15 s.
//! The caller is the bearer of the `Authorization` header, or, for a
//! browser's EventSource (which cannot send headers), of a one-time
//! `?ticket=` ([`super::tickets`]); access tokens are never taken from the
//! URL, where proxies log them. The stream ends when the access token
//! expires (reconnect with a fresh one), when the caller's account is
//! blocked, and when the server shuts down. A replica holds a bounded number
//! of streams per account and in all ([`super::limits`]).

use super::auth::{Authenticated, authenticate};
use super::limits::Slot;
use super::tickets::{self, Spent};
use super::{Delivery, EventHub};
use crate::error::ApiError;
use crate::openapi::ProblemDoc;
use crate::page::parse_query;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use platform::blocklist::Blocked;
use platform::{Blocklist, Caller, Problem};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The keep-alive interval.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The caller of the header, else of the ticket (spent here), with when the
/// stream must end.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<(Caller, DateTime<Utc>), ApiError> {
    if let Some(Authenticated {
        caller,
        token_expires,
    }) = authenticate(state, headers).await?
    {
        return Ok((caller, token_expires));
    }
    let mut query = parse_query(query, &["ticket", "access_token"])?;
    if query.contains_key("access_token") {
        return Err(Problem::unauthorized(
            "access tokens are not taken from the URL (proxies log it): send `Authorization: Bearer`, \
             or open the stream with a ticket from `POST /api/v1/events/tickets`",
        )
        .into());
    }
    let ticket = query.remove("ticket").ok_or_else(|| {
        Problem::unauthorized(
            "an `Authorization: Bearer` header or a `ticket` (from `POST /api/v1/events/tickets`) is required",
        )
    })?;
    let Spent {
        caller,
        stream_until,
    } = tickets::spend(&state.pool, &ticket)
        .await?
        .ok_or_else(|| Problem::unauthorized("the ticket is unknown, spent or expired"))?;
    state.blocklist.check(caller.account_id).await?;
    Ok((caller, stream_until))
}

struct Connection {
    caller: Caller,
    // Held for as long as the body stream lives.
    _slot: Slot,
    rx: broadcast::Receiver<Arc<Delivery>>,
    closing: watch::Receiver<bool>,
    blocked: watch::Receiver<Blocked>,
    expires: tokio::time::Instant,
}

impl Drop for Connection {
    fn drop(&mut self) {
        metrics::gauge!("read_api_sse_connections").decrement(1.0);
    }
}

fn event(d: &Delivery) -> Event {
    Event::default().event(d.event).data(&d.data)
}

async fn next(mut c: Connection) -> Option<(Result<Event, Infallible>, Connection)> {
    loop {
        let received = tokio::select! {
            r = c.rx.recv() => r,
            _ = c.closing.wait_for(|closing| *closing) => return None,
            _ = c.blocked.wait_for(|b| b.contains(&c.caller.account_id.as_uuid())) => {
                tracing::info!(caller = %c.caller.account_id, "SSE stream closed: account blocked");
                return None;
            }
            () = tokio::time::sleep_until(c.expires) => return None,
        };
        match received {
            Ok(d) if d.audience.admits(&c.caller) => return Some((Ok(event(&d)), c)),
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, caller = %c.caller.account_id, "SSE stream fell behind; asking it to resync");
                return Some((Ok(event(&Delivery::resync())), c));
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

/// Subscribes now, so nothing published after the answer starts is missed.
fn open(
    hub: &EventHub,
    blocklist: &Blocklist,
    caller: Caller,
    slot: Slot,
    expires: tokio::time::Instant,
) -> impl Stream<Item = Result<Event, Infallible>> + use<> {
    metrics::gauge!("read_api_sse_connections").increment(1.0);
    let conn = Connection {
        caller,
        _slot: slot,
        rx: hub.subscribe(),
        closing: hub.closing(),
        blocked: blocklist.subscribe(),
        expires,
    };
    futures_util::stream::unfold(conn, next)
}

/// Live changes the caller may see, as server-sent events.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "events",
    params(("ticket" = Option<String>, Query, description = "A one-time ticket from `POST /api/v1/events/tickets`, for clients that cannot send the `Authorization` header (EventSource); spent by this request. Access tokens are never taken from the URL.")),
    responses((status = 200, content_type = "text/event-stream",
               description = "`event: subscription|order|message|wallet|complaint` with the resource's JSON as `data`; `event: resync` (refetch); `: keep-alive` every 15 s. Ends when the access token (the ticket's, or the header's) expires."),
              (status = 400, description = "a query parameter other than `ticket`", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, description = "no header and no ticket, an invalid token, or a ticket unknown, spent or expired", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "the account is blocked (`rule: account_blocked`)", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 429, description = "the account has `HUB_EVENTS__MAX_PER_ACCOUNT` streams open on this replica, or the replica `HUB_EVENTS__MAX_TOTAL`; `Retry-After` says when to try again (with a fresh ticket)", body = ProblemDoc, content_type = "application/problem+json",
               headers(("Retry-After" = u64, description = "seconds")))),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    state.streams.has_room()?;
    let (caller, until) = caller(&state, &headers, query.as_deref()).await?;
    let slot = state.streams.take(caller.account_id.as_uuid())?;
    let left = (until - Utc::now()).to_std().unwrap_or_default();
    let expires = tokio::time::Instant::now() + left;
    tracing::debug!(caller = %caller.account_id, "SSE stream opened");
    Ok(
        Sse::new(open(&state.events, &state.blocklist, caller, slot, expires))
            .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")),
    )
}
