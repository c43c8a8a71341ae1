//! `/admin/catalog`: every service type, retired ones too; add one, change
//! its prices, retire or restore it.

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::admin::{self, NewServiceType, ServiceType};
use crate::components::form::{FormError, TextField};
use crate::form_errors::FormErrors;
use crate::session::{self, LANG};

/// The catalog screen.
#[component]
pub fn AdminCatalog() -> Element {
    let t = session::t();
    let a = t.admin;
    let mut reload = use_signal(|| 0u32);
    let list = use_resource(move || async move {
        let _ = reload();
        admin::service_types().await
    });
    let body = match &*list.read() {
        None => rsx! { p { class: "muted", "{t.loading}" } },
        Some(Err(e)) => rsx! { FormError { testid: "catalog-error", error: Some(e.message(t)) } },
        Some(Ok(items)) => rsx! {
            div { class: "table-wrap",
                table { class: "table", "data-testid": "catalog-table",
                    thead { tr {
                        th { "{a.code}" } th { "{a.name_ru}" } th { "{a.name_en}" }
                        th { class: "num", "{t.plan_one_off}" } th { class: "num", "{t.plan_monthly}" }
                        th { "{t.col_status}" } th { "{t.col_actions}" }
                    } }
                    tbody {
                        for item in items.clone() {
                            CatalogRow { key: "{item.code}", item, on_changed: move |_| *reload.write() += 1 }
                        }
                    }
                }
            }
        },
    };
    rsx! {
        section { class: "page", "data-testid": "catalog-page",
            div { class: "page-head", h1 { "{a.catalog_title}" } }
            {body}
            AddServiceType { on_added: move |_| *reload.write() += 1 }
        }
    }
}

#[component]
fn CatalogRow(item: ServiceType, on_changed: EventHandler<()>) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    let mut editing = use_signal(|| false);
    let mut one_off = use_signal(|| item.one_off_price.amount.clone());
    let mut monthly = use_signal(|| item.monthly_price.amount.clone());
    let mut busy = use_signal(|| false);
    let mut errors = use_signal(FormErrors::default);
    let code = item.code.clone();
    let run = move |retire: Option<bool>| {
        let code = code.clone();
        spawn(async move {
            busy.set(true);
            let result = match retire {
                Some(r) => admin::set_retired(&code, r).await,
                None => admin::change_prices(&code, &one_off.peek(), &monthly.peek()).await,
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    editing.set(false);
                    errors.set(FormErrors::default());
                    on_changed.call(());
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(
                    &p,
                    &["one_off_price", "monthly_price"],
                )),
                Err(e) => errors.set(FormErrors::general(e.message(session::t()))),
            }
        });
    };
    let general = errors.read().general.clone();
    let field_errors = [
        errors.read().field("one_off_price"),
        errors.read().field("monthly_price"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let run_prices = run.clone();
    let run_retire = run;
    rsx! {
        tr { "data-testid": "catalog-row", "data-code": "{item.code}", "data-retired": if item.retired { "true" } else { "false" },
            td { code { "{item.code}" } }
            td { "{item.name_ru}" }
            td { "{item.name_en}" }
            if editing() {
                td { input { class: "num", r#type: "text", inputmode: "decimal", "data-testid": "catalog-one-off", value: "{one_off}", oninput: move |e| one_off.set(e.value()) } }
                td { input { class: "num", r#type: "text", inputmode: "decimal", "data-testid": "catalog-monthly", value: "{monthly}", oninput: move |e| monthly.set(e.value()) } }
            } else {
                td { class: "num", "data-testid": "catalog-one-off-price", {item.one_off_price.display(lang)} }
                td { class: "num", "data-testid": "catalog-monthly-price", {item.monthly_price.display(lang)} }
            }
            td {
                if item.retired {
                    span { class: "status status-cancelled", "{a.retired}" }
                } else {
                    span { class: "status status-active", "{a.offered}" }
                }
            }
            td {
                div { class: "actions",
                    if editing() {
                        button { class: "btn btn-primary btn-sm", r#type: "button", disabled: busy(), "data-testid": "catalog-save-prices",
                            onclick: move |_| run_prices(None), "{a.save}" }
                        button { class: "btn btn-ghost btn-sm", r#type: "button", "data-testid": "catalog-cancel-edit",
                            onclick: move |_| editing.set(false), "{a.cancel}" }
                    } else {
                        button { class: "btn btn-ghost btn-sm", r#type: "button", "data-testid": "catalog-edit-prices",
                            onclick: move |_| editing.set(true), "{a.change_prices}" }
                        button { class: "btn btn-ghost btn-sm", r#type: "button", disabled: busy(),
                            "data-testid": if item.retired { "catalog-restore" } else { "catalog-retire" },
                            onclick: move |_| run_retire(Some(!item.retired)),
                            if item.retired { "{a.restore}" } else { "{a.retire}" } }
                    }
                }
                FormError { testid: "catalog-row-error", error: general.or((!field_errors.is_empty()).then_some(field_errors)) }
            }
        }
    }
}

#[component]
fn AddServiceType(on_added: EventHandler<()>) -> Element {
    let t = session::t();
    let a = t.admin;
    let code = use_signal(String::new);
    let name_ru = use_signal(String::new);
    let name_en = use_signal(String::new);
    let one_off = use_signal(String::new);
    let monthly = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut errors = use_signal(FormErrors::default);
    let mut added = use_signal(|| false);
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let body = NewServiceType {
            code: code.peek().trim().to_string(),
            name_en: name_en.peek().trim().to_string(),
            name_ru: name_ru.peek().trim().to_string(),
            one_off_price: one_off.peek().trim().to_string(),
            monthly_price: monthly.peek().trim().to_string(),
        };
        let mut fields = [code, name_ru, name_en, one_off, monthly];
        spawn(async move {
            busy.set(true);
            added.set(false);
            let result = admin::add_service_type(&body).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    errors.set(FormErrors::default());
                    for f in &mut fields {
                        f.set(String::new());
                    }
                    added.set(true);
                    on_added.call(());
                }
                Err(ApiError::Problem(p)) => errors.set(FormErrors::from_problem(
                    &p,
                    &[
                        "code",
                        "name_en",
                        "name_ru",
                        "one_off_price",
                        "monthly_price",
                    ],
                )),
                Err(e) => errors.set(FormErrors::general(e.message(session::t()))),
            }
        });
    };
    let e = errors.read().clone();
    rsx! {
        form { class: "card form-card", "data-testid": "catalog-add", onsubmit: submit,
            h2 { "{a.add_service_type}" }
            FormError { testid: "catalog-add-error", error: e.general.clone() }
            div { class: "field-row",
                TextField { label: a.code, testid: "catalog-add-code", value: code, hint: a.code_hint.to_string(), error: e.field("code") }
                TextField { label: a.name_ru, testid: "catalog-add-name-ru", value: name_ru, error: e.field("name_ru") }
                TextField { label: a.name_en, testid: "catalog-add-name-en", value: name_en, error: e.field("name_en") }
            }
            div { class: "field-row",
                TextField { label: t.plan_one_off, testid: "catalog-add-one-off", value: one_off, error: e.field("one_off_price") }
                TextField { label: t.plan_monthly, testid: "catalog-add-monthly", value: monthly, error: e.field("monthly_price") }
            }
            if added() { p { class: "alert alert-ok", "data-testid": "catalog-added", "{a.service_type_added}" } }
            button { class: "btn btn-primary", r#type: "submit", disabled: busy(), "data-testid": "catalog-add-submit", "{a.add}" }
        }
    }
}
