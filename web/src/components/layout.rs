//! The frame around every screen: top bar with product name, role-aware navigation,
//! language switch and logout; sends visitors where their session allows.

use dioxus::prelude::*;

use crate::api;
use crate::api::types::Role;
use crate::i18n::Strings;
use crate::routes::Route;
use crate::session::{self, LANG, RESTORING, SESSION};

/// One navigation entry.
struct NavItem {
    route: Route,
    label: &'static str,
    testid: &'static str,
}

/// What a role may go to, in the order shown.
fn nav_items(role: Role, t: &'static Strings) -> Vec<NavItem> {
    let item = |route, label, testid| NavItem {
        route,
        label,
        testid,
    };
    // Every role has closing documents: its own, or (staff) all of them.
    let documents = || item(Route::Documents {}, t.nav_documents, "nav-documents");
    match role {
        Role::Client => vec![
            item(
                Route::Subscriptions {},
                t.nav_my_requests,
                "nav-my-requests",
            ),
            item(Route::NewRequest {}, t.nav_new_request, "nav-new-request"),
            item(Route::WalletPage {}, t.nav_wallet, "nav-wallet"),
            documents(),
        ],
        Role::Provider => vec![
            item(
                Route::AvailableRequests {},
                t.nav_available,
                "nav-available-requests",
            ),
            item(
                Route::Subscriptions {},
                t.nav_my_subscriptions,
                "nav-my-subscriptions",
            ),
            item(Route::WalletPage {}, t.nav_wallet, "nav-wallet"),
            documents(),
        ],
        Role::Admin => vec![
            item(Route::Complaints {}, t.nav_complaints, "nav-complaints"),
            item(Route::AdminWork {}, t.admin.nav_work, "nav-admin-work"),
            item(
                Route::AdminAccounts {},
                t.admin.nav_accounts,
                "nav-admin-accounts",
            ),
            item(
                Route::AdminCatalog {},
                t.admin.nav_catalog,
                "nav-admin-catalog",
            ),
            item(
                Route::Subscriptions {},
                t.nav_all_subscriptions,
                "nav-all-subscriptions",
            ),
            documents(),
        ],
        Role::Auditor => vec![
            item(
                Route::LedgerExport {},
                t.nav_ledger_export,
                "nav-ledger-export",
            ),
            documents(),
        ],
    }
}

/// The label of a role.
pub fn role_label(role: Role, t: &'static Strings) -> &'static str {
    match role {
        Role::Client => t.role_client,
        Role::Provider => t.role_provider,
        Role::Admin => t.role_admin,
        Role::Auditor => t.role_auditor,
    }
}

/// Where a signed-in role lands.
pub fn home_of(role: Role) -> Route {
    match role {
        Role::Client => Route::Subscriptions {},
        Role::Provider => Route::AvailableRequests {},
        Role::Admin => Route::Complaints {},
        Role::Auditor => Route::LedgerExport {},
    }
}

/// A link that routes inside the app and carries a test id.
#[component]
pub fn NavLink(to: Route, testid: String, class: Option<String>, children: Element) -> Element {
    let current = use_route::<Route>();
    let active = current == to;
    let href = to.to_string();
    let class = format!(
        "{}{}",
        class.unwrap_or_default(),
        if active { " active" } else { "" }
    );
    rsx! {
        a {
            href: "{href}",
            class: "{class}",
            "data-testid": "{testid}",
            "aria-current": if active { "page" } else { "false" },
            onclick: move |e: MouseEvent| {
                e.prevent_default();
                navigator().push(to.clone());
            },
            {children}
        }
    }
}

/// Replaces the current URL with `to` once mounted.
#[component]
pub fn Redirect(to: Route) -> Element {
    let nav = navigator();
    use_effect(move || {
        nav.replace(to.clone());
    });
    rsx! {}
}

/// The layout of every route.
#[component]
pub fn Shell() -> Element {
    let route = use_route::<Route>();
    let t = session::t();
    let lang = *LANG.read();
    let current = SESSION.read().clone();
    let restoring = *RESTORING.read();

    let body = match (&current, route.is_public(), route.is_guest_only()) {
        // A reload signs back in through the refresh cookie: wait for it
        // rather than bounce a signed-in user to the login page.
        _ if restoring => rsx! {
            p { class: "muted", "data-testid": "session-restoring", "aria-busy": "true", "{t.loading}" }
        },
        (None, false, _) => rsx! { Redirect { to: Route::Login {} } },
        (Some(s), _, true) => rsx! { Redirect { to: home_of(s.role) } },
        _ => rsx! { Outlet::<Route> {} },
    };

    rsx! {
        div { class: "app", "data-lang": lang.code(),
            header { class: "topbar",
                NavLink { to: Route::Home {}, testid: "brand", class: "brand", "{t.product}" }
                if let Some(s) = &current {
                    nav { class: "nav", "data-testid": "nav",
                        for item in nav_items(s.role, t) {
                            NavLink {
                                key: "{item.testid}",
                                to: item.route,
                                testid: item.testid,
                                class: "nav-link",
                                "{item.label}"
                            }
                        }
                    }
                } else {
                    div { class: "nav" }
                }
                div { class: "topbar-right",
                    if current.is_some() {
                        crate::components::bell::Bell {}
                    }
                    if let Some(s) = &current {
                        span { class: "who",
                            span { class: "who-email", "data-testid": "current-email", "{s.email}" }
                            span {
                                class: "role-badge",
                                "data-testid": "current-role",
                                "data-role": serde_json::to_value(s.role).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                                "{role_label(s.role, t)}"
                            }
                        }
                    }
                    button {
                        class: "btn btn-ghost",
                        r#type: "button",
                        "data-testid": "lang-switch",
                        lang: lang.other().code(),
                        onclick: move |_| {
                            let chosen = lang.other();
                            session::set_lang(chosen);
                            // The account's mail follows the language it reads Hub in.
                            if session::current().is_some() {
                                spawn(async move {
                                    let _ = crate::api::choose_language(chosen.code()).await;
                                });
                            }
                        },
                        "{t.switch_to}"
                    }
                    if current.is_some() {
                        button {
                            class: "btn btn-ghost",
                            r#type: "button",
                            "data-testid": "logout",
                            onclick: move |_| async move {
                                api::logout().await;
                                navigator().replace(Route::Login {});
                            },
                            "{t.logout}"
                        }
                    }
                }
            }
            main { class: "content", {body} }
        }
    }
}
