//! Who opens a stream or asks for a ticket: the access token in the
//! `Authorization` header, checked as every route checks it, plus its
//! expiry (a stream ends when its token does).

use crate::state::AppState;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use platform::{Caller, Problem};

/// A verified caller from the header.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated {
    /// Who.
    pub caller: Caller,
    /// When the access token expires.
    pub token_expires: DateTime<Utc>,
}

/// The caller of `Authorization: Bearer <token>`; `None` without the header;
/// 401 for a malformed or invalid token, 403 for a blocked account.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Authenticated>, Problem> {
    let Some(raw) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = raw
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| Problem::unauthorized("expected `Authorization: Bearer <token>`"))?;
    let claims = state
        .tokens
        .verify(token)
        .map_err(|e| Problem::unauthorized(e.to_string()))?;
    let caller = Caller {
        account_id: domain::AccountId::from(claims.sub),
        role: claims.role,
    };
    state.blocklist.check(caller.account_id).await?;
    Ok(Some(Authenticated {
        caller,
        token_expires: DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
    }))
}
