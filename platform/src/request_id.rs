//! Request ids: `X-Request-Id` taken from the caller (or the ingress) when it
//! is sane, otherwise a new UUID; echoed on the response, attached to the
//! request's log span and to every problem answered. The correlation id the
//! request's events carry is always made here (`X-Correlation-Id` on the
//! response): a caller's header must not choose what an audit trail joins on.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header carrying the id.
pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The response header naming the correlation id of the request's events.
pub static CORRELATION_HEADER: HeaderName = HeaderName::from_static("x-correlation-id");

/// The id of the request being served, as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// What a response built deep in a handler needs to know about its request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The request id.
    pub id: String,
    /// The request path (a problem's `instance`).
    pub path: String,
    /// Made for this request; every event it causes carries it.
    pub correlation_id: uuid::Uuid,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// The context of the request this task is serving, if any.
pub fn current() -> Option<RequestContext> {
    CONTEXT.try_with(Clone::clone).ok()
}

fn sane(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    let ok = (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_owned())
}

/// Middleware: assigns the id, opens the request's span, echoes the header.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(sane)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let ctx = RequestContext {
        id: id.clone(),
        path: req.uri().path().to_owned(),
        correlation_id: uuid::Uuid::new_v4(),
    };
    let correlation_id = ctx.correlation_id;
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        %correlation_id,
        method = %req.method(),
        path = %ctx.path,
    );
    let mut res = CONTEXT.scope(ctx, next.run(req).instrument(span)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER.clone(), v);
    }
    if let Ok(v) = HeaderValue::from_str(&correlation_id.to_string()) {
        res.headers_mut().insert(CORRELATION_HEADER.clone(), v);
    }
    res
}

/// Spawns `fut` carrying the current request's context and span, so work
/// that must not be cancelled with the request (a transaction, an effect
/// and its stored answer) still answers problems with the request id.
pub fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let span = tracing::Span::current();
    match current() {
        Some(ctx) => tokio::spawn(CONTEXT.scope(ctx, fut).instrument(span)),
        None => tokio::spawn(fut.instrument(span)),
    }
}
