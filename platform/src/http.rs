//! The layers every HTTP role wraps its routes in, and the server loop.

use crate::client_ip::TrustForwardedFor;
use crate::config::HttpSettings;
use crate::problem::Problem;
use crate::{metrics, request_id, security_headers};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use axum::{Extension, Router};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// Wraps `routes` (which should already include [`crate::health::router`];
/// metrics have a listener of their own, [`crate::metrics::serve`]) in:
/// request id (outermost, so every answer carries it), security headers (on
/// every answer, timeouts and unknown paths included;
/// [`crate::security_headers`]), the request timeout (503 problem), the body
/// size limit, metrics, and problem+json answers for unknown paths and methods.
pub fn with_common_layers(routes: Router, settings: &HttpSettings) -> Router {
    // The recorder must exist before the first request is counted, whether
    // or not the metrics listener has started yet.
    metrics::handle();
    routes
        .fallback(|| async { Problem::not_found().into_response() })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            )
            .into_response()
        })
        .layer(middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(middleware::from_fn_with_state(
            settings.request_timeout,
            timeout,
        ))
        .layer(Extension(TrustForwardedFor(settings.trust_forwarded_for)))
        .layer(middleware::from_fn_with_state(
            settings.trust_forwarded_for,
            security_headers::layer,
        ))
        .layer(middleware::from_fn(request_id::middleware))
}

/// Answers 503 problem when the handler outlives the limit. Handlers that
/// must not be cut half-way (a transaction in flight) spawn their critical
/// section, so dropping this future does not cancel it.
async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "Request timed out",
        )
        .with_detail(format!("no answer within {} s", limit.as_secs()))
        .into_response(),
    }
}

/// Serves `app` on `listener` (with `TCP_NODELAY` and the peer address for
/// [`crate::ClientIp`]) until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
