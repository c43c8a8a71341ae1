//! The outbox to the SMTP server: claims due mails (`FOR UPDATE SKIP
//! LOCKED`, with a lease, so replicas share the work and a crashed one's
//! claims come back) and sends a batch side by side.
//!
//! No mail goes out twice. Each exchange is split where the server could
//! first hold the mail ([`crate::smtp`]): up to DATA's 354 nothing has left,
//! and a failure is retried, doubling from `retry_base`, parked after
//! `max_attempts`. Before the message itself is sent, `handed_over_at` is
//! committed; the server's 250 then sets `sent_at`. A mail handed over but
//! never marked sent (the notifier died, or the connection broke, in that
//! one step) is parked as uncertain instead of resent: SMTP cannot say
//! whether it arrived, and a second copy is the worse error. The step is a
//! round trip on a connection without Nagle's delay, so such mails are
//! rare; they are counted and listed for an operator (docs/operations.md).
use crate::smtp::{Failed, Smtp};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How the mailer behaves.
#[derive(Debug, Clone)]
pub struct MailerSettings {
    /// `HUB_SMTP__URL`, e.g. `smtp://127.0.0.1:1025` or
    /// `smtps://user:pass@smtp.example.com` (lettre's URL forms, STARTTLS
    /// with `?tls=required`).
    pub smtp_url: String,
    /// `HUB_SMTP__FROM`, the sender, e.g. `Hub <noreply@hub.example>`.
    pub from: String,
    /// Mails claimed at once.
    pub batch: i64,
    /// How long a claim holds before another replica may take the mail.
    pub lease: Duration,
    /// The first wait after a failure (doubling, at most an hour).
    pub retry_base: Duration,
    /// Failed sends before a mail is parked.
    pub max_attempts: i32,
    /// How often to look for due mail when nothing woke the mailer.
    pub poll: Duration,
    /// The longest each half of one mail's SMTP exchange may take
    /// (connecting included): past it, before the message left, the mail
    /// waits for its retry; after, it is uncertain. lettre's own timeout
    /// does not bound a server that accepted the connection but never
    /// greets, which otherwise stalls the batch, and with it the mailer and
    /// its shutdown, for good (found by the chaos run).
    pub send_timeout: Duration,
}

impl MailerSettings {
    /// Defaults for everything but the server and the sender.
    pub fn new(smtp_url: &str, from: &str) -> Self {
        Self {
            smtp_url: smtp_url.to_owned(),
            from: from.to_owned(),
            batch: 16,
            lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(5),
            max_attempts: 10,
            poll: Duration::from_millis(500),
            send_timeout: Duration::from_secs(25),
        }
    }
}

/// Counters for the tests; `/metrics` has them as `notifier_mail_{sent,failed,parked}_total`.
#[derive(Debug, Default)]
pub struct MailerMetrics {
    /// Mails the server accepted.
    pub sent: AtomicU64,
    /// Failed attempts.
    pub failed: AtomicU64,
    /// Mails given up on.
    pub parked: AtomicU64,
    /// Mails parked because the server may or may not have them.
    pub uncertain: AtomicU64,
}

/// Why the mailer could not start.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// `HUB_SMTP__URL` is not a URL lettre understands.
    #[error("HUB_SMTP__URL: {0}")]
    Url(String),
    /// `HUB_SMTP__FROM` is not a mailbox.
    #[error("HUB_SMTP__FROM: {0}")]
    From(String),
}

/// The outbox's sender.
pub struct Mailer {
    pool: PgPool,
    smtp: Smtp,
    from: Mailbox,
    settings: MailerSettings,
    /// What it did so far.
    pub metrics: Arc<MailerMetrics>,
}

struct Claimed {
    id: Uuid,
    to: String,
    subject: String,
    text: String,
    html: String,
    attempts: i32,
}

impl Mailer {
    /// A mailer over `pool`'s outbox; fails on a bad URL or sender.
    pub fn new(pool: PgPool, settings: MailerSettings) -> Result<Self, MailerError> {
        // A connection per mail of a batch: they go out side by side.
        let keep = usize::try_from(settings.batch).unwrap_or(16).max(1);
        let smtp = Smtp::from_url(&settings.smtp_url, keep, Duration::from_secs(20))
            .map_err(MailerError::Url)?;
        let from = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        Ok(Self {
            pool,
            smtp,
            from,
            settings,
            metrics: Arc::default(),
        })
    }

    /// Sends due mail until `shutdown`.
    pub async fn run(&self, shutdown: CancellationToken) {
        loop {
            let claimed = match self.send_due().await {
                Ok(n) => n,
                Err(error) => {
                    tracing::warn!(%error, "mail outbox unreadable; retrying");
                    0
                }
            };
            if claimed < self.settings.batch as usize {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(self.settings.poll) => {}
                }
            } else if shutdown.is_cancelled() {
                return;
            }
        }
    }

    /// Claims the due mails and tries each once; returns how many it claimed.
    pub async fn send_due(&self) -> Result<usize, sqlx::Error> {
        self.park_abandoned().await?;
        let rows: Vec<(Uuid, String, String, String, String, i32)> = sqlx::query_as(
            "UPDATE mail_outbox SET attempts = attempts + 1, \
                 due_at = now() + make_interval(secs => $2) \
             WHERE notification_id IN (SELECT notification_id FROM mail_outbox \
                 WHERE sent_at IS NULL AND parked_at IS NULL AND handed_over_at IS NULL \
                   AND due_at <= now() \
                 ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
             RETURNING notification_id, to_email, subject, text_body, html_body, attempts",
        )
        .bind(self.settings.batch)
        .bind(self.settings.lease.as_secs_f64())
        .fetch_all(&self.pool)
        .await?;
        let count = rows.len();
        // Side by side: each SMTP exchange waits on the network (lettre's
        // writes meet the receiver's delayed ACK, ~40 ms a mail), so one
        // at a time would cap a mailer near 25 mails/s.
        let sends = rows
            .into_iter()
            .map(|(id, to, subject, text, html, attempts)| {
                self.send_one(Claimed {
                    id,
                    to,
                    subject,
                    text,
                    html,
                    attempts,
                })
            });
        for outcome in futures_util::future::join_all(sends).await {
            outcome?;
        }
        Ok(count)
    }

    /// Parks the mails a notifier handed over and never marked sent,
    /// once their lease is over (it died in that step).
    async fn park_abandoned(&self) -> Result<(), sqlx::Error> {
        let parked = sqlx::query(
            "UPDATE mail_outbox SET parked_at = now(), last_error = $1 \
             WHERE handed_over_at IS NOT NULL AND sent_at IS NULL AND parked_at IS NULL \
               AND due_at <= now()",
        )
        .bind(UNCERTAIN_DIED)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if parked > 0 {
            tracing::error!(
                mails = parked,
                "mail parked: its notifier stopped while the server had it, so it may or may not have arrived"
            );
            self.count_uncertain(parked);
        }
        Ok(())
    }

    fn count_uncertain(&self, mails: u64) {
        self.metrics.uncertain.fetch_add(mails, Ordering::Relaxed);
        self.metrics.parked.fetch_add(mails, Ordering::Relaxed);
        metrics::counter!("notifier_mail_uncertain_total").increment(mails);
        metrics::counter!("notifier_mail_parked_total").increment(mails);
    }

    async fn send_one(&self, mail: Claimed) -> Result<(), sqlx::Error> {
        let message = match self.message(&mail) {
            Ok(message) => message,
            Err(error) => return self.failed(&mail, &error).await,
        };
        let bytes = message.formatted();
        let limit = self.settings.send_timeout;
        let open = match tokio::time::timeout(limit, self.smtp.open(message.envelope(), &bytes))
            .await
        {
            Ok(Ok(open)) => open,
            Ok(Err(error)) => return self.failed(&mail, &error).await,
            Err(_) => {
                let error = format!("the SMTP server did not take the envelope within {limit:?}");
                return self.failed(&mail, &error).await;
            }
        };
        let marked = sqlx::query(
            "UPDATE mail_outbox SET handed_over_at = now() \
             WHERE notification_id = $1 AND sent_at IS NULL AND handed_over_at IS NULL",
        )
        .bind(mail.id)
        .execute(&self.pool)
        .await;
        // Unless marked, `open` is dropped, which gives the transaction up:
        // not sent, and the lease brings the mail back.
        match marked {
            Ok(done) if done.rows_affected() == 1 => {}
            Ok(_) => return Ok(()),
            Err(error) => return Err(error),
        }
        let finished = tokio::time::timeout(limit, open.finish(&bytes))
            .await
            .unwrap_or_else(|_| {
                Err(Failed::Unknown(format!(
                    "the SMTP server did not answer the message within {limit:?}"
                )))
            });
        match finished {
            Ok(()) => {
                // Clears a park another replica made if this exchange outlived the lease.
                sqlx::query(
                    "UPDATE mail_outbox SET sent_at = now(), parked_at = NULL WHERE notification_id = $1",
                )
                    .bind(mail.id)
                    .execute(&self.pool)
                    .await?;
                self.metrics.sent.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("notifier_mail_sent_total").increment(1);
                Ok(())
            }
            Err(Failed::NotSent(error)) => {
                sqlx::query(
                    "UPDATE mail_outbox SET handed_over_at = NULL WHERE notification_id = $1",
                )
                .bind(mail.id)
                .execute(&self.pool)
                .await?;
                self.failed(&mail, &error).await
            }
            Err(Failed::Unknown(error)) => {
                tracing::error!(notification = %mail.id, %error, "mail parked: the exchange broke after the message left, so it may or may not have arrived");
                self.park(mail.id, &format!("{UNCERTAIN_BROKE}: {error}"))
                    .await?;
                self.metrics.failed.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("notifier_mail_failed_total").increment(1);
                self.count_uncertain(1);
                Ok(())
            }
        }
    }

    /// A try that left the server without the mail: retried later, or
    /// parked after `max_attempts`.
    async fn failed(&self, mail: &Claimed, error: &str) -> Result<(), sqlx::Error> {
        self.metrics.failed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("notifier_mail_failed_total").increment(1);
        if mail.attempts >= self.settings.max_attempts {
            tracing::error!(notification = %mail.id, attempts = mail.attempts, %error, "mail parked");
            self.metrics.parked.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("notifier_mail_parked_total").increment(1);
            return self.park(mail.id, error).await;
        }
        let shift = u32::try_from(mail.attempts.clamp(1, 12) - 1).unwrap_or(0);
        let wait = (self.settings.retry_base * 2u32.pow(shift)).min(Duration::from_secs(3600));
        tracing::warn!(notification = %mail.id, attempts = mail.attempts, %error, retry_in = ?wait, "mail not sent");
        sqlx::query(
            "UPDATE mail_outbox SET due_at = now() + make_interval(secs => $2), last_error = $3 \
             WHERE notification_id = $1",
        )
        .bind(mail.id)
        .bind(wait.as_secs_f64())
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Leaves the mail for an operator, with why.
    async fn park(&self, id: Uuid, error: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE mail_outbox SET parked_at = now(), last_error = $2 WHERE notification_id = $1",
        )
        .bind(id)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    fn message(&self, mail: &Claimed) -> Result<Message, String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| e.to_string())?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!("<{}@hub>", mail.id)))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| e.to_string())
    }
}

/// `last_error` of a mail whose notifier died after handing it over.
pub const UNCERTAIN_DIED: &str = "uncertain: the notifier stopped after handing the message to the server; not resent, it may have arrived";
/// `last_error` of a mail whose exchange broke after the message left.
pub const UNCERTAIN_BROKE: &str =
    "uncertain: the exchange broke after the message left; not resent, it may have arrived";
