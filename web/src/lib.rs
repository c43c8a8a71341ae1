//! Hub's single-page app: Dioxus on the web renderer, built to wasm32 without the dx CLI
//! (`scripts/build-web.sh`). It talks to the command and read APIs over same-origin HTTP and
//! listens to the event stream for live updates.

pub mod api;
pub mod bank;
pub mod components;
pub mod form_errors;
pub mod format;
pub mod i18n;
pub mod idempotency;
pub mod live;
pub mod live_list;
pub mod paged;
pub mod pages;
pub mod routes;
pub mod save_file;
pub mod session;
pub mod storage;

use dioxus::prelude::*;

use crate::api::ApiError;
use crate::api::types::CatalogItem;

/// The service catalog, loaded once for every screen that names or offers service types.
pub type CatalogResource = Resource<Result<Vec<CatalogItem>, ApiError>>;

/// The root component.
#[component]
pub fn App() -> Element {
    use_hook(|| {
        session::set_document_lang(*session::LANG.peek());
        session::forget_stored_tokens();
        spawn(api::restore_session());
    });
    let catalog: CatalogResource = use_resource(api::catalog);
    use_context_provider(|| catalog);
    rsx! {
        dioxus::router::Router::<routes::Route> {}
    }
}
