//! The auditor's ledger: its head and invariants, and the streamed export.
//! Auditors and admins only; everyone else gets 403.

use crate::error::ApiResult;
use crate::money::Money;
use crate::openapi::ProblemDoc;
use crate::page::{bad_param, parse_query};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::Role;
use domain::ledger::LedgerAccount;
use ledger::Tables;
use ledger::export::{Format, Selection};
use platform::{Caller, Problem};
use serde::Serialize;
use utoipa::ToSchema;

/// Who reads the ledger.
pub const READERS: &[Role] = &[Role::Auditor, Role::Admin];

/// Rows per page of an export: one page is all an export holds in memory.
const EXPORT_PAGE: i64 = 2_000;

/// The ledger's head and its invariants.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerHead {
    /// Entries so far (the last `seq`).
    pub entries: i64,
    /// The last entry's hash: an export's last row must carry it.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub head_hash: String,
    /// The sum over all accounts.
    pub sum: Money,
    /// The sum is zero and no wallet, escrow or payout is below zero.
    pub balanced: bool,
    /// Wallets, escrows and payouts below zero.
    pub negative_accounts: i64,
    /// Closing documents issued.
    pub documents: i64,
}

/// The ledger's head, totals and invariants.
#[utoipa::path(get, path = "/api/v1/ledger/head", tag = "ledger",
    responses((status = 200, body = LedgerHead),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an auditor or admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id))]
pub async fn head(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<LedgerHead>> {
    caller.require(READERS)?;
    let mut db = state.pool.acquire().await?;
    let s = ledger::follower::state(&mut db, &Tables::live()).await?;
    Ok(Json(LedgerHead {
        entries: s.seq,
        head_hash: s.head_hash,
        sum: Money::new(s.total, "RUB"),
        balanced: s.total.is_zero() && s.negative_accounts == 0,
        negative_accounts: s.negative_accounts,
        documents: s.documents,
    }))
}

/// A bound of a range, or a 400 naming the parameter.
fn parse_bound(name: &str, raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, Problem> {
    ledger::export::parse_bound(raw, end_of_day)
        .ok_or_else(|| bad_param(name, "expected a date (2026-12-01) or an RFC 3339 time"))
}

/// A time range; either end may be open.
pub type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `from` and `to` of a query, checked to be in order.
pub fn parse_range(q: &std::collections::HashMap<String, String>) -> Result<Range, Problem> {
    let from = q
        .get("from")
        .map(|v| parse_bound("from", v, false))
        .transpose()?;
    let to = q
        .get("to")
        .map(|v| parse_bound("to", v, true))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(bad_param("to", "must be after `from`"));
    }
    Ok((from, to))
}

/// The file name of an export: what it holds, so downloads do not collide.
fn file_name(q: &std::collections::HashMap<String, String>, format: Format) -> String {
    let part = |k: &str| {
        q.get(k)
            .map(|v| {
                v.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect::<String>()
            })
            .unwrap_or_else(|| "all".to_owned())
    };
    format!(
        "hub-ledger-{}-{}{}.{}",
        part("from"),
        part("to"),
        q.get("account")
            .map(|a| format!("-{}", a.replace(':', "-")))
            .unwrap_or_default(),
        format.extension()
    )
}

/// The ledger's entries in commit order, streamed in keyset pages with
/// constant memory: CSV (UTF-8 with BOM, RFC 4180, the header of
/// docs/ledger.md) or JSONL. Every row carries the previous row's hash, so
/// a range verifies on its own (`hub ledger verify FILE`).
#[utoipa::path(get, path = "/api/v1/ledger/export", tag = "ledger",
    params(("from" = Option<String>, Query, description = "first day (`2026-12-01`) or RFC 3339 time, inclusive"),
           ("to" = Option<String>, Query, description = "last day (inclusive) or RFC 3339 time (exclusive)"),
           ("account" = Option<String>, Query, description = "one account: `external:bank`, `platform:fees`, `wallet:<id>`, `escrow:<id>` or `payout:<id>`"),
           ("format" = Option<String>, Query, description = "`csv` (default) or `jsonl`")),
    responses((status = 200, description = "the export", content_type = "text/csv", body = String),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an auditor or admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    caller.require(READERS)?;
    let q = parse_query(query.as_deref(), &["from", "to", "account", "format"])?;
    let (from, to) = parse_range(&q)?;
    let account = q
        .get("account")
        .map(|a| {
            LedgerAccount::parse(a).map(|a| a.to_string()).ok_or_else(|| {
                bad_param(
                    "account",
                    "expected external:bank, platform:fees, wallet:<id>, escrow:<id> or payout:<id>",
                )
            })
        })
        .transpose()?;
    let format = match q.get("format") {
        None => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| bad_param("format", "expected csv or jsonl"))?,
    };
    let selection = Selection { from, to, account };
    let tables = Tables::live();
    let span = ledger::export::span(&state.pool, &tables, &selection).await?;
    let chunks = ledger::export::stream(
        state.pool.clone(),
        tables,
        selection,
        span,
        format,
        EXPORT_PAGE,
    );
    let disposition = format!("attachment; filename=\"{}\"", file_name(&q, format));
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_as_to_ends_with_the_day() {
        let from = parse_bound("from", "2026-12-01", false).expect("day");
        let to = parse_bound("to", "2026-12-01", true).expect("day");
        assert_eq!(to - from, chrono::Duration::days(1));
        assert!(parse_bound("from", "yesterday", false).is_err());
        assert!(parse_bound("from", "2026-12-01T10:00:00+03:00", false).is_ok());
    }
}
