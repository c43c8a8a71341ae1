//! Bank details checked as the user types: the same rules as
//! `domain::bank` (ported, not shared: the SPA talks HTTP only and keeps
//! server crates out of its wasm; a host test cross-checks the two).

/// What is wrong with bank details, in the order a person fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankProblem {
    /// The BIK is not 9 digits starting with 04.
    BikFormat,
    /// The account is not 20 digits.
    AccountFormat,
    /// The account's control key does not match the BIK.
    ControlKey,
}

/// Checks a BIK alone.
pub fn check_bik(bik: &str) -> Result<(), BankProblem> {
    if bik.len() == 9 && bik.bytes().all(|b| b.is_ascii_digit()) && bik.starts_with("04") {
        Ok(())
    } else {
        Err(BankProblem::BikFormat)
    }
}

/// Checks an account against a BIK: 20 digits, and (when the BIK is valid)
/// the Bank of Russia control key — the prefix (the BIK's last three digits,
/// or `0` and digits 5–6 for an account at the Bank of Russia) followed by
/// the 20 digits, weighted 7-1-3 repeating, each product modulo 10, sums to
/// a multiple of 10.
pub fn check_account(bik: &str, account: &str) -> Result<(), BankProblem> {
    if account.len() != 20 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BankProblem::AccountFormat);
    }
    check_bik(bik)?;
    let b = bik.as_bytes();
    let at_bank_of_russia =
        account.starts_with("30101") || matches!(&b[6..], b"000" | b"001" | b"002");
    let prefix: [u8; 3] = if at_bank_of_russia {
        [b'0', b[4], b[5]]
    } else {
        [b[6], b[7], b[8]]
    };
    let sum: u32 = prefix
        .iter()
        .chain(account.as_bytes())
        .zip([7u32, 1, 3].iter().cycle())
        .map(|(d, w)| u32::from(d - b'0') * w % 10)
        .sum();
    if sum.is_multiple_of(10) {
        Ok(())
    } else {
        Err(BankProblem::ControlKey)
    }
}

/// Checks an amount typed in roubles: a positive decimal with at most two
/// places (a comma is taken for the point). Returns it as the API wants it.
pub fn parse_amount(input: &str) -> Option<String> {
    let s = input
        .trim()
        .replace(',', ".")
        .replace([' ', '\u{A0}', '\u{202F}'], "");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let ok = !int.is_empty()
        && int.len() <= 15
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit());
    let positive = int.bytes().chain(frac.bytes()).any(|b| b != b'0');
    (ok && positive).then(|| format!("{int}.{frac:0<2}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain_says(bik: &str, account: &str) -> Result<(), BankProblem> {
        use domain::bank::BankError;
        let bik = domain::Bik::parse(bik).map_err(|_| BankProblem::BikFormat);
        let account = domain::BankAccountNumber::parse(account);
        match (account, bik) {
            (Err(_), _) => Err(BankProblem::AccountFormat),
            (_, Err(e)) => Err(e),
            (Ok(a), Ok(b)) => domain::BankDetails::new(b, a)
                .map(drop)
                .map_err(|e| match e {
                    BankError::BikFormat => BankProblem::BikFormat,
                    BankError::AccountFormat => BankProblem::AccountFormat,
                    BankError::ControlKey => BankProblem::ControlKey,
                }),
        }
    }

    /// The port agrees with the domain on every one-digit variation of
    /// published accounts, under their own and other BIKs.
    #[test]
    fn agrees_with_the_domain() {
        let accounts = [
            "30101810400000000225",
            "40702810800001400002",
            "40702810713500000456",
            "40101810045250010041",
            "4070281080000140000",
            "4070281080000140000x",
        ];
        let biks = [
            "044525225",
            "044525700",
            "044525000",
            "044583001",
            "144525225",
            "04452522",
        ];
        let mut checked = 0;
        for account in accounts {
            for i in 0..account.len() {
                for d in '0'..='9' {
                    let mut a = account.to_owned();
                    a.replace_range(i..=i, &d.to_string());
                    for bik in biks {
                        assert_eq!(check_account(bik, &a), domain_says(bik, &a), "{bik} {a}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 5000);
    }

    #[test]
    fn bik_format() {
        assert_eq!(check_bik("044525225"), Ok(()));
        for bad in ["", "04452522", "144525225", "04452522x"] {
            assert_eq!(check_bik(bad), Err(BankProblem::BikFormat), "{bad}");
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("1000").as_deref(), Some("1000.00"));
        assert_eq!(parse_amount(" 1 000,5 ").as_deref(), Some("1000.50"));
        assert_eq!(parse_amount("0.01").as_deref(), Some("0.01"));
        for bad in ["", "0", "0.00", "-5", "1.234", "abc", "1e3", ".5"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
