//! The export form: a date range, one account or all, CSV or JSON Lines; the
//! file is fetched with the bearer token and saved by the browser.

use dioxus::prelude::*;

use crate::api::types::LedgerExportQuery;
use crate::api::{self, ApiError};
use crate::components::form::{FieldError, FormError, TextField};
use crate::form_errors::FormErrors;
use crate::save_file;
use crate::session;

use super::range_errors;

/// The query parameters, as the server names them in `errors[].field`.
const FIELDS: &[&str] = &["from", "to", "account", "format"];

/// The formats offered, by their `format` value.
const FORMATS: &[&str] = &["csv", "jsonl"];

/// `GET /ledger/export`; `on_saved` gets the name the file was saved under.
#[component]
pub fn ExportForm(on_saved: EventHandler<String>) -> Element {
    let t = session::t();
    let from = use_signal(String::new);
    let to = use_signal(String::new);
    let account = use_signal(String::new);
    let mut format = use_signal(|| "csv".to_string());
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);
    let mut saved = use_signal(|| None::<String>);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let t = session::t();
        let q = LedgerExportQuery {
            from: from.peek().trim().to_string(),
            to: to.peek().trim().to_string(),
            account: account.peek().trim().to_string(),
            format: format.peek().clone(),
        };
        saved.set(None);
        let local = range_errors(t, &q.from, &q.to, "to");
        if !local.is_empty() {
            errors.set(local);
            return;
        }
        busy.set(true);
        let result = api::ledger_export(&q).await;
        busy.set(false);
        match result {
            Ok(file) => match save_file::save(&file, &format!("ledger.{}", q.format)) {
                Ok(name) => {
                    errors.set(FormErrors::default());
                    saved.set(Some(name.clone()));
                    on_saved.call(name);
                }
                Err(_) => errors.set(FormErrors::general(t.save_failed)),
            },
            Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(&p, FIELDS)),
            Err(other) => errors.set(FormErrors::general(other.message(t))),
        }
    };

    let errs = errors.read().clone();
    rsx! {
        section { class: "card form-card",
            h2 { "{t.ledger_export_title}" }
            form { novalidate: true, onsubmit: submit, "data-testid": "ledger-form",
                FormError { testid: "ledger-error", error: errs.general.clone() }
                if let Some(name) = saved() {
                    p { class: "alert alert-ok", role: "status", "data-testid": "ledger-saved",
                        {t.file_saved.replace("{name}", &name)}
                    }
                }
                div { class: "field-row",
                    TextField { label: t.date_from, testid: "ledger-from", kind: "date", value: from, error: errs.field("from") }
                    TextField { label: t.date_to, testid: "ledger-to", kind: "date", value: to, error: errs.field("to") }
                }
                p { class: "field-hint", "data-testid": "ledger-dates-hint", "{t.dates_hint}" }
                TextField {
                    label: t.ledger_account,
                    testid: "ledger-account",
                    value: account,
                    hint: t.ledger_account_hint.to_string(),
                    error: errs.field("account"),
                }
                fieldset { class: if errs.field("format").is_some() { "field invalid" } else { "field" },
                    legend { "{t.export_format}" }
                    div { class: "segmented",
                        for code in FORMATS.iter().copied() {
                            label { key: "{code}", class: "check",
                                input {
                                    r#type: "radio",
                                    name: "ledger-format",
                                    value: code,
                                    "data-testid": "ledger-format-{code}",
                                    checked: *format.read() == code,
                                    onchange: move |_| format.set(code.to_string()),
                                }
                                span { if code == "jsonl" { "{t.format_jsonl}" } else { "{t.format_csv}" } }
                            }
                        }
                    }
                    FieldError { testid: "ledger-format", error: errs.field("format") }
                }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "ledger-download",
                    if busy() { "{t.downloading}" } else { "{t.download}" }
                }
            }
        }
    }
}
