//! Amounts in Russian words ("сумма прописью").

use rust_decimal::Decimal;

use crate::format::Money;

/// Grammatical gender decides "один/одна" and "два/две".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gender {
    Masculine,
    Feminine,
}

/// The three noun forms Russian uses after a number: 1, 2–4 and 5–20.
struct Forms {
    one: &'static str,
    few: &'static str,
    many: &'static str,
}

impl Forms {
    fn for_count(&self, n: u128) -> &'static str {
        // 11–14 take the plural however they end ("одиннадцать рублей").
        if (11..=14).contains(&(n % 100)) {
            return self.many;
        }
        match n % 10 {
            1 => self.one,
            2..=4 => self.few,
            _ => self.many,
        }
    }
}

const RUBLE: Forms = Forms {
    one: "рубль",
    few: "рубля",
    many: "рублей",
};

const KOPECK: Forms = Forms {
    one: "копейка",
    few: "копейки",
    many: "копеек",
};

/// Groups of three digits above the units, from 10³ up to 10²⁷, which covers
/// every value a `Decimal` can hold.
const SCALES: [(Forms, Gender); 9] = [
    (
        Forms {
            one: "тысяча",
            few: "тысячи",
            many: "тысяч",
        },
        Gender::Feminine,
    ),
    (
        Forms {
            one: "миллион",
            few: "миллиона",
            many: "миллионов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "миллиард",
            few: "миллиарда",
            many: "миллиардов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "триллион",
            few: "триллиона",
            many: "триллионов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "квадриллион",
            few: "квадриллиона",
            many: "квадриллионов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "квинтиллион",
            few: "квинтиллиона",
            many: "квинтиллионов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "секстиллион",
            few: "секстиллиона",
            many: "секстиллионов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "септиллион",
            few: "септиллиона",
            many: "септиллионов",
        },
        Gender::Masculine,
    ),
    (
        Forms {
            one: "октиллион",
            few: "октиллиона",
            many: "октиллионов",
        },
        Gender::Masculine,
    ),
];

const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];

const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];

const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];

const UNITS: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];

/// The amount in Russian words, e.g. 1500.50 RUB → "Одна тысяча пятьсот рублей 50 копеек".
///
/// Roubles are spelled out and kopecks given as two digits, the usual form in acts
/// and invoices. The amount is first rounded half away from zero to kopecks;
/// a negative amount starts with "Минус".
pub fn amount_in_words(amount: Decimal) -> String {
    let money = Money::from_decimal(amount);
    let mut words = Vec::new();
    if money.negative {
        words.push("минус");
    }
    if money.units == 0 {
        words.push("ноль");
    } else {
        push_number(&mut words, money.units);
    }
    words.push(RUBLE.for_count(money.units));
    let text = format!(
        "{} {:02} {}",
        words.join(" "),
        money.cents,
        KOPECK.for_count(u128::from(money.cents))
    );
    capitalize(&text)
}

/// Appends the words for a positive number of roubles, largest group first.
fn push_number(words: &mut Vec<&'static str>, n: u128) {
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    for (power, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        match power.checked_sub(1).and_then(|i| SCALES.get(i)) {
            None => push_triple(words, group, Gender::Masculine),
            Some((forms, gender)) => {
                push_triple(words, group, *gender);
                words.push(forms.for_count(group));
            }
        }
    }
}

/// Appends the words for 1..=999 in the given gender.
fn push_triple(words: &mut Vec<&'static str>, n: u128, gender: Gender) {
    // Each index is a single decimal digit, so the lookups below cannot miss.
    let digit = |d: u128| usize::try_from(d % 10).unwrap_or(0);
    let hundreds = digit(n / 100);
    let tens = digit(n / 10);
    let units = digit(n);
    if hundreds > 0 {
        words.push(HUNDREDS[hundreds]);
    }
    if tens == 1 {
        words.push(TEENS[units]);
        return;
    }
    if tens > 1 {
        words.push(TENS[tens]);
    }
    match (units, gender) {
        (0, _) => {}
        (1, Gender::Feminine) => words.push("одна"),
        (2, Gender::Feminine) => words.push("две"),
        _ => words.push(UNITS[units]),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn small_numbers_agree_with_rubles() {
        assert_eq!(amount_in_words(dec!(0)), "Ноль рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(1)), "Один рубль 00 копеек");
        assert_eq!(amount_in_words(dec!(2)), "Два рубля 00 копеек");
        assert_eq!(amount_in_words(dec!(5)), "Пять рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(11)), "Одиннадцать рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(12)), "Двенадцать рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(21)), "Двадцать один рубль 00 копеек");
        assert_eq!(amount_in_words(dec!(24)), "Двадцать четыре рубля 00 копеек");
        assert_eq!(amount_in_words(dec!(101)), "Сто один рубль 00 копеек");
        assert_eq!(
            amount_in_words(dec!(111)),
            "Сто одиннадцать рублей 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(999)),
            "Девятьсот девяносто девять рублей 00 копеек"
        );
    }

    #[test]
    fn thousands_are_feminine() {
        assert_eq!(amount_in_words(dec!(1000)), "Одна тысяча рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(2000)), "Две тысячи рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(5000)), "Пять тысяч рублей 00 копеек");
        assert_eq!(
            amount_in_words(dec!(11000)),
            "Одиннадцать тысяч рублей 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(21000)),
            "Двадцать одна тысяча рублей 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(22001)),
            "Двадцать две тысячи один рубль 00 копеек"
        );
    }

    #[test]
    fn millions_and_above_are_masculine() {
        assert_eq!(
            amount_in_words(dec!(1000000)),
            "Один миллион рублей 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(2002000)),
            "Два миллиона две тысячи рублей 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(1000000000)),
            "Один миллиард рублей 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(5000001000)),
            "Пять миллиардов одна тысяча рублей 00 копеек"
        );
    }

    #[test]
    fn kopecks_take_their_own_form() {
        assert_eq!(
            amount_in_words(dec!(1500.50)),
            "Одна тысяча пятьсот рублей 50 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(21.01)),
            "Двадцать один рубль 01 копейка"
        );
        assert_eq!(amount_in_words(dec!(2.02)), "Два рубля 02 копейки");
        assert_eq!(amount_in_words(dec!(3.11)), "Три рубля 11 копеек");
        assert_eq!(amount_in_words(dec!(4.21)), "Четыре рубля 21 копейка");
        assert_eq!(amount_in_words(dec!(5.34)), "Пять рублей 34 копейки");
        assert_eq!(amount_in_words(dec!(0.99)), "Ноль рублей 99 копеек");
    }

    #[test]
    fn rounds_to_kopecks_and_spells_the_sign() {
        assert_eq!(amount_in_words(dec!(0.005)), "Ноль рублей 01 копейка");
        assert_eq!(amount_in_words(dec!(-2.5)), "Минус два рубля 50 копеек");
    }

    #[test]
    fn the_largest_decimal_is_spelled() {
        let words = amount_in_words(Decimal::MAX);
        assert!(
            words.starts_with("Семьдесят девять октиллионов двести двадцать восемь септиллионов"),
            "{words}"
        );
        assert!(
            words.ends_with("триста тридцать пять рублей 00 копеек"),
            "{words}"
        );
    }
}
