//! Writes a sample act, to look at the layout:
//! `cargo run -p documents --example sample [PATH]` (default `/tmp/act-sample.pdf`).

use chrono::NaiveDate;
use documents::{Act, Party, Plan, render_pdf};
use rust_decimal_macros::dec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/act-sample.pdf".to_owned());
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("invalid date");
    let act = Act {
        number: "2026-000042".to_owned(),
        date: day(2026, 4, 1)?,
        client: Party {
            name: "Общество с ограниченной ответственностью «Северо-Западная торгово-\
                   производственная компания „Ромашка и партнёры“»"
                .to_owned(),
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
        period_start: day(2026, 3, 1)?,
        period_end: day(2026, 3, 31)?,
        amount: dec!(1500.50),
        fee: dec!(150.05),
        currency: "RUB".to_owned(),
    };
    std::fs::write(&path, render_pdf(&act)?)?;
    println!("{path}");
    Ok(())
}
