//! Complaints about an order: filing one (its reason checked by the server,
//! the error shown at the field), and the list with status and outcome;
//! the side that filed an open complaint may withdraw it.

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::orders::{self, Complaint};
use crate::api::types::Role;
use crate::components::form::{FieldError, FormError};
use crate::form_errors::FormErrors;
use crate::format::date_time;
use crate::i18n::Strings;
use crate::session::{self, LANG};

/// Label of a complaint's status; an unknown one shows as sent.
pub fn complaint_status<'a>(t: &'static Strings, status: &'a str) -> &'a str {
    match status {
        "filed" => t.complaint_status_filed,
        "in_review" => t.complaint_status_in_review,
        "resolved" => t.complaint_status_resolved,
        "withdrawn" => t.complaint_status_withdrawn,
        other => other,
    }
}

/// Puts `c` in place of the complaint with its id, or on top (newest first).
pub fn upsert(items: &mut Vec<Complaint>, c: Complaint) {
    match items.iter_mut().find(|x| x.id == c.id) {
        Some(slot) => *slot = c,
        None => items.insert(0, c),
    }
}

/// "Complain": a button that opens the reason form. The filed complaint
/// goes to `on_filed` as the server will list it.
#[component]
pub fn ComplaintForm(order_id: String, role: Role, on_filed: EventHandler<Complaint>) -> Element {
    let t = session::t();
    let mut open = use_signal(|| false);
    let mut reason = use_signal(String::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);

    let submit = move |e: FormEvent| {
        e.prevent_default();
        let order_id = order_id.clone();
        async move {
            if *busy.peek() {
                return;
            }
            busy.set(true);
            // Sent as typed: the server's rules (10 to 4000 characters) answer at the field.
            let text = reason.peek().clone();
            match orders::file_complaint(&order_id, &text).await {
                Ok(id) => {
                    errors.set(FormErrors::default());
                    reason.set(String::new());
                    open.set(false);
                    on_filed.call(Complaint {
                        id,
                        order_id: Some(order_id),
                        status: "filed".into(),
                        reason: text.trim().to_string(),
                        filed_by_role: if role == Role::Provider {
                            "provider"
                        } else {
                            "client"
                        }
                        .into(),
                        resolution: None,
                        to_client: None,
                        to_provider: None,
                        resolution_note: None,
                        filed_at: String::new(),
                        closed_at: None,
                    });
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(&p, &["reason"])),
                Err(other) => errors.set(FormErrors::general(other.message(session::t()))),
            }
            busy.set(false);
        }
    };

    let errs = errors.read().clone();
    rsx! {
        if open() {
            form { class: "card form-card complaint-form", novalidate: true, onsubmit: submit, "data-testid": "complaint-form",
                h3 { "{t.complain}" }
                FormError { testid: "complaint-error", error: errs.general.clone() }
                div { class: if errs.field("reason").is_some() { "field invalid" } else { "field" },
                    label { r#for: "complaint-reason", "{t.complaint_reason}" }
                    textarea {
                        id: "complaint-reason",
                        "data-testid": "complaint-reason",
                        rows: 4,
                        value: "{reason}",
                        "aria-invalid": if errs.field("reason").is_some() { "true" } else { "false" },
                        "aria-describedby": "complaint-reason-hint",
                        oninput: move |e| reason.set(e.value()),
                    }
                    p { class: "field-hint", id: "complaint-reason-hint", "{t.complaint_reason_hint}" }
                    FieldError { testid: "complaint-reason", error: errs.field("reason") }
                }
                div { class: "actions",
                    button { class: "btn btn-danger", r#type: "submit", disabled: busy(), "data-testid": "complaint-submit",
                        "{t.complaint_submit}" }
                    button { class: "btn btn-ghost", r#type: "button", "data-testid": "complaint-cancel",
                        onclick: move |_| open.set(false), "{t.close_form}" }
                }
            }
        } else {
            button { class: "btn btn-ghost", r#type: "button", "data-testid": "order-complain",
                onclick: move |_| open.set(true), "{t.complain}" }
        }
    }
}

/// The order's complaints with their status and, once resolved, the split.
#[component]
pub fn ComplaintList(
    complaints: Vec<Complaint>,
    role: Option<Role>,
    on_changed: EventHandler<String>,
) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let withdraw = move |id: String| async move {
        if *busy.peek() {
            return;
        }
        busy.set(true);
        match orders::withdraw_complaint(&id).await {
            Ok(()) => {
                error.set(None);
                on_changed.call(id);
            }
            Err(e) => error.set(Some(e.message(session::t()))),
        }
        busy.set(false);
    };
    let mine = match role {
        Some(Role::Client) => "client",
        Some(Role::Provider) => "provider",
        _ => "",
    };
    rsx! {
        if !complaints.is_empty() {
            section { class: "card complaints", "data-testid": "complaints",
                h2 { "{t.complaints_title}" }
                FormError { testid: "complaint-withdraw-error", error: error() }
                for c in complaints {
                    div { key: "{c.id}", class: "complaint", "data-testid": "complaint-row", "data-id": "{c.id}", "data-status": "{c.status}",
                        div { class: "complaint-head",
                            span { class: "status complaint-{c.status}", "data-testid": "complaint-status", {complaint_status(t, &c.status).to_string()} }
                            span { class: "muted small",
                                " {t.filed_by}: "
                                {match c.filed_by_role.as_str() { "client" => t.role_client, "provider" => t.role_provider, other => other }.to_string()}
                                if !c.filed_at.is_empty() { " · " {date_time(&c.filed_at, lang)} }
                            }
                        }
                        p { class: "complaint-reason", "data-testid": "complaint-reason-text", "{c.reason}" }
                        if let Some((to_client, to_provider, note)) = c.outcome() {
                            p { "data-testid": "complaint-outcome",
                                {t.complaint_outcome.replace("{client}", &to_client.display(lang)).replace("{provider}", &to_provider.display(lang))}
                            }
                            if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
                                p { class: "muted", "data-testid": "complaint-note", "{t.complaint_note}: {note}" }
                            }
                        }
                        if c.is_open() && c.filed_by_role == mine {
                            button { class: "btn btn-ghost btn-sm", r#type: "button", "data-testid": "complaint-withdraw",
                                disabled: busy(),
                                onclick: {
                                    let id = c.id.clone();
                                    move |_| withdraw(id.clone())
                                },
                                "{t.withdraw_complaint}"
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complaint_statuses_are_labelled() {
        assert_eq!(complaint_status(&crate::i18n::EN, "in_review"), "In review");
        assert_eq!(complaint_status(&crate::i18n::RU, "filed"), "Подана");
        assert_eq!(complaint_status(&crate::i18n::EN, "odd"), "odd");
    }
}
