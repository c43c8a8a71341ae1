//! The client's address, for rate limits.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Whether `X-Forwarded-For` may be believed; a request extension set by
/// [`crate::http::with_common_layers`] from `HttpSettings::trust_forwarded_for`.
#[derive(Debug, Clone, Copy)]
pub struct TrustForwardedFor(pub bool);

/// The client's IP: when the ingress is trusted, the last `X-Forwarded-For`
/// hop — the address the ingress itself saw and appended; every hop before
/// it is whatever the client chose to send — else the socket's peer
/// (unspecified when served without connect info, e.g. in `oneshot` tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let trusted = parts
            .extensions
            .get::<TrustForwardedFor>()
            .is_some_and(|t| t.0);
        if trusted
            && let Some(ip) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(Self(ip));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(Self(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn client_ip(trusted: bool, forwarded: &[&str]) -> IpAddr {
        let mut request = axum::http::Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request
            .extension(TrustForwardedFor(trusted))
            .extension(ConnectInfo(SocketAddr::from(([10, 0, 0, 9], 4000))))
            .body(())
            .expect("a request")
            .into_parts();
        let ClientIp(ip) = ClientIp::from_request_parts(&mut parts, &())
            .await
            .expect("infallible");
        ip
    }

    #[tokio::test]
    async fn the_hop_the_trusted_ingress_appended_counts_not_what_the_client_wrote() {
        let spoofed = ["203.0.113.7, 198.51.100.20"];
        assert_eq!(client_ip(true, &spoofed).await.to_string(), "198.51.100.20");
        let two_lines = ["203.0.113.7", "198.51.100.21"];
        assert_eq!(
            client_ip(true, &two_lines).await.to_string(),
            "198.51.100.21"
        );
        assert_eq!(
            client_ip(true, &["198.51.100.22"]).await.to_string(),
            "198.51.100.22"
        );
    }

    #[tokio::test]
    async fn without_trust_or_a_usable_header_the_peer_counts() {
        assert_eq!(
            client_ip(false, &["198.51.100.20"]).await.to_string(),
            "10.0.0.9"
        );
        assert_eq!(client_ip(true, &[]).await.to_string(), "10.0.0.9");
        assert_eq!(
            client_ip(true, &["not an address"]).await.to_string(),
            "10.0.0.9"
        );
    }
}
