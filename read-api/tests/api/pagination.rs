//! Cursor pagination over a 45-row list.

use crate::helpers::*;
use chrono::{Duration, Utc};
use domain::Role;
use std::collections::HashSet;
use uuid::Uuid;

#[tokio::test]
async fn walking_45_rows_in_pages_of_10_sees_each_once_newest_first() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let other = account(&app.pool, Role::Client, &[]).await;
    let base = Utc::now() - Duration::days(1);
    let mut inserted = Vec::new();
    for i in 0..45i64 {
        let mut s = NewSubscription::requested(&client, "legal");
        // Groups of three share a timestamp: the id must break the tie.
        s.created_at = base + Duration::seconds(i / 3);
        inserted.push((s.created_at, s.insert(&app.pool).await));
    }
    // Someone else's rows never show up.
    NewSubscription::requested(&other, "legal")
        .insert(&app.pool)
        .await;
    inserted.sort_by(|a, b| b.cmp(a));
    let expected: Vec<Uuid> = inserted.iter().map(|(_, id)| *id).collect();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/subscriptions?limit=10".to_owned(),
            Some(c) => format!("/api/v1/subscriptions?limit=10&cursor={c}"),
        };
        let (status, body) = app.get(Some(&client), &path).await;
        assert_eq!(status, 200, "{body}");
        let page = ids(&body);
        sizes.push(page.len());
        seen.extend(page);
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(sizes.len() < 10, "pagination does not end");
    }
    assert_eq!(sizes, vec![10, 10, 10, 10, 5]);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 45, "duplicates");
    assert_eq!(seen, expected, "gaps or wrong order");

    // A row added at the top while walking does not shift later pages.
    let (_, first) = app
        .get(Some(&client), "/api/v1/subscriptions?limit=10")
        .await;
    NewSubscription::requested(&client, "legal")
        .insert(&app.pool)
        .await;
    let c = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get(
            Some(&client),
            &format!("/api/v1/subscriptions?limit=10&cursor={c}"),
        )
        .await;
    assert_eq!(ids(&second), expected[10..20].to_vec());
}

#[tokio::test]
async fn the_default_limit_is_20_and_empty_parameters_are_defaults() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    for _ in 0..25 {
        NewSubscription::requested(&client, "legal")
            .insert(&app.pool)
            .await;
    }
    let (status, body) = app
        .get(Some(&client), "/api/v1/subscriptions?cursor=&limit=")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body).len(), 20);
    assert!(body["next_cursor"].is_string());
    let (_, all) = app
        .get(Some(&client), "/api/v1/subscriptions?limit=100")
        .await;
    assert_eq!(ids(&all).len(), 25);
    assert!(all["next_cursor"].is_null());
}

#[tokio::test]
async fn bad_query_parameters_are_400_problems_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let admin = account(&app.pool, Role::Admin, &[]).await;
    let cases: Vec<(&Account, &str, &str)> = vec![
        (&client, "/api/v1/subscriptions?limit=0", "limit"),
        (&client, "/api/v1/subscriptions?limit=101", "limit"),
        (&client, "/api/v1/subscriptions?limit=abc", "limit"),
        (
            &client,
            "/api/v1/subscriptions?cursor=not-a-cursor",
            "cursor",
        ),
        (&client, "/api/v1/subscriptions?limt=5", "limt"),
        (&client, "/api/v1/subscriptions?limit=5&limit=6", "limit"),
        (&client, "/api/v1/notifications?limit=1000", "limit"),
        (&admin, "/api/v1/admin/complaints?status=open", "status"),
    ];
    for (who, path, param) in cases {
        let (status, body) = app.get(Some(who), path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["errors"][0]["field"], param, "{path}: {body}");
        assert!(
            body["detail"].as_str().unwrap_or_default().contains(param),
            "{path}: {body}"
        );
    }
}
