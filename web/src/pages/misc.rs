//! The start route and the unknown URL.

use dioxus::prelude::*;

use crate::components::layout::{NavLink, Redirect, home_of};
use crate::routes::Route;
use crate::session::{self, SESSION};

/// `/`: the role's own start screen, or sign-in.
#[component]
pub fn Home() -> Element {
    let to = match SESSION.read().as_ref() {
        Some(s) => home_of(s.role),
        None => Route::Login {},
    };
    rsx! { Redirect { to } }
}

/// Any other URL.
#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let t = session::t();
    let _ = segments;
    rsx! {
        section { class: "card placeholder", "data-testid": "not-found",
            h1 { "{t.not_found_title}" }
            NavLink { to: Route::Home {}, testid: "go-home", "{t.go_home}" }
        }
    }
}
