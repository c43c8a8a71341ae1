//! The client's "new order" form on an active subscription's page.

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::orders::{self, NewOrder, Order};
use crate::components::form::{FieldError, FormError};
use crate::form_errors::FormErrors;
use crate::session;

const FIELDS: &[&str] = &["title", "details"];

/// `POST /commands/subscriptions/{id}/orders`; the new order goes to `on_created`.
#[component]
pub fn NewOrderForm(subscription_id: String, on_created: EventHandler<Order>) -> Element {
    let t = session::t();
    let mut title = use_signal(String::new);
    let mut details = use_signal(String::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);
    let mut created = use_signal(|| false);

    let submit = move |e: FormEvent| {
        e.prevent_default();
        let sid = subscription_id.clone();
        async move {
            if *busy.peek() {
                return;
            }
            let req = NewOrder {
                title: title.peek().trim().to_string(),
                details: details.peek().trim().to_string(),
            };
            busy.set(true);
            created.set(false);
            let result = orders::create_order(&sid, &req).await;
            match result {
                Ok(id) => {
                    errors.set(FormErrors::default());
                    title.set(String::new());
                    details.set(String::new());
                    created.set(true);
                    // The event stream brings it too; reading it now shows it at once.
                    if let Ok(order) = orders::order(&id).await {
                        on_created.call(order);
                    }
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(&p, FIELDS)),
                Err(other) => errors.set(FormErrors::general(other.message(session::t()))),
            }
            busy.set(false);
        }
    };

    let errs = errors.read().clone();
    rsx! {
        form { class: "card form-card new-order", novalidate: true, onsubmit: submit, "data-testid": "new-order-form",
            h2 { "{t.new_order_title}" }
            FormError { testid: "new-order-error", error: errs.general.clone() }
            div { class: if errs.field("title").is_some() { "field invalid" } else { "field" },
                label { r#for: "new-order-title", "{t.order_title_label}" }
                input {
                    id: "new-order-title",
                    "data-testid": "new-order-title",
                    r#type: "text",
                    maxlength: "200",
                    placeholder: "{t.order_title_hint}",
                    value: "{title}",
                    "aria-invalid": if errs.field("title").is_some() { "true" } else { "false" },
                    oninput: move |e| title.set(e.value()),
                }
                FieldError { testid: "new-order-title", error: errs.field("title") }
            }
            div { class: if errs.field("details").is_some() { "field invalid" } else { "field" },
                label { r#for: "new-order-details", "{t.order_details_label}" }
                textarea {
                    id: "new-order-details",
                    "data-testid": "new-order-details",
                    rows: 4,
                    value: "{details}",
                    "aria-invalid": if errs.field("details").is_some() { "true" } else { "false" },
                    oninput: move |e| details.set(e.value()),
                }
                FieldError { testid: "new-order-details", error: errs.field("details") }
            }
            if created() {
                p { class: "alert alert-ok", "data-testid": "new-order-done", "{t.order_created}" }
            }
            button { class: "btn btn-primary", r#type: "submit", disabled: busy(), "data-testid": "new-order-submit",
                "{t.new_order_submit}"
            }
        }
    }
}
