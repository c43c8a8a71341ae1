//! The headers `hub dev` serves the SPA with: the same policy as the
//! cluster's nginx (`web/nginx.conf`), so a page that breaks under it breaks
//! on a laptop first. The one inline script of `index.html` is allowed by
//! its hash, computed from the `index.html` being served (written by
//! `scripts/build-web.sh`), so a changed script never needs a second
//! hard-coded hash here; a test holds this policy to nginx.conf's.

use axum::http::HeaderValue;
use axum::http::header::{self, HeaderMap};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// nginx.conf's policy, the inline scripts' hashes at `{scripts}`.
const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {scripts}; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// `'sha256-…'` of each inline `<script>` (one without `src`) in `html`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let attributes = &rest[..open_end];
        let body = &rest[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !attributes.contains("src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        }
        rest = &body[close..];
    }
    hashes
}

/// The Content-Security-Policy for the app whose `index.html` is `html`.
pub fn policy(html: &str) -> String {
    POLICY.replace("{scripts}", &inline_script_hashes(html).join(" "))
}

/// Adds the policy (for `index_html`, when it could be read) and nginx.conf's
/// other headers to an answer of the SPA's files.
pub fn apply(headers: &mut HeaderMap, index_html: Option<&str>) {
    let csp = index_html
        .map(policy)
        .and_then(|p| HeaderValue::from_str(&p).ok());
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        // Without index.html there is no page to protect but a 404: lock it all.
        csp.unwrap_or(HeaderValue::from_static(
            platform::security_headers::API_CSP,
        )),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `index.html` scripts/build-web.sh writes.
    fn built_index() -> &'static str {
        let script = include_str!("../../scripts/build-web.sh");
        let start = script.find("<<'HTML'\n").expect("heredoc") + "<<'HTML'\n".len();
        let end = start + script[start..].find("\nHTML\n").expect("heredoc end");
        &script[start..end]
    }

    #[test]
    fn the_policy_is_nginx_confs_for_the_built_index() {
        let conf = include_str!("../../web/nginx.conf");
        let marker = "add_header Content-Security-Policy \"";
        let start = conf.find(marker).expect("nginx CSP") + marker.len();
        let nginx = &conf[start..start + conf[start..].find('"').expect("end")];
        assert_eq!(policy(built_index()), nginx);
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = "<script src=\"/a.js\"></script><script type=\"module\">x()</script>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = STANDARD.encode(Sha256::digest(b"x()"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
    }
}
