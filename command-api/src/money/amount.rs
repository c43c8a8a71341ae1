//! Amounts in request bodies: a decimal string of roubles, e.g. `"1500.00"`,
//! positive, with at most two places. A bad one is refused while the body is
//! parsed, so the 422 names the field (`amount`, `one_off_price`…).

use domain::{Currency, Money};
use rust_decimal::Decimal;
use serde::Deserialize;

/// A positive rouble amount given as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Amount(pub Money);

impl TryFrom<String> for Amount {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        let not_a_number = || "must be a decimal number of roubles, e.g. \"1500.00\"".to_owned();
        let raw = raw.trim();
        // Plain notation only: `1e3` or `0x10` are not how anyone writes money.
        if !raw
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            return Err(not_a_number());
        }
        let amount: Decimal = raw.parse().map_err(|_| not_a_number())?;
        Money::positive(amount, Currency::RUB)
            .map(Amount)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Amount, String> {
        Amount::try_from(s.to_owned())
    }

    #[test]
    fn two_places_parse() {
        assert_eq!(
            parse("1500.50").map(|a| a.0.amount().to_string()),
            Ok("1500.50".into())
        );
    }

    #[test]
    fn negative_zero_three_places_and_words_are_refused() {
        for bad in ["-1.00", "0", "0.00", "1.005", "abc", "", "1e3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
