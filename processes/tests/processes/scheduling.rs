//! The scheduler's table: deadlines fire once even with concurrent loops,
//! scheduling is idempotent, a lease left by a crash expires.

use crate::support::{World, rub};
use chrono::Duration;
use domain::subscription::SubscriptionStatus;
use domain::{Plan, SubscriptionId};
use processes::Job;

#[tokio::test]
async fn the_deadline_passes_once_even_with_two_scheduler_loops() {
    let mut w = World::new().await;
    let client = w.client_with("700.00").await;
    let sub = w
        .requested(client, Plan::OneOff, "700.00", Duration::hours(1))
        .await;
    w.pump().await;

    w.advance(Duration::minutes(30)).await;
    assert_eq!(w.processes.run_due().await.expect("runs"), 0, "not due yet");

    w.advance(Duration::hours(1)).await;
    let a = w.processes.clone();
    let b = w.processes.clone();
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { a.run_due().await }),
        tokio::spawn(async move { b.run_due().await })
    );
    let ran = ra.expect("joins").expect("runs") + rb.expect("joins").expect("runs");
    assert_eq!(ran, 1, "exactly one loop took the job");
    w.settle().await;

    assert_eq!(w.count("AcceptanceDeadlinePassed").await, 1);
    let s = w.subscription(sub).await;
    assert_eq!(s.status(), Some(SubscriptionStatus::Expired));
    assert_eq!(w.wallet(client).await.balance(), rub("700.00"), "refunded");
    let transactions: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT tx_id::text) FROM events WHERE event_type IN \
         ('AcceptanceDeadlinePassed', 'EscrowReleased', 'FundsCreditedFromEscrow')",
    )
    .fetch_one(w.db.pool())
    .await
    .expect("transactions");
    assert_eq!(transactions, 1, "expired and refunded in one transaction");
    let attempts: i32 = sqlx::query_scalar(
        "SELECT attempts FROM scheduled_jobs WHERE kind = 'acceptance_deadline' AND done_at IS NOT NULL",
    )
    .fetch_one(w.db.pool())
    .await
    .expect("done job");
    assert_eq!(attempts, 1);
    w.assert_conserved(&[client], &[sub]).await;
}

#[tokio::test]
async fn scheduling_the_same_job_twice_stores_it_once() {
    let w = World::new().await;
    let job = Job::AcceptanceDeadline {
        subscription_id: SubscriptionId::new(),
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
