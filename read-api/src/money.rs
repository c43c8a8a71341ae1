//! Money as the SPA reads it: `{"amount": "1500.00", "currency": "RUB"}`.

use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// An amount with its currency; the amount is a string with two decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Money {
    /// Two decimal places, never a float.
    #[schema(example = "1500.00")]
    pub amount: String,
    /// ISO 4217 code.
    #[schema(example = "RUB")]
    pub currency: String,
}

impl Money {
    /// `amount` shown with exactly two decimal places.
    pub fn new(amount: Decimal, currency: &str) -> Self {
        let mut a = amount;
        a.rescale(2);
        Self {
            amount: a.to_string(),
            currency: currency.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_places() {
        assert_eq!(Money::new(Decimal::new(15, 0), "RUB").amount, "15.00");
        assert_eq!(Money::new(Decimal::new(1505, 1), "RUB").amount, "150.50");
        assert_eq!(Money::new(Decimal::ZERO, "RUB").amount, "0.00");
    }
}
