//! Callback signatures in the Standard Webhooks scheme: the sender signs
//! `"{webhook-id}.{webhook-timestamp}.{raw body}"` with HMAC-SHA256 and sends
//! `webhook-signature: v1,<base64>` (several space-separated signatures are
//! allowed, which is how a sender rotates its secret).
//!
//! The receiver checks the raw bytes it got, never a re-serialised body, with
//! a constant-time comparison, and refuses timestamps more than
//! [`TOLERANCE_SECS`] away from its clock: a captured callback cannot be
//! replayed later.

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

/// The message id header (the same across retries of one callback).
pub const ID_HEADER: &str = "webhook-id";
/// Seconds since the Unix epoch when the sender signed.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// `v1,<base64 HMAC-SHA256>`, possibly several separated by spaces.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a timestamp may be from our clock, either way.
pub const TOLERANCE_SECS: i64 = 5 * 60;
/// The longest `webhook-id` accepted.
const MAX_ID_LEN: usize = 256;

/// Why a callback's signature was refused (all answered 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is absent, not ASCII, or empty.
    #[error("missing or malformed `{0}` header")]
    MissingHeader(&'static str),
    /// The timestamp is not a whole number of seconds.
    #[error("`webhook-timestamp` is not a number of seconds")]
    BadTimestamp,
    /// The timestamp is too old or in the future: a replay or a wrong clock.
    #[error("`webhook-timestamp` is {0} s away from now (at most 300 s allowed)")]
    Stale(i64),
    /// No signature matched any of our secrets.
    #[error("no signature matches")]
    Mismatch,
}

/// The secrets callbacks may be signed with: the current one first, then the
/// previous one during a rotation.
#[derive(Clone)]
pub struct WebhookKeys(Arc<Vec<SecretString>>);

impl WebhookKeys {
    /// Keys from the current secret and, during a rotation, the previous one.
    pub fn new(current: SecretString, previous: Option<SecretString>) -> Self {
        Self(Arc::new(std::iter::once(current).chain(previous).collect()))
    }

    /// Signs with the current secret (what the sandbox sends).
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        sign(self.0[0].expose_secret().as_bytes(), id, timestamp, body)
    }

    /// Checks a callback's headers against its raw body at `now` (Unix
    /// seconds); returns its `webhook-id`.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<String, SignatureError> {
        let id = header(headers, ID_HEADER)?;
        if id.len() > MAX_ID_LEN {
            return Err(SignatureError::MissingHeader(ID_HEADER));
        }
        let timestamp: i64 = header(headers, TIMESTAMP_HEADER)?
            .parse()
            .map_err(|_| SignatureError::BadTimestamp)?;
        let skew = now.saturating_sub(timestamp);
        if skew.saturating_abs() > TOLERANCE_SECS {
            return Err(SignatureError::Stale(skew));
        }
        let signatures = header(headers, SIGNATURE_HEADER)?;
        let matches = signatures
            .split_ascii_whitespace()
            .filter_map(|s| s.strip_prefix("v1,"))
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .any(|sig| {
                self.0.iter().any(|secret| {
                    mac(secret.expose_secret().as_bytes(), id, timestamp, body)
                        .verify_slice(&sig)
                        .is_ok()
                })
            });
        if matches {
            Ok(id.to_owned())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, SignatureError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(SignatureError::MissingHeader(name))
}

fn mac(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with `secret`.
pub fn sign(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const NOW: i64 = 1_800_000_000;
    const BODY: &[u8] = br#"{"payment_id":"x","status":"succeeded"}"#;

    fn keys(secret: &str) -> WebhookKeys {
        WebhookKeys::new(SecretString::from(secret.to_owned()), None)
    }

    fn headers(id: &str, ts: i64, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ID_HEADER, HeaderValue::from_str(id).unwrap());
        h.insert(
            TIMESTAMP_HEADER,
            HeaderValue::from_str(&ts.to_string()).unwrap(),
        );
        h.insert(SIGNATURE_HEADER, HeaderValue::from_str(sig).unwrap());
        h
    }

    #[test]
    fn a_signed_callback_verifies() {
        let k = keys("secret-one");
        let sig = k.sign("msg_1", NOW, BODY);
        assert_eq!(
            k.verify(&headers("msg_1", NOW, &sig), BODY, NOW),
            Ok("msg_1".into())
        );
    }

    #[test]
    fn it_matches_the_standard_webhooks_reference_vector() {
        // From the Standard Webhooks spec's test suite (secret is the base64
        // payload of `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, decoded).
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn another_body_id_or_time_does_not_verify() {
        let k = keys("secret-one");
        let sig = k.sign("msg_1", NOW, BODY);
        let err = Err(SignatureError::Mismatch);
        assert_eq!(k.verify(&headers("msg_1", NOW, &sig), b"{}", NOW), err);
        assert_eq!(k.verify(&headers("msg_2", NOW, &sig), BODY, NOW), err);
        assert_eq!(k.verify(&headers("msg_1", NOW - 1, &sig), BODY, NOW), err);
    }

    #[test]
    fn another_secret_does_not_verify() {
        let sig = keys("secret-two").sign("msg_1", NOW, BODY);
        assert_eq!(
            keys("secret-one").verify(&headers("msg_1", NOW, &sig), BODY, NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_previous_secret_still_verifies_during_a_rotation() {
        let old = keys("secret-old").sign("msg_1", NOW, BODY);
        let rotating = WebhookKeys::new(
            SecretString::from("secret-new".to_owned()),
            Some(SecretString::from("secret-old".to_owned())),
        );
        assert!(
            rotating
                .verify(&headers("msg_1", NOW, &old), BODY, NOW)
                .is_ok()
        );
        // And a sender listing both signatures passes either way.
        let both = format!("{} {old}", keys("secret-new").sign("msg_1", NOW, BODY));
        assert!(
            keys("secret-new")
                .verify(&headers("msg_1", NOW, &both), BODY, NOW)
                .is_ok()
        );
    }

    #[test]
    fn old_and_future_timestamps_are_refused() {
        let k = keys("s");
        for ts in [NOW - 301, NOW + 301] {
            let sig = k.sign("msg_1", ts, BODY);
            assert!(matches!(
                k.verify(&headers("msg_1", ts, &sig), BODY, NOW),
                Err(SignatureError::Stale(_))
            ));
        }
        let sig = k.sign("msg_1", NOW - 300, BODY);
        assert!(
            k.verify(&headers("msg_1", NOW - 300, &sig), BODY, NOW)
                .is_ok()
        );
    }

    #[test]
    fn missing_or_malformed_headers_are_named() {
        let k = keys("s");
        let sig = k.sign("msg_1", NOW, BODY);
        for name in [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER] {
            let mut h = headers("msg_1", NOW, &sig);
            h.remove(name);
            assert_eq!(
                k.verify(&h, BODY, NOW),
                Err(SignatureError::MissingHeader(name))
            );
        }
        let mut h = headers("msg_1", NOW, &sig);
        h.insert(TIMESTAMP_HEADER, HeaderValue::from_static("yesterday"));
        assert_eq!(k.verify(&h, BODY, NOW), Err(SignatureError::BadTimestamp));
        for bad in ["v1,not base64!", "v2,AAAA", "garbage"] {
            assert_eq!(
                k.verify(&headers("msg_1", NOW, bad), BODY, NOW),
                Err(SignatureError::Mismatch)
            );
        }
    }
}
