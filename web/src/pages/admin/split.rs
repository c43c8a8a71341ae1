//! The resolution of a complaint: how the frozen escrow is split between
//! client and provider, checked as the domain checks it before it is sent
//! (`domain::complaint`'s `Split::check`: each share a non-negative rouble
//! amount with at most two places, together no more than the escrow holds;
//! what is left stays in the escrow).

use dioxus::prelude::*;

use crate::api::admin::{self, ResolveBody};
use crate::api::types::Money;
use crate::api::{ApiError, encode_query_value};
use crate::components::form::{FieldError, FormError};
use crate::form_errors::FormErrors;
use crate::i18n::admin::AdminStrings;
use crate::idempotency::{PendingKey, new_key};
use crate::session::{self, LANG};

/// Why a share cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareError {
    /// Not a plain decimal number.
    NotANumber,
    /// Below zero.
    Negative,
    /// More than two decimal places.
    TooPrecise,
}

/// A share in kopecks, read as the API reads a `Share` (empty is zero:
/// a side that gets nothing need not be typed).
pub fn kopecks(raw: &str) -> Result<i64, ShareError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return Err(ShareError::NotANumber);
    }
    // Trailing zeros are no precision ("1.500" is 1.50), as the server normalises.
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 {
        return Err(ShareError::TooPrecise);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ShareError::NotANumber)?
    };
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let value = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or(ShareError::NotANumber)?;
    if negative && value != 0 {
        return Err(ShareError::Negative);
    }
    Ok(value)
}

/// Kopecks as the API writes amounts: `"1500.00"`.
pub fn amount_string(kopecks: i64) -> String {
    format!("{}.{:02}", kopecks / 100, kopecks % 100)
}

/// What the form says about a split.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitCheck {
    /// The client's share is unreadable.
    pub to_client: Option<ShareError>,
    /// The provider's share is unreadable.
    pub to_provider: Option<ShareError>,
    /// Both shares, when readable, in kopecks.
    pub total: Option<i64>,
    /// The total passes the escrow.
    pub exceeds: bool,
    /// Kopecks left in the escrow after the split.
    pub remainder: Option<i64>,
}

impl SplitCheck {
    /// Whether the server would take it.
    pub fn ok(&self) -> bool {
        self.to_client.is_none() && self.to_provider.is_none() && !self.exceeds
    }
}

/// Checks a split against `escrow` kopecks.
pub fn check(to_client: &str, to_provider: &str, escrow: i64) -> SplitCheck {
    let (c, p) = (kopecks(to_client), kopecks(to_provider));
    let total = match (c, p) {
        (Ok(c), Ok(p)) => c.checked_add(p),
        _ => None,
    };
    SplitCheck {
        to_client: c.err(),
        to_provider: p.err(),
        total,
        exceeds: total.is_some_and(|t| t > escrow),
        remainder: total.map(|t| escrow - t).filter(|r| *r >= 0),
    }
}

fn share_message(a: &AdminStrings, e: ShareError) -> String {
    match e {
        ShareError::NotANumber => a.share_not_a_number,
        ShareError::Negative => a.share_negative,
        ShareError::TooPrecise => a.share_too_precise,
    }
    .to_string()
}

fn rub(kopecks: i64, currency: &str) -> Money {
    Money {
        amount: amount_string(kopecks),
        currency: currency.to_string(),
    }
}

/// The split form of an open complaint; `escrow` is what its subscription holds
/// (`None` while it loads or when it could not be read: the server still checks).
#[component]
pub fn SplitForm(
    complaint_id: String,
    escrow: Option<Money>,
    on_done: EventHandler<()>,
) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut to_client = use_signal(String::new);
    let mut to_provider = use_signal(String::new);
    let mut note = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut errors = use_signal(FormErrors::default);
    let mut key = use_signal(PendingKey::default);

    let held = escrow.as_ref().and_then(|m| kopecks(&m.amount).ok());
    let currency = escrow
        .as_ref()
        .map(|m| m.currency.clone())
        .unwrap_or_else(|| "RUB".into());
    let c = check(&to_client(), &to_provider(), held.unwrap_or(i64::MAX));
    let local = |field: &str, e: Option<ShareError>| {
        e.map(|e| share_message(a, e))
            .or_else(|| errors.read().field(field))
    };
    let client_error = local("to_client", c.to_client);
    let provider_error = local("to_provider", c.to_provider);
    let exceeds = c.exceeds.then(|| {
        a.split_exceeds.replace(
            "{escrow}",
            &escrow.as_ref().map(|m| m.display(lang)).unwrap_or_default(),
        )
    });
    let can_send = c.ok() && !note().trim().is_empty() && !busy();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let id = complaint_id.clone();
        let body = ResolveBody {
            to_client: kopecks(&to_client.peek())
                .map(amount_string)
                .unwrap_or_default(),
            to_provider: kopecks(&to_provider.peek())
                .map(amount_string)
                .unwrap_or_default(),
            note: note.peek().trim().to_string(),
        };
        spawn(async move {
            if *busy.peek() {
                return;
            }
            busy.set(true);
            let fingerprint = format!(
                "{}|{}|{}|{}",
                encode_query_value(&id),
                body.to_client,
                body.to_provider,
                body.note
            );
            let k = key.write().key_for(&fingerprint, new_key);
            let result = admin::resolve(&id, &body, &k).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    key.write().done();
                    errors.set(FormErrors::default());
                    on_done.call(());
                }
                Err(ApiError::Problem(p)) => {
                    if p.status < 500 && p.status != 409 {
                        key.write().done();
                    }
                    errors.set(FormErrors::from_problem(
                        &p,
                        &["to_client", "to_provider", "note"],
                    ));
                }
                Err(e) => errors.set(FormErrors::general(e.message(session::t()))),
            }
        });
    };
    let general = errors.read().general.clone();
    let note_error = errors.read().field("note");
    rsx! {
        form { class: "card form-card split", "data-testid": "split-form", onsubmit: submit,
            h2 { "{a.split_title}" }
            p { class: "muted", "data-testid": "split-escrow",
                "data-amount": escrow.as_ref().map(|m| m.amount.clone()).unwrap_or_default(),
                match &escrow {
                    Some(m) => a.escrow_held.replace("{amount}", &m.display(lang)),
                    None => a.escrow_unknown.to_string(),
                }
            }
            FormError { testid: "split-error", error: general }
            div { class: "field-row",
                div { class: if client_error.is_some() || exceeds.is_some() { "field invalid" } else { "field" },
                    label { r#for: "split-to-client", "{a.to_client}" }
                    input { id: "split-to-client", r#type: "text", inputmode: "decimal", "data-testid": "split-to-client",
                        value: "{to_client}", oninput: move |e| { to_client.set(e.value()); errors.write().fields.clear(); } }
                    FieldError { testid: "split-to-client", error: client_error.clone().or(exceeds.clone()) }
                }
                div { class: if provider_error.is_some() { "field invalid" } else { "field" },
                    label { r#for: "split-to-provider", "{a.to_provider}" }
                    input { id: "split-to-provider", r#type: "text", inputmode: "decimal", "data-testid": "split-to-provider",
                        value: "{to_provider}", oninput: move |e| { to_provider.set(e.value()); errors.write().fields.clear(); } }
                    FieldError { testid: "split-to-provider", error: provider_error.clone() }
                }
            }
            if let (Some(total), Some(rest)) = (c.total, c.remainder.filter(|_| held.is_some())) {
                p { class: "muted small", "data-testid": "split-summary", "data-remainder": amount_string(rest),
                    {a.split_summary.replace("{total}", &rub(total, &currency).display(lang))
                        .replace("{rest}", &rub(rest, &currency).display(lang))}
                }
            }
            div { class: if note_error.is_some() { "field invalid" } else { "field" },
                label { r#for: "split-note", "{a.resolution_note}" }
                textarea { id: "split-note", rows: "3", "data-testid": "split-note", value: "{note}",
                    oninput: move |e| note.set(e.value()) }
                FieldError { testid: "split-note", error: note_error.clone() }
            }
            button { class: "btn btn-primary", r#type: "submit", disabled: !can_send, "data-testid": "split-submit",
                if busy() { "{a.resolving}" } else { "{a.resolve}" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_the_api_reads_them() {
        assert_eq!(kopecks("900"), Ok(90_000));
        assert_eq!(kopecks("900.5"), Ok(90_050));
        assert_eq!(kopecks(" 0.07 "), Ok(7));
        assert_eq!(kopecks(".5"), Ok(50));
        assert_eq!(kopecks("1.500"), Ok(150), "trailing zeros are no precision");
        assert_eq!(kopecks(""), Ok(0));
        assert_eq!(kopecks("-0"), Ok(0));
        assert_eq!(kopecks("1.005"), Err(ShareError::TooPrecise));
        assert_eq!(kopecks("-1"), Err(ShareError::Negative));
        assert_eq!(kopecks("1e3"), Err(ShareError::NotANumber));
        assert_eq!(kopecks("1,5"), Err(ShareError::NotANumber));
        assert_eq!(kopecks("."), Err(ShareError::NotANumber));
    }

    #[test]
    fn amounts_are_written_with_two_places() {
        assert_eq!(amount_string(90_000), "900.00");
        assert_eq!(amount_string(7), "0.07");
    }

    #[test]
    fn a_split_up_to_the_escrow_passes_and_leaves_the_rest() {
        let c = check("900", "600", 150_000);
        assert!(c.ok());
        assert_eq!(c.remainder, Some(0));
        let c = check("500", "", 150_000);
        assert!(
            c.ok(),
            "less than the escrow is allowed: the rest stays held"
        );
        assert_eq!(c.remainder, Some(100_000));
    }

    #[test]
    fn a_split_over_the_escrow_or_unreadable_is_refused() {
        let c = check("900", "600.01", 150_000);
        assert!(c.exceeds && !c.ok());
        let c = check("abc", "1", 150_000);
        assert_eq!(c.to_client, Some(ShareError::NotANumber));
        assert!(!c.ok());
    }
}
