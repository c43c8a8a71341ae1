//! `Idempotency-Key`s for commands that move money: a fresh key for each
//! new submit, the same key when the very same submit is retried (after a
//! network failure the first attempt may have committed; the server then
//! answers the first answer again instead of moving the money twice).

/// The key of the submit in progress, tied to what was submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingKey {
    held: Option<(String, String)>,
}

impl PendingKey {
    /// The key for submitting `body`: the held one when `body` is what it
    /// was made for, else a new one from `fresh`.
    pub fn key_for(&mut self, body: &str, fresh: impl FnOnce() -> String) -> String {
        match &self.held {
            Some((b, key)) if b == body => key.clone(),
            _ => {
                let key = fresh();
                self.held = Some((body.to_owned(), key.clone()));
                key
            }
        }
    }

    /// The server answered (success or a refusal): the next submit is a new one.
    pub fn done(&mut self) {
        self.held = None;
    }
}

/// A random UUID from the browser's `crypto.randomUUID()`.
#[cfg(target_arch = "wasm32")]
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(fallback_key)
}

/// The host build (tests) has no browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn new_key() -> String {
    fallback_key()
}

/// A version-4-shaped UUID from `Math.random`-grade randomness: only for a
/// browser without `crypto.randomUUID` (non-secure contexts), where a key
/// need only be unlikely to repeat.
fn fallback_key() -> String {
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        *b = random_byte();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(target_arch = "wasm32")]
fn random_byte() -> u8 {
    (js_sys::Math::random() * 256.0) as u8
}

#[cfg(not(target_arch = "wasm32"))]
fn random_byte() -> u8 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    (x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 56) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_of_the_same_submit_keeps_its_key() {
        let mut p = PendingKey::default();
        let first = p.key_for("{\"amount\":\"10.00\"}", || "k1".into());
        let again = p.key_for("{\"amount\":\"10.00\"}", || "k2".into());
        assert_eq!((first.as_str(), again.as_str()), ("k1", "k1"));
    }

    #[test]
    fn another_body_or_a_finished_submit_gets_a_new_key() {
        let mut p = PendingKey::default();
        p.key_for("a", || "k1".into());
        assert_eq!(p.key_for("b", || "k2".into()), "k2");
        p.done();
        assert_eq!(p.key_for("b", || "k3".into()), "k3");
    }

    #[test]
    fn fallback_keys_look_like_uuids_and_differ() {
        let (a, b) = (fallback_key(), fallback_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
