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
        let amount = decimal(&raw)?;
        Money::positive(amount, Currency::RUB)
            .map(Amount)
            .map_err(|e| e.to_string())
    }
}

/// The decimal in `raw`, in plain notation only: `1e3` or `0x10` are not
/// how anyone writes money.
fn decimal(raw: &str) -> Result<Decimal, String> {
    let not_a_number = || "must be a decimal number of roubles, e.g. \"1500.00\"".to_owned();
    let raw = raw.trim();
    if !raw
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Err(not_a_number());
    }
    raw.parse().map_err(|_| not_a_number())
}

/// A rouble amount that may be zero, given as a string: one side's share
/// of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Share(pub Money);

impl TryFrom<String> for Share {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Money::new(decimal(&raw)?, Currency::RUB)
            .map(Share)
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
    fn a_share_may_be_zero_but_not_negative_or_odd() {
        let share = |s: &str| Share::try_from(s.to_owned());
        assert_eq!(share("0.00").unwrap().0, Money::zero(Currency::RUB));
        assert_eq!(
            share("150.50").unwrap().0,
            Money::parse_rub("150.50").unwrap()
        );
        assert!(share("-1.00").is_err());
        assert!(share("1.005").is_err());
        assert!(share("").is_err());
        assert!(share("1e3").is_err());
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
