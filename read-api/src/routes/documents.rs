//! Closing documents (акты): the list, each as a PDF, and the register.
//!
//! A client and a provider see the documents they are a party to; admins
//! and auditors see all. Another party's document is a 404, as if it did
//! not exist.

use crate::error::{ApiError, ApiResult};
use crate::money::Money;
use crate::openapi::ProblemDoc;
use crate::page::{Cursor, Page, PageParams, parse_query};
use crate::routes::Id;
use crate::routes::ledger::{READERS, parse_range};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::Role;
use platform::{Caller, Problem};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Who has documents.
const VIEWERS: &[Role] = &[Role::Client, Role::Provider, Role::Admin, Role::Auditor];

/// A company on a document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentParty {
    /// The account.
    pub account_id: Uuid,
    /// The company's name.
    pub company_name: String,
    /// The company's INN.
    #[schema(example = "7707083893")]
    pub inn: String,
}

/// A closing document: one period or one-off job paid to a provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosingDocument {
    /// Its id.
    pub document_id: Uuid,
    /// Its number, in the order they were issued.
    #[schema(example = "2026-000001")]
    pub number: String,
    /// Its date.
    pub date: NaiveDate,
    /// The subscription paid for.
    pub subscription_id: Uuid,
    /// The service type's code.
    pub service_type: String,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// The period's first day.
    pub period_start: NaiveDate,
    /// The period's last day, inclusive.
    pub period_end: NaiveDate,
    /// Paid for the period: the provider's share plus the platform's fee.
    pub amount: Money,
    /// The platform's fee, part of `amount`.
    pub fee: Money,
    /// Заказчик.
    pub client: DocumentParty,
    /// Исполнитель.
    pub provider: DocumentParty,
}

const COLUMNS: &str = "d.document_id, d.number, d.issued_at, d.subscription_id, d.service_type, \
     d.plan, d.period_start, d.period_end, d.amount, d.fee, d.currency, \
     d.client_id, COALESCE(c.company_name, c.contact_name, '') AS client_name, \
     COALESCE(c.company_inn, '') AS client_inn, \
     d.provider_id, COALESCE(p.company_name, p.contact_name, '') AS provider_name, \
     COALESCE(p.company_inn, '') AS provider_inn, \
     COALESCE(s.name_ru, d.service_type) AS service_name";

const FROM: &str = "read.closing_documents d \
     LEFT JOIN read.accounts c ON c.account_id = d.client_id \
     LEFT JOIN read.accounts p ON p.account_id = d.provider_id \
     LEFT JOIN read.catalog s ON s.code = d.service_type";

/// `$1` = caller, `$2` = sees all.
const VISIBLE: &str = "($2 OR d.client_id = $1 OR d.provider_id = $1)";

#[derive(Debug, sqlx::FromRow)]
struct Row {
    document_id: Uuid,
    number: String,
    issued_at: DateTime<Utc>,
    subscription_id: Uuid,
    service_type: String,
    plan: String,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
    amount: Decimal,
    fee: Decimal,
    currency: String,
    client_id: Uuid,
    client_name: String,
    client_inn: String,
    provider_id: Uuid,
    provider_name: String,
    provider_inn: String,
    service_name: String,
}

impl Row {
    fn cursor(&self) -> Cursor {
        Cursor {
            at: self.issued_at,
            id: self.document_id,
        }
    }
}

impl From<Row> for ClosingDocument {
    fn from(r: Row) -> Self {
        Self {
            document_id: r.document_id,
            number: r.number,
            date: r.issued_at.date_naive(),
            subscription_id: r.subscription_id,
            service_type: r.service_type,
            period_start: r.period_start.date_naive(),
            period_end: last_day(&r.plan, r.period_end),
            plan: r.plan,
            amount: Money::new(r.amount, &r.currency),
            fee: Money::new(r.fee, &r.currency),
            client: DocumentParty {
                account_id: r.client_id,
                company_name: r.client_name,
                inn: r.client_inn,
            },
            provider: DocumentParty {
                account_id: r.provider_id,
                company_name: r.provider_name,
                inn: r.provider_inn,
            },
        }
    }
}

/// The period's last day, inclusive, as an act states it: a month from
/// 06.11 ends on 05.12 (the next period starts on 06.12); a one-off job
/// ends on the day it was completed.
fn last_day(plan: &str, end: DateTime<Utc>) -> NaiveDate {
    let day = end.date_naive();
    if plan == "monthly" {
        day.pred_opt().unwrap_or(day)
    } else {
        day
    }
}

fn sees_all(caller: &Caller) -> bool {
    READERS.contains(&caller.role)
}

/// The closing documents the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<ClosingDocument>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<ClosingDocument>>> {
    caller.require(VIEWERS)?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {VISIBLE} \
           AND ($3::timestamptz IS NULL OR (d.issued_at, d.document_id) < ($3, $4::uuid)) \
         ORDER BY d.issued_at DESC, d.document_id DESC LIMIT $5"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(sees_all(&caller))
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, Row::cursor, ClosingDocument::from)))
}

async fn one(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<Row> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {VISIBLE} AND d.document_id = $3");
    sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(sees_all(caller))
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(|| Problem::not_found().with_detail("no such document").into())
}

/// One closing document as a PDF (A4, Russian, fonts embedded).
#[utoipa::path(get, path = "/api/v1/documents/{id}/pdf", tag = "documents",
    params(("id" = Uuid, Path, description = "the document")),
    responses((status = 200, description = "the PDF", content_type = "application/pdf", body = Vec<u8>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id))]
pub async fn pdf(State(state): State<AppState>, caller: Caller, Id(id): Id) -> ApiResult<Response> {
    caller.require(VIEWERS)?;
    let r = one(&state, &caller, id).await?;
    let act = documents::Act {
        number: r.number.clone(),
        date: r.issued_at.date_naive(),
        client: documents::Party {
            name: r.client_name,
            inn: r.client_inn,
        },
        provider: documents::Party {
            name: r.provider_name,
            inn: r.provider_inn,
        },
        platform: state.operator.clone(),
        service: r.service_name,
        plan: if r.plan == "monthly" {
            documents::Plan::Monthly
        } else {
            documents::Plan::OneOff
        },
        period_start: r.period_start.date_naive(),
        period_end: last_day(&r.plan, r.period_end),
        amount: r.amount,
        fee: r.fee,
        currency: r.currency,
    };
    // Rendering takes a few milliseconds of CPU: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || documents::render_pdf(&act))
        .await
        .map_err(|e| ApiError::Document(e.to_string()))?
        .map_err(|e| ApiError::Document(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"akt-{}.pdf\"", r.number),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The register of closing documents issued in a range, as CSV (UTF-8 with
/// BOM, RFC 4180): auditors and admins.
#[utoipa::path(get, path = "/api/v1/documents/register", tag = "documents",
    params(("from" = Option<String>, Query, description = "first day (`2026-12-01`) or RFC 3339 time, inclusive"),
           ("to" = Option<String>, Query, description = "last day (inclusive) or RFC 3339 time (exclusive)")),
    responses((status = 200, description = "the register", content_type = "text/csv", body = String),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an auditor or admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    caller.require(READERS)?;
    let q = parse_query(query.as_deref(), &["from", "to"])?;
    let (from, to) = parse_range(&q)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} \
         WHERE ($1::timestamptz IS NULL OR d.issued_at >= $1) \
           AND ($2::timestamptz IS NULL OR d.issued_at < $2) \
         ORDER BY d.number"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .fetch_all(&state.pool)
        .await?;
    let mut out = String::from(ledger::entry::BOM);
    out.push_str(REGISTER_HEADER);
    out.push_str("\r\n");
    for r in rows {
        let fields = [
            r.number,
            r.issued_at.date_naive().to_string(),
            r.client_name,
            r.client_inn,
            r.provider_name,
            r.provider_inn,
            r.service_name,
            r.plan.clone(),
            r.period_start.date_naive().to_string(),
            last_day(&r.plan, r.period_end).to_string(),
            ledger::entry::amount_text(r.amount),
            ledger::entry::amount_text(r.fee),
            r.currency,
            r.subscription_id.to_string(),
            r.document_id.to_string(),
        ];
        ledger::entry::write_csv_record(&mut out, fields.iter().map(String::as_str));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hub-closing-documents.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

/// The register's columns.
pub const REGISTER_HEADER: &str = "number,date,client,client_inn,provider,provider_inn,service,\
plan,period_start,period_end,amount,fee,currency,subscription_id,document_id";
