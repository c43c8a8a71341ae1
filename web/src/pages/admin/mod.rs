//! The admin console: the complaints queue and one complaint with its split,
//! an order's timeline, the work overview, accounts and the catalog.

pub mod accounts;
pub mod catalog;
pub mod complaint;
pub mod complaints;
pub mod split;
pub mod timeline;
pub mod work;

use std::collections::HashMap;

use dioxus::prelude::*;

use crate::api::admin::Complaint;
use crate::components::form::FormError;
use crate::i18n::admin::AdminStrings;
use crate::session;

pub use accounts::AdminAccounts;
pub use catalog::AdminCatalog;
pub use complaint::AdminComplaint;
pub use complaints::Complaints;
pub use timeline::OrderTimeline;
pub use work::AdminWork;

/// Complaints the console has seen (from the queue or the stream), by id: a
/// complaint opened from the queue shows at once while it is read again.
pub static SEEN_COMPLAINTS: GlobalSignal<HashMap<String, Complaint>> = Signal::global(HashMap::new);

/// Remembers `c` unless an equally new or newer version is known.
pub fn remember(c: &Complaint) {
    let newer = SEEN_COMPLAINTS
        .peek()
        .get(&c.id)
        .is_some_and(|known| known.updated_at > c.updated_at);
    if !newer {
        SEEN_COMPLAINTS.write().insert(c.id.clone(), c.clone());
    }
}

/// How long ago, roughly, for `seconds` elapsed: "5 min", "3 h", "2 d".
pub fn age(seconds: i64, a: &AdminStrings) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => a.age_now.to_string(),
        60..3_600 => a.age_minutes.replace("{n}", &(s / 60).to_string()),
        3_600..86_400 => a.age_hours.replace("{n}", &(s / 3_600).to_string()),
        _ => a.age_days.replace("{n}", &(s / 86_400).to_string()),
    }
}

/// Seconds from `rfc3339` until now, by the browser's clock.
#[cfg(target_arch = "wasm32")]
pub fn seconds_since(rfc3339: &str) -> Option<i64> {
    let then = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339)).get_time();
    (!then.is_nan()).then(|| ((js_sys::Date::now() - then) / 1000.0) as i64)
}

/// The host build has no clock worth reading for this.
#[cfg(not(target_arch = "wasm32"))]
pub fn seconds_since(_rfc3339: &str) -> Option<i64> {
    None
}

/// Label of a complaint status; an unknown one shows as sent.
pub fn complaint_status<'a>(a: &'static AdminStrings, status: &'a str) -> &'a str {
    match status {
        "filed" => a.complaint_filed,
        "in_review" => a.complaint_in_review,
        "resolved" => a.complaint_resolved,
        "withdrawn" => a.complaint_withdrawn,
        other => other,
    }
}

/// A dangerous action's last step: asks for the reason and a confirmation.
/// `on_confirm` gets the reason; `error` is the server's answer to the last try.
#[component]
pub fn ReasonConfirm(
    testid: String,
    question: String,
    busy: bool,
    error: Option<String>,
    on_confirm: EventHandler<String>,
    on_cancel: EventHandler<()>,
    /// Whether a reason is required (block needs one, unblock does not).
    #[props(default = true)]
    needs_reason: bool,
) -> Element {
    let a = session::t().admin;
    let mut reason = use_signal(String::new);
    let missing = needs_reason && reason().trim().is_empty();
    rsx! {
        div { class: "confirm", role: "alertdialog", "data-testid": "{testid}",
            p { "{question}" }
            if needs_reason {
                div { class: "field",
                    label { r#for: "{testid}-reason", "{a.reason}" }
                    input { id: "{testid}-reason", r#type: "text", "data-testid": "{testid}-reason", value: "{reason}",
                        oninput: move |e| reason.set(e.value()) }
                }
            }
            FormError { testid: "{testid}-error", error }
            div { class: "actions",
                button { class: "btn btn-danger", r#type: "button", disabled: busy || missing,
                    "data-testid": "{testid}-yes",
                    onclick: move |_| on_confirm.call(reason.peek().trim().to_string()),
                    "{a.confirm}" }
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "{testid}-no",
                    onclick: move |_| on_cancel.call(()), "{a.cancel}" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::admin::EN;

    #[test]
    fn ages_round_down_to_the_largest_unit() {
        assert_eq!(age(5, &EN), EN.age_now);
        assert_eq!(
            age(-5, &EN),
            EN.age_now,
            "a clock behind the server's is no negative age"
        );
        assert_eq!(age(125, &EN), "2 min");
        assert_eq!(age(3 * 3600 + 59, &EN), "3 h");
        assert_eq!(age(2 * 86_400 + 10, &EN), "2 d");
    }
}
