//! The admin's catalog commands, on the one `catalog` aggregate, and the
//! starter catalog `hub dev` seeds.

use crate::amount::Amount;
use crate::handler::{load, metadata, not_found, require, run};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::catalog::{Catalog, CatalogCommand, CatalogError};
use domain::{AccountId, Actor, Currency, Money, Role, ServiceType};
use platform::{Caller, Json, Problem};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use store::{CommandError, EventMetadata, HubEventStore, Store};
use utoipa::ToSchema;

/// `POST /api/v1/commands/admin/catalog/service-types`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddServiceTypeRequest {
    /// New code: 2-32 lowercase latin letters, digits or `_`.
    #[schema(value_type = String, example = "translation")]
    pub code: ServiceType,
    /// English display name.
    pub name_en: String,
    /// Russian display name.
    pub name_ru: String,
    /// Price of a one-off request, roubles.
    #[schema(value_type = String, example = "5000.00")]
    pub one_off_price: Amount,
    /// Price of a month, roubles.
    #[schema(value_type = String, example = "20000.00")]
    pub monthly_price: Amount,
}

/// `POST /api/v1/commands/admin/catalog/service-types/{code}/prices`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePricesRequest {
    /// New one-off price, roubles.
    #[schema(value_type = String, example = "5000.00")]
    pub one_off_price: Amount,
    /// New monthly price, roubles.
    #[schema(value_type = String, example = "20000.00")]
    pub monthly_price: Amount,
}

/// The created service type.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceTypeCreated {
    /// Its code.
    pub id: String,
}

fn catalog_error(e: CommandError<CatalogError>) -> ApiError {
    match e {
        CommandError::Rule(CatalogError::NotAdmin) => {
            ApiError::from(Problem::forbidden("only an admin may edit the catalog"))
        }
        CommandError::Rule(CatalogError::UnknownServiceType(_)) => not_found(),
        CommandError::Rule(e) => {
            let field = match &e {
                CatalogError::DuplicateCode(_) => Some("code"),
                CatalogError::PriceNotPositive { field } | CatalogError::InvalidName { field } => {
                    Some(*field)
                }
                _ => None,
            };
            ApiError::rule(&e, field.map(str::to_owned))
        }
        other => other.into(),
    }
}

/// An unparseable code names nothing in the catalog.
fn code_of(raw: &str) -> Result<ServiceType, ApiError> {
    ServiceType::parse(raw).map_err(|_| not_found())
}

async fn execute(
    state: &AppState,
    caller: &Caller,
    command: CatalogCommand,
) -> Result<(), ApiError> {
    let catalogs = Store::new(state.pool.clone()).catalogs();
    run(&catalogs, Catalog::ID, command, &metadata(caller))
        .await
        .map_err(catalog_error)
}

/// Retire and restore: an admin's command on one service type, 204 when done.
async fn lifecycle(
    state: &AppState,
    caller: &Caller,
    raw_code: &str,
    command: fn(Actor, ServiceType) -> CatalogCommand,
) -> Result<StatusCode, ApiError> {
    require(caller, &[Role::Admin])?;
    let code = code_of(raw_code)?;
    execute(state, caller, command(caller.actor(), code)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a service type with both plans' prices.
#[utoipa::path(post, path = "/api/v1/commands/admin/catalog/service-types", tag = "catalog",
    security(("bearer" = [])),
    request_body = AddServiceTypeRequest,
    responses(
        (status = 201, body = ServiceTypeCreated),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or duplicate code", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id))]
pub async fn add_service_type(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<AddServiceTypeRequest>,
) -> Result<(StatusCode, Json<ServiceTypeCreated>), ApiError> {
    require(&caller, &[Role::Admin])?;
    let id = req.code.to_string();
    execute(
        &state,
        &caller,
        CatalogCommand::AddServiceType {
            actor: caller.actor(),
            code: req.code,
            name_en: req.name_en,
            name_ru: req.name_ru,
            one_off_price: req.one_off_price.0,
            monthly_price: req.monthly_price.0,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ServiceTypeCreated { id })))
}

/// Reprices a service type; running subscriptions keep their price.
#[utoipa::path(post, path = "/api/v1/commands/admin/catalog/service-types/{code}/prices", tag = "catalog",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "service type code")),
    request_body = ChangePricesRequest,
    responses(
        (status = 204, description = "repriced"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such service type", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, service_type = %code))]
pub async fn change_prices(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<ChangePricesRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let code = code_of(&code)?;
    execute(
        &state,
        &caller,
        CatalogCommand::ChangePrices {
            actor: caller.actor(),
            code,
            one_off_price: req.one_off_price.0,
            monthly_price: req.monthly_price.0,
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops offering a service type to new subscriptions.
#[utoipa::path(post, path = "/api/v1/commands/admin/catalog/service-types/{code}/retire", tag = "catalog",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "service type code")),
    responses(
        (status = 204, description = "retired"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such service type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "already retired", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, service_type = %code))]
pub async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    lifecycle(&state, &caller, &code, |actor, code| {
        CatalogCommand::RetireServiceType { actor, code }
    })
    .await
}

/// Offers a retired service type again, at its last prices.
#[utoipa::path(post, path = "/api/v1/commands/admin/catalog/service-types/{code}/restore", tag = "catalog",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "service type code")),
    responses(
        (status = 204, description = "restored"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such service type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not retired", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, service_type = %code))]
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    lifecycle(&state, &caller, &code, |actor, code| {
        CatalogCommand::RestoreServiceType { actor, code }
    })
    .await
}

/// The catalog's current state.
pub async fn load_catalog(pool: &PgPool) -> Result<Catalog, ApiError> {
    load(&HubEventStore::<Catalog>::new(pool.clone()), Catalog::ID).await
}

/// Why the starter catalog could not be seeded.
#[derive(Debug, thiserror::Error)]
#[error("seeding the catalog: {0}")]
pub struct SeedError(String);

/// Adds the starter service types (legal, accounting, delivery) that are
/// missing, as the system acting with admin rights. Safe to run on every start.
pub async fn seed_catalog(pool: &PgPool) -> Result<(), SeedError> {
    const STARTERS: [(&str, &str, &str, i64, i64); 3] = [
        (
            "legal",
            "Legal services",
            "Юридические услуги",
            15_000,
            45_000,
        ),
        ("accounting", "Accounting", "Бухгалтерия", 12_000, 30_000),
        ("delivery", "Delivery", "Доставка", 3_000, 20_000),
    ];
    let catalog = load_catalog(pool)
        .await
        .map_err(|e| SeedError(e.to_string()))?;
    // The nil account: no person, but the catalog only takes admin commands.
    let system_admin = Actor::new(AccountId::from(uuid::Uuid::nil()), Role::Admin);
    let catalogs = Store::new(pool.clone()).catalogs();
    let metadata = EventMetadata::system();
    let rub = |n: i64| Money::positive(Decimal::from(n), Currency::RUB);
    for (code, name_en, name_ru, one_off, monthly) in STARTERS {
        let code = ServiceType::parse(code).map_err(|e| SeedError(e.to_string()))?;
        if catalog.get(&code).is_some() {
            continue;
        }
        let command = CatalogCommand::AddServiceType {
            actor: system_admin,
            code,
            name_en: name_en.to_owned(),
            name_ru: name_ru.to_owned(),
            one_off_price: rub(one_off).map_err(|e| SeedError(e.to_string()))?,
            monthly_price: rub(monthly).map_err(|e| SeedError(e.to_string()))?,
        };
        match run(&catalogs, Catalog::ID, command, &metadata).await {
            // Another replica seeded it first.
            Ok(()) | Err(CommandError::Rule(CatalogError::DuplicateCode(_))) => {}
            Err(e) => return Err(SeedError(e.to_string())),
        }
    }
    Ok(())
}
