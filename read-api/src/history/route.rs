//! `GET /api/v1/admin/orders/{id}/history`.

use super::{History, Kind, load};
use crate::error::ApiResult;
use crate::openapi::ProblemDoc;
use crate::page::{bad_param, parse_query};
use crate::routes::Id;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::Role;
use platform::{Caller, Problem};

/// An order's whole history for a dispute: its events, its subscription's,
/// its complaints' and the wallet transfers of its subscription's escrow,
/// in commit order, each with the order's state after it. Admins only.
#[utoipa::path(get, path = "/api/v1/admin/orders/{id}/history", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "The order"),
           ("kind" = Option<String>, Query, description = "Only these kinds of steps, comma-separated: `order`, `subscription`, `complaint`, `money`")),
    responses((status = 200, body = History),
              (status = 400, description = "malformed id or unknown kind", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, description = "no such order", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id, order.id = %id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    caller.require(&[Role::Admin])?;
    let q = parse_query(query.as_deref(), &["kind"])?;
    let kinds = match q.get("kind") {
        None => None,
        Some(list) => Some(Kind::parse_list(list).map_err(|unknown| {
            bad_param(
                "kind",
                format!(
                    "unknown kind `{unknown}`; expected: order, subscription, complaint, money"
                ),
            )
        })?),
    };
    let mut history: History = load(&state.pool, id)
        .await
        .map_err(|e| match e {
            super::HistoryError::Database(e) => crate::ApiError::Database(e),
            other => {
                tracing::error!(error = %other, "order history: unreadable event");
                Problem::internal().into()
            }
        })?
        .ok_or_else(Problem::not_found)?;
    if let Some(kinds) = kinds {
        history.retain_kinds(&kinds);
    }
    let body = history.to_json().map_err(|e| {
        tracing::error!(error = %e, "order history: serialising");
        Problem::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
