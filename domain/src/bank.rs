//! Bank details for withdrawals: the bank's BIK and a 20-digit account whose
//! control key is computed together with the BIK.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why bank details are invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    /// The BIK is not 9 digits starting with `04` (Russia).
    #[error("BIK must be 9 digits starting with 04")]
    BikFormat,
    /// The account is not 20 digits.
    #[error("account number must be 20 digits")]
    AccountFormat,
    /// The account's control key does not match the BIK.
    #[error("account number control key does not match the BIK")]
    ControlKey,
}

/// A bank identification code (БИК).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bik(String);

impl Bik {
    /// Validates the format: 9 ASCII digits, country code 04.
    pub fn parse(s: &str) -> Result<Self, BankError> {
        if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) || !s.starts_with("04") {
            return Err(BankError::BikFormat);
        }
        Ok(Self(s.to_owned()))
    }
    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Bik {
    type Error = BankError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Bik::parse(&s)
    }
}
impl From<Bik> for String {
    fn from(b: Bik) -> String {
        b.0
    }
}
impl fmt::Display for Bik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 20-digit settlement account number; valid only together with a BIK.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BankAccountNumber(String);

impl BankAccountNumber {
    /// Validates the format only; see [`BankDetails::new`] for the control key.
    pub fn parse(s: &str) -> Result<Self, BankError> {
        if s.len() != 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BankError::AccountFormat);
        }
        Ok(Self(s.to_owned()))
    }
    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BankAccountNumber {
    type Error = BankError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        BankAccountNumber::parse(&s)
    }
}
impl From<BankAccountNumber> for String {
    fn from(a: BankAccountNumber) -> String {
        a.0
    }
}
impl fmt::Display for BankAccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A BIK and an account whose control key matches it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawBankDetails")]
pub struct BankDetails {
    /// The bank.
    pub bik: Bik,
    /// The account at that bank.
    pub account: BankAccountNumber,
}

#[derive(Deserialize)]
struct RawBankDetails {
    bik: Bik,
    account: BankAccountNumber,
}

impl TryFrom<RawBankDetails> for BankDetails {
    type Error = BankError;
    fn try_from(raw: RawBankDetails) -> Result<Self, Self::Error> {
        BankDetails::new(raw.bik, raw.account)
    }
}

impl BankDetails {
    /// Checks the account's control key against the BIK (Bank of Russia
    /// rule: the last three BIK digits and the 20 account digits, weighted
    /// 7-1-3 repeating, sum to a multiple of 10). Accounts held at a cash
    /// settlement centre (BIK ending in 000–002) use `0` and BIK digits 5–6.
    pub fn new(bik: Bik, account: BankAccountNumber) -> Result<Self, BankError> {
        let b = bik.as_str();
        let prefix = if matches!(&b[6..], "000" | "001" | "002") {
            format!("0{}", &b[4..6])
        } else {
            b[6..].to_owned()
        };
        let sum: u32 = prefix
            .bytes()
            .chain(account.as_str().bytes())
            .zip([7u32, 1, 3].iter().cycle())
            .map(|(d, w)| u32::from(d - b'0') * w % 10)
            .sum();
        if !sum.is_multiple_of(10) {
            return Err(BankError::ControlKey);
        }
        Ok(Self { bik, account })
    }
}
