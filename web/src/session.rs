//! The signed-in session and the UI language: app-wide state.
//!
//! The session lives in memory only: the access token is never written to
//! storage a script could read later, and the refresh token never reaches
//! the app at all (the server keeps it in an HttpOnly cookie scoped to
//! `/api/v1/auth`). A reload restores the session through that cookie
//! ([`crate::api::restore_session`]); until it answers, [`RESTORING`] is set
//! and the app shows a neutral loading state. Only the UI language, which is
//! no secret, is kept in localStorage.

use dioxus::prelude::*;

use crate::api::types::{Role, TokenResponse};
use crate::i18n::{Lang, Strings};
use crate::storage;

const LANG_KEY: &str = "hub.lang";
/// Where versions before the cookie kept the tokens; removed on start.
const LEGACY_SESSION_KEY: &str = "hub.session";

/// Access token and identity of the signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// The account.
    pub account_id: String,
    /// Its role.
    pub role: Role,
    /// The e-mail signed in with, shown in the top bar.
    pub email: String,
}

impl Session {
    /// A session from a login or refresh answer.
    pub fn from_tokens(t: TokenResponse) -> Session {
        Session {
            access_token: t.access_token,
            account_id: t.account_id,
            role: t.role,
            email: t.email,
        }
    }
}

/// The current session; `None` when signed out (or not restored yet).
pub static SESSION: GlobalSignal<Option<Session>> = Signal::global(|| None);

/// Whether the session is still being restored from the refresh cookie
/// (set from the start of the app until the first refresh answers).
pub static RESTORING: GlobalSignal<bool> = Signal::global(|| true);

/// The UI language.
pub static LANG: GlobalSignal<Lang> = Signal::global(|| {
    Lang::initial(
        storage::get(LANG_KEY).as_deref(),
        storage::browser_language().as_deref(),
    )
});

/// Removes tokens older versions left in localStorage.
pub fn forget_stored_tokens() {
    storage::remove(LEGACY_SESSION_KEY);
}

/// The current session, without subscribing the caller to changes.
pub fn current() -> Option<Session> {
    SESSION.peek().clone()
}

/// Replaces the session (in memory).
pub fn set(session: Session) {
    *SESSION.write() = Some(session);
}

/// Forgets the session.
pub fn clear() {
    *SESSION.write() = None;
}

/// The restore finished, signed in or not.
pub fn restored() {
    *RESTORING.write() = false;
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
