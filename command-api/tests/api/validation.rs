//! Malformed and invalid bodies answer problem+json naming the field.

use crate::helpers::*;
use serde_json::json;

const REGISTER: &str = "/api/v1/auth/register/client";

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let res = app.post_raw(REGISTER, r#"{"email": "a@example.ru","#).await;
    let body = assert_problem(res, 400, None).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("malformed JSON")
    );
}

#[tokio::test]
async fn a_wrong_type_names_the_field() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["contact_name"] = json!(42);
    assert_problem(app.post(REGISTER, &body).await, 422, Some("contact_name")).await;
}

#[tokio::test]
async fn an_unknown_field_is_named() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["company"]["kpp"] = json!("770701001");
    assert_problem(app.post(REGISTER, &body).await, 422, Some("company.kpp")).await;
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body.as_object_mut().unwrap().remove("contact_name");
    assert_problem(app.post(REGISTER, &body).await, 422, Some("contact_name")).await;
}

#[tokio::test]
async fn a_bad_inn_is_named() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["company"]["inn"] = json!("7707083890");
    let p = assert_problem(app.post(REGISTER, &body).await, 422, Some("company.inn")).await;
    assert_eq!(p["errors"][0]["message"], "INN check digits do not match");
}

#[tokio::test]
async fn a_bad_email_is_named() {
    let app = TestApp::spawn().await;
    let body = client_body("not-an-email");
    assert_problem(app.post(REGISTER, &body).await, 422, Some("email")).await;
}

#[tokio::test]
async fn a_short_password_is_named() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["password"] = json!("short");
    let p = assert_problem(app.post(REGISTER, &body).await, 422, Some("password")).await;
    // The refused password is not echoed back.
    assert!(!p.to_string().contains("short\""));
}

#[tokio::test]
async fn a_too_long_password_is_named() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["password"] = json!("x".repeat(129));
    assert_problem(app.post(REGISTER, &body).await, 422, Some("password")).await;
}

#[tokio::test]
async fn an_oversize_body_is_413() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["contact_name"] = json!("x".repeat(100 * 1024));
    assert_problem(app.post(REGISTER, &body).await, 413, None).await;
}

#[tokio::test]
async fn another_media_type_is_415() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url(REGISTER))
        .header("content-type", "text/plain")
        .body(client_body("a@example.ru").to_string())
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, None).await;
}
