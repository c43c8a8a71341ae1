//! The taxpayer number (ИНН) of a Russian company (10 digits) or sole trader (12 digits).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not an INN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InnError {
    /// Not 10 or 12 ASCII digits, or starting with `00`, which is no region's code
    /// (and would let `0000000000` pass the checksum).
    #[error("INN must be 10 or 12 digits, starting with a region code")]
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
    /// Validates length, region and check digits.
    pub fn parse(s: &str) -> Result<Self, InnError> {
        // `to_digit(10)` accepts ASCII digits only, so this also refuses other scripts' digits.
        let digits: Vec<u32> = s
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(InnError::Format)?;
        if s.starts_with("00") {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Published INNs of real companies: Sberbank, Yandex, Gazprom, Alfa-Bank,
    /// VTB, Tinkoff, Lukoil, Aeroflot, Magnit, Wildberries, MTS, Rosneft, Ozon.
    const COMPANIES: [&str; 13] = [
        "7707083893",
        "7736207543",
        "7736050003",
        "7728168971",
        "7702070139",
        "7710140679",
        "7708004767",
        "7712040126",
        "2309085638",
        "7721546864",
        "7740000076",
        "7706107510",
        "7704217370",
    ];

    /// A widely published 12-digit INN of an individual (checked with the algorithm).
    const INDIVIDUAL: &str = "500100732259";

    /// Every string that differs from `inn` in exactly one digit, with the position changed.
    fn corruptions(inn: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (i, original) in inn.char_indices() {
            for d in '0'..='9' {
                if d != original {
                    let mut s = inn.to_owned();
                    s.replace_range(i..=i, &d.to_string());
                    out.push((i, s));
                }
            }
        }
        out
    }

    #[test]
    fn accepts_real_company_inns() {
        for inn in COMPANIES {
            assert_eq!(Inn::parse(inn).map(|i| i.to_string()), Ok(inn.to_owned()));
        }
    }

    #[test]
    fn accepts_a_real_individual_inn() {
        assert!(Inn::parse(INDIVIDUAL).is_ok());
    }

    #[test]
    fn refuses_every_corruption_of_a_company_check_digit() {
        for inn in COMPANIES {
            for (_, bad) in corruptions(inn).into_iter().filter(|(i, _)| *i == 9) {
                assert_eq!(Inn::parse(&bad), Err(InnError::CheckDigit), "{bad}");
            }
        }
    }

    #[test]
    fn refuses_every_corruption_of_an_individual_check_digit() {
        for (_, bad) in corruptions(INDIVIDUAL)
            .into_iter()
            .filter(|(i, _)| *i >= 10)
        {
            assert_eq!(Inn::parse(&bad), Err(InnError::CheckDigit), "{bad}");
        }
    }

    /// A check digit of 0 stands for a remainder of 0 and of 10, so a changed
    /// digit that moves the weighted sum from one to the other slips through.
    /// That can only happen to INNs whose check digit is 0 (Rosneft's and
    /// Ozon's here); every other corruption is caught.
    #[test]
    fn counts_the_coincidental_corruptions_of_body_digits() {
        let accepted = |inn: &str| {
            corruptions(inn)
                .into_iter()
                .filter(|(_, bad)| Inn::parse(bad).is_ok())
                .count()
        };
        let counts: Vec<usize> = COMPANIES.iter().map(|inn| accepted(inn)).collect();
        assert_eq!(counts, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 6]);
        assert_eq!(accepted(INDIVIDUAL), 0);
        let total: usize = COMPANIES.iter().map(|inn| corruptions(inn).len()).sum();
        assert_eq!(total, 13 * 10 * 9);
    }

    #[test]
    fn refuses_wrong_lengths_and_non_digits() {
        for bad in [
            "",
            "770708389",
            "77070838930",
            "5001007322590",
            "77070838 3",
            "7707O83893",
            " 7707083893",
            "٧٧٠٧٠٨٣٨٩٣",
        ] {
            assert_eq!(Inn::parse(bad), Err(InnError::Format), "{bad:?}");
        }
    }

    #[test]
    fn refuses_region_zero_even_with_a_matching_checksum() {
        assert_eq!(Inn::parse("0000000000"), Err(InnError::Format));
        assert_eq!(Inn::parse("000000000000"), Err(InnError::Format));
    }

    #[test]
    fn json_deserialisation_validates() {
        let inn: Inn = serde_json::from_str("\"7736207543\"").unwrap();
        assert_eq!(inn.as_str(), "7736207543");
        assert!(serde_json::from_str::<Inn>("\"7736207542\"").is_err());
    }
}
