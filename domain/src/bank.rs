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
    /// rule: a three-digit prefix and the 20 account digits, weighted 7-1-3
    /// repeating, sum to a multiple of 10, each product taken modulo 10).
    ///
    /// The prefix is the last three BIK digits for an account held at a
    /// credit institution. An account held at the Bank of Russia uses its
    /// settlement centre's conditional number, `0` and BIK digits 5–6
    /// instead: a bank's correspondent account (balance account `30101`,
    /// quoted with the bank's own BIK) and any account quoted with a
    /// settlement centre's BIK (ending in 000–002).
    pub fn new(bik: Bik, account: BankAccountNumber) -> Result<Self, BankError> {
        if !control_key_matches(&bik, &account) {
            return Err(BankError::ControlKey);
        }
        Ok(Self { bik, account })
    }
}

/// Balance account of a credit institution's correspondent account at the Bank of Russia.
const CORRESPONDENT_ACCOUNT: &str = "30101";

fn control_key_matches(bik: &Bik, account: &BankAccountNumber) -> bool {
    let b = bik.as_str().as_bytes();
    let at_bank_of_russia = account.as_str().starts_with(CORRESPONDENT_ACCOUNT)
        || matches!(&b[6..], b"000" | b"001" | b"002");
    let prefix: [u8; 3] = if at_bank_of_russia {
        [b'0', b[4], b[5]]
    } else {
        [b[6], b[7], b[8]]
    };
    let sum: u32 = prefix
        .iter()
        .chain(account.as_str().as_bytes())
        .zip([7u32, 1, 3].iter().cycle())
        .map(|(d, w)| u32::from(d - b'0') * w % 10)
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Correspondent accounts as the banks publish them: Sberbank (Moscow),
    /// Alfa-Bank, Tinkoff, VTB, Sberbank North-West.
    const CORRESPONDENT: [(&str, &str); 5] = [
        ("044525225", "30101810400000000225"),
        ("044525593", "30101810200000000593"),
        ("044525974", "30101810145250000974"),
        ("044525187", "30101810700000000187"),
        ("044030653", "30101810500000000653"),
    ];

    /// Settlement accounts seen in published payment details and bank statements
    /// (Raiffeisenbank, a Moscow bank's test payer, Sberbank), each checked with
    /// the algorithm by hand.
    const SETTLEMENT: [(&str, &str); 3] = [
        ("044525700", "40702810800001400002"),
        ("044525104", "40702810713500000456"),
        ("044525225", "40702810238720001420"),
    ];

    fn details(bik: &str, account: &str) -> Result<BankDetails, BankError> {
        BankDetails::new(Bik::parse(bik)?, BankAccountNumber::parse(account)?)
    }

    fn one_digit_corruptions(s: &str) -> impl Iterator<Item = String> + '_ {
        s.char_indices().flat_map(move |(i, original)| {
            ('0'..='9').filter(move |d| *d != original).map(move |d| {
                let mut t = s.to_owned();
                t.replace_range(i..=i, &d.to_string());
                t
            })
        })
    }

    #[test]
    fn accepts_published_correspondent_accounts() {
        for (bik, account) in CORRESPONDENT {
            assert!(details(bik, account).is_ok(), "{bik} {account}");
        }
    }

    #[test]
    fn accepts_published_settlement_accounts() {
        for (bik, account) in SETTLEMENT {
            assert!(details(bik, account).is_ok(), "{bik} {account}");
        }
    }

    #[test]
    fn refuses_a_made_up_settlement_account() {
        assert_eq!(
            details("044525225", "40702810938000000000"),
            Err(BankError::ControlKey)
        );
    }

    /// Weights 7, 1 and 3 are all prime to 10, so one changed digit always
    /// changes the sum modulo 10 while the prefix rule stays the same.
    #[test]
    fn refuses_every_one_digit_corruption_of_a_settlement_account() {
        let rkc = [
            ("044525000", "40101810045250010041"),
            ("044583001", "40101810800000010041"),
        ];
        for (bik, account) in SETTLEMENT.iter().chain(&rkc) {
            let mut tried = 0;
            for bad in one_digit_corruptions(account) {
                assert_eq!(
                    details(bik, &bad),
                    Err(BankError::ControlKey),
                    "{bik} {bad}"
                );
                tried += 1;
            }
            assert_eq!(tried, 20 * 9);
        }
    }

    /// A changed digit in `30101` also switches the prefix from the
    /// settlement centre's number to the BIK's last three digits; that shifts
    /// the sum by a fixed amount, which exactly one replacement digit per
    /// position cancels. So 5 of the 180 corruptions pass, each no longer a
    /// correspondent account; the other 175 are refused.
    #[test]
    fn refuses_corruptions_of_a_correspondent_account_but_five_coincidences() {
        for (bik, account) in CORRESPONDENT {
            let passed: Vec<String> = one_digit_corruptions(account)
                .filter(|bad| details(bik, bad).is_ok())
                .collect();
            assert_eq!(passed.len(), 5, "{bik} {account}: {passed:?}");
            let positions: Vec<usize> = passed
                .iter()
                .map(|bad| bad.bytes().zip(account.bytes()).position(|(a, b)| a != b))
                .map(Option::unwrap)
                .collect();
            assert_eq!(positions, [0, 1, 2, 3, 4]);
        }
    }

    #[test]
    fn refuses_a_settlement_account_under_another_banks_bik() {
        for bad in one_digit_corruptions("044525700").filter(|b| b.starts_with("04")) {
            if bad[6..] != *"700" {
                assert_eq!(
                    details(&bad, "40702810800001400002"),
                    Err(BankError::ControlKey),
                    "{bad}"
                );
            }
        }
    }

    /// The Federal Treasury's Moscow revenue account as published for tax
    /// payments before 2021, at two Bank of Russia divisions in turn. Keyed
    /// with the last three BIK digits (000 / 001) it would fail.
    #[test]
    fn accepts_published_accounts_at_bank_of_russia_divisions() {
        assert!(details("044525000", "40101810045250010041").is_ok());
        assert!(details("044583001", "40101810800000010041").is_ok());
    }

    #[test]
    fn bik_format() {
        assert!(Bik::parse("044525225").is_ok());
        for bad in [
            "",
            "04452522",
            "0445252250",
            "144525225",
            "04452522x",
            " 44525225",
        ] {
            assert_eq!(Bik::parse(bad), Err(BankError::BikFormat), "{bad:?}");
        }
    }

    #[test]
    fn account_format() {
        for bad in [
            "",
            "3010181040000000022",
            "301018104000000002250",
            "3010181040000000022O",
            "30101810 00000000225",
        ] {
            assert_eq!(
                BankAccountNumber::parse(bad),
                Err(BankError::AccountFormat),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn json_deserialisation_checks_the_control_key() {
        let ok = r#"{"bik":"044525225","account":"30101810400000000225"}"#;
        let d: BankDetails = serde_json::from_str(ok).unwrap();
        assert_eq!(d.account.as_str(), "30101810400000000225");
        let bad = r#"{"bik":"044525225","account":"30101810400000000226"}"#;
        assert!(serde_json::from_str::<BankDetails>(bad).is_err());
    }
}
