//! The one error type of command-api, answered as RFC 9457 problem+json.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::RuleViolation;
use platform::{FieldError, Problem};
use std::time::Duration;
use store::CommandError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything a command-api handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The status inside (400 malformed body, 413, 415, 422 invalid field,
    /// 401/403 from the token check): a problem already built by `platform`.
    #[error("{}", .0.title)]
    Problem(Box<Problem>),
    /// 422: fields are invalid; each is named.
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    /// 422: an aggregate refused the command; `rule` is its stable code and
    /// `field` the request field at fault, when the rule is about one.
    #[error("{detail}")]
    Rule {
        /// `RuleViolation::rule()`.
        rule: &'static str,
        /// The aggregate error's message.
        detail: String,
        /// The JSON path of the field at fault, if any.
        field: Option<String>,
    },
    /// 401: wrong credentials, or a refresh token that is unknown, expired,
    /// revoked or reused.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 409: a unique value (e.g. `email`) is already taken.
    #[error("{field} is already taken")]
    Taken {
        /// The field at fault.
        field: &'static str,
    },
    /// 409: the aggregate changed under the command too often; retry later.
    #[error("concurrent modification after {attempts} attempts")]
    Conflict {
        /// How many times the command was tried.
        attempts: u32,
    },
    /// 429 with `Retry-After`.
    #[error("too many attempts")]
    RateLimited {
        /// How long until the next attempt may succeed.
        retry_after: Duration,
    },
    /// 400: the `Idempotency-Key` header is missing or malformed.
    #[error("Idempotency-Key: {0}")]
    IdempotencyKey(&'static str),
    /// 422: the `Idempotency-Key` was used before with another request body.
    #[error("Idempotency-Key reused with another request")]
    IdempotencyMismatch,
    /// 409: the first request with this `Idempotency-Key` is still running.
    #[error("a request with this Idempotency-Key is in progress")]
    IdempotencyInProgress,
    /// 503 with `Retry-After`: every password-hashing permit stayed taken
    /// for [`crate::auth::password::QUEUE_WAIT`].
    #[error("too many passwords are being hashed")]
    Busy,
    /// 500: anything else; logged once here, the client sees only the request id.
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// Wraps an unexpected error (500).
    pub fn internal(e: impl Into<BoxError>) -> Self {
        Self::Internal(e.into())
    }

    /// Maps a rule violation to 422, naming `field` when the rule is about one.
    pub fn rule(e: &impl RuleViolation, field: Option<String>) -> Self {
        Self::Rule {
            rule: e.rule(),
            detail: e.to_string(),
            field,
        }
    }
}

impl From<crate::auth::password::Busy> for ApiError {
    fn from(_: crate::auth::password::Busy) -> Self {
        Self::Busy
    }
}

impl From<crate::auth::password::HashFailure> for ApiError {
    fn from(e: crate::auth::password::HashFailure) -> Self {
        match e {
            crate::auth::password::HashFailure::Busy(_) => Self::Busy,
            crate::auth::password::HashFailure::Failed(e) => Self::internal(e),
        }
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        Self::Problem(Box::new(p))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(e)
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(e)
    }
}

impl From<platform::TokenError> for ApiError {
    fn from(e: platform::TokenError) -> Self {
        Self::internal(e)
    }
}

/// A refused rule is 422 with its code, a lasting conflict 409, a store
/// failure an opaque 500 (logged once, when the response is built).
impl<E: RuleViolation> From<CommandError<E>> for ApiError {
    fn from(e: CommandError<E>) -> Self {
        match e {
            CommandError::Rule(e) => Self::rule(&e, None),
            CommandError::Conflict { attempts } => Self::Conflict { attempts },
            CommandError::Store(e) => Self::Internal(e),
        }
    }
}

/// A step that kept conflicting is 409; a store failure an opaque 500.
impl From<store::UnitError> for ApiError {
    fn from(e: store::UnitError) -> Self {
        match e {
            store::UnitError::Conflict { attempts } => Self::Conflict { attempts },
            store::UnitError::Store(e) => Self::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = match self {
            ApiError::Problem(p) => *p,
            ApiError::Validation(errors) => Problem::validation(errors),
            ApiError::Rule {
                rule,
                detail,
                field,
            } => {
                let mut p = Problem::rule(rule, detail.clone());
                if let Some(f) = field {
                    p = p.with_field(f, detail);
                }
                p
            }
            ApiError::Unauthorized(detail) => Problem::unauthorized(detail),
            ApiError::Taken { field } => Problem::conflict(format!("{field} is already taken"))
                .with_field(field, "already taken"),
            ApiError::Conflict { attempts } => Problem::conflict(format!(
                "the resource changed concurrently ({attempts} attempts); retry"
            )),
            ApiError::RateLimited { retry_after } => {
                // Round up: answering 0 would invite an immediate retry.
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                Problem::too_many_requests(secs)
            }
            ApiError::Busy => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "Too busy")
                .with_detail("the server is checking too many passwords at once; try again in 1 s")
                .with_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(1u64),
                ),
            ApiError::IdempotencyKey(msg) => Problem::bad_request(format!("Idempotency-Key {msg}"))
                .with_field("Idempotency-Key", msg),
            ApiError::IdempotencyMismatch => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
            )
            .with_detail("this Idempotency-Key was used with another request body")
            .with_field("Idempotency-Key", "used with another request body"),
            ApiError::IdempotencyInProgress => Problem::new(
                StatusCode::CONFLICT,
                "idempotency-in-progress",
                "Request in progress",
            )
            .with_detail("the first request with this Idempotency-Key has not finished; retry"),
            ApiError::Internal(e) => {
                tracing::error!(error = %e, source = ?e.source(), "internal error");
                Problem::internal()
            }
        };
        problem.into_response()
    }
}
