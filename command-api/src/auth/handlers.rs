//! The identity endpoints.

use super::cookie;
use super::dto::*;
use super::password;
use super::rate_limit;
use super::refresh;
use super::register::{NewCredentials, RegisterError, register};
use super::registration_limit;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
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

/// Where a refresh token came from: the request's body (API clients get
/// the next one in the answer's body too) or the browser's cookie (the next
/// one only goes back into the cookie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presented {
    Body,
    Cookie,
}

/// The token in the body if it has one, else the cookie's.
fn presented(
    headers: &HeaderMap,
    body: Option<Json<RefreshRequest>>,
) -> Option<(String, Presented)> {
    body.and_then(|Json(b)| b.refresh_token)
        .map(|t| (t, Presented::Body))
        .or_else(|| cookie::read(headers).map(|t| (t, Presented::Cookie)))
}

/// The answer to a login or refresh: the pair in the body (the refresh token
/// unless it came from the cookie) and the refresh token in the cookie.
fn token_pair(
    state: &AppState,
    account: AccountId,
    role: Role,
    email: String,
    refresh_token: String,
    from: Presented,
) -> Result<impl IntoResponse + use<>, ApiError> {
    let set_cookie = cookie::set(&refresh_token, state.refresh_ttl);
    let body = TokenResponse {
        access_token: state.tokens.issue(account, role)?,
        refresh_token: (from == Presented::Body).then_some(refresh_token),
        token_type: "Bearer".to_owned(),
        expires_in: state.tokens.ttl().as_secs(),
        account_id: account,
        role,
        email,
    };
    Ok((
        [
            (header::SET_COOKIE, set_cookie),
            // Tokens are never cached.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Json(body),
    ))
}

/// Exchanges email and password for a token pair; the refresh token also
/// comes as the `hub_refresh` cookie (HttpOnly, Secure, SameSite=Strict,
/// Path=/api/v1/auth). Rate limited per (email, client address) pair and
/// per client address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse, headers(
            ("set-cookie" = String, description = "`hub_refresh=<refresh token>; HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth; Max-Age=<refresh TTL>`"),
        )),
        (status = 401, description = "wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many failures", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
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
    // API clients read the refresh token from the body; the SPA ignores it.
    token_pair(&state, account, role, email, refresh_token, Presented::Body)
}

/// Exchanges a refresh token for a new pair; the old one is spent. A spent
/// token presented again revokes every token of its login. The token comes
/// in the body (API clients) or, without one, in the `hub_refresh` cookie
/// (browsers, which send no body); its successor is set in the cookie either
/// way, and is in the body only when the spent one came in the body.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "Optional: without a body (or `refresh_token`), the `hub_refresh` cookie's token is used."),
    params(("hub_refresh" = Option<String>, Cookie, description = "The refresh token, as login and refresh set it (HttpOnly)")),
    responses(
        (status = 200, body = TokenResponse, headers(
            ("set-cookie" = String, description = "`hub_refresh=<next refresh token>; HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth; Max-Age=<refresh TTL>`"),
        )),
        (status = 401, description = "no token, or an invalid, expired, revoked or reused one", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Option<Json<RefreshRequest>>,
) -> Result<Response, ApiError> {
    let Some((token, from)) = presented(&headers, body) else {
        return Err(ApiError::Unauthorized(
            "no refresh token (body or hub_refresh cookie)",
        ));
    };
    match refresh::rotate(&state.pool, &token, state.refresh_ttl).await {
        Ok(r) => Ok(token_pair(&state, r.account, r.role, r.email, r.next, from)?.into_response()),
        // A dead cookie is of no more use: the browser drops it.
        Err(e) if from == Presented::Cookie => {
            let mut res = e.into_response();
            res.headers_mut()
                .insert(header::SET_COOKIE, cookie::clear());
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// Ends the login: every refresh token of its family is revoked, and the
/// `hub_refresh` cookie is cleared. The token comes in the body or, without
/// one, in the cookie; none at all still clears the cookie. Access tokens
/// already issued live out their short TTL.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "Optional: without a body (or `refresh_token`), the `hub_refresh` cookie's token is revoked."),
    params(("hub_refresh" = Option<String>, Cookie, description = "The refresh token, as login and refresh set it (HttpOnly)")),
    responses((status = 204, description = "logged out", headers(
        ("set-cookie" = String, description = "`hub_refresh=; …; Max-Age=0`: the cookie is removed"),
    ))))]
#[tracing::instrument(skip_all)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Option<Json<RefreshRequest>>,
) -> Result<impl IntoResponse, ApiError> {
    if let Some((token, _)) = presented(&headers, body) {
        refresh::revoke_family(&state.pool, &token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie::clear())],
    ))
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
