//! The identity endpoints.

use super::dto::*;
use super::password;
use super::rate_limit;
use super::refresh;
use super::register::{NewCredentials, RegisterError, register};
use super::registration_limit;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::account::{AccountCommand, AccountError, Company};
use domain::{AccountId, Email, Role};
use platform::{Caller, ClientIp, Json, Problem};
use uuid::Uuid;

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::EmailTaken => ApiError::Taken { field: "email" },
            RegisterError::Rule(e) => {
                let field = match &e {
                    AccountError::InvalidText { field, .. } => Some((*field).to_owned()),
                    AccountError::NoServiceTypes | AccountError::TooManyServiceTypes => {
                        Some("service_types".to_owned())
                    }
                    _ => None,
                };
                ApiError::rule(&e, field)
            }
            RegisterError::Conflict { attempts } => ApiError::Conflict { attempts },
            RegisterError::Store(msg) => ApiError::internal(msg),
        }
    }
}

/// Counts the registration against the address's limit, hashes, then runs
/// the registration in its own task so a client that hangs up (or the
/// request timeout) cannot cut it between the credentials insert and its
/// commit.
async fn create(
    state: AppState,
    ip: std::net::IpAddr,
    role: Role,
    email: Email,
    password: password::Password,
    language: Option<domain::Language>,
    build: impl FnOnce(AccountId) -> AccountCommand + Send + 'static,
) -> Result<impl IntoResponse, ApiError> {
    registration_limit::admit(&state.pool, &state.registration_limits, ip).await?;
    let hash = password::hash(&password).await?;
    let account_id = AccountId::new();
    let correlation = crate::handler::correlation_id();
    platform::request_id::spawn(async move {
        register(
            &state.pool,
            NewCredentials {
                account_id,
                role,
                email,
                password_hash: hash,
            },
            build(account_id),
            language,
            correlation,
        )
        .await
    })
    .await??;
    tracing::info!(account.id = %account_id, %role, "account registered");
    Ok((
        StatusCode::CREATED,
        Json(RegisteredResponse { account_id, role }),
    ))
}

/// Registers a client company. Limited per client address (429 with
/// `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/register/client", tag = "auth",
    request_body = RegisterClientRequest,
    responses(
        (status = 201, body = RegisteredResponse),
        (status = 409, description = "email taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many registrations from this client address (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn register_client(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<RegisterClientRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = req.email.clone();
    create(
        state,
        ip,
        Role::Client,
        req.email,
        req.password,
        req.language,
        move |account_id| AccountCommand::RegisterClient {
            account_id,
            email,
            company: Company {
                name: req.company.name,
                inn: req.company.inn,
            },
            contact_name: req.contact_name,
            at: chrono::Utc::now(),
        },
    )
    .await
}

/// Registers a provider company and the service types it serves. Limited
/// per client address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/register/provider", tag = "auth",
    request_body = RegisterProviderRequest,
    responses(
        (status = 201, body = RegisteredResponse),
        (status = 409, description = "email taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many registrations from this client address (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn register_provider(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<RegisterProviderRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = req.email.clone();
    create(
        state,
        ip,
        Role::Provider,
        req.email,
        req.password,
        req.language,
        move |account_id| {
            let contact_name = req.contact_name.unwrap_or_else(|| req.company.name.clone());
            AccountCommand::RegisterProvider {
                account_id,
                email,
                company: Company {
                    name: req.company.name,
                    inn: req.company.inn,
                },
                contact_name,
                service_types: req.service_types,
                at: chrono::Utc::now(),
            }
        },
    )
    .await
}

async fn token_pair(
    state: &AppState,
    account: AccountId,
    role: Role,
    refresh_token: String,
) -> Result<Json<TokenResponse>, ApiError> {
    Ok(Json(TokenResponse {
        access_token: state.tokens.issue(account, role)?,
        refresh_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.tokens.ttl().as_secs(),
        account_id: account,
        role,
    }))
}

/// Exchanges email and password for a token pair. Rate limited per (email,
/// client address) pair and per client address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many failures", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let email = req.email.trim().to_lowercase();
    let attempt = rate_limit::begin(&state.pool, &state.login_limits, &email, ip).await?;
    let found: Option<(uuid::Uuid, String, String)> =
        sqlx::query_as("SELECT account_id, password_hash, role FROM credentials WHERE email = $1")
            .bind(&email)
            .fetch_optional(&state.pool)
            .await?;
    let stored = found.as_ref().map(|(_, h, _)| h.clone());
    // A wrong password leaves the attempt counted as a failure.
    let verified = match password::verify(req.password, stored).await {
        Ok(verified) => verified,
        Err(busy) => {
            rate_limit::forget(&state.pool, attempt).await?;
            return Err(busy.into());
        }
    };
    if !verified {
        return Err(ApiError::Unauthorized("invalid email or password"));
    }
    let Some((account, _, role)) = found else {
        return Err(ApiError::Unauthorized("invalid email or password"));
    };
    let role: Role = role.parse().map_err(ApiError::internal)?;
    let account = AccountId::from(account);
    if crate::account::is_blocked(&state.pool, account).await? {
        rate_limit::forget(&state.pool, attempt).await?;
        return Err(crate::account::blocked_problem());
    }
    rate_limit::succeeded(&state.pool, &email, ip, attempt).await?;
    let mut conn = state.pool.acquire().await?;
    let refresh_token =
        refresh::issue(&mut conn, account, Uuid::new_v4(), state.refresh_ttl).await?;
    tracing::info!(account.id = %account, "login");
    token_pair(&state, account, role, refresh_token).await
}

/// Exchanges a refresh token for a new pair; the old one is spent. A spent
/// token presented again revokes every token of its login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "invalid, expired, revoked or reused", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (account, role, next) =
        refresh::rotate(&state.pool, &req.refresh_token, state.refresh_ttl).await?;
    token_pair(&state, account, role, next).await
}

/// Ends the login: every refresh token of its family is revoked. Access
/// tokens already issued live out their short TTL.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "logged out")))]
#[tracing::instrument(skip_all)]
pub async fn logout(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    refresh::revoke_family(&state.pool, &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the access token says the caller is (lets the SPA check a stored token).
#[utoipa::path(get, path = "/api/v1/auth/whoami", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = RegisteredResponse),
        (status = 401, description = "missing, expired or forged token", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id))]
pub async fn whoami(caller: Caller) -> Json<RegisteredResponse> {
    Json(RegisteredResponse {
        account_id: caller.account_id,
        role: caller.role,
    })
}
