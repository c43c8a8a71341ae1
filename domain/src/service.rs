//! Service types and plans.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a service type code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("service type must be 2-32 lowercase latin letters, digits or `_`, starting with a letter")]
pub struct ServiceTypeError;

/// A service type code from the catalog, e.g. `legal`, `accounting`, `delivery`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceType(String);

impl ServiceType {
    /// The types Hub starts with.
    pub const STARTERS: [&'static str; 3] = ["legal", "accounting", "delivery"];

    /// Validates the code's shape (the catalog decides whether it exists).
    pub fn parse(s: &str) -> Result<Self, ServiceTypeError> {
        let ok = (2..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(ServiceTypeError);
        }
        Ok(Self(s.to_owned()))
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ServiceType {
    type Error = ServiceTypeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ServiceType::parse(&s)
    }
}
impl From<ServiceType> for String {
    fn from(s: ServiceType) -> String {
        s.0
    }
}
impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// Paid once; ends when its order completes.
    OneOff,
    /// Paid per month; renews until cancelled.
    Monthly,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_starter_and_shaped_codes() {
        for good in ServiceType::STARTERS
            .into_iter()
            .chain(["it2", "tax_audit", "ab"])
        {
            assert_eq!(ServiceType::parse(good).unwrap().as_str(), good);
        }
        assert!(ServiceType::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn refuses_badly_shaped_codes() {
        for bad in [
            "",
            "a",
            "Legal",
            "2legal",
            "_legal",
            "legal-aid",
            "legal aid",
            "юрист",
            &"a".repeat(33),
        ] {
            assert_eq!(ServiceType::parse(bad), Err(ServiceTypeError), "{bad:?}");
        }
    }

    #[test]
    fn json_uses_the_code_and_validates() {
        let legal = ServiceType::parse("legal").unwrap();
        assert_eq!(serde_json::to_string(&legal).unwrap(), "\"legal\"");
        assert!(serde_json::from_str::<ServiceType>("\"Legal\"").is_err());
    }

    #[test]
    fn plans_are_snake_case_in_json() {
        assert_eq!(serde_json::to_string(&Plan::OneOff).unwrap(), "\"one_off\"");
        assert_eq!(
            serde_json::from_str::<Plan>("\"monthly\"").unwrap(),
            Plan::Monthly
        );
    }
}
