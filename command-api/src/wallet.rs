//! Wallet commands: top-ups and withdrawals (both behind `Idempotency-Key`).

use crate::amount::Amount;
use crate::handler::{MAX_ATTEMPTS, metadata, require, stores};
use crate::idempotency::IdempotencyKey;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use domain::bank::BankError;
use domain::wallet::{WalletCommand, WalletError};
use domain::{BankAccountNumber, BankDetails, Bik, Role, TransferId};
use platform::{Caller, FieldError, Json, Problem};
use serde::{Deserialize, Serialize};
use store::{Attempts, CommandError, UnitOfWork};
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

/// A top-up that was requested, and where to pay it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TopUpCreated {
    /// The top-up's transfer id.
    #[schema(value_type = uuid::Uuid)]
    pub transfer_id: TransferId,
    /// The gateway's payment; its webhook callback names it.
    pub payment_id: uuid::Uuid,
    /// The page where the payer approves or declines (the sandbox's is `/pay/{payment_id}`).
    #[schema(example = "/pay/6f1c2b8e-5d0a-5c53-9f0e-3a7d1f2b4c5d")]
    pub payment_url: String,
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
        CommandError::Rule(WalletError::HistoryUnavailable(e)) => ApiError::internal(e),
        other => other.into(),
    }
}

/// Asks for a top-up of the caller's wallet and opens its payment. The money
/// arrives when the payment gateway's webhook settles it. The transfer id
/// derives from the `Idempotency-Key` (and the payment id from the transfer
/// id); the request and the stored answer commit together.
#[utoipa::path(post, path = "/api/v1/commands/wallet/top-ups", tag = "wallet",
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    request_body = TopUpRequest,
    responses(
        (status = 201, body = TopUpCreated),
        (status = 400, description = "no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a client or provider", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the wallet kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid amount or rule, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "the payment gateway did not open the payment; nothing was committed", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(account.id = %caller.account_id))]
pub async fn top_up(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Json(req): Json<TopUpRequest>,
) -> Result<(StatusCode, Json<TopUpCreated>), ApiError> {
    require(&caller, &[Role::Client, Role::Provider])?;
    let transfer_id = TransferId(key.derive("top-up"));
    let owner = caller.account_id;
    // Before the commit, so the stored answer names the payment: the payment
    // id derives from the transfer id, so a retry opens the same one.
    let page = state
        .payments
        .gateway
        .create_payment(transfer_id, owner, req.amount.0)
        .await
        .map_err(crate::payments::gateway_error)?;
    let answer = TopUpCreated {
        transfer_id,
        payment_id: page.payment_id,
        payment_url: page.url,
    };
    let wallets = stores::wallets(&state.pool);
    let id = owner.to_string();
    let metadata = metadata(&caller);
    let _turn = state.turns.take(&id).await;
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        unit.execute(
            &wallets,
            &id,
            WalletCommand::RequestTopUp {
                actor: caller.actor(),
                owner,
                transfer_id,
                amount: req.amount.0,
            },
        )
        .await
        .map_err(wallet_error)?;
        key.answer(&mut unit, StatusCode::CREATED, Some(&answer))?;
        if attempts.commit(unit).await? {
            break;
        }
    }
    tracing::info!(transfer.id = %transfer_id.0, payment.id = %answer.payment_id, "top-up requested");
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Asks to pay money out of the caller's wallet to a bank account: the
/// amount moves from the available balance to the payout until the bank
/// settles or refuses it.
#[utoipa::path(post, path = "/api/v1/commands/wallet/withdrawals", tag = "wallet",
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    request_body = WithdrawalRequest,
    responses(
        (status = 201, body = TransferCreated),
        (status = 400, description = "no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a client or provider", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the wallet kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid amount or bank details, insufficient funds, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(account.id = %caller.account_id))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
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
    let transfer_id = TransferId(key.derive("withdrawal"));
    let answer = TransferCreated { transfer_id };
    let wallets = stores::wallets(&state.pool);
    let id = caller.account_id.to_string();
    let metadata = metadata(&caller);
    let _turn = state.turns.take(&id).await;
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        unit.execute(
            &wallets,
            &id,
            WalletCommand::RequestWithdrawal {
                actor: caller.actor(),
                transfer_id,
                amount: req.amount.0,
                bank: bank.clone(),
            },
        )
        .await
        .map_err(wallet_error)?;
        key.answer(&mut unit, StatusCode::CREATED, Some(&answer))?;
        if attempts.commit(unit).await? {
            break;
        }
    }
    Ok((StatusCode::CREATED, Json(answer)))
}
