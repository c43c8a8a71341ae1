//! Sign-in and the two registrations.

use dioxus::prelude::*;

use crate::CatalogResource;
use crate::api::types::{Company, Registration};
use crate::api::{self, ApiError};
use crate::components::form::{FieldError, FormError, TextField};
use crate::components::layout::{NavLink, home_of};
use crate::form_errors::FormErrors;
use crate::routes::Route;
use crate::session::{self, LANG};

const LOGIN_FIELDS: &[&str] = &["email", "password"];
const REGISTER_FIELDS: &[&str] = &[
    "email",
    "password",
    "company.name",
    "company.inn",
    "contact_name",
    "service_types",
];

fn to_form_errors(err: &ApiError, known: &[&str]) -> FormErrors {
    match err {
        ApiError::Problem(p) => FormErrors::from_problem(p, known),
        other => FormErrors::general(other.message(session::t())),
    }
}

/// The sign-in screen.
#[component]
pub fn Login() -> Element {
    let t = session::t();
    let email = use_signal(String::new);
    let password = use_signal(String::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        busy.set(true);
        let result = api::login(email.peek().trim(), &password.peek()).await;
        busy.set(false);
        match result {
            Ok(s) => {
                errors.set(FormErrors::default());
                navigator().replace(home_of(s.role));
            }
            Err(err) => errors.set(to_form_errors(&err, LOGIN_FIELDS)),
        }
    };

    let errs = errors.read().clone();
    rsx! {
        section { class: "card auth-card",
            h1 { "{t.login_title}" }
            form { novalidate: true, onsubmit: submit, "data-testid": "login-form",
                FormError { testid: "login-error", error: errs.general.clone() }
                TextField {
                    label: t.email,
                    testid: "login-email",
                    kind: "email",
                    autocomplete: "username",
                    value: email,
                    error: errs.field("email"),
                }
                TextField {
                    label: t.password,
                    testid: "login-password",
                    kind: "password",
                    autocomplete: "current-password",
                    value: password,
                    error: errs.field("password"),
                }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "login-submit",
                    "{t.login_submit}"
                }
            }
            p { class: "muted", "{t.no_account}" }
            div { class: "auth-links",
                NavLink { to: Route::RegisterClient {}, testid: "link-register-client", "{t.register_as_client}" }
                NavLink { to: Route::RegisterProvider {}, testid: "link-register-provider", "{t.register_as_provider}" }
            }
        }
    }
}

/// Client registration.
#[component]
pub fn RegisterClient() -> Element {
    rsx! { RegisterForm { provider: false } }
}

/// Provider registration (with service types).
#[component]
pub fn RegisterProvider() -> Element {
    rsx! { RegisterForm { provider: true } }
}

/// The registration form; a provider also picks its service types from the catalog.
#[component]
fn RegisterForm(provider: bool) -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let catalog = use_context::<CatalogResource>();
    let email = use_signal(String::new);
    let password = use_signal(String::new);
    let company_name = use_signal(String::new);
    let inn = use_signal(String::new);
    let contact_name = use_signal(String::new);
    let mut service_types = use_signal(Vec::<String>::new);
    let mut errors = use_signal(FormErrors::default);
    let mut busy = use_signal(|| false);

    let submit = move |e: FormEvent| async move {
        e.prevent_default();
        if *busy.peek() {
            return;
        }
        let reg = Registration {
            email: email.peek().trim().to_string(),
            password: password.peek().clone(),
            company: Company {
                name: company_name.peek().trim().to_string(),
                inn: inn.peek().trim().to_string(),
            },
            contact_name: contact_name.peek().trim().to_string(),
            service_types: provider.then(|| service_types.peek().clone()),
            language: LANG.peek().code().to_string(),
        };
        busy.set(true);
        let result = match api::register(&reg).await {
            // Registered: sign straight in, so the next screen is the user's own.
            Ok(()) => api::login(&reg.email, &reg.password).await,
            Err(err) => Err(err),
        };
        busy.set(false);
        match result {
            Ok(s) => {
                navigator().replace(home_of(s.role));
            }
            Err(err) => errors.set(to_form_errors(&err, REGISTER_FIELDS)),
        }
    };

    let errs = errors.read().clone();
    let title = if provider {
        t.register_provider_title
    } else {
        t.register_client_title
    };
    let catalog_state = catalog.read().clone();
    rsx! {
        section { class: "card auth-card",
            h1 { "{title}" }
            form {
                novalidate: true,
                onsubmit: submit,
                "data-testid": if provider { "register-provider-form" } else { "register-client-form" },
                FormError { testid: "register-error", error: errs.general.clone() }
                TextField { label: t.email, testid: "register-email", kind: "email", autocomplete: "username", value: email, error: errs.field("email") }
                TextField { label: t.password, testid: "register-password", kind: "password", autocomplete: "new-password", value: password, error: errs.field("password") }
                TextField { label: t.company_name, testid: "register-company-name", autocomplete: "organization", value: company_name, error: errs.field("company.name") }
                TextField { label: t.inn, testid: "register-inn", value: inn, error: errs.field("company.inn") }
                TextField { label: t.contact_name, testid: "register-contact-name", autocomplete: "name", value: contact_name, error: errs.field("contact_name") }
                if provider {
                    fieldset {
                        class: if errs.field("service_types").is_some() { "field invalid" } else { "field" },
                        "data-testid": "register-service-types",
                        legend { "{t.service_types}" }
                        match catalog_state {
                            Some(Ok(items)) => rsx! {
                                div { class: "checks",
                                    for item in items {
                                        label { key: "{item.code}", class: "check",
                                            input {
                                                r#type: "checkbox",
                                                value: "{item.code}",
                                                "data-testid": "register-service-{item.code}",
                                                checked: service_types.read().contains(&item.code),
                                                onchange: {
                                                    let code = item.code.clone();
                                                    move |_| {
                                                        let mut selected = service_types.write();
                                                        if let Some(i) = selected.iter().position(|c| *c == code) {
                                                            selected.remove(i);
                                                        } else {
                                                            selected.push(code.clone());
                                                        }
                                                    }
                                                },
                                            }
                                            span {
                                                match lang {
                                                    crate::i18n::Lang::Ru => item.name_ru.clone(),
                                                    crate::i18n::Lang::En => item.name_en.clone(),
                                                }
                                            }
                                        }
                                    }
                                }
                            },
                            Some(Err(_)) => rsx! {
                                p { class: "muted", "data-testid": "catalog-error", "{t.catalog_unavailable}" }
                                button {
                                    class: "btn btn-ghost",
                                    r#type: "button",
                                    onclick: move |_| { let mut c = catalog; c.restart() },
                                    "{t.retry}"
                                }
                            },
                            None => rsx! { p { class: "muted", "{t.loading}" } },
                        }
                        FieldError { testid: "register-service-types", error: errs.field("service_types") }
                    }
                }
                button {
                    class: "btn btn-primary btn-block",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "register-submit",
                    "{t.register_submit}"
                }
            }
            div { class: "auth-links",
                NavLink { to: Route::Login {}, testid: "link-login", "{t.have_account}" }
            }
        }
    }
}
