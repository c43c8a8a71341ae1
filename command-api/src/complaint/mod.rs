//! Complaints about an order, filed and withdrawn by its client or provider;
//! the admin's handling of them is [`admin`].

pub mod admin;

use crate::handler::{
    CreatedResponse, MAX_ATTEMPTS, load, metadata, not_found_named, parse_id, refused, require,
    stores,
};
use crate::order::visible_order;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::complaint::{Complaint, ComplaintCommand, ComplaintError, OrderFacts};
use domain::order::{OrderCommand, OrderError};
use domain::subscription::{SubscriptionCommand, SubscriptionError, derived_transfer_id};
use domain::{ComplaintId, Money, OrderId, Role};
use platform::{Caller, Json, Problem};
use serde::Deserialize;
use sqlx::PgPool;
use store::{Attempts, UnitOfWork};
use utoipa::ToSchema;

/// `POST /orders/{id}/complaints`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileComplaintRequest {
    /// 10 to 4000 characters.
    pub reason: String,
}

/// The request field a complaint's refusal is about (`text_field` names the
/// body field holding a note, which differs between endpoints).
pub(crate) fn complaint_field(
    text_field: &'static str,
) -> impl Fn(&ComplaintError) -> Option<&'static str> {
    move |e| match e {
        ComplaintError::InvalidReason => Some("reason"),
        ComplaintError::InvalidNote => Some(text_field),
        ComplaintError::SplitExceedsEscrow | ComplaintError::CurrencyMismatch => Some("to_client"),
        _ => None,
    }
}

/// The complaint `id` when it exists and the caller may know it does: the
/// order's client or provider, or an admin.
pub(crate) async fn visible_complaint(
    pool: &PgPool,
    caller: &Caller,
    id: ComplaintId,
) -> Result<Complaint, ApiError> {
    let complaint: Complaint = load(&stores::complaints(pool), &id.to_string()).await?;
    let party = match caller.role {
        Role::Client => complaint.client() == caller.account_id,
        Role::Provider => complaint.provider() == caller.account_id,
        Role::Admin => true,
        Role::Auditor => false,
    };
    if complaint.status().is_none() || !party {
        return Err(not_found_named("complaint"));
    }
    Ok(complaint)
}

/// The transfer id of a complaint's settlement: derived, so a repeated
/// settle (a retried request, a process manager) moves money at most once.
pub(crate) fn settlement_transfer(complaint_id: ComplaintId) -> domain::TransferId {
    derived_transfer_id(complaint_id.as_uuid(), "complaint_settlement")
}

/// The order's client or provider complains: the complaint is filed, then
/// the order and the subscription's escrow are frozen.
#[utoipa::path(post, path = "/api/v1/commands/orders/{id}/complaints", tag = "complaints",
    params(("id" = uuid::Uuid, Path, description = "the order")),
    request_body = FileComplaintRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CreatedResponse),
        (status = 403, description = "neither client nor provider", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, order.id = %id))]
pub async fn file_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<FileComplaintRequest>,
) -> Result<impl IntoResponse, ApiError> {
    require(&caller, &[Role::Client, Role::Provider])?;
    let order_id: OrderId = parse_id(&id, "id")?;
    let order = visible_order(&state.pool, &caller, order_id).await?;
    let facts = OrderFacts {
        order_id,
        subscription_id: order.subscription_id(),
        client: order.client(),
        provider: order.provider(),
    };
    let complaint_id = ComplaintId::new();
    let (complaints, orders, subscriptions) = (
        stores::complaints(&state.pool),
        stores::orders(&state.pool),
        stores::subscriptions(&state.pool),
    );
    let (cid, oid, sid) = (
        complaint_id.to_string(),
        order_id.to_string(),
        facts.subscription_id.to_string(),
    );
    let at = state.clock.now();
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    // The complaint, the frozen order and the frozen escrow commit together:
    // no open complaint without a frozen order, no frozen order without one.
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata(&caller));
        unit.execute(
            &complaints,
            &cid,
            ComplaintCommand::File {
                actor: caller.actor(),
                complaint_id,
                order: facts,
                reason: req.reason.clone(),
                at,
            },
        )
        .await
        .map_err(refused(complaint_field("reason")))?;
        unit.execute(&orders, &oid, OrderCommand::Freeze { complaint_id, at })
            .await
            .map_err(refused(|_: &OrderError| None))?;
        // Another order's complaint may already hold the subscription's
        // escrow; it stays frozen by that one.
        let subscription = unit
            .state(&subscriptions, &sid)
            .await
            .map_err(refused(|_: &SubscriptionError| None))?;
        if subscription.frozen_by().is_none() && subscription.provider().is_some() {
            unit.execute(
                &subscriptions,
                &sid,
                SubscriptionCommand::FreezeEscrow { complaint_id },
            )
            .await
            .map_err(refused(|_: &SubscriptionError| None))?;
        }
        if attempts.commit(unit).await? {
            break;
        }
    }
    tracing::info!(complaint.id = %complaint_id, "complaint filed");
    Ok((
        StatusCode::CREATED,
        Json(CreatedResponse {
            id: complaint_id.as_uuid(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/commands/complaints/{id}/withdraw", tag = "complaints",
    params(("id" = uuid::Uuid, Path, description = "the complaint")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "withdrawn"),
        (status = 403, description = "neither client nor provider", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, complaint.id = %id))]
pub async fn withdraw_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Client, Role::Provider])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    let complaint = visible_complaint(&state.pool, &caller, complaint_id).await?;
    let (complaints, orders, subscriptions) = (
        stores::complaints(&state.pool),
        stores::orders(&state.pool),
        stores::subscriptions(&state.pool),
    );
    let (cid, oid, sid) = (
        complaint_id.to_string(),
        complaint.order_id().to_string(),
        complaint.subscription_id().to_string(),
    );
    let at = state.clock.now();
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    // Withdrawn, the order and the escrow thaw in the same commit.
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata(&caller));
        unit.execute(
            &complaints,
            &cid,
            ComplaintCommand::Withdraw {
                actor: caller.actor(),
                at,
            },
        )
        .await
        .map_err(refused(complaint_field("text")))?;
        unit.execute(&orders, &oid, OrderCommand::Unfreeze { complaint_id, at })
            .await
            .map_err(refused(|_: &OrderError| None))?;
        // The escrow thaws through a settlement of nothing to anyone.
        let subscription = unit
            .state(&subscriptions, &sid)
            .await
            .map_err(refused(|_: &SubscriptionError| None))?;
        if subscription.frozen_by() == Some(complaint_id) {
            let nothing = Money::zero(subscription.escrow().currency());
            unit.execute(
                &subscriptions,
                &sid,
                SubscriptionCommand::SettleComplaint {
                    complaint_id,
                    transfer_id: settlement_transfer(complaint_id),
                    to_client: nothing,
                    to_provider: nothing,
                },
            )
            .await
            .map_err(refused(|_: &SubscriptionError| None))?;
        }
        if attempts.commit(unit).await? {
            return Ok(StatusCode::NO_CONTENT);
        }
    }
}
