//! The caller's wallet.

use crate::error::ApiResult;
use crate::model::Wallet;
use crate::money::Money;
use crate::openapi::ProblemDoc;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::Role;
use platform::Caller;
use rust_decimal::Decimal;
use uuid::Uuid;

/// The currency of a wallet nothing has been paid into yet.
const DEFAULT_CURRENCY: &str = "RUB";

/// Loads the wallet of `owner`; an account that never had money has an empty one.
pub async fn load(pool: &sqlx::PgPool, owner: Uuid) -> Result<Wallet, sqlx::Error> {
    let row: Option<(Decimal, Decimal, String)> = sqlx::query_as(
        "SELECT balance, pending_payouts, currency FROM read.wallets WHERE account_id = $1",
    )
    .bind(owner)
    .fetch_optional(pool)
    .await?;
    let (balance, pending, currency) =
        row.unwrap_or((Decimal::ZERO, Decimal::ZERO, DEFAULT_CURRENCY.to_owned()));
    Ok(Wallet {
        balance: Money::new(balance, &currency),
        pending_payouts: Money::new(pending, &currency),
    })
}

/// The caller's own wallet (clients and providers; staff have none).
#[utoipa::path(get, path = "/api/v1/wallet", tag = "account",
    responses((status = 200, body = Wallet),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "staff", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id))]
pub async fn get(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Wallet>> {
    caller.require(&[Role::Client, Role::Provider])?;
    Ok(Json(load(&state.pool, caller.account_id.as_uuid()).await?))
}
