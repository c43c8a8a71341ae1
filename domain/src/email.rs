//! A contact email address, normalised to lower case.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct EmailError;

/// A syntactically plausible email address (one `@`, a dotted domain, no spaces), lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates and lower-cases. Quoted local parts and IP-literal domains
    /// are refused: no business mailbox needs them, and they are where
    /// header injection and look-alike tricks hide.
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let s = s.trim();
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        if s.len() > 254 || !local_part_ok(local) || !domain_ok(domain) {
            return Err(EmailError);
        }
        Ok(Self(s.to_lowercase()))
    }
    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Dot-atom: 1..=64 bytes of letters, digits and RFC 5322 `atext` symbols,
/// dots only between them.
fn local_part_ok(local: &str) -> bool {
    const SYMBOLS: &str = "!#$%&'*+/=?^_`{|}~-";
    (1..=64).contains(&local.len())
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_alphanumeric() || SYMBOLS.contains(c))
        })
}

/// At least two labels of 1..=63 letters, digits or inner hyphens; the last
/// (the TLD) not all digits, which would make it an IP address.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for good in [
            "info@romashka.ru",
            "first.last@example.com",
            "user+tag@mail.example.co.uk",
            "o'brien@example.ie",
            "a_b-c@sub-domain.example.org",
            "x@xn--80ak6aa92e.com",
            "почта@пример.рф",
            "1234@example.com",
        ] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn lower_cases_and_trims() {
        let e = Email::parse("  Anna.Petrova@Example.RU \n").unwrap();
        assert_eq!(e.as_str(), "anna.petrova@example.ru");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "plainaddress",
            "@example.com",
            "user@",
            "user@localhost",
            "user@@example.com",
            "user@exa@mple.com",
            "us er@example.com",
            "user@exam ple.com",
            "user@.example.com",
            "user@example.com.",
            "user@example..com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@-example.com",
            "user@example-.com",
            "user@exam_ple.com",
            "\"quoted\"@example.com",
            "user@[127.0.0.1]",
            "user@127.0.0.1",
            "user\r\nbcc:x@example.com",
            "user<x>@example.com",
            "user,x@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad:?}");
        }
    }

    #[test]
    fn refuses_overlong_parts() {
        let local = "a".repeat(65);
        assert!(Email::parse(&format!("{local}@example.com")).is_err());
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(64))).is_ok());
        let label = "b".repeat(64);
        assert!(Email::parse(&format!("a@{label}.com")).is_err());
        let long_domain = vec!["c".repeat(60); 5].join(".");
        assert!(Email::parse(&format!("a@{long_domain}.com")).is_err());
    }

    #[test]
    fn json_deserialisation_validates_and_normalises() {
        let e: Email = serde_json::from_str("\"A@B.RU\"").unwrap();
        assert_eq!(e.as_str(), "a@b.ru");
        assert!(serde_json::from_str::<Email>("\"a@b\"").is_err());
    }
}
