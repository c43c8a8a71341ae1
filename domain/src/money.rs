//! Money: a non-negative decimal amount with at most two places, and its currency.
//! Never a float, so 0.10 + 0.20 is 0.30 and 1e308 cannot exist.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Currencies Hub settles in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Currency {
    /// Russian rouble, the default.
    #[default]
    RUB,
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RUB")
    }
}

/// Why an amount is not money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Below zero.
    #[error("amount must not be negative")]
    Negative,
    /// Zero where a positive amount is required.
    #[error("amount must be greater than zero")]
    NotPositive,
    /// Three or more decimal places.
    #[error("amount must have at most 2 decimal places")]
    TooPrecise,
    /// Above the largest amount Hub accepts.
    #[error("amount must not exceed {}", Money::MAX_AMOUNT)]
    TooLarge,
    /// Two currencies mixed in one operation.
    #[error("currencies differ")]
    CurrencyMismatch,
    /// Not a decimal number.
    #[error("amount is not a decimal number")]
    NotANumber,
}

/// A non-negative amount with at most two decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawMoney")]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

#[derive(Deserialize)]
struct RawMoney {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    #[serde(default)]
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = MoneyError;
    fn try_from(raw: RawMoney) -> Result<Self, Self::Error> {
        Money::new(raw.amount, raw.currency)
    }
}

impl Money {
    /// One trillion: far above any real transfer, far below overflow.
    pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

    /// Validates an amount: not negative, at most 2 places, not absurdly large.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        let normalized = amount.normalize();
        if normalized.scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        if normalized > Self::MAX_AMOUNT {
            return Err(MoneyError::TooLarge);
        }
        let mut amount = normalized;
        amount.rescale(2);
        Ok(Self { amount, currency })
    }

    /// A strictly positive amount, as every command that moves money requires.
    pub fn positive(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let m = Self::new(amount, currency)?;
        if m.is_zero() {
            return Err(MoneyError::NotPositive);
        }
        Ok(m)
    }

    /// Parses a decimal string in roubles, e.g. `"1500.50"`.
    pub fn parse_rub(s: &str) -> Result<Self, MoneyError> {
        let d: Decimal = s.trim().parse().map_err(|_| MoneyError::NotANumber)?;
        Self::new(d, Currency::RUB)
    }

    /// Roubles from a decimal; panics only on invalid literals, so meant for tests and constants.
    pub fn rub(amount: Decimal) -> Self {
        Self::new(amount, Currency::RUB).expect("a valid rouble amount")
    }

    /// Zero in the given currency.
    pub fn zero(currency: Currency) -> Self {
        Self {
            amount: Decimal::new(0, 2),
            currency,
        }
    }

    /// The amount, always with scale 2.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// `self + other`, or an error on a currency mismatch or overflow past the maximum.
    pub fn checked_add(&self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch);
        }
        Money::new(self.amount + other.amount, self.currency)
    }

    /// `self - other`, or an error when the result would be negative.
    pub fn checked_sub(&self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch);
        }
        Money::new(self.amount - other.amount, self.currency)
    }
}

impl Default for Money {
    fn default() -> Self {
        Money::zero(Currency::RUB)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl PartialOrd for Money {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        (self.currency == other.currency).then(|| self.amount.cmp(&other.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn adds_exactly() {
        let a = Money::rub(dec!(0.10));
        let b = Money::rub(dec!(0.20));
        assert_eq!(a.checked_add(b).unwrap(), Money::rub(dec!(0.30)));
    }

    #[test]
    fn refuses_negative_precise_and_huge() {
        assert_eq!(
            Money::new(dec!(-1), Currency::RUB),
            Err(MoneyError::Negative)
        );
        assert_eq!(
            Money::new(dec!(1.005), Currency::RUB),
            Err(MoneyError::TooPrecise)
        );
        assert_eq!(
            Money::new(dec!(1000000000000.01), Currency::RUB),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::positive(dec!(0), Currency::RUB),
            Err(MoneyError::NotPositive)
        );
    }

    #[test]
    fn trailing_zeros_are_not_precision() {
        assert_eq!(
            Money::new(dec!(1.500), Currency::RUB).unwrap(),
            Money::rub(dec!(1.5))
        );
    }

    #[test]
    fn subtraction_never_goes_below_zero() {
        let a = Money::rub(dec!(1));
        assert_eq!(
            a.checked_sub(Money::rub(dec!(2))),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn json_round_trip_and_validation() {
        let m = Money::rub(dec!(12.3));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"12.30","currency":"RUB"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"-5","currency":"RUB"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.001"}"#).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Cents up to the maximum amount (10^12 roubles = 10^14 cents).
        const MAX_CENTS: i64 = 100_000_000_000_000;

        proptest! {
            #[test]
            fn valid_amounts_round_trip_through_text_and_json(
                (scale, units) in (0u32..=2).prop_flat_map(|scale| {
                    // Up to the maximum amount, written with 0, 1 or 2 places.
                    (Just(scale), 0..=10i64.pow(12 + scale))
                })
            ) {
                let amount = Decimal::new(units, scale);
                let m = Money::new(amount, Currency::RUB).unwrap();
                prop_assert_eq!(m.amount(), amount);
                prop_assert_eq!(m.amount().scale(), 2);
                prop_assert_eq!(Money::parse_rub(&amount.to_string()), Ok(m));
                prop_assert_eq!(Money::parse_rub(&m.amount().to_string()), Ok(m));
                let json = serde_json::to_string(&m).unwrap();
                prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
            }

            #[test]
            fn negative_amounts_are_never_accepted(cents in 1..=MAX_CENTS, scale in 0u32..=4) {
                let amount = Decimal::new(-cents, scale);
                prop_assert_eq!(Money::new(amount, Currency::RUB), Err(MoneyError::Negative));
                prop_assert!(Money::parse_rub(&amount.to_string()).is_err());
                let json = format!(r#"{{"amount":"{amount}","currency":"RUB"}}"#);
                prop_assert!(serde_json::from_str::<Money>(&json).is_err());
            }

            #[test]
            fn three_decimal_amounts_are_never_accepted(
                cents in 0..=MAX_CENTS,
                third in 1i64..=9,
            ) {
                // A third decimal place that is not zero: 1.005, 0.001, 12.347 ...
                let mills = cents * 10 + third;
                let amount = Decimal::new(mills, 3);
                prop_assert_eq!(Money::new(amount, Currency::RUB), Err(MoneyError::TooPrecise));
                prop_assert_eq!(Money::parse_rub(&amount.to_string()), Err(MoneyError::TooPrecise));
                let json = format!(r#"{{"amount":"{amount}","currency":"RUB"}}"#);
                prop_assert!(serde_json::from_str::<Money>(&json).is_err());
            }
        }
    }
}
