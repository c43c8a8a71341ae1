//! Money held in escrow right now, for the admin console.

use super::require_admin;
use crate::error::ApiResult;
use crate::money::Money;
use crate::openapi::ProblemDoc;
use crate::page::parse_query;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::Caller;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// What escrow holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EscrowTotals {
    /// Every subscription's escrow together.
    pub total: Money,
    /// Subscriptions whose escrow holds money.
    pub subscriptions: i64,
    /// The part of `total` an open complaint freezes (`filed` or `in_review`).
    pub frozen: Money,
    /// Subscriptions among `subscriptions` with an open complaint.
    pub frozen_subscriptions: i64,
}

/// The totals come from the ledger's balances (`read.ledger_accounts`,
/// accounts `escrow:<subscription>`), not from `read.subscriptions.escrow`:
/// the ledger is the money's book of record. Its follower applies the
/// events table in commit order, a whole transaction at a time, so both
/// legs of every transfer are in or neither is, and these totals add up
/// with the wallets and with what an auditor exports; the subscriptions
/// read model is fed per aggregate from the bus, and can be a transfer
/// behind or ahead of the wallets it moved money from.
const TOTALS_SQL: &str = "WITH escrow AS ( \
         SELECT account, balance FROM read.ledger_accounts \
         WHERE account LIKE 'escrow:%' AND balance <> 0), \
     frozen AS ( \
         SELECT DISTINCT 'escrow:' || subscription_id AS account FROM read.complaints \
         WHERE status IN ('filed', 'in_review')) \
     SELECT COALESCE(sum(e.balance), 0), count(*), \
            COALESCE(sum(e.balance) FILTER (WHERE f.account IS NOT NULL), 0), \
            count(f.account) \
     FROM escrow e LEFT JOIN frozen f USING (account)";

/// Money held in escrow now, and how much of it open complaints freeze. Admins only.
#[utoipa::path(get, path = "/api/v1/admin/escrow", tag = "admin",
    responses((status = 200, body = EscrowTotals),
              (status = 400, description = "a query parameter (it takes none)", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<EscrowTotals>> {
    require_admin(&caller)?;
    parse_query(query.as_deref(), &[])?;
    let (total, subscriptions, frozen, frozen_subscriptions): (Decimal, i64, Decimal, i64) =
        sqlx::query_as(TOTALS_SQL).fetch_one(&state.pool).await?;
    // The ledger keeps no currency per account; the platform has one.
    let currency = domain::Currency::RUB.to_string();
    Ok(Json(EscrowTotals {
        total: Money::new(total, &currency),
        subscriptions,
        frozen: Money::new(frozen, &currency),
        frozen_subscriptions,
    }))
}
