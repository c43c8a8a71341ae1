//! The notifier against a real PostgreSQL and a real SMTP server (the
//! crate's own sink on a free port): an event becomes one in-app
//! notification and one mail with the right recipient, subject and link;
//! a redelivered event sends nothing twice; mail waits while the server is
//! down and arrives once it is back.

use bus::{EventEnvelope, Handler};
use chrono::Utc;
use notifier::sink::Sink;
use notifier::{Inbox, Mailer, MailerSettings};
use serde_json::json;
use std::time::Duration;
use store::TestDb;
use uuid::Uuid;

async fn account(db: &TestDb, email: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, $2, 'x', 'client')",
    )
    .bind(id)
    .bind(email)
    .execute(db.pool())
    .await
    .expect("credentials");
    id
}

fn top_up_settled(owner: Uuid, sequence: i64) -> EventEnvelope {
    let body = json!({"transfer_id": Uuid::now_v7(),
        "amount": {"amount": "1500.00", "currency": "RUB"}});
    EventEnvelope::unstored("Wallet", &owner.to_string(), sequence, "TopUpSettled", body)
}

fn settings(url: &str) -> MailerSettings {
    MailerSettings {
        retry_base: Duration::from_millis(100),
        ..MailerSettings::new(url, "Hub <noreply@hub.test>")
    }
}

/// A mailer that gives up on each half of an SMTP exchange after `limit`.
fn mailer_giving_up_after(db: &TestDb, url: &str, limit: Duration) -> Mailer {
    let settings = MailerSettings {
        send_timeout: limit,
        ..settings(url)
    };
    Mailer::new(db.pool().clone(), settings).expect("mailer")
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn a_settled_top_up_reaches_its_owner_once_in_the_app_and_by_mail() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    let owner = account(&db, "owner@firm.example").await;
    let inbox = Inbox::new(db.pool().clone(), "http://hub.test");
    let mailer = Mailer::new(db.pool().clone(), settings(&sink.url())).expect("mailer");

    let event = top_up_settled(owner, 2);
    inbox.handle(&event).await.expect("handled");
    inbox.handle(&event).await.expect("a redelivery is fine");
    assert_eq!(mailer.send_due().await.expect("sent"), 1);
    assert_eq!(mailer.send_due().await.expect("nothing left"), 0);

    let mails = sink.messages();
    assert_eq!(mails.len(), 1, "one mail, however often the event came");
    assert_eq!(mails[0].to, vec!["owner@firm.example".to_owned()]);
    assert_eq!(mails[0].subject(), "Кошелёк пополнен на 1500.00 ₽");
    assert!(
        mails[0]
            .text()
            .expect("a text part")
            .contains("1500.00 ₽ на вашем кошельке"),
        "{}",
        mails[0].data
    );
    assert!(
        mails[0].data.contains("multipart/alternative"),
        "text and HTML parts"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notifications WHERE read_at IS NULL"
        )
        .await,
        1,
        "one unread in-app notification"
    );
    let link: String = sqlx::query_scalar("SELECT link FROM notifications")
        .fetch_one(db.pool())
        .await
        .expect("link");
    assert_eq!(link, "/wallet");
}

#[tokio::test]
async fn mail_waits_while_the_server_is_down_and_arrives_once() {
    let db = TestDb::create().await.expect("test database");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let owner = account(&db, "late@firm.example").await;
    let inbox = Inbox::new(db.pool().clone(), "http://hub.test");
    let mailer = Mailer::new(
        db.pool().clone(),
        settings(&format!("smtp://127.0.0.1:{port}")),
    )
    .expect("mailer");
    inbox
        .handle(&top_up_settled(owner, 2))
        .await
        .expect("handled");

    // Nobody listens yet.
    assert_eq!(mailer.send_due().await.expect("tried"), 1);
    assert_eq!(
        mailer
            .metrics
            .failed
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND last_error IS NOT NULL"
        )
        .await,
        1
    );

    let sink = Sink::start(&format!("127.0.0.1:{port}"))
        .await
        .expect("smtp sink");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mailer.send_due().await.expect("sent"), 1);
    assert_eq!(mailer.send_due().await.expect("nothing left"), 0);
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL"
        )
        .await,
        1
    );
}

/// A server that accepts connections and never says a word (an overloaded
/// or half-open peer): each mail fails within the mailer's deadline and
/// waits for its retry, instead of holding the mailer forever.
#[tokio::test]
async fn a_server_that_never_greets_fails_the_mail_in_time() {
    let db = TestDb::create().await.expect("test database");
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let url = format!("smtp://{}", silent.local_addr().expect("address"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let owner = account(&db, "waiting@firm.example").await;
    let inbox = Inbox::new(db.pool().clone(), "http://hub.test");
    inbox
        .handle(&top_up_settled(owner, 2))
        .await
        .expect("handled");
    let mailer = mailer_giving_up_after(&db, &url, Duration::from_millis(500));

    let claimed = tokio::time::timeout(Duration::from_secs(10), mailer.send_due())
        .await
        .expect("the mailer gave up on the silent server in time")
        .expect("outbox readable");
    assert_eq!(claimed, 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts = 1 \
             AND last_error LIKE '%did not take the envelope%' AND due_at > now()"
        )
        .await,
        1,
        "failed, with the reason, waiting for its retry"
    );
    held.abort();
}

#[tokio::test]
async fn a_mail_that_keeps_failing_is_parked_and_counted() {
    let db = TestDb::create().await.expect("test database");
    let owner = account(&db, "not an address").await;
    let inbox = Inbox::new(db.pool().clone(), "http://hub.test");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    let mailer = Mailer::new(
        db.pool().clone(),
        MailerSettings {
            max_attempts: 2,
            retry_base: Duration::from_millis(10),
            ..settings(&sink.url())
        },
    )
    .expect("mailer");
    inbox
        .handle(&top_up_settled(owner, 2))
        .await
        .expect("handled");
    mailer.send_due().await.expect("first try");
    tokio::time::sleep(Duration::from_millis(50)).await;
    mailer.send_due().await.expect("second try");
    assert_eq!(
        mailer
            .metrics
            .parked
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE parked_at IS NOT NULL"
        )
        .await,
        1
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(mailer.send_due().await.expect("parked stays"), 0);
    assert!(sink.messages().is_empty());
}

/// One mail in the outbox: a settled top-up's, to `email`.
async fn queue_mail(db: &TestDb, email: &str) {
    let owner = account(db, email).await;
    Inbox::new(db.pool().clone(), "http://hub.test")
        .handle(&top_up_settled(owner, 2))
        .await
        .expect("handled");
}

/// Mails the mailer parked as uncertain.
fn uncertain(mailer: &Mailer) -> u64 {
    mailer
        .metrics
        .uncertain
        .load(std::sync::atomic::Ordering::Relaxed)
}

/// Marks every outbox row handed over `ago`, its lease running out `due_in`.
async fn handed_over(db: &TestDb, ago: &str, due_in: &str) {
    sqlx::query(&format!(
        "UPDATE mail_outbox SET attempts = 1, handed_over_at = now() - interval '{ago}', \
         due_at = now() + interval '{due_in}'"
    ))
    .execute(db.pool())
    .await
    .expect("a notifier's claim");
}

/// The notifier died after committing that it handed the mail over and
/// before the server's 250 was recorded: the server may hold it, so once
/// the lease is over the mail is parked as uncertain, never sent again.
#[tokio::test]
async fn a_mail_handed_over_by_a_notifier_that_died_is_parked_not_resent() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    queue_mail(&db, "once@firm.example").await;
    handed_over(&db, "61 seconds", "-1 second").await;
    let mailer = Mailer::new(db.pool().clone(), settings(&sink.url())).expect("mailer");

    assert_eq!(mailer.send_due().await.expect("swept"), 0);
    assert_eq!(mailer.send_due().await.expect("nothing to send"), 0);
    assert!(sink.messages().is_empty(), "not sent a second time");
    assert_eq!(uncertain(&mailer), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL \
             AND last_error LIKE 'uncertain:%'"
        )
        .await,
        1
    );
}

/// A mail still within its lease is another notifier's, in flight: left alone.
#[tokio::test]
async fn a_mail_handed_over_within_its_lease_is_left_to_its_notifier() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    queue_mail(&db, "inflight@firm.example").await;
    handed_over(&db, "0 seconds", "60 seconds").await;
    let mailer = Mailer::new(db.pool().clone(), settings(&sink.url())).expect("mailer");
    assert_eq!(mailer.send_due().await.expect("nothing due"), 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE parked_at IS NULL AND sent_at IS NULL"
        )
        .await,
        1
    );
    assert!(sink.messages().is_empty());
}

/// The server kept the message but its answer never came (a broken
/// connection, a crash on its side): the mail arrived once and is parked
/// as uncertain rather than sent again.
#[tokio::test]
async fn a_lost_answer_after_the_message_left_parks_the_mail_instead_of_resending() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start_slow("127.0.0.1:0", Duration::from_secs(5))
        .await
        .expect("smtp sink");
    queue_mail(&db, "answer@firm.example").await;
    let mailer = mailer_giving_up_after(&db, &sink.url(), Duration::from_millis(500));

    assert_eq!(mailer.send_due().await.expect("tried"), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    sqlx::query("UPDATE mail_outbox SET due_at = now()")
        .execute(db.pool())
        .await
        .expect("due again, were it retried");
    assert_eq!(mailer.send_due().await.expect("not retried"), 0);
    assert_eq!(sink.messages().len(), 1, "the server has it, once");
    assert_eq!(uncertain(&mailer), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE parked_at IS NOT NULL \
             AND last_error LIKE 'uncertain: the exchange broke%'"
        )
        .await,
        1
    );
}

/// PostgreSQL failed the handed-over mark while the server waited for the
/// message after DATA's 354 (a database restart in the chaos run): the
/// mailer drops that transaction and gives the error back in time instead
/// of waiting on a server that reads anything it sends as message text;
/// the server got nothing, and the mail goes out once the database is back.
#[tokio::test]
async fn a_failed_handed_over_mark_abandons_the_message_in_time_and_it_goes_out_later() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    queue_mail(&db, "restart@firm.example").await;
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_hand_over() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN RAISE EXCEPTION 'the database is shutting down'; END $$; \
         CREATE TRIGGER refuse_hand_over BEFORE UPDATE OF handed_over_at ON mail_outbox \
         FOR EACH ROW WHEN (NEW.handed_over_at IS NOT NULL) EXECUTE FUNCTION refuse_hand_over();",
    )
    .execute(db.owner_pool())
    .await
    .expect("a failing mark");
    let mailer = mailer_giving_up_after(&db, &sink.url(), Duration::from_secs(30));

    let tried = tokio::time::timeout(Duration::from_secs(5), mailer.send_due())
        .await
        .expect("the mailer came back instead of hanging");
    assert!(tried.is_err(), "the failed mark is reported: {tried:?}");
    assert!(sink.messages().is_empty(), "no message reached the server");

    sqlx::raw_sql(
        "DROP TRIGGER refuse_hand_over ON mail_outbox; \
         UPDATE mail_outbox SET due_at = now();",
    )
    .execute(db.owner_pool())
    .await
    .expect("the database back");
    let sent = tokio::time::timeout(Duration::from_secs(5), mailer.send_due())
        .await
        .expect("in time")
        .expect("sent");
    assert_eq!(sent, 1);
    assert_eq!(sink.messages().len(), 1, "it arrives, once");
    assert_eq!(uncertain(&mailer), 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL"
        )
        .await,
        1
    );
}

/// A server that answers the message's final dot with `reply`, then with
/// 250 for every later message; counts the messages it was sent.
async fn refusing_once(
    reply: &'static str,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let url = format!("smtp://{}", listener.local_addr().expect("address"));
    let messages = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = messages.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 test\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let answer = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                            reply
                        } else {
                            "250 kept\r\n"
                        }
                    } else if line.starts_with("DATA") {
                        in_data = true;
                        "354 go on\r\n"
                    } else if line.starts_with("QUIT") {
                        "221 bye\r\n"
                    } else {
                        "250 ok\r\n"
                    };
                    if write.write_all(answer.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (url, messages)
}

/// The server looked at the message and said "try later": it does not hold
/// the mail, which is tried again and arrives.
#[tokio::test]
async fn a_message_the_server_refuses_is_tried_again() {
    let db = TestDb::create().await.expect("test database");
    let (url, messages) = refusing_once("451 busy, later\r\n").await;
    queue_mail(&db, "retry@firm.example").await;
    let mailer = Mailer::new(db.pool().clone(), settings(&url)).expect("mailer");

    assert_eq!(mailer.send_due().await.expect("refused"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND parked_at IS NULL \
             AND handed_over_at IS NULL AND last_error LIKE '%451%'"
        )
        .await,
        1,
        "waiting for its retry, not handed over"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(mailer.send_due().await.expect("sent"), 1);
    assert_eq!(messages.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND parked_at IS NULL"
        )
        .await,
        1
    );
}

/// Stores an order between `client` and `provider` as its first event.
async fn order(db: &TestDb, client: Uuid, provider: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    let created = domain::order::OrderEvent::OrderCreated {
        order_id: id.into(),
        subscription_id: Uuid::now_v7().into(),
        client: client.into(),
        provider: provider.into(),
        plan: domain::Plan::Monthly,
        title: "Contract".into(),
        details: "Review it".into(),
        at: Utc::now(),
    };
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Order', $1, 1, 'OrderCreated', '1.0', $2, '{}')",
    )
    .bind(id.to_string())
    .bind(serde_json::to_value(&created).expect("json"))
    .execute(db.pool())
    .await
    .expect("order");
    id
}

fn message(order: Uuid, sequence: i64, author: Uuid, text: &str) -> EventEnvelope {
    let body = json!({"message_id": Uuid::now_v7(), "author": author,
        "author_role": "client", "text": text, "at": Utc::now()});
    EventEnvelope::unstored("Order", &order.to_string(), sequence, "MessagePosted", body)
}

#[tokio::test]
async fn chat_messages_mail_the_other_side_once_per_window_and_all_reach_the_app() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    let client = account(&db, "client@firm.example").await;
    let provider = account(&db, "provider@firm.example").await;
    let order = order(&db, client, provider).await;
    let inbox = Inbox::new(db.pool().clone(), "http://hub.test");
    let mailer = Mailer::new(db.pool().clone(), settings(&sink.url())).expect("mailer");

    for (n, text) in ["Hello", "Are you there?", "Third"].iter().enumerate() {
        inbox
            .handle(&message(order, n as i64 + 2, client, text))
            .await
            .expect("handled");
    }
    mailer.send_due().await.expect("sent");

    let mails = sink.messages();
    assert_eq!(mails.len(), 1, "one mail per order and window");
    assert_eq!(mails[0].to, vec!["provider@firm.example".to_owned()]);
    assert!(mails[0].text().expect("text").contains("Hello"));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notifications WHERE kind = 'chat_message'"
        )
        .await,
        3,
        "every message is in the app, for the provider only"
    );
}

#[tokio::test]
async fn an_admins_direct_message_becomes_one_notification_and_one_mail() {
    let db = TestDb::create().await.expect("test database");
    let sink = Sink::start("127.0.0.1:0").await.expect("smtp sink");
    let to = account(&db, "someone@firm.example").await;
    sqlx::query("INSERT INTO admin_messages (id, account_id, admin_id, text) VALUES ($1, $2, $3, 'Please send the act')")
        .bind(Uuid::now_v7())
        .bind(to)
        .bind(Uuid::now_v7())
        .execute(db.pool())
        .await
        .expect("admin message");
    let inbox = Inbox::new(db.pool().clone(), "http://hub.test");
    let mailer = Mailer::new(db.pool().clone(), settings(&sink.url())).expect("mailer");

    assert_eq!(inbox.forward_admin_messages().await.expect("forwarded"), 1);
    assert_eq!(
        inbox.forward_admin_messages().await.expect("nothing new"),
        0
    );
    mailer.send_due().await.expect("sent");
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject(), "Сообщение от администратора Hub");
    assert!(
        mails[0]
            .text()
            .expect("text")
            .contains("Please send the act")
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM notifications WHERE kind = 'admin_message'"
        )
        .await,
        1
    );
}
