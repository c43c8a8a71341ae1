//! The signed-in session and the UI language: app-wide state, mirrored in localStorage.

use dioxus::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::types::{Role, TokenResponse};
use crate::i18n::{Lang, Strings};
use crate::storage;

const SESSION_KEY: &str = "hub.session";
const LANG_KEY: &str = "hub.lang";

/// Tokens and identity of the signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Token for refresh and logout.
    pub refresh_token: String,
    /// The account.
    pub account_id: String,
    /// Its role.
    pub role: Role,
    /// The e-mail signed in with, shown in the top bar.
    #[serde(default)]
    pub email: String,
}

impl Session {
    /// A session from a login or refresh answer.
    pub fn from_tokens(t: TokenResponse, email: String) -> Session {
        Session {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            account_id: t.account_id,
            role: t.role,
            email,
        }
    }
}

/// The current session; `None` when signed out.
pub static SESSION: GlobalSignal<Option<Session>> =
    Signal::global(|| storage::get(SESSION_KEY).and_then(|s| serde_json::from_str(&s).ok()));

/// The UI language.
pub static LANG: GlobalSignal<Lang> = Signal::global(|| {
    Lang::initial(
        storage::get(LANG_KEY).as_deref(),
        storage::browser_language().as_deref(),
    )
});

/// The current session, without subscribing the caller to changes.
pub fn current() -> Option<Session> {
    SESSION.peek().clone()
}

/// Replaces the session and stores it.
pub fn set(session: Session) {
    if let Ok(json) = serde_json::to_string(&session) {
        storage::set(SESSION_KEY, &json);
    }
    *SESSION.write() = Some(session);
}

/// Forgets the session.
pub fn clear() {
    storage::remove(SESSION_KEY);
    *SESSION.write() = None;
}

/// The strings of the current language (subscribes the caller to language changes).
pub fn t() -> &'static Strings {
    LANG.read().t()
}

/// Switches the language and remembers the choice.
pub fn set_lang(lang: Lang) {
    storage::set(LANG_KEY, lang.code());
    set_document_lang(lang);
    *LANG.write() = lang;
}

/// Puts the language on `<html lang>` so screen readers and hyphenation follow it.
pub fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}
