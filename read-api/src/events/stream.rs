//! `GET /api/v1/events/stream`: server-sent events for the caller.
//!
//! `event: <kind>` with the resource's JSON as `data` (`subscription`,
//! `order`, `message`, `wallet`, `complaint`), `event: resync` when changes
//! may have been missed (refetch), and a `: keep-alive` comment every 15 s.
//! The stream ends when the access token expires (reconnect with a fresh
//! one), when the caller's account is blocked, and when the server shuts down.

use super::{Delivery, EventHub};
use crate::openapi::ProblemDoc;
use crate::page::parse_query;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use platform::blocklist::Blocked;
use platform::{Blocklist, Caller, Problem};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The keep-alive interval.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The bearer token from the header, else from `?access_token=` (EventSource cannot send headers).
fn token(headers: &HeaderMap, query: Option<&str>) -> Result<String, Problem> {
    if let Some(raw) = headers.get(header::AUTHORIZATION) {
        return raw
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned())
            .ok_or_else(|| Problem::unauthorized("expected `Authorization: Bearer <token>`"));
    }
    parse_query(query, &["access_token"])?
        .remove("access_token")
        .ok_or_else(|| {
            Problem::unauthorized("an access token is required (header or `access_token`)")
        })
}

struct Connection {
    caller: Caller,
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
    expires: tokio::time::Instant,
) -> impl Stream<Item = Result<Event, Infallible>> + use<> {
    metrics::gauge!("read_api_sse_connections").increment(1.0);
    let conn = Connection {
        caller,
        rx: hub.subscribe(),
        closing: hub.closing(),
        blocked: blocklist.subscribe(),
        expires,
    };
    futures_util::stream::unfold(conn, next)
}

/// Live changes the caller may see, as server-sent events.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "events",
    params(("access_token" = Option<String>, Query, description = "The access token, when the `Authorization` header cannot be sent (EventSource)")),
    responses((status = 200, content_type = "text/event-stream",
               description = "`event: subscription|order|message|wallet|complaint` with the resource's JSON as `data`; `event: resync` (refetch); `: keep-alive` every 15 s. Ends when the token expires."),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "the account is blocked (`rule: account_blocked`)", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let token = token(&headers, query.as_deref())?;
    let claims = state
        .tokens
        .verify(&token)
        .map_err(|e| Problem::unauthorized(e.to_string()))?;
    let caller = Caller {
        account_id: domain::AccountId::from(claims.sub),
        role: claims.role,
    };
    state.blocklist.check(caller.account_id).await?;
    let left =
        u64::try_from(claims.exp.saturating_sub(chrono::Utc::now().timestamp())).unwrap_or(0);
    let expires = tokio::time::Instant::now() + Duration::from_secs(left);
    tracing::debug!(caller = %caller.account_id, "SSE stream opened");
    Ok(
        Sse::new(open(&state.events, &state.blocklist, caller, expires))
            .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")),
    )
}
