//! The `Caller` extractor refuses missing, expired and forged tokens.

use crate::helpers::*;
use domain::Role;
use platform::{Claims, TokenKeys};

const WHOAMI: &str = "/api/v1/auth/whoami";

#[tokio::test]
async fn a_missing_token_is_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url(WHOAMI)).send().await.unwrap();
    assert_eq!(
        res.headers()
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap(),
        "Bearer"
    );
    assert_problem(res, 401, None).await;
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let token = app
        .tokens()
        .sign(&Claims {
            sub: uuid::Uuid::new_v4(),
            role: Role::Client,
            iat: now - 3600,
            exp: now - 60,
            jti: uuid::Uuid::new_v4(),
        })
        .unwrap();
    let body = assert_problem(app.get_with_token(WHOAMI, &token).await, 401, None).await;
    assert_eq!(body["detail"], "the access token has expired");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_401() {
    let app = TestApp::spawn().await;
    let forger = TokenKeys::new(&auth_settings("not-the-secret-not-the-secret-xxxx"));
    let token = forger.issue(domain::AccountId::new(), Role::Admin).unwrap();
    let body = assert_problem(app.get_with_token(WHOAMI, &token).await, 401, None).await;
    assert_eq!(body["detail"], "the access token is invalid");
}

#[tokio::test]
async fn a_tampered_token_is_401() {
    let app = TestApp::spawn().await;
    let (access, _) = app.signed_in_client("a@example.ru").await;
    // Swap the payload for one claiming admin, keeping the client's signature.
    let parts: Vec<&str> = access.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = "admin".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    assert_problem(app.get_with_token(WHOAMI, &forged).await, 401, None).await;
}

#[tokio::test]
async fn a_none_algorithm_token_is_401() {
    let app = TestApp::spawn().await;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = chrono::Utc::now().timestamp();
    let header = b64.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64.encode(
        serde_json::json!({"sub": uuid::Uuid::new_v4(), "role": "admin", "iat": now, "exp": now + 600, "jti": uuid::Uuid::new_v4()})
            .to_string(),
    );
    let token = format!("{header}.{payload}.");
    assert_problem(app.get_with_token(WHOAMI, &token).await, 401, None).await;
}
