//! Labelled inputs with their error under them, and the form-level error banner.

use dioxus::prelude::*;

/// A labelled text input bound to `value`; `hint` (what to type) and `error` show under it.
#[component]
pub fn TextField(
    label: String,
    testid: String,
    value: Signal<String>,
    #[props(default = "text".to_string())] kind: String,
    #[props(default)] autocomplete: Option<String>,
    #[props(default)] hint: Option<String>,
    #[props(default)] error: Option<String>,
) -> Element {
    let mut value = value;
    let invalid = error.is_some();
    let described = hint.as_ref().map(|_| format!("{testid}-hint"));
    rsx! {
        div { class: if invalid { "field invalid" } else { "field" },
            label { r#for: "{testid}", "{label}" }
            input {
                id: "{testid}",
                name: "{testid}",
                r#type: "{kind}",
                autocomplete: autocomplete.unwrap_or_else(|| "off".to_string()),
                value: "{value}",
                "data-testid": "{testid}",
                "aria-invalid": if invalid { "true" } else { "false" },
                "aria-describedby": described,
                oninput: move |e| value.set(e.value()),
            }
            if let Some(text) = hint {
                p { class: "field-hint", id: "{testid}-hint", "data-testid": "{testid}-hint", "{text}" }
            }
            FieldError { testid: testid.clone(), error }
        }
    }
}

/// The message under a field, when there is one.
#[component]
pub fn FieldError(testid: String, error: Option<String>) -> Element {
    rsx! {
        if let Some(msg) = error {
            p { class: "field-error", role: "alert", "data-testid": "{testid}-error", "{msg}" }
        }
    }
}

/// The form-level message: problem detail or errors about fields the form does not show.
#[component]
pub fn FormError(testid: String, error: Option<String>) -> Element {
    rsx! {
        if let Some(msg) = error {
            div { class: "alert alert-error", role: "alert", "data-testid": "{testid}", "{msg}" }
        }
    }
}
