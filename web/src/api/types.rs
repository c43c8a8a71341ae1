//! Wire types of the HTTP contract (`/work/contract.md`), as the SPA reads and sends them.

use serde::{Deserialize, Serialize};

/// Who the signed-in account is; decides the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Orders services.
    Client,
    /// Performs services of its service types.
    Provider,
    /// Handles complaints, sees everything.
    Admin,
    /// Reads the ledger.
    Auditor,
}

/// An amount of money; the amount stays a decimal string so no float ever touches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Decimal string, e.g. `"1500.00"`.
    pub amount: String,
    /// ISO 4217 code, e.g. `"RUB"`.
    pub currency: String,
}

impl Money {
    /// The amount as a reader of `lang` writes it, currency sign after it.
    pub fn display(&self, lang: crate::i18n::Lang) -> String {
        crate::format::money_in(self, lang, false)
    }

    /// Like [`Money::display`], with `+` on a credit and `−` on a debit.
    pub fn display_signed(&self, lang: crate::i18n::Lang) -> String {
        crate::format::money_in(self, lang, true)
    }
}

/// Answer of login and refresh. The refresh token the answer may also carry
/// (for API clients) is not read: the app relies on the HttpOnly cookie.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The account signed in.
    pub account_id: String,
    /// Its role.
    pub role: Role,
    /// Its e-mail (a reload learns it from the refresh).
    pub email: String,
}

/// Company part of a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Legal name.
    pub name: String,
    /// Russian taxpayer number (10 or 12 digits).
    pub inn: String,
}

/// Body of `POST /auth/register/client` and `/auth/register/provider`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// Login e-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// The company.
    pub company: Company,
    /// Person to talk to.
    pub contact_name: String,
    /// Only for providers: the service types it performs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_types: Option<Vec<String>>,
    /// The language of the account's mail: the one the form was filled in.
    pub language: String,
}

/// One service type of the catalog with its prices.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogItem {
    /// Stable code, e.g. `"legal"`.
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Russian name.
    pub name_ru: String,
    /// Price of a one-off request.
    pub one_off_price: Money,
    /// Price per month of a monthly subscription.
    pub monthly_price: Money,
}

/// `GET /catalog`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Catalog {
    /// All service types.
    pub items: Vec<CatalogItem>,
}

/// A subscription (a client's request, once accepted a running service).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Subscription {
    /// Its id.
    pub id: String,
    /// The client that asked.
    pub client_id: String,
    /// The provider that accepted, if any.
    pub provider_id: Option<String>,
    /// Service type code.
    pub service_type: String,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// What the client needs.
    pub description: String,
    /// `requested`, `active`, `past_due`, `suspended`, `cancelled`, `expired` or `completed`.
    pub status: String,
    /// Price per period.
    pub price: Money,
    /// Money held for it.
    pub escrow: Money,
    /// RFC 3339; start of the current period, once accepted.
    #[serde(default)]
    pub period_start: Option<String>,
    /// RFC 3339; end of the current period (monthly).
    #[serde(default)]
    pub period_end: Option<String>,
    /// RFC 3339; when the next month is charged, if one will be.
    #[serde(default)]
    pub next_charge_at: Option<String>,
    /// What that charge takes.
    #[serde(default)]
    pub next_charge: Option<Money>,
    /// Cancelled after acceptance: ends with the period.
    #[serde(default)]
    pub cancellation_scheduled: bool,
    /// RFC 3339; when a scheduled cancellation takes effect.
    #[serde(default)]
    pub cancel_effective_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; when an unaccepted request expires.
    #[serde(default)]
    pub acceptance_deadline: Option<String>,
    /// RFC 3339.
    pub updated_at: String,
}

/// A page of a cursor-paginated list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Cursor of the next page, `None` on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Body of `POST /commands/subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSubscription {
    /// Service type code.
    pub service_type: String,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// What the client needs.
    pub description: String,
}

/// Answer carrying a created id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Created {
    /// The new id.
    pub id: String,
}

/// `GET /wallet`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Wallet {
    /// Money the owner can spend or withdraw.
    pub available: Money,
    /// Held in the escrow of the client's subscriptions.
    pub in_escrow: Money,
    /// Withdrawals on their way to the bank.
    pub in_payout: Money,
    /// A provider's earnings so far; `None` for a client.
    #[serde(default)]
    pub earnings: Option<Money>,
}

/// One movement of `GET /wallet/history`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Movement {
    /// Position in the wallet's commit order.
    pub sequence: i64,
    /// `top_up`, `top_up_failed`, `withdrawal`, `withdrawal_sent`, `withdrawal_settled`,
    /// `withdrawal_failed`, `to_escrow`, `refund` or `earnings`.
    pub kind: String,
    /// Signed change of the available balance.
    pub amount: Money,
    /// The available balance after it.
    pub balance_after: Money,
    /// The transfer.
    pub transfer_id: String,
    /// The subscription whose escrow was involved.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// Why a top-up or payout failed.
    #[serde(default)]
    pub reason: Option<String>,
    /// RFC 3339.
    pub occurred_at: String,
}

/// One withdrawal of `GET /wallet/payouts`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Payout {
    /// The withdrawal's transfer.
    pub transfer_id: String,
    /// How much.
    pub amount: Money,
    /// `requested`, `sent`, `settled` or `failed`.
    pub status: String,
    /// The bank's reason when it failed.
    #[serde(default)]
    pub reason: Option<String>,
    /// The bank's BIK.
    pub bik: String,
    /// The masked account number.
    pub account: String,
    /// RFC 3339.
    pub requested_at: String,
}

/// Body of `POST /commands/wallet/top-ups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopUp {
    /// Decimal string in roubles.
    pub amount: String,
}

/// Answer of `POST /commands/wallet/top-ups`: where the payer goes next.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TopUpCreated {
    /// The top-up.
    pub transfer_id: String,
    /// The gateway's payment.
    pub payment_id: String,
    /// The payment page, e.g. `/pay/{payment_id}`.
    pub payment_url: String,
}

/// Bank details of a withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankBody {
    /// 9 digits starting with 04.
    pub bik: String,
    /// 20 digits.
    pub account: String,
}

/// Body of `POST /commands/wallet/withdrawals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// Decimal string in roubles.
    pub amount: String,
    /// Where to.
    pub bank: BankBody,
}

/// Answer of a command that starts a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TransferCreated {
    /// The transfer.
    pub transfer_id: String,
}

/// `GET /payments/sandbox/{payment_id}`: the sandbox gateway's payment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SandboxPayment {
    /// The payment.
    pub payment_id: String,
    /// The top-up it pays.
    pub transfer_id: String,
    /// How much.
    pub amount: Money,
    /// `pending`, `settled` or `failed`.
    pub status: String,
}

/// `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Me {
    /// The account.
    pub account_id: String,
    /// Its role.
    pub role: Role,
    /// Login e-mail.
    pub email: String,
    /// Its company, none for staff.
    pub company: Option<Company>,
    /// Person to talk to.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// Provider's service types.
    #[serde(default)]
    pub service_types: Vec<String>,
}

/// One field at fault in a problem.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldProblem {
    /// Field path as sent, e.g. `"company.inn"`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// RFC 9457 problem details, as every API answers an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Problem {
    /// Problem type URI.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Short summary.
    #[serde(default)]
    pub title: Option<String>,
    /// HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What happened, for a person.
    #[serde(default)]
    pub detail: Option<String>,
    /// Fields at fault.
    #[serde(default)]
    pub errors: Vec<FieldProblem>,
    /// Domain rule broken, when one was.
    #[serde(default)]
    pub rule: Option<String>,
    /// Id to quote to support.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// One of `GET /notifications`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Notification {
    /// The notification.
    pub id: String,
    /// Its kind, e.g. `top_up_settled`.
    pub kind: String,
    /// Its headline.
    pub subject: String,
    /// What it says.
    pub text: String,
    /// Where in the app it leads.
    pub link: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// When it was read, if it was.
    #[serde(default)]
    pub read_at: Option<String>,
}

/// `GET /notifications/unread`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UnreadCount {
    /// Unread notifications.
    pub unread: i64,
}

/// `GET /ledger/head`: where the hash chain ends now, for comparing with an export's last row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LedgerHead {
    /// Entries recorded so far.
    pub entries: u64,
    /// SHA-256 (hex) of the last entry; an export without an end date ends with it.
    pub head_hash: String,
    /// Sum over all accounts: zero when the ledger balances.
    pub sum: Money,
    /// Whether every transfer balances and the sum is zero.
    pub balanced: bool,
    /// Accounts below zero (wallets and escrows never may be).
    pub negative_accounts: u64,
}

/// Query of `GET /ledger/export`; an empty field is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerExportQuery {
    /// First day (`YYYY-MM-DD`, UTC), inclusive.
    pub from: String,
    /// Last day (`YYYY-MM-DD`, UTC), inclusive.
    pub to: String,
    /// One ledger account, e.g. `wallet:<uuid>` or `platform:fees`.
    pub account: String,
    /// `csv` or `jsonl`.
    pub format: String,
}

/// A company on a closing document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Party {
    /// Its account.
    pub account_id: String,
    /// Legal name.
    pub company_name: String,
    /// Taxpayer number.
    pub inn: String,
}

/// One closing document (акт) of `GET /documents`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Document {
    /// Its id, for the PDF.
    pub document_id: String,
    /// Its number, e.g. `2026-000001`.
    pub number: String,
    /// Its date (`YYYY-MM-DD`).
    pub date: String,
    /// The subscription it closes a period of.
    pub subscription_id: String,
    /// Service type code.
    pub service_type: String,
    /// `one_off` or `monthly`.
    pub plan: String,
    /// First day of the period (`YYYY-MM-DD`).
    pub period_start: String,
    /// Last day of the period (`YYYY-MM-DD`).
    pub period_end: String,
    /// What the client paid for the period.
    pub amount: Money,
    /// The platform's commission out of it.
    pub fee: Money,
    /// Who ordered.
    pub client: Party,
    /// Who performed.
    pub provider: Party,
}
