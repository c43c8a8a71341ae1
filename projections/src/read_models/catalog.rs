//! `read.catalog`: the service types on offer and their prices.

use crate::event::EventExt;
use async_trait::async_trait;
use domain::catalog::CatalogEvent;
use sqlx::PgConnection;

use super::expect_row;
use crate::ProjectionError;
use crate::event::StoredEvent;
use crate::notify::Change;
use crate::projector::Projection;

/// The catalog.
pub struct Catalog;

#[async_trait]
impl Projection for Catalog {
    fn name(&self) -> &'static str {
        "catalog"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["Catalog"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["catalog"]
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &StoredEvent,
        _changes: Option<&mut Vec<Change>>,
    ) -> Result<(), ProjectionError> {
        match event.decode::<CatalogEvent>()? {
            CatalogEvent::ServiceTypeAdded {
                code,
                name_en,
                name_ru,
                one_off_price,
                monthly_price,
            } => {
                sqlx::query(
                    "INSERT INTO catalog (code, name_en, name_ru, one_off_price, one_off_currency, \
                     monthly_price, monthly_currency, active) VALUES ($1, $2, $3, $4, $5, $6, $7, true)",
                )
                .bind(code.as_str())
                .bind(name_en)
                .bind(name_ru)
                .bind(one_off_price.amount())
                .bind(one_off_price.currency().to_string())
                .bind(monthly_price.amount())
                .bind(monthly_price.currency().to_string())
                .execute(conn)
                .await?;
            }
            CatalogEvent::PricesChanged {
                code,
                one_off_price,
                monthly_price,
            } => {
                let r = sqlx::query(
                    "UPDATE catalog SET one_off_price = $2, one_off_currency = $3, \
                     monthly_price = $4, monthly_currency = $5 WHERE code = $1",
                )
                .bind(code.as_str())
                .bind(one_off_price.amount())
                .bind(one_off_price.currency().to_string())
                .bind(monthly_price.amount())
                .bind(monthly_price.currency().to_string())
                .execute(conn)
                .await?;
                expect_row(r, "service type", code)?;
            }
            CatalogEvent::ServiceTypeRetired { code } => set_active(conn, code, false).await?,
            CatalogEvent::ServiceTypeRestored { code } => set_active(conn, code, true).await?,
        }
        Ok(())
    }
}

async fn set_active(
    conn: &mut PgConnection,
    code: domain::ServiceType,
    active: bool,
) -> Result<(), ProjectionError> {
    let r = sqlx::query("UPDATE catalog SET active = $2 WHERE code = $1")
        .bind(code.as_str())
        .bind(active)
        .execute(conn)
        .await?;
    expect_row(r, "service type", code)
}
