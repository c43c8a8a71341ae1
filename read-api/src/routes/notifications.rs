//! In-app notifications.

use crate::error::ApiResult;
use crate::model::Notification;
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use axum::Json;
use axum::extract::RawQuery;
use platform::Caller;

/// The caller's notifications, newest first. There is no notifications read
/// model yet, so the list is empty; the parameters are checked all the same.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "account",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20")),
    responses((status = 200, body = Page<Notification>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(query), fields(caller = %caller.account_id))]
pub async fn list(
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Notification>>> {
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    Ok(Json(page.page(
        Vec::<Notification>::new(),
        |n| crate::page::Cursor {
            at: n.created_at,
            id: n.id,
        },
        |n| n,
    )))
}
