//! The closing documents (акты) the caller may see, newest first, each with
//! its PDF (fetched with the bearer token and saved by the browser).

use dioxus::prelude::*;

use crate::CatalogResource;
use crate::api::types::{Document, Party, Role};
use crate::api::{self};
use crate::components::form::FormError;
use crate::format::{date, service_name};
use crate::paged::{Paged, use_paged};
use crate::pages::subscriptions::Load;
use crate::save_file;
use crate::session::{self, LANG, SESSION};

/// Which companies a row names: the other side of the caller's deals, or
/// (for staff, who are on neither side) both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// Show the client.
    pub client: bool,
    /// Show the provider.
    pub provider: bool,
}

impl Sides {
    /// The counterparty columns for `role`.
    pub fn for_role(role: Option<Role>) -> Sides {
        match role {
            Some(Role::Client) => Sides {
                client: false,
                provider: true,
            },
            Some(Role::Provider) => Sides {
                client: true,
                provider: false,
            },
            _ => Sides {
                client: true,
                provider: true,
            },
        }
    }
}

/// `/documents`: `GET /documents` a page at a time.
#[component]
pub fn Documents() -> Element {
    let t = session::t();
    let lang = *LANG.read();
    let sides = Sides::for_role(SESSION.read().as_ref().map(|s| s.role));
    let catalog = use_context::<CatalogResource>();
    let catalog_items = match &*catalog.read() {
        Some(Ok(items)) => items.clone(),
        _ => Vec::new(),
    };
    // Acts are not on the event stream: the list is read when opened, and again on Retry.
    let mut changes = use_signal(|| 0u32);
    let paged = use_paged(
        changes,
        |cursor| Box::pin(async move { api::documents(cursor.as_deref()).await }),
        |d: &Document| d.document_id.clone(),
    );
    let Paged {
        items,
        next,
        state,
        more_error,
        ..
    } = paged;
    // The act whose PDF is on its way, and the last one that failed with why.
    let mut busy = use_signal(|| None::<String>);
    let mut failed = use_signal(|| None::<(String, String)>);
    let download = move |d: Document| async move {
        if busy.peek().is_some() {
            return;
        }
        busy.set(Some(d.document_id.clone()));
        failed.set(None);
        let result = api::document_pdf(&d.document_id).await;
        busy.set(None);
        let t = session::t();
        let outcome = match result {
            Ok(file) => save_file::save(&file, &format!("act-{}.pdf", d.number))
                .map(drop)
                .map_err(|_| t.save_failed.to_string()),
            Err(e) => Err(e.message(t)),
        };
        if let Err(msg) = outcome {
            failed.set(Some((d.document_id, msg)));
        }
    };

    let list = items.read().clone();
    let busy_id = busy();
    let failure = failed();
    rsx! {
        section { class: "page", "data-testid": "documents-page",
            div { class: "page-head",
                h1 { "{t.documents_title}" }
            }
            match state() {
                Load::Loading => rsx! { p { class: "muted", "data-testid": "documents-loading", "{t.loading}" } },
                Load::Failed(msg) => rsx! {
                    FormError { testid: "documents-error", error: Some(msg) }
                    button { class: "btn btn-ghost", r#type: "button", "data-testid": "documents-retry", onclick: move |_| *changes.write() += 1, "{t.retry}" }
                },
                Load::Ready if list.is_empty() => rsx! { p { class: "empty", "data-testid": "documents-empty", "{t.no_documents}" } },
                Load::Ready => rsx! {
                    div { class: "table-wrap",
                        table { class: "table", "data-testid": "documents-table",
                            thead {
                                tr {
                                    th { "{t.col_number}" }
                                    th { "{t.col_date}" }
                                    th { "{t.col_service}" }
                                    th { "{t.col_period}" }
                                    th { class: "num", "{t.col_amount}" }
                                    th { class: "num", "{t.col_fee}" }
                                    if sides.client { th { "{t.col_client}" } }
                                    if sides.provider { th { "{t.col_provider}" } }
                                    th {}
                                }
                            }
                            tbody {
                                for d in list {
                                    tr {
                                        key: "{d.document_id}",
                                        "data-testid": "document-row",
                                        "data-id": "{d.document_id}",
                                        "data-number": "{d.number}",
                                        td { class: "nowrap", "data-testid": "document-number", "{d.number}" }
                                        td { class: "nowrap", "data-testid": "document-date", {date(&d.date, lang)} }
                                        td { "data-testid": "document-service",
                                            {service_name(&catalog_items, &d.service_type, lang)}
                                            div { class: "muted small", {t.plan_label(&d.plan).to_string()} }
                                        }
                                        td { class: "nowrap", "data-testid": "document-period",
                                            {format!("{} — {}", date(&d.period_start, lang), date(&d.period_end, lang))}
                                        }
                                        td { class: "num", "data-testid": "document-amount", "data-amount": "{d.amount.amount}", {d.amount.display(lang)} }
                                        td { class: "num", "data-testid": "document-fee", "data-amount": "{d.fee.amount}", {d.fee.display(lang)} }
                                        if sides.client {
                                            td { "data-testid": "document-client", PartyCell { party: d.client.clone() } }
                                        }
                                        if sides.provider {
                                            td { "data-testid": "document-provider", PartyCell { party: d.provider.clone() } }
                                        }
                                        td { class: "nowrap",
                                            button {
                                                class: "btn btn-ghost btn-sm",
                                                r#type: "button",
                                                "data-testid": "document-pdf-{d.number}",
                                                title: t.download_pdf_title.replace("{number}", &d.number),
                                                "aria-label": t.download_pdf_title.replace("{number}", &d.number),
                                                disabled: busy_id.is_some(),
                                                "aria-busy": if busy_id.as_deref() == Some(d.document_id.as_str()) { "true" } else { "false" },
                                                onclick: {
                                                    let d = d.clone();
                                                    move |_| download(d.clone())
                                                },
                                                "{t.download_pdf}"
                                            }
                                            if let Some((id, msg)) = &failure && *id == d.document_id {
                                                p { class: "field-error", role: "alert", "data-testid": "document-pdf-error", "{msg}" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
            FormError { testid: "documents-more-error", error: more_error() }
            if next.read().is_some() {
                button { class: "btn btn-ghost", r#type: "button", "data-testid": "documents-more", onclick: move |_| paged.load_more(), "{t.load_more}" }
            }
        }
    }
}

/// A company and its taxpayer number.
#[component]
fn PartyCell(party: Party) -> Element {
    let t = session::t();
    rsx! {
        "{party.company_name}"
        div { class: "muted small", {t.inn_value.replace("{inn}", &party.inn)} }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_sees_the_other_and_staff_see_both() {
        let s = Sides::for_role(Some(Role::Client));
        assert!(s.provider && !s.client);
        let s = Sides::for_role(Some(Role::Provider));
        assert!(s.client && !s.provider);
        for role in [Role::Admin, Role::Auditor] {
            let s = Sides::for_role(Some(role));
            assert!(s.client && s.provider);
        }
    }
}
