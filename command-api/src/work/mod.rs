//! The commands of the work itself under `/api/v1/commands/`: orders in a
//! subscription, their chat and completion, complaints and the admin's
//! handling of them (DESIGN §6, §7).
//!
//! HTTP only authenticates, looks up the facts a command needs (and whether
//! the caller may know the target exists) and maps errors: every rule lives
//! in the aggregates. A target the caller has no part in answers 404, so ids
//! of other companies' orders and subscriptions do not leak; a role that can
//! never do the action answers 403.

pub mod admin;
pub mod complaints;
pub mod orders;

use crate::accounts::MAX_ATTEMPTS;
use crate::{ApiError, AppState};
use axum::Router;
use axum::routing::post;
use cqrs_es::{Aggregate, EventStore};
use domain::RuleViolation;
use platform::{Caller, FieldError, Problem};
use serde::Serialize;
use sqlx::PgPool;
use std::str::FromStr;
use store::{EventMetadata, HubCqrs, HubEventStore, execute_with_retry};
use utoipa::ToSchema;
use uuid::Uuid;

/// The routes under `/api/v1/commands` this module serves.
pub fn routes(state: &AppState) -> Router<AppState> {
    let keyed = Router::new()
        .route(
            "/api/v1/commands/admin/complaints/{id}/resolve",
            post(admin::resolve_complaint),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::layer,
        ));
    Router::new()
        .merge(keyed)
        .route(
            "/api/v1/commands/subscriptions/{id}/orders",
            post(orders::create_order),
        )
        .route(
            "/api/v1/commands/orders/{id}/take",
            post(orders::take_order),
        )
        .route(
            "/api/v1/commands/orders/{id}/messages",
            post(orders::post_message),
        )
        .route(
            "/api/v1/commands/orders/{id}/complete",
            post(orders::complete_order),
        )
        .route(
            "/api/v1/commands/orders/{id}/complaints",
            post(complaints::file_complaint),
        )
        .route(
            "/api/v1/commands/complaints/{id}/withdraw",
            post(complaints::withdraw_complaint),
        )
        .route(
            "/api/v1/commands/admin/complaints/{id}/review",
            post(admin::review_complaint),
        )
        .route(
            "/api/v1/commands/admin/complaints/{id}/notes",
            post(admin::add_note),
        )
        .route(
            "/api/v1/commands/admin/messages",
            post(admin::admin_message),
        )
}

/// `201` body: the id of what was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedResponse {
    /// The new order's, message's or complaint's id.
    pub id: Uuid,
}

/// The request id when it is a UUID (ours always are; a caller's may not be).
pub(crate) fn correlation_id() -> Uuid {
    platform::request_id::current()
        .and_then(|c| Uuid::parse_str(&c.id).ok())
        .unwrap_or_else(Uuid::new_v4)
}

/// Metadata of the commands one request issues: the caller, the request id.
pub(crate) fn metadata(caller: &Caller) -> EventMetadata {
    EventMetadata::by(caller.actor()).correlated_with(correlation_id())
}

/// Parses a path or body id, naming `field` when it is not a UUID.
pub(crate) fn parse_id<T: FromStr>(raw: &str, field: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::Validation(vec![FieldError::new(field, "must be a UUID")]))
}

/// 403 unless the caller has one of `roles`.
pub(crate) fn require(caller: &Caller, roles: &[domain::Role]) -> Result<(), ApiError> {
    caller.require(roles).map_err(ApiError::from)
}

/// 404 for `what`, used both for absent targets and for targets the caller
/// has no part in, so the two cannot be told apart.
pub(crate) fn not_found(what: &str) -> ApiError {
    Problem::not_found()
        .with_detail(format!("{what} not found"))
        .into()
}

/// The current state of aggregate `id` (the default state when it has no
/// events), read the way the framework reads it before a command.
pub(crate) async fn load<A: Aggregate>(
    pool: &PgPool,
    id: &str,
    snapshot_every: usize,
) -> Result<A, ApiError>
where
    A::Services: Default,
{
    let store = HubEventStore::<A>::new(pool.clone()).with_snapshots(snapshot_every);
    let context = store
        .load_aggregate(id)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(context.aggregate)
}

/// Runs one command with retries on conflicts; a refusal becomes 422 with
/// the rule's code and the request field `field_of` names for it.
pub(crate) async fn run<A>(
    cqrs: &HubCqrs<A>,
    id: &str,
    command: impl FnMut() -> A::Command,
    metadata: &EventMetadata,
    field_of: impl Fn(&A::Error) -> Option<&'static str>,
) -> Result<(), ApiError>
where
    A: Aggregate,
    A::Error: RuleViolation,
{
    execute_with_retry(cqrs, id, command, metadata, MAX_ATTEMPTS)
        .await
        .map_err(|e| match e {
            store::CommandError::Rule(rule) => {
                ApiError::rule(&rule, field_of(&rule).map(str::to_owned))
            }
            other => other.into(),
        })
}

/// Maps a command's refusal inside a unit of work like [`run`] does: 422
/// with the rule's code and the field `field_of` names.
pub(crate) fn refused<E: RuleViolation>(
    field_of: impl Fn(&E) -> Option<&'static str>,
) -> impl Fn(store::CommandError<E>) -> ApiError {
    move |e| match e {
        store::CommandError::Rule(rule) => {
            ApiError::rule(&rule, field_of(&rule).map(str::to_owned))
        }
        other => other.into(),
    }
}
