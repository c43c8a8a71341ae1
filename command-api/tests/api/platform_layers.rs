//! Request ids, health, metrics, OpenAPI and problem answers for unknown routes.

use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn a_request_id_is_echoed_or_made() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "abc-123");
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    let made = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert!(uuid::Uuid::parse_str(made).is_ok());
}

#[tokio::test]
async fn a_problem_carries_the_request_id_and_instance() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-request-id", "req-42")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 400, None).await;
    assert_eq!(body["request_id"], "req-42");
    assert_eq!(body["instance"], "/api/v1/auth/login");
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.pool.close().await;
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_problem(res, 503, None).await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_on_their_own_listener_only() {
    let app = TestApp::spawn().await;
    app.login("nobody@example.ru", PASSWORD).await;
    // The API's port (what the Ingress exposes) does not answer them.
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_problem(res, 404, None).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = listener.local_addr().unwrap();
    tokio::spawn(platform::metrics::serve(listener, std::future::pending()));
    let text = app
        .client
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total")
            && l.contains(r#"route="/api/v1/auth/login""#)
            && l.contains(r#"status="401""#)),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn openapi_3_1_lists_the_auth_endpoints() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/register/client",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    let page = app
        .client
        .get(app.url("/api/v1/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/nope"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, None).await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 405, None).await;
}

/// The security headers every API answer carries.
fn assert_api_headers(res: &reqwest::Response) {
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_hsts_only_over_tls() {
    // Behind the ingress, which says how the browser reached it.
    let app = TestApp::spawn_with(|s| s.http.trust_forwarded_for = true, command_api::router).await;
    let login = app.login("nobody@example.ru", "wrong password!").await;
    assert_eq!(login.status(), 401);
    assert_api_headers(&login);
    assert!(!login.headers().contains_key("strict-transport-security"));
    for path in ["/healthz", "/api/v1/openapi.json", "/no/such/route"] {
        let plain = app
            .client
            .get(app.url(path))
            .header("x-forwarded-proto", "http")
            .send()
            .await
            .unwrap();
        assert_api_headers(&plain);
        assert!(
            !plain.headers().contains_key("strict-transport-security"),
            "{path}: no HSTS over plain HTTP"
        );
        let tls = app
            .client
            .get(app.url(path))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_api_headers(&tls);
        assert_eq!(
            tls.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    // The reference page (HTML, its viewer from a CDN) may not be framed.
    let docs = app
        .client
        .get(app.url("/api/v1/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        docs.headers()["content-security-policy"],
        "frame-ancestors 'none'"
    );
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn an_untrusted_forwarded_proto_earns_no_hsts() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_api_headers(&res);
    assert!(!res.headers().contains_key("strict-transport-security"));
}
