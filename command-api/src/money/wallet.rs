//! Wallet commands: top-ups and withdrawals (both behind `Idempotency-Key`).

use super::amount::Amount;
use super::support::{metadata_for, require, run};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use domain::bank::BankError;
use domain::wallet::{WalletCommand, WalletError};
use domain::{BankAccountNumber, BankDetails, Bik, Role, TransferId};
use platform::{Caller, FieldError, Json, Problem};
use serde::{Deserialize, Serialize};
use store::{CommandError, Store};
use utoipa::ToSchema;

/// `POST /api/v1/commands/wallet/top-ups`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUpRequest {
    /// Roubles, positive, at most 2 places.
    #[schema(value_type = String, example = "1000.00")]
    pub amount: Amount,
}

/// Bank details of a withdrawal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankBody {
    /// The bank's BIK: 9 digits starting with 04.
    #[schema(value_type = String, example = "044525225")]
    pub bik: Bik,
    /// The 20-digit account; its control key must match the BIK.
    #[schema(value_type = String, example = "40702810938000000001")]
    pub account: BankAccountNumber,
}

/// `POST /api/v1/commands/wallet/withdrawals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    /// Roubles, positive, at most 2 places.
    #[schema(value_type = String, example = "500.00")]
    pub amount: Amount,
    /// Where to pay it out.
    pub bank: BankBody,
}

/// A money movement that was started.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TransferCreated {
    /// The transfer's id.
    #[schema(value_type = uuid::Uuid)]
    pub transfer_id: TransferId,
}

/// Wallet refusals: who is at fault and which field, if any.
pub(crate) fn wallet_error(e: CommandError<WalletError>) -> ApiError {
    match e {
        CommandError::Rule(WalletError::NotOwner) => {
            ApiError::from(Problem::forbidden("only the wallet's owner may do this"))
        }
        CommandError::Rule(
            ref rule @ (WalletError::AmountNotPositive | WalletError::BalanceTooLarge),
        ) => ApiError::rule(rule, Some("amount".to_owned())),
        CommandError::Rule(WalletError::TextLength { field, max }) => ApiError::rule(
            &WalletError::TextLength { field, max },
            Some(field.to_owned()),
        ),
        other => other.into(),
    }
}

/// Asks for a top-up of the caller's wallet. The money arrives when the
/// payment gateway settles it; with `HUB_PAYMENTS__AUTO_SETTLE` (dev) at once.
#[utoipa::path(post, path = "/api/v1/commands/wallet/top-ups", tag = "wallet",
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again")),
    request_body = TopUpRequest,
    responses(
        (status = 201, body = TransferCreated),
        (status = 403, description = "not a client or provider", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid amount or rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn top_up(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<TopUpRequest>,
) -> Result<(StatusCode, Json<TransferCreated>), ApiError> {
    require(&caller, &[Role::Client, Role::Provider])?;
    let transfer_id = TransferId::new();
    let owner = caller.account_id;
    let metadata = metadata_for(caller.actor());
    let auto_settle = state.money.auto_settle_top_ups;
    let wallets = Store::new(state.pool.clone()).wallets();
    // Spawned: a client hanging up must not cut between request and settle.
    platform::request_id::spawn(async move {
        let id = owner.to_string();
        run(
            &wallets,
            &id,
            WalletCommand::RequestTopUp {
                actor: caller.actor(),
                owner,
                transfer_id,
                amount: req.amount.0,
            },
            &metadata,
        )
        .await
        .map_err(wallet_error)?;
        if auto_settle {
            run(
                &wallets,
                &id,
                WalletCommand::SettleTopUp { transfer_id },
                &metadata,
            )
            .await
            .map_err(wallet_error)?;
        }
        Ok::<_, ApiError>(())
    })
    .await??;
    tracing::info!(account.id = %owner, transfer.id = %transfer_id.0, "top-up requested");
    Ok((StatusCode::CREATED, Json(TransferCreated { transfer_id })))
}

/// Asks to pay money out of the caller's wallet to a bank account.
#[utoipa::path(post, path = "/api/v1/commands/wallet/withdrawals", tag = "wallet",
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again")),
    request_body = WithdrawalRequest,
    responses(
        (status = 201, body = TransferCreated),
        (status = 403, description = "not a client or provider", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid amount or bank details, or insufficient funds", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<WithdrawalRequest>,
) -> Result<(StatusCode, Json<TransferCreated>), ApiError> {
    require(&caller, &[Role::Client, Role::Provider])?;
    let bank = BankDetails::new(req.bank.bik, req.bank.account).map_err(|e| {
        let field = match e {
            BankError::BikFormat => "bank.bik",
            BankError::AccountFormat | BankError::ControlKey => "bank.account",
        };
        ApiError::Validation(vec![FieldError::new(field, e.to_string())])
    })?;
    let transfer_id = TransferId::new();
    let wallets = Store::new(state.pool.clone()).wallets();
    let metadata = metadata_for(caller.actor());
    run(
        &wallets,
        &caller.account_id.to_string(),
        WalletCommand::RequestWithdrawal {
            actor: caller.actor(),
            transfer_id,
            amount: req.amount.0,
            bank,
        },
        &metadata,
    )
    .await
    .map_err(wallet_error)?;
    Ok((StatusCode::CREATED, Json(TransferCreated { transfer_id })))
}
