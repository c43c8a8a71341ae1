//! Security headers on every answer of the APIs: the browser must not
//! sniff a JSON body into a script, frame an answer, send our URLs on as a
//! referrer, or run anything an API answer might contain. Each is set only
//! where the handler set none (the attachment download brings its own
//! sandboxing policy).
//!
//! HSTS goes only on answers to requests that came over TLS, which the
//! roles (plain HTTP behind the Ingress) learn from the trusted ingress's
//! `X-Forwarded-Proto`, believed exactly when `X-Forwarded-For` is
//! (`HttpSettings::trust_forwarded_for`): a browser ignores it over plain
//! HTTP, and a laptop's `hub dev` must not pin itself to HTTPS.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of an API answer: it is data, never a document that may load
/// or run anything, nor be framed.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of an HTML page an API serves without its own (the OpenAPI
/// reference, which loads its viewer from a CDN): it may not be framed.
pub const PAGE_CSP: &str = "frame-ancestors 'none'";

/// One year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether the request came over TLS to the trusted ingress: its
/// `X-Forwarded-Proto` (the last value, the one the ingress wrote) is `https`.
pub fn came_over_tls(headers: &HeaderMap, trust_forwarded: bool) -> bool {
    trust_forwarded
        && headers
            .get_all("x-forwarded-proto")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// Sets `name` to `value` unless the answer already has it.
pub fn set_default(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// The middleware; its state is `HttpSettings::trust_forwarded_for`.
pub async fn layer(State(trust_forwarded): State<bool>, req: Request, next: Next) -> Response {
    let tls = came_over_tls(req.headers(), trust_forwarded);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let csp = if is_html(headers) { PAGE_CSP } else { API_CSP };
    set_default(headers, header::CONTENT_SECURITY_POLICY, csp);
    set_default(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(headers, header::X_FRAME_OPTIONS, "DENY");
    set_default(headers, header::REFERRER_POLICY, "no-referrer");
    if tls {
        set_default(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(
                "x-forwarded-proto",
                HeaderValue::from_str(v).expect("value"),
            );
        }
        headers
    }

    #[test]
    fn tls_is_the_trusted_ingress_saying_https() {
        assert!(came_over_tls(&forwarded(&["https"]), true));
        assert!(came_over_tls(&forwarded(&["http, HTTPS"]), true));
        assert!(!came_over_tls(&forwarded(&["https"]), false), "untrusted");
        assert!(
            !came_over_tls(&forwarded(&["https, http"]), true),
            "the ingress saw http"
        );
        assert!(!came_over_tls(&forwarded(&[]), true));
    }
}
