//! The public catalog, and for admins the retired service types too.

use crate::error::ApiResult;
use crate::model::{Catalog, CatalogItem};
use crate::money::Money;
use crate::openapi::ProblemDoc;
use crate::page::parse_query;
use crate::routes::admin::{flag, require_admin};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::{Caller, Problem};
use rust_decimal::Decimal;

#[derive(sqlx::FromRow)]
struct CatalogRow {
    code: String,
    name_en: String,
    name_ru: String,
    one_off_price: Decimal,
    one_off_currency: String,
    monthly_price: Decimal,
    monthly_currency: String,
    active: bool,
}

/// Active service types and their prices, by code. No token needed; small
/// enough to come whole, without pages. With `include_retired=true` (admins
/// only: the catalog's management) the retired ones come too, flagged.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog",
    params(("include_retired" = Option<bool>, Query, description = "`true`: retired service types too (admins only)")),
    responses((status = 200, body = Catalog),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, description = "`include_retired=true` without a valid token", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "`include_retired=true` and not an admin", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip(state, query, caller))]
pub async fn get(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Catalog>> {
    let q = parse_query(query.as_deref(), &["include_retired"])?;
    let include_retired = flag(&q, "include_retired")?.unwrap_or(false);
    if include_retired {
        require_admin(&caller?)?;
    }
    let rows: Vec<CatalogRow> = sqlx::query_as(
        "SELECT code, name_en, name_ru, one_off_price, one_off_currency, monthly_price, monthly_currency, active \
         FROM read.catalog WHERE active OR $1 ORDER BY code",
    )
    .bind(include_retired)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(Catalog {
        items: rows
            .into_iter()
            .map(|r| CatalogItem {
                one_off_price: Money::new(r.one_off_price, &r.one_off_currency),
                monthly_price: Money::new(r.monthly_price, &r.monthly_currency),
                code: r.code,
                name_en: r.name_en,
                name_ru: r.name_ru,
                retired: !r.active,
            })
            .collect(),
    }))
}
