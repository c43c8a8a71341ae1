//! What a notification says, in Russian or English: a subject and a line of
//! text per kind, and one HTML layout around them.
//!
//! minijinja rather than askama: the texts are short strings in a table
//! (a template file per kind, language and part would be 102 files), and
//! minijinja renders such strings at run time with the same escaping rules
//! as file templates (`.html` names escape, `.txt` names do not). The table
//! is checked whole by a test, so a broken template fails CI, not a mail.

use minijinja::Environment;
use serde_json::Value;
use std::sync::LazyLock;

pub use domain::Language as Lang;

/// (kind, Russian subject, Russian text, English subject, English text).
const TEXTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "new_request",
        "Новая заявка: {{ service_type }}",
        "Клиент ищет исполнителя: «{{ description }}», {{ price }} ₽. Примите заявку, пока её не взяли другие.",
        "New request: {{ service_type }}",
        "A client is looking for a provider: \"{{ description }}\", {{ price }} RUB. Accept it before someone else does.",
    ),
    (
        "request_accepted",
        "Ваша заявка принята",
        "Исполнитель принял вашу заявку. Теперь можно создавать заказы.",
        "Your request was accepted",
        "A provider accepted your request. You can now create orders.",
    ),
    (
        "deadline_passed",
        "Заявку никто не принял вовремя",
        "Срок принятия заявки истёк. Можно подождать ещё, продлить срок или отменить заявку с полным возвратом денег.",
        "Nobody accepted your request in time",
        "The acceptance deadline passed. You can keep waiting, extend the deadline, or cancel with a full refund.",
    ),
    (
        "deadline_passed_admin",
        "Заявка без исполнителя",
        "Заявку {{ subscription }} никто не принял вовремя.",
        "A request without a provider",
        "Nobody accepted request {{ subscription }} in time.",
    ),
    (
        "past_due",
        "Не удалось списать оплату подписки",
        "На кошельке не хватило денег для следующего периода. Пополните кошелёк: мы попробуем снова.",
        "The subscription could not be renewed",
        "Your wallet did not hold enough for the next period. Top it up and we will try again.",
    ),
    (
        "suspended",
        "Подписка приостановлена",
        "Оплата так и не прошла, подписка приостановлена.",
        "Subscription suspended",
        "The payment never went through, so the subscription is suspended.",
    ),
    (
        "new_order",
        "Новый заказ",
        "Клиент создал заказ в вашей подписке. Возьмите его в работу.",
        "New order",
        "A client created an order in your subscription. Take it into work.",
    ),
    (
        "order_taken",
        "Заказ взят в работу",
        "Исполнитель начал работу над вашим заказом.",
        "Your order is in work",
        "The provider started working on your order.",
    ),
    (
        "order_done",
        "Заказ отмечен выполненным",
        "Другая сторона отметила заказ выполненным. Подтвердите или пожалуйтесь.",
        "Order marked done",
        "The other side marked the order done. Confirm it or complain.",
    ),
    (
        "chat_message",
        "Новое сообщение в заказе",
        "«{{ text }}»",
        "New message in an order",
        "\"{{ text }}\"",
    ),
    (
        "complaint_filed",
        "По заказу подана жалоба",
        "Жалоба: «{{ reason }}». Деньги заказа заморожены, пока администратор не решит спор.",
        "A complaint was filed on an order",
        "Complaint: \"{{ reason }}\". The order's money is frozen until an admin settles it.",
    ),
    (
        "complaint_resolved",
        "Жалоба рассмотрена",
        "Решение: клиенту {{ to_client }} ₽, исполнителю {{ to_provider }} ₽. {{ note }}",
        "The complaint was settled",
        "Decision: {{ to_client }} RUB to the client, {{ to_provider }} RUB to the provider. {{ note }}",
    ),
    (
        "admin_message",
        "Сообщение от администратора Hub",
        "{{ text }}",
        "A message from a Hub admin",
        "{{ text }}",
    ),
    (
        "order_completed",
        "Заказ завершён",
        "Обе стороны подтвердили выполнение заказа.",
        "Order completed",
        "Both sides confirmed the order is done.",
    ),
    (
        "top_up_settled",
        "Кошелёк пополнен на {{ amount }} ₽",
        "Платёж прошёл: {{ amount }} ₽ на вашем кошельке.",
        "Wallet topped up with {{ amount }} RUB",
        "The payment went through: {{ amount }} RUB is in your wallet.",
    ),
    (
        "payout_settled",
        "Выплата {{ amount }} ₽ отправлена",
        "Банк подтвердил выплату {{ amount }} ₽.",
        "Payout of {{ amount }} RUB sent",
        "The bank confirmed the payout of {{ amount }} RUB.",
    ),
    (
        "payout_failed",
        "Выплата {{ amount }} ₽ не прошла",
        "Банк отклонил выплату ({{ reason }}). Деньги вернулись на кошелёк.",
        "Payout of {{ amount }} RUB failed",
        "The bank refused the payout ({{ reason }}). The money is back in your wallet.",
    ),
];

const LAYOUT: &str = r#"<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 1em auto">
<h1 style="font-size: 1.2em">{{ subject }}</h1>
<p>{{ text }}</p>
<p><a href="{{ url }}">{{ open }}</a></p>
<p style="color: #777; font-size: 0.8em">Hub</p>
</body></html>"#;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (kind, ru_subject, ru_text, en_subject, en_text) in TEXTS {
        for (lang, subject, text) in [("ru", ru_subject, ru_text), ("en", en_subject, en_text)] {
            // A template that does not parse is caught by the test below.
            let _ =
                env.add_template_owned(format!("{kind}.{lang}.subject.txt"), (*subject).to_owned());
            let _ = env.add_template_owned(format!("{kind}.{lang}.txt"), (*text).to_owned());
        }
    }
    let _ = env.add_template("layout.html", LAYOUT);
    env
});

/// A notification as words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The subject line.
    pub subject: String,
    /// The text part (also the in-app text).
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Why a notification could not be put into words.
#[derive(Debug, thiserror::Error)]
#[error("cannot compose `{kind}`: {source}")]
pub struct ComposeError {
    kind: String,
    #[source]
    source: minijinja::Error,
}

/// Renders `kind` with `params` in `lang`; `url` is where the link leads.
pub fn compose(
    kind: &str,
    lang: Lang,
    params: &Value,
    url: &str,
) -> Result<Composed, ComposeError> {
    let error = |source| ComposeError {
        kind: kind.to_owned(),
        source,
    };
    let render = |name: String| {
        TEMPLATES
            .get_template(&name)
            .and_then(|t| t.render(params))
            .map_err(error)
    };
    let subject = render(format!("{kind}.{}.subject.txt", lang.as_str()))?;
    let text = render(format!("{kind}.{}.txt", lang.as_str()))?;
    let open = match lang {
        Lang::Ru => "Открыть в Hub",
        Lang::En => "Open in Hub",
    };
    let html = TEMPLATES
        .get_template("layout.html")
        .and_then(|t| {
            t.render(minijinja::context! {
                lang => lang.as_str(), subject => &subject, text => &text, url => url, open => open,
            })
        })
        .map_err(error)?;
    Ok(Composed {
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_renders_in_both_languages() {
        let params = json!({"service_type": "legal", "description": "d", "price": "1.00",
            "amount": "2.00", "reason": "r", "subscription": "s", "provider": "p", "text": "t",
            "to_client": "1.00", "to_provider": "2.00", "note": "n"});
        for (kind, ..) in TEXTS {
            for lang in [Lang::Ru, Lang::En] {
                let c = compose(kind, lang, &params, "http://hub/x").expect("renders");
                assert!(
                    !c.subject.is_empty() && !c.text.is_empty(),
                    "{kind} {lang:?}"
                );
                // minijinja escapes `/` too; mail readers decode it in `href`.
                assert!(
                    c.html.contains("href=\"http:&#x2f;&#x2f;hub&#x2f;x\""),
                    "{}",
                    c.html
                );
            }
        }
    }

    #[test]
    fn html_escapes_what_users_wrote_and_text_keeps_it() {
        let params = json!({"service_type": "legal", "description": "<b>&</b>", "price": "1.00"});
        let c = compose("new_request", Lang::En, &params, "/available").expect("renders");
        assert!(c.text.contains("<b>&</b>"));
        assert!(
            c.html.contains("&lt;b&gt;&amp;&lt;&#x2f;b&gt;"),
            "{}",
            c.html
        );
        assert!(!c.html.contains("<b>&</b>"));
    }

    #[test]
    fn russian_is_the_default_wording() {
        let c = compose(
            "top_up_settled",
            Lang::Ru,
            &json!({"amount": "1500.00"}),
            "/wallet",
        )
        .expect("renders");
        assert_eq!(c.subject, "Кошелёк пополнен на 1500.00 ₽");
    }
}
