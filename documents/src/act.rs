//! What an act says, independent of how it is drawn.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One side of the act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The legal name as it should appear on the document.
    pub name: String,
    /// ИНН (taxpayer number).
    pub inn: String,
}

/// How the service was bought; named in the act's table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// A single purchase (разовая услуга).
    OneOff,
    /// A monthly subscription (ежемесячная подписка).
    Monthly,
}

/// A closing document for one paid period of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Act {
    /// e.g. "2026-000042"
    pub number: String,
    /// The act's date (the day the money was released).
    pub date: NaiveDate,
    /// Заказчик.
    pub client: Party,
    /// Исполнитель.
    pub provider: Party,
    /// The platform operator (агент), who took the fee.
    pub platform: Party,
    /// The service's name, e.g. "Бухгалтерское сопровождение".
    pub service: String,
    /// One-off or subscription.
    pub plan: Plan,
    /// First day of the period the act covers.
    pub period_start: NaiveDate,
    /// Last day of the period the act covers.
    pub period_end: NaiveDate,
    /// The total paid for the period (provider's share + the platform's fee).
    pub amount: Decimal,
    /// The platform's fee, part of `amount`.
    pub fee: Decimal,
    /// ISO 4217, "RUB" in practice.
    pub currency: String,
}
