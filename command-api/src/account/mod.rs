//! Account commands beyond registration: the caller's profile, and an
//! admin blocking or unblocking an account; [`Accounts`] runs the
//! aggregate's commands for registration and staff bootstrap.

mod executor;

pub use executor::Accounts;

use crate::auth::refresh::REVOKE_ACCOUNT_SQL;
use crate::handler::{load, metadata, not_found, parse_id_or_404, require};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::account::{Account, AccountCommand, AccountError};
use domain::{AccountId, Language, Role, ServiceType};
use platform::blocklist;
use platform::{Caller, Json, Problem};
use serde::Deserialize;
use sqlx::PgPool;
use store::{Attempts, CommandError, HubEventStore, Statement, UnitOfWork};
use utoipa::ToSchema;

/// `POST /api/v1/commands/accounts/me/profile`: only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeProfileRequest {
    /// The person to talk to.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// The company's legal name (clients and providers).
    #[serde(default)]
    pub company_name: Option<String>,
    /// The service types served (providers only).
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub service_types: Option<Vec<ServiceType>>,
}

/// `POST /api/v1/commands/accounts/me/language`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageRequest {
    /// `ru` or `en`.
    #[schema(value_type = String, example = "en")]
    pub language: Language,
}

/// `POST /api/v1/commands/admin/accounts/{id}/block`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// Why, 1 to 1000 characters; shown to other admins.
    pub reason: String,
}

/// The account's current state (unregistered when it has no events).
pub async fn load_account(pool: &PgPool, id: AccountId) -> Result<Account, ApiError> {
    let store =
        HubEventStore::<Account>::new(pool.clone()).with_upcasters(domain::account::upcasters());
    load(&store, &id.to_string()).await
}

/// True when an admin blocked the account (login refuses it).
pub async fn is_blocked(pool: &PgPool, id: AccountId) -> Result<bool, ApiError> {
    Ok(load_account(pool, id).await?.is_blocked())
}

/// The 403 a blocked account gets at login (and on every request, from `Caller`).
pub fn blocked_problem() -> ApiError {
    ApiError::from(blocklist::blocked_problem())
}

fn account_error(e: CommandError<AccountError>) -> ApiError {
    match e {
        CommandError::Rule(AccountError::NotOwnerOrAdmin | AccountError::NotAdmin) => {
            ApiError::from(Problem::forbidden("not allowed on this account"))
        }
        CommandError::Rule(AccountError::NotRegistered) => not_found(),
        CommandError::Rule(AccountError::Blocked) => blocked_problem(),
        CommandError::Rule(e) => {
            let field = match &e {
                AccountError::InvalidText { field, .. } => Some((*field).to_owned()),
                AccountError::NoServiceTypes
                | AccountError::TooManyServiceTypes
                | AccountError::NotAProvider => Some("service_types".to_owned()),
                AccountError::NoCompany => Some("company_name".to_owned()),
                _ => None,
            };
            ApiError::rule(&e, field)
        }
        other => other.into(),
    }
}

async fn execute(
    state: &AppState,
    caller: &Caller,
    id: AccountId,
    command: AccountCommand,
) -> Result<(), CommandError<AccountError>> {
    let metadata = metadata(caller);
    state
        .accounts
        .execute(id, command, caller.actor(), metadata.correlation_id)
        .await
}

/// Blocks (`blocked`) or unblocks `id` with `command`, and makes it hold
/// everywhere in the same transaction as the event: the `blocked_accounts`
/// row with the notification every role's blocklist listens to, and on
/// block the revocation of every refresh token of the account. It runs in
/// its own task, so a caller hanging up cannot cut it half-way.
async fn switch(
    state: AppState,
    caller: Caller,
    id: AccountId,
    command: AccountCommand,
    blocked: bool,
) -> Result<(), ApiError> {
    platform::request_id::spawn(async move {
        let store = HubEventStore::<Account>::new(state.pool.clone())
            .with_upcasters(domain::account::upcasters());
        let metadata = metadata(&caller);
        let account = id.as_uuid();
        let mut attempts = Attempts::new(crate::handler::MAX_ATTEMPTS);
        loop {
            let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
            unit.execute(&store, &id.to_string(), command.clone())
                .await
                .map_err(account_error)?;
            if blocked {
                unit.also(Statement::new(blocklist::BLOCK_SQL).bind(account));
                unit.also(Statement::new(REVOKE_ACCOUNT_SQL).bind(account));
            } else {
                unit.also(Statement::new(blocklist::UNBLOCK_SQL).bind(account));
            }
            unit.also(Statement::new(blocklist::NOTIFY_SQL).bind(id.to_string()));
            if attempts
                .commit(unit)
                .await
                .map_err(|e| account_error(e.into()))?
            {
                break;
            }
        }
        // This replica knows before the notification comes back.
        state.blocklist.apply(id, blocked);
        tracing::info!(account.id = %id, blocked, "account access switched");
        Ok(())
    })
    .await?
}

/// Changes the caller's own contact name, company name or service types.
#[utoipa::path(post, path = "/api/v1/commands/accounts/me/profile", tag = "accounts",
    security(("bearer" = [])),
    request_body = ChangeProfileRequest,
    responses(
        (status = 204, description = "changed"),
        (status = 404, description = "the token's account has no profile (it was never registered here)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or nothing to change", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id))]
pub async fn change_profile(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<ChangeProfileRequest>,
) -> Result<StatusCode, ApiError> {
    let command = AccountCommand::ChangeProfile {
        actor: caller.actor(),
        contact_name: req.contact_name,
        company_name: req.company_name,
        service_types: req.service_types,
        at: chrono::Utc::now(),
    };
    execute(&state, &caller, caller.account_id, command)
        .await
        .map_err(account_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the language of the caller's mail and notifications (the web app
/// sends its own when the user switches). Choosing the current one again
/// changes nothing and answers 204 too.
#[utoipa::path(post, path = "/api/v1/commands/accounts/me/language", tag = "accounts",
    security(("bearer" = [])),
    request_body = LanguageRequest,
    responses(
        (status = 204, description = "the account reads Hub in this language"),
        (status = 404, description = "the token's account has no profile (it was never registered here)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not `ru` or `en`", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id))]
pub async fn choose_language(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<LanguageRequest>,
) -> Result<StatusCode, ApiError> {
    let command = AccountCommand::ChooseLanguage {
        actor: caller.actor(),
        language: req.language,
        at: chrono::Utc::now(),
    };
    match execute(&state, &caller, caller.account_id, command).await {
        Ok(()) | Err(CommandError::Rule(AccountError::NothingToChange)) => {
            Ok(StatusCode::NO_CONTENT)
        }
        Err(e) => Err(account_error(e)),
    }
}

/// Blocks an account at once: its refresh tokens are revoked, and it can no
/// longer log in, refresh, send a command or query, or keep an SSE stream open.
#[utoipa::path(post, path = "/api/v1/commands/admin/accounts/{id}/block", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the account")),
    request_body = BlockRequest,
    responses(
        (status = 204, description = "blocked"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "already blocked, own account, or invalid reason", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, account.id = %id))]
pub async fn block(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<BlockRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let id = AccountId::from(parse_id_or_404(&id)?);
    let command = AccountCommand::Block {
        actor: caller.actor(),
        reason: req.reason,
        at: chrono::Utc::now(),
    };
    switch(state, caller, id, command, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unblocks an account.
#[utoipa::path(post, path = "/api/v1/commands/admin/accounts/{id}/unblock", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the account")),
    responses(
        (status = 204, description = "unblocked"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not blocked", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, account.id = %id))]
pub async fn unblock(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let id = AccountId::from(parse_id_or_404(&id)?);
    let command = AccountCommand::Unblock {
        actor: caller.actor(),
        at: chrono::Utc::now(),
    };
    switch(state, caller, id, command, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
