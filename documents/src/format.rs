//! How numbers, dates and currencies are spelled on the document.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

/// An amount reduced to what a Russian document shows: sign, whole units, hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Money {
    pub(crate) negative: bool,
    pub(crate) units: u128,
    pub(crate) cents: u32,
}

impl Money {
    /// Rounds half away from zero to kopecks, as accountants do.
    pub(crate) fn from_decimal(amount: Decimal) -> Self {
        let rounded = amount
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            .abs();
        let units = integer_part(rounded);
        // The fraction is below 1 with at most two digits, so ×100 cannot overflow
        // and leaves a whole number below 100.
        let cents = integer_part((rounded - rounded.trunc()) * Decimal::ONE_HUNDRED);
        Self {
            // "-0,00" would read as a debt of nothing.
            negative: amount.is_sign_negative() && (units != 0 || cents != 0),
            units,
            cents: u32::try_from(cents).unwrap_or(0),
        }
    }
}

/// The integral magnitude, read from the mantissa so no conversion can fail:
/// a `Decimal` mantissa is 96 bits and its scale at most 28, both well inside `u128`.
fn integer_part(value: Decimal) -> u128 {
    let whole = value.trunc();
    whole.mantissa().unsigned_abs() / 10u128.pow(whole.scale())
}

/// `1500.5` → `"1 500,50"`: thousands grouped by spaces, comma before kopecks.
pub(crate) fn amount(value: Decimal) -> String {
    let money = Money::from_decimal(value);
    let digits = money.units.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if money.negative {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    format!("{grouped},{:02}", money.cents)
}

/// `dd.mm.yyyy`, the form Russian documents use.
pub(crate) fn date(value: NaiveDate) -> String {
    value.format("%d.%m.%Y").to_string()
}

/// Whether the document can spell the amount in roubles.
pub(crate) fn is_rub(currency: &str) -> bool {
    currency.trim().eq_ignore_ascii_case("RUB")
}

/// "руб." for roubles; any other currency is shown by its code.
pub(crate) fn currency_label(currency: &str) -> String {
    if is_rub(currency) {
        "руб.".to_owned()
    } else {
        currency.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_are_grouped_with_kopecks() {
        assert_eq!(amount(dec!(0)), "0,00");
        assert_eq!(amount(dec!(5)), "5,00");
        assert_eq!(amount(dec!(999.9)), "999,90");
        assert_eq!(amount(dec!(1500.5)), "1 500,50");
        assert_eq!(amount(dec!(123456789.01)), "123 456 789,01");
        assert_eq!(amount(dec!(-1000)), "-1 000,00");
    }

    #[test]
    fn amounts_round_half_away_from_zero() {
        assert_eq!(amount(dec!(0.005)), "0,01");
        assert_eq!(amount(dec!(0.004)), "0,00");
        assert_eq!(amount(dec!(-0.004)), "0,00");
        assert_eq!(amount(dec!(1.995)), "2,00");
    }

    #[test]
    fn extreme_amounts_do_not_overflow() {
        assert_eq!(
            amount(Decimal::MAX),
            "79 228 162 514 264 337 593 543 950 335,00"
        );
        assert_eq!(
            amount(Decimal::MIN),
            "-79 228 162 514 264 337 593 543 950 335,00"
        );
    }

    #[test]
    fn dates_are_day_month_year() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).expect("valid date");
        assert_eq!(date(day), "05.03.2026");
    }

    #[test]
    fn only_roubles_get_the_russian_abbreviation() {
        assert_eq!(currency_label("RUB"), "руб.");
        assert_eq!(currency_label("rub"), "руб.");
        assert_eq!(currency_label("USD"), "USD");
    }
}
