//! The refresh token's cookie: `HttpOnly` (no script reads it), `Secure`
//! (browsers treat `http://localhost` and `127.0.0.1` as secure, so `hub
//! dev` works), `SameSite=Strict` (no other site's page sends it) and
//! `Path=/api/v1/auth` (only refresh and logout ever see it).
//!
//! Browsers use it; API clients (the CLI, the bench, tests) may keep
//! passing the token in the JSON body instead.

use axum::http::header::{self, HeaderMap, HeaderValue};
use std::time::Duration;

/// The cookie's name.
pub const NAME: &str = "hub_refresh";

const ATTRIBUTES: &str = "HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth";

/// `Set-Cookie` carrying `token` for `ttl`.
pub fn set(token: &str, ttl: Duration) -> HeaderValue {
    // Tokens are URL-safe base64: nothing to quote.
    HeaderValue::from_str(&format!(
        "{NAME}={token}; {ATTRIBUTES}; Max-Age={}",
        ttl.as_secs()
    ))
    .unwrap_or_else(|_| clear())
}

/// `Set-Cookie` removing the cookie.
pub fn clear() -> HeaderValue {
    HeaderValue::from_static(
        "hub_refresh=; HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth; Max-Age=0",
    )
}

/// The token in the request's cookie, if any.
pub fn read(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == NAME && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; hub_refresh=abc-_9; b=2"),
        );
        assert_eq!(read(&headers).as_deref(), Some("abc-_9"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("hub_refresh=; other=x"),
        );
        assert_eq!(read(&headers), None);
    }

    #[test]
    fn set_and_clear_carry_every_attribute() {
        let set = set("tok", Duration::from_secs(60));
        let set = set.to_str().unwrap();
        assert!(set.starts_with("hub_refresh=tok; "));
        for part in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api/v1/auth",
            "Max-Age=60",
        ] {
            assert!(set.contains(part), "{set} lacks {part}");
        }
        assert!(clear().to_str().unwrap().ends_with("Max-Age=0"));
    }
}
