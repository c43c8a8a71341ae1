//! `/admin/accounts`: accounts by role and search; block (with a reason) or
//! unblock one, after a confirmation.

use dioxus::prelude::*;

use super::ReasonConfirm;
use crate::api::admin::{self, Account};
use crate::api::types::Page;
use crate::components::form::FormError;
use crate::format::date_time;
use crate::pages::admin::complaints::role_of;
use crate::session::{self, LANG};

const ROLES: [&str; 5] = ["", "client", "provider", "admin", "auditor"];

/// The accounts screen.
#[component]
pub fn AdminAccounts() -> Element {
    let t = session::t();
    let a = t.admin;
    let mut role = use_signal(String::new);
    let mut q = use_signal(String::new);
    // The search runs on submit, not on every key.
    let mut query = use_signal(|| (String::new(), String::new()));
    let mut reload = use_signal(|| 0u32);
    let list = use_resource(move || async move {
        let _ = reload();
        let (r, q) = query();
        admin::accounts(&r, &q, None).await
    });
    let search = move |e: FormEvent| {
        e.prevent_default();
        query.set((role.peek().clone(), q.peek().trim().to_string()));
    };
    let body = match &*list.read() {
        None => rsx! { p { class: "muted", "{t.loading}" } },
        Some(Err(e)) => rsx! { FormError { testid: "accounts-error", error: Some(e.message(t)) } },
        Some(Ok(page)) if page.items.is_empty() => {
            rsx! { p { class: "empty", "data-testid": "accounts-empty", "{a.no_accounts}" } }
        }
        Some(Ok(page)) => {
            rsx! { AccountTable { page: page.clone(), on_changed: move |_| *reload.write() += 1 } }
        }
    };
    rsx! {
        section { class: "page", "data-testid": "accounts-page",
            div { class: "page-head", h1 { "{a.accounts_title}" } }
            form { class: "card field-row", "data-testid": "accounts-search", onsubmit: search,
                div { class: "field",
                    label { r#for: "accounts-q", "{a.search}" }
                    input { id: "accounts-q", r#type: "text", "data-testid": "accounts-q", value: "{q}",
                        placeholder: "{a.search_hint}", oninput: move |e| q.set(e.value()) }
                }
                div { class: "field",
                    label { r#for: "accounts-role", "{a.role}" }
                    select { id: "accounts-role", "data-testid": "accounts-role", value: "{role}",
                        onchange: move |e| { role.set(e.value()); query.set((e.value(), q.peek().trim().to_string())); },
                        for r in ROLES {
                            option { key: "{r}", value: "{r}", if r.is_empty() { "{a.all}" } else { {role_of(r)} } }
                        }
                    }
                }
                button { class: "btn btn-primary", r#type: "submit", "data-testid": "accounts-submit", "{a.search}" }
            }
            {body}
        }
    }
}

#[component]
fn AccountTable(page: Page<Account>, on_changed: EventHandler<()>) -> Element {
    let t = session::t();
    let a = t.admin;
    let lang = *LANG.read();
    rsx! {
        div { class: "table-wrap",
            table { class: "table", "data-testid": "accounts-table",
                thead { tr {
                    th { "{t.email}" } th { "{a.role}" } th { "{t.company_name}" } th { "{t.inn}" }
                    th { "{a.registered}" } th { "{t.col_status}" } th { "{t.col_actions}" }
                } }
                tbody {
                    for acc in page.items {
                        tr { key: "{acc.account_id}", "data-testid": "account-row", "data-id": "{acc.account_id}",
                            "data-email": "{acc.email}", "data-blocked": if acc.blocked { "true" } else { "false" },
                            td { "{acc.email}" }
                            td { {role_of(&acc.role)} }
                            td { {acc.company_name.clone().unwrap_or_default()} }
                            td { {acc.inn.clone().unwrap_or_default()} }
                            td { class: "nowrap", {date_time(&acc.registered_at, lang)} }
                            td {
                                if acc.blocked {
                                    span { class: "status status-cancelled", "data-testid": "account-blocked", "{a.blocked}" }
                                } else {
                                    span { class: "status status-active", "{a.active}" }
                                }
                            }
                            td { BlockControl { account: acc.clone(), on_changed } }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn BlockControl(account: Account, on_changed: EventHandler<()>) -> Element {
    let a = session::t().admin;
    let mut open = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let block = !account.blocked;
    if !open() {
        return rsx! {
            button { class: if block { "btn btn-ghost btn-sm" } else { "btn btn-sm" }, r#type: "button",
                "data-testid": if block { "account-block" } else { "account-unblock" },
                onclick: move |_| { error.set(None); open.set(true); },
                if block { "{a.block}" } else { "{a.unblock}" } }
        };
    }
    let question = if block {
        a.confirm_block
    } else {
        a.confirm_unblock
    };
    let id = account.account_id.clone();
    rsx! {
        ReasonConfirm {
            testid: "block-confirm",
            question: question.replace("{email}", &account.email),
            busy: busy(),
            error: error(),
            needs_reason: block,
            on_cancel: move |_| open.set(false),
            on_confirm: move |reason: String| {
                let id = id.clone();
                spawn(async move {
                    busy.set(true);
                    let result = admin::set_blocked(&id, block, &reason).await;
                    busy.set(false);
                    match result {
                        Ok(()) => { open.set(false); on_changed.call(()); }
                        Err(e) => error.set(Some(e.message(session::t()))),
                    }
                });
            },
        }
    }
}
