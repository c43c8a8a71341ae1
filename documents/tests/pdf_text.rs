//! Renders acts and reads them back with an independent PDF parser, which proves
//! the Cyrillic text is extractable (the font's ToUnicode map is right).

use chrono::NaiveDate;
use documents::{Act, Party, Plan, render_pdf};
use rust_decimal_macros::dec;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn sample() -> Act {
    Act {
        number: "2026-000042".to_owned(),
        date: day(2026, 4, 1),
        client: Party {
            name: "ООО «Ромашка»".to_owned(),
            inn: "7701234567".to_owned(),
        },
        provider: Party {
            name: "ИП Иванов Иван Иванович".to_owned(),
            inn: "500100732259".to_owned(),
        },
        platform: Party {
            name: "ООО «Хаб»".to_owned(),
            inn: "7708765432".to_owned(),
        },
        service: "Бухгалтерское сопровождение".to_owned(),
        plan: Plan::Monthly,
        period_start: day(2026, 3, 1),
        period_end: day(2026, 3, 31),
        amount: dec!(1500.50),
        fee: dec!(150.05),
        currency: "RUB".to_owned(),
    }
}

/// The text of the PDF with whitespace runs collapsed, since extractors differ in
/// how they turn glyph positions back into spaces and line breaks.
fn text_of(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("PDF parses");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Without any whitespace: pdf-extract joins wrapped lines without a space when
/// they are closer than 1.5 em, so text that may wrap is compared this way.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn extracted_text_has_the_parties_the_amount_and_the_number() {
    let pdf = render_pdf(&sample()).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = text_of(&pdf);
    for expected in [
        "Акт № 2026-000042 от 01.04.2026",
        "об оказании услуг",
        "ООО «Ромашка»",
        "7701234567",
        "ИП Иванов Иван Иванович",
        "500100732259",
        "ООО «Хаб»",
        "7708765432",
        "01.03.2026 – 31.03.2026",
        "Итого: 1 500,50 руб.",
        "в том числе вознаграждение агента: 150,05 руб.",
        "Всего оказано услуг на сумму: Одна тысяча пятьсот рублей 50 копеек",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    for wrapped in [
        "Бухгалтерское сопровождение (ежемесячная подписка)",
        "Заказчик претензий по объему, качеству и срокам оказания услуг не имеет.",
    ] {
        assert!(
            squashed(&text).contains(&squashed(wrapped)),
            "{wrapped:?} not in {text:?}"
        );
    }
}

#[test]
fn one_off_services_are_named_so() {
    let act = Act {
        plan: Plan::OneOff,
        ..sample()
    };
    let text = text_of(&render_pdf(&act).expect("renders"));
    assert!(squashed(&text).contains("(разоваяуслуга)"), "{text}");
}

#[test]
fn other_currencies_show_their_code_and_figures() {
    let act = Act {
        currency: "USD".to_owned(),
        ..sample()
    };
    let text = text_of(&render_pdf(&act).expect("renders"));
    assert!(text.contains("Итого: 1 500,50 USD"), "{text}");
    assert!(text.contains("на сумму: 1 500,50 USD"), "{text}");
    assert!(!text.contains("руб"), "{text}");
}

#[test]
fn the_same_act_renders_the_same_bytes() {
    let act = sample();
    assert_eq!(
        render_pdf(&act).expect("renders"),
        render_pdf(&act).expect("renders")
    );
}

#[test]
fn long_names_wrap_and_keep_the_inn() {
    let long_name = format!(
        "Общество с ограниченной ответственностью «{}»",
        "Северо-Западная консалтинговая группа ".repeat(5)
    );
    let long_name: String = long_name.chars().take(200).collect();
    assert_eq!(long_name.chars().count(), 200);
    let unbroken = "Ж".repeat(200);
    let act = Act {
        client: Party {
            name: long_name,
            inn: "7701234567".to_owned(),
        },
        provider: Party {
            name: unbroken,
            inn: "500100732259".to_owned(),
        },
        service: "Очень подробное описание услуги ".repeat(20),
        ..sample()
    };
    let pdf = render_pdf(&act).expect("renders");
    let text = text_of(&pdf);
    assert!(text.contains("7701234567"), "{text}");
    assert!(text.contains("500100732259"), "{text}");
    assert!(text.contains("Северо-Западная"), "{text}");
    assert!(text.contains("Итого: 1 500,50 руб."), "{text}");
}

#[test]
fn absurd_input_still_renders() {
    let act = Act {
        number: "9".repeat(300),
        client: Party {
            name: "слово ".repeat(2000),
            inn: "1".repeat(500),
        },
        service: String::new(),
        amount: rust_decimal::Decimal::MAX,
        fee: rust_decimal::Decimal::MIN,
        currency: "  ".to_owned(),
        ..sample()
    };
    let pdf = render_pdf(&act).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn render_errors_can_travel_across_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<documents::RenderError>();
}
