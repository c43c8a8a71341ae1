//! The one error type of read-api's handlers.

use axum::response::{IntoResponse, Response};
use platform::Problem;

/// What a handler can fail with, mapped to problem+json.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The status and body are already decided (400, 401, 403, 404).
    #[error("{}", .0.title)]
    Problem(Problem),
    /// 500: PostgreSQL failed; logged here, opaque to the caller.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// 500: a closing document's PDF could not be made; logged here.
    #[error("document: {0}")]
    Document(String),
    /// 500: a posted file could not be read; logged here.
    #[error("attachment: {0}")]
    Attachment(#[from] store::attachments::AttachmentError),
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        Self::Problem(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Problem(p) => p.into_response(),
            Self::Database(e) => {
                tracing::error!(error = %e, "read-api: database error");
                Problem::internal().into_response()
            }
            Self::Document(e) => {
                tracing::error!(error = %e, "read-api: closing document");
                Problem::internal().into_response()
            }
            Self::Attachment(e) => {
                tracing::error!(error = %e, "read-api: attachment");
                Problem::internal().into_response()
            }
        }
    }
}

/// Handler results.
pub type ApiResult<T> = Result<T, ApiError>;
