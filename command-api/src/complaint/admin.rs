//! What admins do about complaints: review, notes and the resolution that
//! splits the frozen escrow.

use super::{complaint_field, settlement_transfer, visible_complaint};
use crate::amount::Share;
use crate::handler::{
    MAX_ATTEMPTS, credit_wallets, metadata, parse_id, refused, require, run_or_refuse, stores,
};
use crate::idempotency::IdempotencyKey;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::complaint::ComplaintCommand;
use domain::order::{OrderCommand, OrderError};
use domain::subscription::{SubscriptionCommand, SubscriptionError};
use domain::wallet::WalletError;
use domain::{ComplaintId, Money, Role};
use platform::{Caller, Json, Problem};
use serde::Deserialize;
use store::{Attempts, Store, UnitOfWork};
use utoipa::ToSchema;

/// `POST /admin/complaints/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNoteRequest {
    /// 1 to 4000 characters.
    pub text: String,
}

/// `POST /admin/complaints/{id}/resolve`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveComplaintRequest {
    /// Roubles back to the client, e.g. `"100.00"` (zero allowed).
    #[schema(value_type = String, example = "100.00")]
    pub to_client: Share,
    /// Roubles to the provider, e.g. `"50.00"` (zero allowed).
    #[schema(value_type = String, example = "50.00")]
    pub to_provider: Share,
    /// The reasoning, 1 to 4000 characters.
    pub note: String,
}

/// An admin starts looking into a complaint.
#[utoipa::path(post, path = "/api/v1/commands/admin/complaints/{id}/review", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the complaint")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "in review"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn review_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    visible_complaint(&state.pool, &caller, complaint_id).await?;
    let at = state.clock.now();
    run_or_refuse(
        &Store::new(state.pool.clone()).complaints(),
        &complaint_id.to_string(),
        || ComplaintCommand::TakeIntoReview {
            actor: caller.actor(),
            at,
        },
        &metadata(&caller),
        complaint_field("text"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin records a finding on a complaint.
#[utoipa::path(post, path = "/api/v1/commands/admin/complaints/{id}/notes", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the complaint")),
    request_body = AddNoteRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "noted"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AddNoteRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    visible_complaint(&state.pool, &caller, complaint_id).await?;
    let at = state.clock.now();
    run_or_refuse(
        &Store::new(state.pool.clone()).complaints(),
        &complaint_id.to_string(),
        || ComplaintCommand::AddNote {
            actor: caller.actor(),
            text: req.text.clone(),
            at,
        },
        &metadata(&caller),
        complaint_field("text"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin decides how the frozen escrow is split; the subscription
/// settles it and the order thaws.
#[utoipa::path(post, path = "/api/v1/commands/admin/complaints/{id}/resolve", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the complaint"),
        ("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    request_body = ResolveComplaintRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "resolved"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such complaint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(complaint.id = %id))]
pub async fn resolve_complaint(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(id): Path<String>,
    Json(req): Json<ResolveComplaintRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let complaint_id: ComplaintId = parse_id(&id, "id")?;
    let complaint = visible_complaint(&state.pool, &caller, complaint_id).await?;
    let (complaints, orders, subscriptions) = (
        stores::complaints(&state.pool),
        stores::orders(&state.pool),
        stores::subscriptions(&state.pool),
    );
    let subscription_id = complaint.subscription_id();
    let (cid, oid, sid) = (
        complaint_id.to_string(),
        complaint.order_id().to_string(),
        subscription_id.to_string(),
    );
    let (to_client, to_provider) = (req.to_client.0, req.to_provider.0);
    let at = state.clock.now();
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    // The decision, the split out of escrow, both wallets' credits and the
    // thawed order commit together: the split cannot leave escrow without
    // reaching the wallets.
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata(&caller));
        let subscription = unit
            .state(&subscriptions, &sid)
            .await
            .map_err(refused(|_: &SubscriptionError| None))?;
        // A complaint splits only the escrow it froze: when another complaint
        // of the same subscription holds it, this one has nothing to split.
        let holds_escrow = subscription.frozen_by() == Some(complaint_id);
        let escrow_available = if holds_escrow {
            subscription.escrow()
        } else {
            Money::zero(subscription.escrow().currency())
        };
        unit.execute(
            &complaints,
            &cid,
            ComplaintCommand::Resolve {
                actor: caller.actor(),
                to_client,
                to_provider,
                escrow_available,
                note: req.note.clone(),
                at,
            },
        )
        .await
        .map_err(refused(complaint_field("note")))?;
        if holds_escrow {
            let events = unit
                .execute(
                    &subscriptions,
                    &sid,
                    SubscriptionCommand::SettleComplaint {
                        complaint_id,
                        transfer_id: settlement_transfer(complaint_id),
                        to_client,
                        to_provider,
                    },
                )
                .await
                .map_err(refused(|_: &SubscriptionError| None))?;
            credit_wallets(&mut unit, &state.pool, subscription_id, &events)
                .await
                .map_err(refused(|_: &WalletError| None))?;
        }
        unit.execute(&orders, &oid, OrderCommand::Unfreeze { complaint_id, at })
            .await
            .map_err(refused(|_: &OrderError| None))?;
        key.answer::<()>(&mut unit, StatusCode::NO_CONTENT, None)?;
        if attempts.commit(unit).await? {
            break;
        }
    }
    tracing::info!("complaint resolved");
    Ok(StatusCode::NO_CONTENT)
}
