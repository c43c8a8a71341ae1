//! localStorage, tolerating its absence (private windows, blocked storage): nothing is kept then.

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored value of `key`.
pub fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key`.
pub fn set(key: &str, value: &str) {
    if let Some(s) = local() {
        // A full or blocked storage only costs the user a sign-in after reload.
        let _ = s.set_item(key, value);
    }
}

/// Forgets `key`.
pub fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}

/// The browser's preferred language, e.g. `ru-RU`.
pub fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}
