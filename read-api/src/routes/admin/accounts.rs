//! Every account, for the admin console (blocking and unblocking are
//! command-api's `/api/v1/commands/admin/accounts/{id}/block|unblock`).

use super::{one_of, require_admin};
use crate::error::ApiResult;
use crate::model::AdminAccount;
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams, bad_param};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::Caller;

/// The roles.
pub const ROLES: &[&str] = &["client", "provider", "admin", "auditor"];

/// The longest search text.
const MAX_Q: usize = 200;

/// Accounts as the projections know them, and staff bootstrapped straight
/// into `credentials` that no projection has seen (as `/me` answers them).
/// `blocked` is read from `blocked_accounts`, which the block command writes
/// in its own transaction and every role refuses requests from, so the list
/// agrees with what the account can do the moment a block commits
/// (`read.accounts.blocked` follows later, through the bus).
const ACCOUNTS: &str = "(SELECT a.account_id, a.role, a.email, a.company_name, a.company_inn AS inn, \
             a.service_types, a.registered_at FROM read.accounts a \
      UNION ALL \
      SELECT c.account_id, c.role, c.email, NULL, NULL, '{}'::text[], c.created_at FROM credentials c \
      WHERE NOT EXISTS (SELECT 1 FROM read.accounts a WHERE a.account_id = c.account_id))";

/// `text` as a `LIKE` pattern matching it anywhere, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Accounts, newest registration first, optionally of one `role` and
/// matching `q` (a part of the company's name, the email or the INN, any
/// case). Admins only.
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "admin",
    params(("role" = Option<String>, Query, description = "`client`, `provider`, `admin` or `auditor`"),
           ("q" = Option<String>, Query, description = "Part of the company name, email or INN, any case (at most 200 characters)"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<AdminAccount>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<AdminAccount>>> {
    require_admin(&caller)?;
    let (page, q) = PageParams::parse(query.as_deref(), &["role", "q"])?;
    let role = one_of(&q, "role", ROLES)?;
    let text = q.get("q").map(|t| t.trim()).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > MAX_Q) {
        return Err(bad_param("q", format!("at most {MAX_Q} characters")).into());
    }
    let sql = format!(
        "SELECT x.account_id, x.role, x.email, x.company_name, x.inn, x.service_types, \
                EXISTS (SELECT 1 FROM blocked_accounts b WHERE b.account_id = x.account_id) AS blocked, \
                x.registered_at \
         FROM {ACCOUNTS} x \
         WHERE ($1::text IS NULL OR x.role = $1) \
           AND ($2::text IS NULL OR x.company_name ILIKE $2 OR x.email ILIKE $2 OR x.inn ILIKE $2) \
           AND ($3::timestamptz IS NULL OR (x.registered_at, x.account_id) < ($3, $4::uuid)) \
         ORDER BY x.registered_at DESC, x.account_id DESC LIMIT $5"
    );
    let rows: Vec<AdminAccount> = sqlx::query_as(&sql)
        .bind(role)
        .bind(text.map(contains_pattern))
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, AdminAccount::cursor, |a| a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_search_text_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
