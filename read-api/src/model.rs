//! The JSON shapes read-api answers with, and the read-model rows behind them.
//! The same shape goes out over REST and SSE.

use crate::money::Money;
use crate::page::Cursor;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A subscription or an open request (`status: "requested"`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subscription {
    /// The subscription.
    pub id: Uuid,
    /// The client who requested it.
    pub client_id: Uuid,
    /// The provider who accepted it; `null` while requested.
    pub provider_id: Option<Uuid>,
    /// Service type code, e.g. `legal`.
    pub service_type: String,
    /// `one_off` or `monthly`.
    #[schema(example = "monthly")]
    pub plan: String,
    /// What the client asked for.
    pub description: String,
    /// `requested`, `overdue` (nobody accepted by the deadline; still open),
    /// `active`, `past_due`, `suspended`, `cancelled`, `expired` (older
    /// requests, refunded at their deadline) or `completed`.
    #[schema(example = "requested")]
    pub status: String,
    /// The price of one period (or of the one-off request).
    pub price: Money,
    /// Money held for the current period.
    pub escrow: Money,
    /// Start of the current period; `null` until a provider accepts.
    pub period_start: Option<DateTime<Utc>>,
    /// End of the current period; `null` for a one-off or while requested.
    pub period_end: Option<DateTime<Utc>>,
    /// When the next month is charged (wallet → escrow): the period's end for
    /// a monthly subscription that is active or past due (then it is overdue)
    /// and not being cancelled; otherwise `null`.
    pub next_charge_at: Option<DateTime<Utc>>,
    /// What that charge takes: one month's price; `null` when none is due.
    pub next_charge: Option<Money>,
    /// The client cancelled after acceptance: it ends with the period.
    pub cancellation_scheduled: bool,
    /// When a scheduled cancellation takes effect.
    pub cancel_effective_at: Option<DateTime<Utc>>,
    /// When it was requested.
    pub created_at: DateTime<Utc>,
    /// When the client is told if no provider accepted; `null` once the
    /// client chose to wait without a deadline.
    pub acceptance_deadline: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The columns of [`SubscriptionRow`], for `SELECT`.
pub const SUBSCRIPTION_COLUMNS: &str = "id, client_id, provider_id, service_type, plan, description, status, \
     price, escrow, currency, period_start, period_end, cancel_at_period_end, cancel_effective_at, \
     created_at, acceptance_deadline, updated_at";

/// A row of `read.subscriptions`.
#[derive(Debug, sqlx::FromRow)]
pub struct SubscriptionRow {
    id: Uuid,
    client_id: Uuid,
    provider_id: Option<Uuid>,
    service_type: String,
    plan: String,
    description: String,
    status: String,
    price: Decimal,
    escrow: Decimal,
    currency: String,
    period_start: Option<DateTime<Utc>>,
    period_end: Option<DateTime<Utc>>,
    cancel_at_period_end: bool,
    cancel_effective_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    acceptance_deadline: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl SubscriptionRow {
    /// When the next month is charged, if one will be.
    fn next_charge_at(&self) -> Option<DateTime<Utc>> {
        let renews = self.plan == "monthly"
            && matches!(self.status.as_str(), "active" | "past_due")
            && !self.cancel_at_period_end;
        self.period_end.filter(|_| renews)
    }

    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.created_at,
            id: self.id,
        }
    }
}

impl Subscription {
    /// Still waiting for a provider: requested, or past its deadline while
    /// the client waits.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "requested" | "overdue")
    }
}

impl From<SubscriptionRow> for Subscription {
    fn from(r: SubscriptionRow) -> Self {
        let next_charge_at = r.next_charge_at();
        Self {
            id: r.id,
            client_id: r.client_id,
            provider_id: r.provider_id,
            service_type: r.service_type,
            plan: r.plan,
            description: r.description,
            status: r.status,
            price: Money::new(r.price, &r.currency),
            escrow: Money::new(r.escrow, &r.currency),
            next_charge: next_charge_at.map(|_| Money::new(r.price, &r.currency)),
            next_charge_at,
            period_start: r.period_start,
            period_end: r.period_end,
            cancellation_scheduled: r.cancel_at_period_end,
            cancel_effective_at: r.cancel_effective_at,
            created_at: r.created_at,
            acceptance_deadline: r.acceptance_deadline,
            updated_at: r.updated_at,
        }
    }
}

/// An order inside an active subscription.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Order {
    /// The order.
    pub id: Uuid,
    /// Its subscription.
    pub subscription_id: Uuid,
    /// The subscription's client.
    pub client_id: Uuid,
    /// The subscription's provider.
    pub provider_id: Uuid,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// Short title.
    pub title: String,
    /// What is to be done.
    pub details: String,
    /// `created`, `in_progress`, `completed` or `cancelled` (by an admin).
    #[schema(example = "in_progress")]
    pub status: String,
    /// The client marked it done.
    pub client_done: bool,
    /// The provider marked it done.
    pub provider_done: bool,
    /// The open complaint freezing it, if any.
    pub frozen_by: Option<Uuid>,
    /// Messages in its chat.
    pub message_count: i32,
    /// When the client created it.
    pub created_at: DateTime<Utc>,
    /// When the provider took it into work.
    pub taken_at: Option<DateTime<Utc>>,
    /// When both sides marked it done.
    pub completed_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The columns of [`Order`], for `SELECT`.
pub const ORDER_COLUMNS: &str = "id, subscription_id, client_id, provider_id, plan, title, details, status, \
     client_done, provider_done, frozen_by, message_count, created_at, taken_at, completed_at, updated_at";

impl Order {
    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.created_at,
            id: self.id,
        }
    }
}

/// A message in an order's chat.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    /// The message.
    pub id: Uuid,
    /// The order whose chat it is.
    pub order_id: Uuid,
    /// Its position in the order's history (grows with time).
    pub sequence: i64,
    /// Who wrote it.
    pub author_id: Uuid,
    /// `client`, `provider` or `admin`.
    pub author_role: String,
    /// The text; a file's caption (maybe empty) when `attachment` is set.
    pub text: String,
    /// When it was posted.
    pub posted_at: DateTime<Utc>,
    /// The file this message carries, if any.
    pub attachment: Option<MessageAttachment>,
}

/// A file posted into an order's chat; its bytes are at
/// `GET /api/v1/orders/{order_id}/attachments/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageAttachment {
    /// The file.
    pub id: Uuid,
    /// The name offered on download.
    pub name: String,
    /// Told from the file's bytes: `application/pdf`, `image/png`,
    /// `image/jpeg`, `image/gif` or `image/webp`.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// The columns of [`Message`], for `SELECT`.
pub const MESSAGE_COLUMNS: &str = "message_id, order_id, sequence, author_id, author_role, text, \
     posted_at, attachment_id, attachment_name, attachment_type, attachment_size";

impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for Message {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        let attachment = match row.try_get::<Option<Uuid>, _>("attachment_id")? {
            Some(id) => Some(MessageAttachment {
                id,
                name: row.try_get("attachment_name")?,
                content_type: row.try_get("attachment_type")?,
                size: row.try_get("attachment_size")?,
            }),
            None => None,
        };
        Ok(Self {
            id: row.try_get("message_id")?,
            order_id: row.try_get("order_id")?,
            sequence: row.try_get("sequence")?,
            author_id: row.try_get("author_id")?,
            author_role: row.try_get("author_role")?,
            text: row.try_get("text")?,
            posted_at: row.try_get("posted_at")?,
            attachment,
        })
    }
}

impl Message {
    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.posted_at,
            id: self.id,
        }
    }
}

/// How an admin split a complaint's escrow.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Resolution {
    /// Returned to the client.
    pub to_client: Money,
    /// Paid to the provider.
    pub to_provider: Money,
    /// The admin's reasoning, shown to both parties with the decision.
    pub note: Option<String>,
}

/// A complaint about an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Complaint {
    /// The complaint.
    pub id: Uuid,
    /// The order complained about.
    pub order_id: Uuid,
    /// The order's subscription.
    pub subscription_id: Uuid,
    /// The order's client.
    pub client_id: Uuid,
    /// The order's provider.
    pub provider_id: Uuid,
    /// Who filed it.
    pub filed_by: Uuid,
    /// `client` or `provider`.
    pub filed_by_role: String,
    /// Why.
    pub reason: String,
    /// `filed`, `in_review`, `resolved` or `withdrawn`.
    #[schema(example = "filed")]
    pub status: String,
    /// The admin reviewing it; `null` for the order's parties (admins only).
    pub reviewer_id: Option<Uuid>,
    /// Admins' notes, `[{admin_id, text, at}]`, oldest first; always `[]`
    /// for the order's parties (the notes are the admins' own).
    #[schema(value_type = Vec<Object>)]
    pub notes: serde_json::Value,
    /// The split, once resolved.
    pub resolution: Option<Resolution>,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
    /// When it was resolved or withdrawn.
    pub closed_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The columns of [`ComplaintRow`], for `SELECT`.
pub const COMPLAINT_COLUMNS: &str = "id, order_id, subscription_id, client_id, provider_id, filed_by, filed_by_role, \
     reason, status, reviewer_id, notes, to_client, to_provider, currency, resolution_note, filed_at, closed_at, updated_at";

/// A row of `read.complaints`.
#[derive(Debug, sqlx::FromRow)]
pub struct ComplaintRow {
    id: Uuid,
    order_id: Uuid,
    subscription_id: Uuid,
    client_id: Uuid,
    provider_id: Uuid,
    filed_by: Uuid,
    filed_by_role: String,
    reason: String,
    status: String,
    reviewer_id: Option<Uuid>,
    notes: serde_json::Value,
    to_client: Option<Decimal>,
    to_provider: Option<Decimal>,
    currency: Option<String>,
    resolution_note: Option<String>,
    filed_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl ComplaintRow {
    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.filed_at,
            id: self.id,
        }
    }
}

impl Complaint {
    /// What the order's client and provider may see: the complaint, its
    /// status and the decision with its reasoning (`resolution.note`), but
    /// not the admins' working notes nor which admin reviews it.
    pub fn for_party(self) -> Self {
        Self {
            reviewer_id: None,
            notes: serde_json::Value::Array(Vec::new()),
            ..self
        }
    }

    /// The complaint as `caller` may see it: whole for an admin, redacted
    /// ([`Complaint::for_party`]) for anyone else.
    pub fn for_caller(self, caller: &platform::Caller) -> Self {
        if caller.role == domain::Role::Admin {
            self
        } else {
            self.for_party()
        }
    }
}

impl From<ComplaintRow> for Complaint {
    fn from(r: ComplaintRow) -> Self {
        let resolution = match (r.to_client, r.to_provider, r.currency.as_deref()) {
            (Some(c), Some(p), Some(cur)) => Some(Resolution {
                to_client: Money::new(c, cur),
                to_provider: Money::new(p, cur),
                note: r.resolution_note,
            }),
            _ => None,
        };
        Self {
            id: r.id,
            order_id: r.order_id,
            subscription_id: r.subscription_id,
            client_id: r.client_id,
            provider_id: r.provider_id,
            filed_by: r.filed_by,
            filed_by_role: r.filed_by_role,
            reason: r.reason,
            status: r.status,
            reviewer_id: r.reviewer_id,
            notes: r.notes,
            resolution,
            filed_at: r.filed_at,
            closed_at: r.closed_at,
            updated_at: r.updated_at,
        }
    }
}

/// A client's or provider's wallet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Wallet {
    /// Money the owner can spend or withdraw.
    pub available: Money,
    /// Held in the escrow of the caller's own subscriptions (a client's;
    /// zero for a provider).
    pub in_escrow: Money,
    /// Withdrawals requested and not yet settled or failed at the bank.
    pub in_payout: Money,
    /// A provider's earnings so far (escrow released to it); `null` for a client.
    pub earnings: Option<Money>,
}

/// One movement of a wallet, as its history lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Movement {
    /// The posting's place among the account's postings (`account_seq` of
    /// the ledger), from 1, without gaps.
    pub sequence: i64,
    /// `top_up`, `withdrawal`, `withdrawal_settled`, `withdrawal_failed`,
    /// `to_escrow`, `refund` or `earnings`.
    #[schema(example = "top_up")]
    pub kind: String,
    /// The change of the account's balance, signed (`"-200.00"`).
    pub amount: Money,
    /// The account's balance once this posting applied.
    pub balance_after: Money,
    /// The transfer it belongs to.
    pub transfer_id: Uuid,
    /// The subscription whose escrow the money went to or came from.
    pub subscription_id: Option<Uuid>,
    /// Why a top-up or a payout failed.
    pub reason: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// A row of a wallet's history (its ledger postings).
#[derive(Debug, sqlx::FromRow)]
pub struct MovementRow {
    sequence: i64,
    kind: String,
    amount: Decimal,
    balance_after: Decimal,
    currency: String,
    transfer_id: Uuid,
    subscription_id: Option<Uuid>,
    reason: Option<String>,
    occurred_at: DateTime<Utc>,
}

impl MovementRow {
    /// Its pagination key: the sequence, newest first.
    pub fn cursor(&self) -> Cursor {
        Cursor::for_sequence(self.sequence)
    }
}

impl From<MovementRow> for Movement {
    fn from(r: MovementRow) -> Self {
        Self {
            sequence: r.sequence,
            kind: r.kind,
            amount: Money::new(r.amount, &r.currency),
            balance_after: Money::new(r.balance_after, &r.currency),
            transfer_id: r.transfer_id,
            subscription_id: r.subscription_id,
            reason: r.reason,
            occurred_at: r.occurred_at,
        }
    }
}

/// A withdrawal on its way to (or back from) the bank.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payout {
    /// The withdrawal's transfer.
    pub transfer_id: Uuid,
    /// How much.
    pub amount: Money,
    /// `requested`, `sent`, `settled` or `failed`.
    #[schema(example = "sent")]
    pub status: String,
    /// The bank's reason when it failed.
    pub reason: Option<String>,
    /// The bank's BIK.
    #[schema(example = "044525225")]
    pub bik: String,
    /// The account, all but its first five and last four digits hidden.
    #[schema(example = "40702••••0001")]
    pub account: String,
    /// When it was requested.
    pub requested_at: DateTime<Utc>,
    /// Its last change of status.
    pub updated_at: DateTime<Utc>,
}

/// The columns of [`PayoutRow`], for `SELECT`.
pub const PAYOUT_COLUMNS: &str =
    "transfer_id, amount, currency, status, reason, bik, account_masked, requested_at, updated_at";

/// A row of `read.wallet_payouts`.
#[derive(Debug, sqlx::FromRow)]
pub struct PayoutRow {
    transfer_id: Uuid,
    amount: Decimal,
    currency: String,
    status: String,
    reason: Option<String>,
    bik: String,
    account_masked: String,
    requested_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl PayoutRow {
    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.requested_at,
            id: self.transfer_id,
        }
    }
}

impl From<PayoutRow> for Payout {
    fn from(r: PayoutRow) -> Self {
        Self {
            transfer_id: r.transfer_id,
            amount: Money::new(r.amount, &r.currency),
            status: r.status,
            reason: r.reason,
            bik: r.bik,
            account: r.account_masked,
            requested_at: r.requested_at,
            updated_at: r.updated_at,
        }
    }
}

/// A company as registered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Company {
    /// Legal name.
    pub name: String,
    /// Taxpayer number.
    pub inn: String,
}

/// The caller's own account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    /// The account.
    pub account_id: Uuid,
    /// `client`, `provider`, `admin` or `auditor`.
    #[schema(example = "client")]
    pub role: String,
    /// Login and contact address.
    pub email: String,
    /// The company; `null` for staff.
    pub company: Option<Company>,
    /// The person to talk to (empty when unknown).
    pub contact_name: String,
    /// Service type codes a provider serves; empty for other roles.
    pub service_types: Vec<String>,
}

/// A service type and its prices.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogItem {
    /// Its code, e.g. `legal`.
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Russian name.
    pub name_ru: String,
    /// Price of a one-off request.
    pub one_off_price: Money,
    /// Price of a month.
    pub monthly_price: Money,
    /// No longer offered (listed only to admins asking `include_retired=true`).
    pub retired: bool,
}

/// The catalog.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Catalog {
    /// Service types, by code: the active ones, and retired ones too when
    /// an admin asked for them.
    pub items: Vec<CatalogItem>,
}

/// An in-app notification, as the notifier wrote it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notification {
    /// The notification.
    pub id: Uuid,
    /// What kind, e.g. `new_request`, `top_up_settled`.
    pub kind: String,
    /// Its headline (the mail's subject).
    pub subject: String,
    /// What it says.
    pub text: String,
    /// Where in the web app it leads, e.g. `/subscriptions/{id}`.
    pub link: String,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// When the account marked it read; `null` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// Columns of `notifications` in [`Notification`]'s order.
pub const NOTIFICATION_COLUMNS: &str = "id, kind, subject, text, link, created_at, read_at";

impl Notification {
    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.created_at,
            id: self.id,
        }
    }
}

/// How many notifications the caller has not read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnreadCount {
    /// Unread notifications.
    pub unread: i64,
}

/// An account as the admin console lists it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AdminAccount {
    /// The account.
    pub account_id: Uuid,
    /// `client`, `provider`, `admin` or `auditor`.
    #[schema(example = "provider")]
    pub role: String,
    /// Login and contact address.
    pub email: String,
    /// The company's legal name; `null` for staff.
    pub company_name: Option<String>,
    /// The company's taxpayer number; `null` for staff.
    #[schema(example = "7707083893")]
    pub inn: Option<String>,
    /// Service type codes a provider serves; empty for other roles.
    pub service_types: Vec<String>,
    /// Blocked: every query and command of it is refused.
    pub blocked: bool,
    /// When it registered.
    pub registered_at: DateTime<Utc>,
}

impl AdminAccount {
    /// Its pagination key.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.registered_at,
            id: self.account_id,
        }
    }
}
