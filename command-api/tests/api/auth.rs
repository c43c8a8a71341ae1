//! Registration, login, refresh rotation, logout, rate limits, staff.

use crate::helpers::*;
use domain::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn a_client_registers_and_its_account_event_is_stored() {
    let app = TestApp::spawn().await;
    let res = app.register_client("Buyer@Example.ru").await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["role"], "client");
    let id = body["account_id"].as_str().unwrap().to_owned();
    let (event_type, email): (String, String) = sqlx::query_as(
        "SELECT e.event_type, c.email FROM events e JOIN credentials c ON c.account_id::text = e.aggregate_id \
         WHERE e.aggregate_type = 'Account' AND e.aggregate_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(event_type, "ClientRegistered");
    assert_eq!(email, "buyer@example.ru");
}

#[tokio::test]
async fn no_password_or_hash_ever_enters_the_event_store() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let leaked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE payload::text LIKE $1 OR payload::text LIKE '%argon2%'",
    )
    .bind(format!("%{PASSWORD}%"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test]
async fn a_provider_registers_with_service_types() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/auth/register/provider",
            &json!({
                "email": "seller@example.ru",
                "password": PASSWORD,
                "company": {"name": "Pravo LLC", "inn": INN},
                "service_types": ["legal", "accounting"]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["role"], "provider");
}

#[tokio::test]
async fn a_provider_without_service_types_is_refused_by_the_rule() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/auth/register/provider",
            &json!({
                "email": "seller@example.ru",
                "password": PASSWORD,
                "company": {"name": "Pravo LLC", "inn": INN},
                "service_types": []
            }),
        )
        .await;
    let body = assert_problem(res, 422, Some("service_types")).await;
    assert_eq!(body["rule"], "no_service_types");
    // The refused registration left no credentials behind.
    assert_eq!(app.login("seller@example.ru", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn a_blank_contact_name_is_a_rule_violation_naming_the_field() {
    let app = TestApp::spawn().await;
    let mut body = client_body("a@example.ru");
    body["contact_name"] = json!("   ");
    let res = app.post("/api/v1/auth/register/client", &body).await;
    let problem = assert_problem(res, 422, Some("contact_name")).await;
    assert_eq!(problem["rule"], "invalid_text");
}

#[tokio::test]
async fn a_duplicate_email_is_409_naming_email() {
    let app = TestApp::spawn().await;
    assert_eq!(app.register_client("a@example.ru").await.status(), 201);
    let res = app.register_client("A@EXAMPLE.RU").await;
    assert_problem(res, 409, Some("email")).await;
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_create_one_account() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = app.clone();
        set.spawn(async move {
            app.register_client("race@example.ru")
                .await
                .status()
                .as_u16()
        });
    }
    let statuses: Vec<u16> = set.join_all().await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let accounts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'Account'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn login_returns_a_token_pair_that_identifies_the_caller() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let res = app.login(" A@example.ru ", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let me: Value = app
        .get_with_token(
            "/api/v1/auth/whoami",
            body["access_token"].as_str().unwrap(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "client");
}

#[tokio::test]
async fn a_wrong_password_is_401() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let res = app.login("a@example.ru", "wrong password!").await;
    let body = assert_problem(res, 401, None).await;
    assert_eq!(body["detail"], "invalid email or password");
}

#[tokio::test]
async fn an_unknown_email_is_the_same_401() {
    let app = TestApp::spawn().await;
    let res = app.login("nobody@example.ru", PASSWORD).await;
    let body = assert_problem(res, 401, None).await;
    assert_eq!(body["detail"], "invalid email or password");
}

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let app = TestApp::spawn().await;
    let (_, refresh) = app.signed_in_client("a@example.ru").await;
    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_ne!(body["refresh_token"], refresh.as_str());
    let me = app
        .get_with_token(
            "/api/v1/auth/whoami",
            body["access_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn a_reused_refresh_token_is_refused_and_revokes_its_family() {
    let app = TestApp::spawn().await;
    let (_, first) = app.signed_in_client("a@example.ru").await;
    let rotated: Value = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": first}))
        .await
        .json()
        .await
        .unwrap();
    let second = rotated["refresh_token"].as_str().unwrap().to_owned();
    spent_long_ago(&app).await;

    let reuse = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": first}))
        .await;
    assert_problem(reuse, 401, None).await;
    // The thief's (or the owner's) newer token died with the family.
    let after = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": second}))
        .await;
    assert_problem(after, 401, None).await;
}

/// Moves every spent refresh token's use out of the concurrent-tab grace.
async fn spent_long_ago(app: &TestApp) {
    sqlx::query(
        "UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn two_tabs_refreshing_with_one_cookie_both_stay_signed_in() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let (cookie, _) = refresh_cookie(&app.login("a@example.ru", PASSWORD).await);

    let (a, b) = tokio::join!(
        post_with_cookie(&app, "/api/v1/auth/refresh", &cookie),
        post_with_cookie(&app, "/api/v1/auth/refresh", &cookie),
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let ((next_a, _), (next_b, _)) = (refresh_cookie(&a), refresh_cookie(&b));
    assert_ne!(next_a, next_b, "each tab gets a token of its own");
    for next in [next_a, next_b] {
        let res = post_with_cookie(&app, "/api/v1/auth/refresh", &next).await;
        assert_eq!(res.status(), 200, "both tabs keep refreshing");
    }
}

#[tokio::test]
async fn an_unknown_refresh_token_is_401() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": "made-up"}))
        .await;
    assert_problem(res, 401, None).await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let (_, refresh) = app.signed_in_client("a@example.ru").await;
    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await;
    assert_problem(res, 401, None).await;
}

/// A login as if from `address`, through the trusted ingress's `X-Forwarded-For`.
async fn login_from(
    app: &TestApp,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("request")
}

/// An app that believes `X-Forwarded-For`, as behind the cluster's ingress.
async fn behind_ingress(configure: impl FnOnce(&mut command_api::AppState)) -> TestApp {
    TestApp::spawn_with(
        |s| {
            s.http.trust_forwarded_for = true;
            configure(s);
        },
        command_api::router,
    )
    .await
}

#[tokio::test]
async fn five_failures_lock_the_account_from_that_address_with_retry_after() {
    let app = behind_ingress(|_| {}).await;
    app.register_client("a@example.ru").await;
    let a = "198.51.100.10";
    for _ in 0..5 {
        let res = login_from(&app, a, "a@example.ru", "wrong password!").await;
        assert_eq!(res.status(), 401);
    }
    // Even the right password waits now, from that address.
    let res = login_from(&app, a, "a@example.ru", PASSWORD).await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=900).contains(&retry), "{retry}");
    assert_problem(res, 429, None).await;
    // The owner, from another address, is not locked out by the guesser...
    let res = login_from(&app, "203.0.113.20", "a@example.ru", PASSWORD).await;
    assert_eq!(res.status(), 200);
    // ...and signing in there does not hand the guesser a fresh count.
    let res = login_from(&app, a, "a@example.ru", "wrong password!").await;
    assert_problem(res, 429, None).await;
}

#[tokio::test]
async fn the_address_limit_holds_across_emails_and_pairs() {
    let app = behind_ingress(|s| s.login_limits.per_ip = 7).await;
    app.register_client("a@example.ru").await;
    let a = "198.51.100.11";
    // Four emails, each under its pair limit, from one address...
    for i in 0..7 {
        let res = login_from(
            &app,
            a,
            &format!("n{}@example.ru", i % 4),
            "wrong password!",
        )
        .await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    // ...lock the address out of every account, a fresh one included.
    let res = login_from(&app, a, "a@example.ru", PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429, None).await;
    // Another address is untouched.
    let res = login_from(&app, "198.51.100.12", "a@example.ru", PASSWORD).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn failures_across_emails_lock_the_client_address() {
    let app = TestApp::spawn_with(|s| s.login_limits.per_ip = 3, command_api::router).await;
    app.register_client("a@example.ru").await;
    for i in 0..3 {
        let res = app
            .login(&format!("n{i}@example.ru"), "wrong password!")
            .await;
        assert_eq!(res.status(), 401);
    }
    let res = app.login("a@example.ru", PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429, None).await;
}

#[tokio::test]
async fn a_successful_login_resets_the_account_count() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    for _ in 0..4 {
        app.login("a@example.ru", "wrong password!").await;
    }
    assert_eq!(app.login("a@example.ru", PASSWORD).await.status(), 200);
    for _ in 0..4 {
        app.login("a@example.ru", "wrong password!").await;
    }
    assert_eq!(app.login("a@example.ru", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn bootstrapped_staff_log_in_with_their_role() {
    let app = TestApp::spawn().await;
    let id = command_api::bootstrap_staff(&app.pool, "Boss@hub.example", PASSWORD, Role::Admin)
        .await
        .unwrap();
    let body: Value = app
        .login("boss@hub.example", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let me: Value = app
        .get_with_token(
            "/api/v1/auth/whoami",
            body["access_token"].as_str().unwrap(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["account_id"], id.to_string());
}

#[tokio::test]
async fn bootstrap_refuses_a_non_staff_role_and_a_taken_email() {
    let app = TestApp::spawn().await;
    let err =
        command_api::bootstrap_staff(&app.pool, "x@hub.example", PASSWORD, Role::Client).await;
    assert!(matches!(
        err,
        Err(command_api::StaffError::Role(Role::Client))
    ));
    command_api::bootstrap_staff(&app.pool, "x@hub.example", PASSWORD, Role::Auditor)
        .await
        .unwrap();
    let err = command_api::bootstrap_staff(&app.pool, "x@hub.example", PASSWORD, Role::Admin).await;
    assert!(matches!(err, Err(command_api::StaffError::Register(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_of_wrong_passwords_gets_no_more_tries_than_the_limit() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    app.register_client("a@example.ru").await;
    let tries: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                app.login("a@example.ru", "wrong password!")
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut answers = std::collections::BTreeMap::new();
    for t in tries {
        *answers.entry(t.await.expect("joins")).or_insert(0) += 1;
    }
    // Each attempt is counted before its password is checked: five checked, the rest refused.
    assert_eq!(answers, [(401, 5), (429, 15)].into_iter().collect());
}

/// A client registration as if from `address` (through the trusted ingress).
async fn register_from(app: &TestApp, address: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/register/client"))
        .header("x-forwarded-for", address)
        .json(&client_body(email))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn registrations_beyond_the_address_limit_wait_with_retry_after() {
    let app = behind_ingress(|s| s.registration_limits.per_ip = 3).await;
    let a = "198.51.100.30";
    for i in 0..3 {
        let res = register_from(&app, a, &format!("r{i}@example.ru")).await;
        assert_eq!(res.status(), 201, "registration {i}");
    }
    let res = register_from(&app, a, "r3@example.ru").await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_problem(res, 429, None).await;
    // Refused before anything was written: no account, and the refusal
    // itself does not count.
    let made: i64 =
        sqlx::query_scalar("SELECT count(*) FROM credentials WHERE email = 'r3@example.ru'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(made, 0);
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM registration_attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(counted, 3);
    // Another address registers.
    let res = register_from(&app, "198.51.100.31", "r3@example.ru").await;
    assert_eq!(res.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_of_registrations_gets_no_more_than_the_limit() {
    let app = std::sync::Arc::new(
        TestApp::spawn_with(|s| s.registration_limits.per_ip = 4, command_api::router).await,
    );
    let tries: Vec<_> = (0..12)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.register_client(&format!("b{i}@example.ru"))
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut answers = std::collections::BTreeMap::new();
    for t in tries {
        *answers.entry(t.await.expect("joins")).or_insert(0) += 1;
    }
    // Each is counted before its password is hashed: four admitted (created,
    // or 503 when the hasher is saturated on a loaded machine), the rest refused.
    let admitted = answers.get(&201).unwrap_or(&0) + answers.get(&503).unwrap_or(&0);
    assert_eq!((admitted, answers.get(&429)), (4, Some(&8)), "{answers:?}");
    assert!(answers.contains_key(&201), "{answers:?}");
}

/// The `hub_refresh` cookie an answer sets: `(value, the whole header)`.
fn refresh_cookie(res: &reqwest::Response) -> (String, String) {
    let header = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hub_refresh="))
        .expect("a hub_refresh cookie")
        .to_owned();
    let value = header["hub_refresh=".len()..]
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    (value, header)
}

/// A bodiless POST presenting `cookie`, as the SPA sends it.
async fn post_with_cookie(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("cookie", format!("other=1; hub_refresh={cookie}"))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn login_sets_the_refresh_token_in_a_strict_http_only_cookie() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let res = app.login("a@example.ru", PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let (value, header) = refresh_cookie(&res);
    for part in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=3600",
    ] {
        assert!(
            header.split("; ").any(|p| p == part),
            "{header} lacks {part}"
        );
    }
    let body: Value = res.json().await.unwrap();
    // API clients still get it in the body.
    assert_eq!(body["refresh_token"], value.as_str());
    assert_eq!(body["email"], "a@example.ru");
}

#[tokio::test]
async fn the_cookie_alone_refreshes_and_its_successor_stays_in_the_cookie() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let (first, _) = refresh_cookie(&app.login("a@example.ru", PASSWORD).await);

    let res = post_with_cookie(&app, "/api/v1/auth/refresh", &first).await;
    assert_eq!(res.status(), 200);
    let (second, _) = refresh_cookie(&res);
    assert_ne!(second, first);
    let body: Value = res.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "a page's script never sees a refresh token: {body}"
    );
    assert_eq!(body["email"], "a@example.ru");
    assert_eq!(body["role"], "client");
    let me = app
        .get_with_token(
            "/api/v1/auth/whoami",
            body["access_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(me.status(), 200);

    // The spent cookie again, later than a concurrent tab would: refused,
    // the family revoked, the cookie dropped.
    spent_long_ago(&app).await;
    let reuse = post_with_cookie(&app, "/api/v1/auth/refresh", &first).await;
    let (_, cleared) = refresh_cookie(&reuse);
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_problem(reuse, 401, None).await;
    let after = post_with_cookie(&app, "/api/v1/auth/refresh", &second).await;
    assert_problem(after, 401, None).await;
}

#[tokio::test]
async fn refresh_without_a_token_anywhere_is_401() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, None).await;
    let res = app.post("/api/v1/auth/refresh", &json!({})).await;
    assert_problem(res, 401, None).await;
}

#[tokio::test]
async fn logout_with_the_cookie_revokes_it_and_clears_the_cookie() {
    let app = TestApp::spawn().await;
    app.register_client("a@example.ru").await;
    let (token, _) = refresh_cookie(&app.login("a@example.ru", PASSWORD).await);
    let res = post_with_cookie(&app, "/api/v1/auth/logout", &token).await;
    assert_eq!(res.status(), 204);
    let (value, header) = refresh_cookie(&res);
    assert!(value.is_empty() && header.contains("Max-Age=0"), "{header}");
    assert!(header.contains("Path=/api/v1/auth"), "{header}");
    let res = post_with_cookie(&app, "/api/v1/auth/refresh", &token).await;
    assert_problem(res, 401, None).await;
    // Nothing to revoke still clears the cookie.
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(refresh_cookie(&res).1.contains("Max-Age=0"));
}
