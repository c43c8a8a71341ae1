//! Showing values from the API to a person.

use crate::api::types::{CatalogItem, Money};
use crate::i18n::Lang;

/// Narrow no-break space: Russian digit groups (`1 000`).
const NARROW_NBSP: char = '\u{202F}';
/// No-break space: between an amount and its currency sign.
const NBSP: char = '\u{00A0}';
/// The typographic minus of a debit.
const MINUS: char = '\u{2212}';

/// The sign of a currency, or its code.
fn currency_sign(code: &str) -> &str {
    match code {
        "RUB" => "₽",
        "USD" => "$",
        "EUR" => "€",
        other => other,
    }
}

/// An amount as a person in `lang` writes it: digit groups (a narrow
/// no-break space in Russian, a comma in English), a decimal comma or point,
/// kopecks only when there are some, the currency sign after a no-break
/// space: `1 000 ₽`, `1 000,50 ₽`, `1,000.50 ₽`. With `signed`, a credit
/// gets `+` and a debit a typographic minus. A value that is not a decimal
/// string is shown as sent.
pub fn money_in(m: &Money, lang: Lang, signed: bool) -> String {
    let raw = m.amount.trim();
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw.strip_prefix('+').unwrap_or(raw)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let valid = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return format!("{}{NBSP}{}", m.amount, currency_sign(&m.currency));
    }
    let (group, point) = match lang {
        Lang::Ru => (NARROW_NBSP, ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let zero = int.bytes().all(|b| b == b'0') && frac.bytes().all(|b| b == b'0');
    let sign = match (signed, negative && !zero) {
        (_, true) => MINUS.to_string(),
        (true, false) if !zero => "+".to_string(),
        _ => String::new(),
    };
    let frac = if frac.bytes().all(|b| b == b'0') {
        String::new()
    } else {
        format!("{point}{frac:0<2}")
    };
    format!("{sign}{grouped}{frac}{NBSP}{}", currency_sign(&m.currency))
}

/// The catalog name of a service type in `lang`, or its code when the catalog does not know it.
pub fn service_name(catalog: &[CatalogItem], code: &str, lang: Lang) -> String {
    catalog
        .iter()
        .find(|c| c.code == code)
        .map(|c| match lang {
            Lang::Ru => c.name_ru.clone(),
            Lang::En => c.name_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

/// A calendar day (`YYYY-MM-DD`, as documents carry them) as `lang` writes
/// it: `06.12.2026` in Russian, `6 Dec 2026` in English. Written out here, not
/// through the browser's clock: a day has no time zone to shift it. Anything
/// else is shown as sent.
pub fn date(ymd: &str, lang: Lang) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = ymd.split('-').collect();
    let [y, m, d] = parts[..] else {
        return ymd.to_string();
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return ymd.to_string();
    }
    let (Ok(month @ 1..=12), Ok(day @ 1..=31)) = (m.parse::<usize>(), d.parse::<u32>()) else {
        return ymd.to_string();
    };
    match lang {
        Lang::Ru => format!("{d}.{m}.{y}"),
        Lang::En => format!("{day} {} {y}", MONTHS[month - 1]),
    }
}

/// An RFC 3339 instant as local date and time in the language's conventions.
#[cfg(target_arch = "wasm32")]
pub fn date_time(rfc3339: &str, lang: Lang) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_string();
    }
    let options = js_sys::Object::new();
    for (k, v) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    }
    date.to_locale_string(lang.code(), &options).into()
}

/// An RFC 3339 instant as `YYYY-MM-DD HH:MM` (UTC): the host build has no browser clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn date_time(rfc3339: &str, _lang: Lang) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::Money;

    #[test]
    fn service_name_follows_the_language_and_falls_back_to_the_code() {
        let rub = |a: &str| Money {
            amount: a.into(),
            currency: "RUB".into(),
        };
        let catalog = vec![CatalogItem {
            code: "legal".into(),
            name_en: "Legal".into(),
            name_ru: "Юридические услуги".into(),
            one_off_price: rub("1500.00"),
            monthly_price: rub("10000.00"),
        }];
        assert_eq!(
            service_name(&catalog, "legal", Lang::Ru),
            "Юридические услуги"
        );
        assert_eq!(service_name(&catalog, "legal", Lang::En), "Legal");
        assert_eq!(service_name(&catalog, "it", Lang::En), "it");
    }

    fn rub(a: &str) -> Money {
        Money {
            amount: a.into(),
            currency: "RUB".into(),
        }
    }

    #[test]
    fn russian_groups_with_narrow_spaces_and_a_decimal_comma() {
        assert_eq!(
            money_in(&rub("1000.00"), Lang::Ru, false),
            "1\u{202F}000\u{A0}₽"
        );
        assert_eq!(
            money_in(&rub("1234567.5"), Lang::Ru, false),
            "1\u{202F}234\u{202F}567,50\u{A0}₽"
        );
        assert_eq!(money_in(&rub("0.00"), Lang::Ru, false), "0\u{A0}₽");
        assert_eq!(money_in(&rub("999.99"), Lang::Ru, false), "999,99\u{A0}₽");
    }

    #[test]
    fn english_groups_with_commas_and_a_decimal_point() {
        assert_eq!(money_in(&rub("1000.00"), Lang::En, false), "1,000\u{A0}₽");
        assert_eq!(
            money_in(&rub("100000.10"), Lang::En, false),
            "100,000.10\u{A0}₽"
        );
    }

    #[test]
    fn signed_amounts_show_plus_and_a_real_minus() {
        assert_eq!(
            money_in(&rub("-200.00"), Lang::En, true),
            "\u{2212}200\u{A0}₽"
        );
        assert_eq!(money_in(&rub("50.00"), Lang::Ru, true), "+50\u{A0}₽");
        assert_eq!(money_in(&rub("0.00"), Lang::Ru, true), "0\u{A0}₽");
        assert_eq!(
            money_in(&rub("-200.00"), Lang::En, false),
            "\u{2212}200\u{A0}₽"
        );
    }

    #[test]
    fn days_are_written_as_each_language_does() {
        assert_eq!(date("2026-12-06", Lang::Ru), "06.12.2026");
        assert_eq!(date("2026-12-06", Lang::En), "6 Dec 2026");
        assert_eq!(date("2026-01-31", Lang::En), "31 Jan 2026");
        assert_eq!(date("2026-13-01", Lang::En), "2026-13-01");
        assert_eq!(
            date("2026-12-06T10:00:00Z", Lang::Ru),
            "2026-12-06T10:00:00Z"
        );
        assert_eq!(date("", Lang::Ru), "");
    }

    #[test]
    fn anything_else_is_shown_as_sent() {
        assert_eq!(money_in(&rub("n/a"), Lang::En, false), "n/a\u{A0}₽");
    }
}
