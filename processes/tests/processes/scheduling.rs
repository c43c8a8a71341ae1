//! The scheduler's table: deadlines fire once even with three replicas,
//! scheduling is idempotent, a lease left by a crash expires.

use crate::support::{World, rub};
use bus::Handler;
use chrono::Duration;
use domain::subscription::SubscriptionStatus;
use domain::{AccountId, Plan, SubscriptionId};
use processes::{Job, Processes};
use std::sync::Arc;

/// Three `processes` replicas race for the deadline: it passes once, the
/// money stays in escrow, and the notifier (fed every event twice, as a
/// redelivering queue would) tells the client and each admin exactly once.
#[tokio::test]
async fn the_deadline_passes_once_with_three_replicas_and_each_recipient_hears_once() {
    let mut w = World::new().await;
    let client = w.client_with("700.00").await;
    let admins = [AccountId::new(), AccountId::new()];
    for (who, role) in [
        (client, "client"),
        (admins[0], "admin"),
        (admins[1], "admin"),
    ] {
        sqlx::query(
            "INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, $2, 'x', $3)",
        )
        .bind(who.as_uuid())
        .bind(format!("{who}@hub.test"))
        .bind(role)
        .execute(w.db.pool())
        .await
        .expect("credentials");
    }
    let sub = w
        .requested(client, Plan::OneOff, "700.00", Duration::hours(1))
        .await;
    let mut events = w.pump().await;

    w.advance(Duration::minutes(30)).await;
    assert_eq!(w.processes.run_due().await.expect("runs"), 0, "not due yet");

    w.advance(Duration::hours(1)).await;
    let replicas: Vec<Arc<Processes>> = (0..3).map(|_| w.replica()).collect();
    let runs: Vec<_> = replicas
        .into_iter()
        .map(|p| tokio::spawn(async move { p.run_due().await }))
        .collect();
    let mut ran = 0;
    for run in runs {
        ran += run.await.expect("joins").expect("runs");
    }
    assert_eq!(ran, 1, "exactly one replica took the job");
    events.extend(w.pump().await);

    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 1);
    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::Overdue));
    assert_eq!(s.escrow(), rub("700.00"), "the money waits in escrow");
    assert_eq!(w.wallet(client).await.balance(), rub("0.00"));
    let attempts: i32 = sqlx::query_scalar(
        "SELECT attempts FROM scheduled_jobs WHERE kind = 'acceptance_deadline' AND done_at IS NOT NULL",
    )
    .fetch_one(w.db.pool())
    .await
    .expect("done job");
    assert_eq!(attempts, 1);

    let inbox = notifier::Inbox::new(w.db.pool().clone(), "http://hub.test");
    for event in events.iter().chain(events.iter()) {
        inbox.handle(event).await.expect("notified");
    }
    let heard: Vec<(uuid::Uuid, String, i64)> = sqlx::query_as(
        "SELECT account_id, kind, count(*) FROM notifications \
         WHERE kind LIKE 'deadline_passed%' GROUP BY account_id, kind ORDER BY kind",
    )
    .fetch_all(w.db.pool())
    .await
    .expect("notifications");
    let mut expected = vec![(client.as_uuid(), "deadline_passed".to_owned(), 1)];
    for admin in admins {
        expected.push((admin.as_uuid(), "deadline_passed_admin".to_owned(), 1));
    }
    let sorted = |mut v: Vec<(uuid::Uuid, String, i64)>| {
        v.sort();
        v
    };
    assert_eq!(sorted(heard), sorted(expected), "one note per recipient");
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox o JOIN notifications n ON n.id = o.notification_id \
         WHERE n.kind LIKE 'deadline_passed%'",
    )
    .fetch_one(w.db.pool())
    .await
    .expect("mails");
    assert_eq!(mails, 3, "one mail each: the client and two admins");
    w.assert_conserved(&[client], &[sub]).await;
}

/// The client moves the deadline: the old deadline's job finds nothing due,
/// the new one's makes the request overdue again, once; waiting without a
/// deadline schedules nothing more.
#[tokio::test]
async fn an_extended_deadline_passes_at_its_new_time() {
    let mut w = World::new().await;
    let client = w.client_with("300.00").await;
    let sub = w
        .requested(client, Plan::OneOff, "300.00", Duration::hours(1))
        .await;
    w.pump().await;
    w.advance(Duration::minutes(61)).await;
    w.settle().await;
    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 1);

    let later = w.now() + Duration::hours(5);
    w.extend(sub, client, Some(later)).await;
    w.pump().await;
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::Requested)
    );
    w.advance(Duration::hours(4)).await;
    w.settle().await;
    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 1, "not yet");
    w.advance(Duration::hours(2)).await;
    w.settle().await;
    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 2);

    w.extend(sub, client, None).await;
    w.settle().await;
    w.advance(Duration::days(30)).await;
    w.settle().await;
    assert_eq!(
        w.count("AcceptanceDeadlinePassed").await,
        2,
        "no deadline, no reminder"
    );
    assert_eq!(
        w.subscription(sub).await.status(),
        Some(SubscriptionStatus::Requested)
    );
    w.assert_conserved(&[client], &[sub]).await;
}

#[tokio::test]
async fn scheduling_the_same_job_twice_stores_it_once() {
    let w = World::new().await;
    let job = Job::AcceptanceDeadline {
        subscription_id: SubscriptionId::new(),
        extended_to: None,
    };
    let scheduler = w.processes.scheduler();
    assert!(scheduler.schedule(&job, w.now()).await.expect("first"));
    assert!(!scheduler.schedule(&job, w.now()).await.expect("second"));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM scheduled_jobs")
        .fetch_one(w.db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_lease_left_by_a_crash_expires_and_the_job_is_claimed_again() {
    let w = World::new().await;
    let job = Job::AcceptanceDeadline {
        subscription_id: SubscriptionId::new(),
        extended_to: None,
    };
    let scheduler = w.processes.scheduler();
    scheduler.schedule(&job, w.now()).await.expect("scheduled");
    let lease = std::time::Duration::from_secs(1);
    let first = scheduler.claim(w.now(), 10, lease).await.expect("claim");
    assert_eq!(first.len(), 1);
    // The claimer "crashes": never reports. Nobody else gets it meanwhile.
    assert!(
        scheduler
            .claim(w.now(), 10, lease)
            .await
            .expect("claim")
            .is_empty()
    );
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let again = scheduler.claim(w.now(), 10, lease).await.expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].id, job.id());
}
