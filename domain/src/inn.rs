//! The taxpayer number (ИНН) of a Russian company (10 digits) or sole trader (12 digits).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not an INN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InnError {
    /// Not 10 or 12 ASCII digits.
    #[error("INN must be 10 or 12 digits")]
    Format,
    /// The check digits do not match.
    #[error("INN check digits do not match")]
    CheckDigit,
}

/// A validated INN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Inn(String);

fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 % 10
}

impl Inn {
    /// Validates length and check digits.
    pub fn parse(s: &str) -> Result<Self, InnError> {
        let digits: Vec<u32> = s
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(InnError::Format)?;
        if !s.is_ascii() {
            return Err(InnError::Format);
        }
        match digits.len() {
            10 => {
                if check_digit(&digits[..9], &[2, 4, 10, 3, 5, 9, 4, 6, 8]) != digits[9] {
                    return Err(InnError::CheckDigit);
                }
            }
            12 => {
                let n11 = check_digit(&digits[..10], &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
                let n12 = check_digit(&digits[..11], &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
                if n11 != digits[10] || n12 != digits[11] {
                    return Err(InnError::CheckDigit);
                }
            }
            _ => return Err(InnError::Format),
        }
        Ok(Self(s.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Inn {
    type Error = InnError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Inn::parse(&s)
    }
}

impl From<Inn> for String {
    fn from(i: Inn) -> String {
        i.0
    }
}

impl fmt::Display for Inn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
