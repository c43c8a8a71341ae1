//! Showing values from the API to a person.

use crate::api::types::CatalogItem;
use crate::i18n::Lang;

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

    #[test]
    fn money_shows_the_rouble_sign() {
        let m = Money {
            amount: "1500.00".into(),
            currency: "RUB".into(),
        };
        assert_eq!(m.display(), "1500.00 ₽");
    }
}
