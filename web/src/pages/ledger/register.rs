//! The register of closing documents: the acts of a date range as one CSV,
//! fetched with the bearer token and saved by the browser.

use dioxus::prelude::*;

use crate::api::{self, ApiError};
use crate::components::form::{FormError, TextField};
use crate::form_errors::FormErrors;
use crate::save_file;
use crate::session;

use super::range_errors;

/// The query parameters, as the server names them in `errors[].field`.
const FIELDS: &[&str] = &["from", "to"];

/// `GET /documents/register`.
#[component]
pub fn RegisterForm() -> Element {
    let t = session::t();
    let from = use_signal(String::new);
    let to = use_signal(String::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);
    let mut saved = use_signal(|| None::<String>);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let t = session::t();
        let (f, u) = (from.peek().trim().to_string(), to.peek().trim().to_string());
        saved.set(None);
        let local = range_errors(t, &f, &u, "to");
        if !local.is_empty() {
            errors.set(local);
            return;
        }
        busy.set(true);
        let result = api::documents_register(&f, &u).await;
        busy.set(false);
        match result {
            Ok(file) => match save_file::save(&file, "documents-register.csv") {
                Ok(name) => {
                    errors.set(FormErrors::default());
                    saved.set(Some(name));
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
            h2 { "{t.register_title}" }
            p { class: "muted", "{t.register_text}" }
            form { novalidate: true, onsubmit: submit, "data-testid": "documents-register-form",
                FormError { testid: "documents-register-error", error: errs.general.clone() }
                if let Some(name) = saved() {
                    p { class: "alert alert-ok", role: "status", "data-testid": "documents-register-saved",
                        {t.file_saved.replace("{name}", &name)}
                    }
                }
                div { class: "field-row",
                    TextField { label: t.date_from, testid: "documents-register-from", kind: "date", value: from, error: errs.field("from") }
                    TextField { label: t.date_to, testid: "documents-register-to", kind: "date", value: to, error: errs.field("to") }
                }
                p { class: "field-hint", "{t.dates_hint}" }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "register-download",
                    if busy() { "{t.downloading}" } else { "{t.download}" }
                }
            }
        }
    }
}
