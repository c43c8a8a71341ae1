//! Who may issue each money, account and catalog command: every command ×
//! {anonymous, client A, client B, provider of the type, provider of another
//! type, admin, auditor}. A refused cell must store no event.

use crate::money_support::*;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    ClientA,
    ClientB,
    ProviderOfType,
    ProviderOfOtherType,
    Admin,
    Auditor,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::ClientA,
    Who::ClientB,
    Who::ProviderOfType,
    Who::ProviderOfOtherType,
    Who::Admin,
    Who::Auditor,
];

fn token(w: &World, who: Who) -> Option<&str> {
    match who {
        Who::Anonymous => None,
        Who::ClientA => Some(&w.client_a),
        Who::ClientB => Some(&w.client_b),
        Who::ProviderOfType => Some(&w.provider_legal),
        Who::ProviderOfOtherType => Some(&w.provider_delivery),
        Who::Admin => Some(&w.admin),
        Who::Auditor => Some(&w.auditor),
    }
}

/// The expected status per caller, in [`EVERYONE`]'s order.
type Row = [u16; 7];

/// Sends one cell and checks its status and, when refused, that the store
/// did not change.
async fn cell(
    w: &World,
    command: &str,
    who: Who,
    expected: u16,
    path: &str,
    key: Option<&str>,
    body: &Value,
) {
    let before = w.events().await;
    let res = w.send(path, token(w, who), key, body).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(status, expected, "{command} as {who:?}: {text}");
    let after = w.events().await;
    if expected >= 400 {
        assert_eq!(
            after, before,
            "{command} as {who:?} was refused but stored events"
        );
    } else {
        assert!(
            after > before,
            "{command} as {who:?} succeeded but stored nothing"
        );
    }
}

#[tokio::test]
async fn authorization_matrix_of_the_money_commands() {
    let w = World::new().await;
    for t in [
        &w.client_a,
        &w.client_b,
        &w.provider_legal,
        &w.provider_delivery,
    ] {
        assert_eq!(w.top_up(t, "1000000.00").await.status(), 201);
    }
    let (_, victim) = {
        assert_eq!(
            w.app.register_client("victim@example.ru").await.status(),
            201
        );
        login_token(&w.app, "victim@example.ru").await
    };
    let bank = json!({"bik": LEGAL_BIK, "account": LEGAL_ACCOUNT});
    let catalog = "/api/v1/commands/admin/catalog/service-types";
    let mut cells = 0;

    // Commands without a target that changes under them.
    let simple: Vec<(&str, String, bool, Value, Row)> = vec![
        (
            "top-up",
            "/api/v1/commands/wallet/top-ups".into(),
            true,
            json!({"amount": "10.00"}),
            [401, 201, 201, 201, 201, 403, 403],
        ),
        (
            "withdrawal",
            "/api/v1/commands/wallet/withdrawals".into(),
            true,
            json!({"amount": "10.00", "bank": bank}),
            [401, 201, 201, 201, 201, 403, 403],
        ),
        (
            "subscribe",
            "/api/v1/commands/subscriptions".into(),
            true,
            json!({"service_type": "legal", "plan": "one_off", "description": "Help"}),
            [401, 201, 201, 403, 403, 403, 403],
        ),
        (
            "change profile",
            "/api/v1/commands/accounts/me/profile".into(),
            false,
            json!({"contact_name": "Someone Else"}),
            [401, 204, 204, 204, 204, 204, 204],
        ),
        (
            "change prices",
            format!("{catalog}/legal/prices"),
            false,
            json!({"one_off_price": "15000.00", "monthly_price": "45000.00"}),
            [401, 403, 403, 403, 403, 204, 403],
        ),
    ];
    for (command, path, keyed, body, row) in &simple {
        for (who, expected) in EVERYONE.into_iter().zip(row) {
            let key = keyed.then(|| uuid::Uuid::new_v4().to_string());
            cell(&w, command, who, *expected, path, key.as_deref(), body).await;
            cells += 1;
        }
    }

    // Adding a service type: a fresh code per cell.
    for (i, (who, expected)) in EVERYONE
        .into_iter()
        .zip([401, 403, 403, 403, 403, 201, 403])
        .enumerate()
    {
        let body = json!({"code": format!("matrix_{i}"), "name_en": "M", "name_ru": "М",
                          "one_off_price": "1.00", "monthly_price": "2.00"});
        cell(&w, "add service type", who, expected, catalog, None, &body).await;
        cells += 1;
    }

    // Retire then restore: the type is put back in its state before each cell.
    let admin = w.admin.clone();
    for who in EVERYONE {
        let expected = if matches!(who, Who::Admin) {
            204
        } else if matches!(who, Who::Anonymous) {
            401
        } else {
            403
        };
        let retire = format!("{catalog}/matrix_5/retire");
        let restore = format!("{catalog}/matrix_5/restore");
        cell(&w, "retire", who, expected, &retire, None, &json!({})).await;
        if expected != 204 {
            let res = w.send(&retire, Some(&admin), None, &json!({})).await;
            assert_eq!(res.status(), 204);
        }
        cell(&w, "restore", who, expected, &restore, None, &json!({})).await;
        if expected != 204 {
            let res = w.send(&restore, Some(&admin), None, &json!({})).await;
            assert_eq!(res.status(), 204);
        }
        cells += 2;
    }

    // Block then unblock the victim, likewise.
    for who in EVERYONE {
        let expected = if matches!(who, Who::Admin) {
            204
        } else if matches!(who, Who::Anonymous) {
            401
        } else {
            403
        };
        let block = format!("/api/v1/commands/admin/accounts/{victim}/block");
        let unblock = format!("/api/v1/commands/admin/accounts/{victim}/unblock");
        cell(
            &w,
            "block",
            who,
            expected,
            &block,
            None,
            &json!({"reason": "matrix"}),
        )
        .await;
        if expected != 204 {
            let res = w
                .send(&block, Some(&admin), None, &json!({"reason": "matrix"}))
                .await;
            assert_eq!(res.status(), 204);
        }
        cell(&w, "unblock", who, expected, &unblock, None, &json!({})).await;
        if expected != 204 {
            let res = w.send(&unblock, Some(&admin), None, &json!({})).await;
            assert_eq!(res.status(), 204);
        }
        cells += 2;
    }

    // Subscription actions on client A's request: a fresh one per cell.
    let actions: [(&str, Row); 3] = [
        ("accept", [401, 403, 403, 204, 404, 403, 403]),
        ("reject", [401, 403, 403, 204, 404, 403, 403]),
        ("cancel", [401, 204, 404, 403, 403, 204, 403]),
    ];
    for (action, row) in actions {
        for (who, expected) in EVERYONE.into_iter().zip(row) {
            let id = w.subscribe(&w.client_a, "legal", "one_off").await;
            let path = format!("/api/v1/commands/subscriptions/{id}/{action}");
            cell(&w, action, who, expected, &path, None, &json!({})).await;
            cells += 1;
        }
    }

    assert_eq!(cells, 13 * 7);
}
