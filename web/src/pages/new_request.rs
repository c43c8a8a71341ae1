//! A client's new request: service type, plan, description.

use dioxus::prelude::*;

use crate::CatalogResource;
use crate::api::types::NewSubscription;
use crate::api::{self, ApiError};
use crate::components::form::{FieldError, FormError};
use crate::form_errors::FormErrors;
use crate::format::service_name;
use crate::idempotency::{PendingKey, new_key};
use crate::routes::Route;
use crate::session::{self, LANG};

const FIELDS: &[&str] = &["service_type", "plan", "description"];

/// `POST /commands/subscriptions`, then back to the list.
#[component]
pub fn NewRequest() -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let catalog = use_context::<CatalogResource>();
    let mut service_type = use_signal(String::new);
    let mut plan = use_signal(|| "one_off".to_string());
    let mut description = use_signal(String::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);
    let mut key = use_signal(PendingKey::default);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let req = NewSubscription {
            service_type: service_type.peek().clone(),
            plan: plan.peek().clone(),
            description: description.peek().trim().to_string(),
        };
        let body = serde_json::to_string(&req).unwrap_or_default();
        let k = key.write().key_for(&body, new_key);
        busy.set(true);
        let result = api::create_subscription(&req, &k).await;
        busy.set(false);
        match result {
            Ok(_) => {
                key.write().done();
                navigator().push(Route::Subscriptions {});
            }
            Err(ApiError::Problem(p)) => {
                if p.status < 500 && p.status != 409 {
                    key.write().done();
                }
                errors.set(FormErrors::from_problem(&p, FIELDS));
            }
            Err(other) => errors.set(FormErrors::general(other.message(session::t()))),
        }
    };

    let items = match &*catalog.read() {
        Some(Ok(items)) => items.clone(),
        _ => Vec::new(),
    };
    let price = items
        .iter()
        .find(|c| c.code == *service_type.read())
        .map(|c| {
            if *plan.read() == "monthly" {
                c.monthly_price.display(lang)
            } else {
                c.one_off_price.display(lang)
            }
        });
    let errs = errors.read().clone();
    rsx! {
        section { class: "card form-card",
            h1 { "{t.new_request_title}" }
            form { novalidate: true, onsubmit: submit, "data-testid": "new-request-form",
                FormError { testid: "new-request-error", error: errs.general.clone() }
                div { class: if errs.field("service_type").is_some() { "field invalid" } else { "field" },
                    label { r#for: "new-request-service", "{t.service_type}" }
                    select {
                        id: "new-request-service",
                        "data-testid": "new-request-service",
                        value: "{service_type}",
                        onchange: move |e| service_type.set(e.value()),
                        option { value: "", disabled: true, selected: service_type.read().is_empty(), "{t.choose_service}" }
                        for item in items.iter() {
                            option {
                                key: "{item.code}",
                                value: "{item.code}",
                                selected: *service_type.read() == item.code,
                                {service_name(&items, &item.code, lang)}
                            }
                        }
                    }
                    if let Some(Err(_)) = &*catalog.read() {
                        p { class: "muted", "data-testid": "catalog-error", "{t.catalog_unavailable}" }
                    }
                    FieldError { testid: "new-request-service", error: errs.field("service_type") }
                }
                fieldset { class: if errs.field("plan").is_some() { "field invalid" } else { "field" },
                    legend { "{t.plan}" }
                    div { class: "segmented",
                        for (code, label) in [("one_off", t.plan_one_off), ("monthly", t.plan_monthly)] {
                            label { key: "{code}", class: "check",
                                input {
                                    r#type: "radio",
                                    name: "plan",
                                    value: code,
                                    "data-testid": "new-request-plan-{code}",
                                    checked: *plan.read() == code,
                                    onchange: move |_| plan.set(code.to_string()),
                                }
                                span { "{label}" }
                            }
                        }
                    }
                    FieldError { testid: "new-request-plan", error: errs.field("plan") }
                }
                div { class: if errs.field("description").is_some() { "field invalid" } else { "field" },
                    label { r#for: "new-request-description", "{t.description}" }
                    textarea {
                        id: "new-request-description",
                        "data-testid": "new-request-description",
                        rows: 5,
                        placeholder: "{t.description_hint}",
                        value: "{description}",
                        oninput: move |e| description.set(e.value()),
                    }
                    FieldError { testid: "new-request-description", error: errs.field("description") }
                }
                if let Some(price) = price {
                    p { class: "price-hint", "data-testid": "new-request-price", "{t.col_price}: {price}" }
                }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "new-request-submit",
                    "{t.new_request_submit}"
                }
            }
        }
    }
}
