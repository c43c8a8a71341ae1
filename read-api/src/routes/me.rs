//! The caller's own account.

use crate::error::ApiResult;
use crate::model::{Company, Me};
use crate::openapi::ProblemDoc;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use platform::{Caller, Problem};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AccountRow {
    email: String,
    company_name: Option<String>,
    company_inn: Option<String>,
    contact_name: String,
    service_types: Vec<String>,
}

/// The caller's account. Staff, and accounts the projections have not
/// caught up with yet, are answered from the identity table.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, description = "the account is gone", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id))]
pub async fn get(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    let id: Uuid = caller.account_id.as_uuid();
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT email, company_name, company_inn, contact_name, service_types \
         FROM read.accounts WHERE account_id = $1",
    )
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    let me = match row {
        Some(r) => Me {
            account_id: id,
            role: caller.role.as_str().to_owned(),
            email: r.email,
            company: match (r.company_name, r.company_inn) {
                (Some(name), Some(inn)) => Some(Company { name, inn }),
                _ => None,
            },
            contact_name: r.contact_name,
            service_types: r.service_types,
        },
        None => {
            let email: Option<String> =
                sqlx::query_scalar("SELECT email FROM credentials WHERE account_id = $1")
                    .bind(id)
                    .fetch_optional(&state.pool)
                    .await?;
            let email = email.ok_or_else(|| Problem::not_found().with_detail("no such account"))?;
            Me {
                account_id: id,
                role: caller.role.as_str().to_owned(),
                email,
                company: None,
                contact_name: String::new(),
                service_types: Vec::new(),
            }
        }
    };
    Ok(Json(me))
}
