//! The public catalog.

use crate::error::ApiResult;
use crate::model::{Catalog, CatalogItem};
use crate::money::Money;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
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
}

/// Active service types and their prices, by code. No token needed; small
/// enough to come whole, without pages.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog", responses((status = 200, body = Catalog)))]
#[tracing::instrument(skip(state))]
pub async fn get(State(state): State<AppState>) -> ApiResult<Json<Catalog>> {
    let rows: Vec<CatalogRow> = sqlx::query_as(
        "SELECT code, name_en, name_ru, one_off_price, one_off_currency, monthly_price, monthly_currency \
         FROM read.catalog WHERE active ORDER BY code",
    )
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
            })
            .collect(),
    }))
}
