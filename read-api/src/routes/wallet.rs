//! The caller's wallet: totals, history with running balance, payouts.
//!
//! Only the owner sees a wallet: every query here is keyed by the caller's
//! own account id, never by an id from the request.

use crate::error::ApiResult;
use crate::model::{Movement, MovementRow, PAYOUT_COLUMNS, Payout, PayoutRow, Wallet};
use crate::money::Money;
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams, bad_param};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use domain::Role;
use domain::ledger::LedgerAccount;
use platform::Caller;
use rust_decimal::Decimal;
use uuid::Uuid;

/// The currency of a wallet nothing has been paid into yet.
const DEFAULT_CURRENCY: &str = "RUB";

/// Who may have a wallet.
const OWNERS: &[Role] = &[Role::Client, Role::Provider];

/// Loads the wallet of `owner`; an account that never had money has an empty one.
pub async fn load(pool: &sqlx::PgPool, owner: Uuid) -> Result<Wallet, sqlx::Error> {
    let (available, in_payout, earnings, currency, in_escrow, role): (
        Decimal,
        Decimal,
        Decimal,
        String,
        Decimal,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT COALESCE(w.balance, 0), COALESCE(w.pending_payouts, 0), COALESCE(w.earnings, 0), \
                COALESCE(w.currency, $2), \
                (SELECT COALESCE(sum(s.escrow), 0) FROM read.subscriptions s WHERE s.client_id = k.id), \
                (SELECT a.role FROM read.accounts a WHERE a.account_id = k.id) \
         FROM (SELECT $1::uuid AS id) k LEFT JOIN read.wallets w ON w.account_id = k.id",
    )
    .bind(owner)
    .bind(DEFAULT_CURRENCY)
    .fetch_one(pool)
    .await?;
    Ok(Wallet {
        available: Money::new(available, &currency),
        in_escrow: Money::new(in_escrow, &currency),
        in_payout: Money::new(in_payout, &currency),
        earnings: (role.as_deref() == Some("provider")).then(|| Money::new(earnings, &currency)),
    })
}

/// The caller's own wallet (clients and providers; staff have none).
#[utoipa::path(get, path = "/api/v1/wallet", tag = "wallet",
    responses((status = 200, body = Wallet),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "staff", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id))]
pub async fn get(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Wallet>> {
    caller.require(OWNERS)?;
    Ok(Json(load(&state.pool, caller.account_id.as_uuid()).await?))
}

/// A wallet's history is its ledger postings (`read.ledger_entries`), in
/// the kinds the SPA knows; a failed payout brings its bank's reason.
const HISTORY_SQL: &str = "SELECT e.account_seq AS sequence, \
       CASE e.event_type \
         WHEN 'TopUpSettled' THEN 'top_up' \
         WHEN 'WithdrawalRequested' THEN 'withdrawal' \
         WHEN 'WithdrawalFailed' THEN 'withdrawal_failed' \
         WHEN 'WithdrawalSettled' THEN 'withdrawal_settled' \
         WHEN 'FundsMovedToEscrow' THEN 'to_escrow' \
         WHEN 'FundsCreditedFromEscrow' THEN \
           CASE WHEN e.memo LIKE 'refund%' THEN 'refund' ELSE 'earnings' END \
         ELSE e.event_type END AS kind, \
       e.amount, e.balance AS balance_after, e.currency, e.transfer_id, \
       substring(e.memo from 'escrow:([0-9a-f-]{36})')::uuid AS subscription_id, \
       p.reason, e.recorded_at AS occurred_at \
     FROM read.ledger_entries e \
     LEFT JOIN read.wallet_payouts p \
       ON e.event_type = 'WithdrawalFailed' AND p.transfer_id = e.transfer_id \
     WHERE e.account = $1 AND ($2::bigint IS NULL OR e.account_seq < $2) \
     ORDER BY e.account_seq DESC LIMIT $3";

/// Every posting to the caller's wallet (or, with `account=payout`, to its
/// withdrawals on their way to the bank), newest first, each with the
/// balance after it: the ledger's own entries, so the history an owner
/// sees is the one an auditor exports.
#[utoipa::path(get, path = "/api/v1/wallet/history", tag = "wallet",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100),
           ("account" = Option<String>, Query, description = "`wallet` (default) or `payout`")),
    responses((status = 200, body = Page<Movement>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "staff", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Movement>>> {
    caller.require(OWNERS)?;
    let (page, q) = PageParams::parse(query.as_deref(), &["account"])?;
    let account = match q.get("account").map(String::as_str) {
        None | Some("wallet") => LedgerAccount::Wallet(caller.account_id),
        Some("payout") => LedgerAccount::Payout(caller.account_id),
        Some(_) => return Err(bad_param("account", "expected wallet or payout").into()),
    };
    let rows: Vec<MovementRow> = sqlx::query_as(HISTORY_SQL)
        .bind(account.to_string())
        .bind(page.after.map(|c| c.sequence()))
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, MovementRow::cursor, Movement::from)))
}

/// The caller's withdrawals, newest first, with where each stands at the bank.
#[utoipa::path(get, path = "/api/v1/wallet/payouts", tag = "wallet",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Payout>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "staff", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn payouts(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Payout>>> {
    caller.require(OWNERS)?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    let sql = format!(
        "SELECT {PAYOUT_COLUMNS} FROM read.wallet_payouts \
         WHERE account_id = $1 \
           AND ($2::timestamptz IS NULL OR (requested_at, transfer_id) < ($2, $3::uuid)) \
         ORDER BY requested_at DESC, transfer_id DESC LIMIT $4"
    );
    let rows: Vec<PayoutRow> = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, PayoutRow::cursor, Payout::from)))
}
