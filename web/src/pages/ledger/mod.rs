//! The auditor's ledger screen: where the hash chain ends now, the export of
//! entries (downloaded with the bearer token, see `crate::save_file`), how to
//! verify an export offline, and the register of closing documents.

mod export;
mod head;
mod register;

use dioxus::prelude::*;

use crate::api::types::LedgerHead;
use crate::api::{self, ApiError};
use crate::form_errors::FormErrors;
use crate::i18n::Strings;
use crate::session;

pub use export::ExportForm;
pub use head::HeadPanel;
pub use register::RegisterForm;

/// `/ledger`: the head, the export with how to verify it, and the register.
#[component]
pub fn LedgerExport() -> Element {
    let t = session::t();
    let mut head = use_signal(|| None::<Result<LedgerHead, ApiError>>);
    // The name of the last export saved, for the verify command.
    let mut last_file = use_signal(|| None::<String>);
    let mut load_head = use_future(move || async move {
        head.set(Some(api::ledger_head().await));
    });
    // After an export the head is read again: its hash is what the file should end with.
    let on_saved = move |name: String| {
        last_file.set(Some(name));
        load_head.restart();
    };
    rsx! {
        section { class: "page", "data-testid": "ledger-page",
            div { class: "page-head",
                h1 { "{t.ledger_title}" }
            }
            HeadPanel { head: head(), on_refresh: move |_| load_head.restart() }
            div { class: "forms",
                ExportForm { on_saved }
                RegisterForm {}
            }
            VerifyHelp { file: last_file() }
        }
    }
}

/// How to check an export without the database.
#[component]
fn VerifyHelp(file: Option<String>) -> Element {
    let t = session::t();
    let file = file.unwrap_or_else(|| "FILE".to_string());
    rsx! {
        section { class: "card verify", "data-testid": "ledger-verify",
            h2 { "{t.verify_title}" }
            p { "{t.verify_chain}" }
            p { "{t.verify_run}" }
            pre { class: "command", code { "data-testid": "ledger-verify-command", "hub ledger verify {file}" } }
            p { "{t.verify_what}" }
            p { "{t.verify_head}" }
        }
    }
}

/// A date range the server would refuse for its order; the message goes on `to_field`.
/// (Dates come from date inputs: `YYYY-MM-DD` or empty, so they compare as text.)
fn range_errors(t: &'static Strings, from: &str, to: &str, to_field: &str) -> FormErrors {
    let mut e = FormErrors::default();
    if !from.is_empty() && !to.is_empty() && from > to {
        e.fields
            .insert(to_field.to_string(), t.date_range_invalid.to_string());
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    #[test]
    fn an_end_before_the_start_is_flagged_on_the_end() {
        let e = range_errors(&EN, "2026-12-06", "2026-11-30", "to");
        assert_eq!(e.field("to").as_deref(), Some(EN.date_range_invalid));
    }

    #[test]
    fn open_and_one_day_ranges_pass() {
        assert!(range_errors(&EN, "", "2026-11-30", "to").is_empty());
        assert!(range_errors(&EN, "2026-11-30", "", "to").is_empty());
        assert!(range_errors(&EN, "2026-11-30", "2026-11-30", "to").is_empty());
    }
}
