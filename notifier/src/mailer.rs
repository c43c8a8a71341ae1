//! The outbox to the SMTP server: claims due mails (`FOR UPDATE SKIP
//! LOCKED`, with a lease, so replicas share the work and a crashed one's
//! claims come back), sends a batch side by side through lettre's pool,
//! and marks each sent as soon as the server accepted it. A crash between
//! the server's acceptance and that mark resends only the mails then in
//! flight: the bound on duplicates is one batch (16) per crash per replica,
//! each resent with the same `Message-ID`.
//! Failures wait, doubling from `retry_base`; after `max_attempts` a mail
//! is parked (`parked_at`) and counted, never retried on its own.

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
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
    /// The longest one mail's SMTP exchange may take, connecting included;
    /// past it the mail counts as failed and waits for its retry. lettre's
    /// own timeout does not bound a server that accepted the connection
    /// but never greets, which otherwise stalls the batch, and with it the
    /// mailer and its shutdown, for good (found by the chaos run).
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
            send_timeout: Duration::from_secs(60),
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
    transport: AsyncSmtpTransport<Tokio1Executor>,
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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| MailerError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            // A connection per mail of a batch: they go out side by side.
            .pool_config(
                PoolConfig::new().max_size(u32::try_from(settings.batch).unwrap_or(16).max(1)),
            )
            .build();
        let from = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        Ok(Self {
            pool,
            transport,
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
        let rows: Vec<(Uuid, String, String, String, String, i32)> = sqlx::query_as(
            "UPDATE mail_outbox SET attempts = attempts + 1, \
                 due_at = now() + make_interval(secs => $2) \
             WHERE notification_id IN (SELECT notification_id FROM mail_outbox \
                 WHERE sent_at IS NULL AND parked_at IS NULL AND due_at <= now() \
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

    async fn send_one(&self, mail: Claimed) -> Result<(), sqlx::Error> {
        match self.deliver(&mail).await {
            Ok(()) => {
                sqlx::query("UPDATE mail_outbox SET sent_at = now() WHERE notification_id = $1")
                    .bind(mail.id)
                    .execute(&self.pool)
                    .await?;
                self.metrics.sent.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("notifier_mail_sent_total").increment(1);
            }
            Err(error) => {
                self.metrics.failed.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("notifier_mail_failed_total").increment(1);
                if mail.attempts >= self.settings.max_attempts {
                    tracing::error!(notification = %mail.id, attempts = mail.attempts, %error, "mail parked");
                    self.metrics.parked.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!("notifier_mail_parked_total").increment(1);
                    sqlx::query(
                        "UPDATE mail_outbox SET parked_at = now(), last_error = $2 WHERE notification_id = $1",
                    )
                    .bind(mail.id)
                    .bind(&error)
                    .execute(&self.pool)
                    .await?;
                    return Ok(());
                }
                let shift = u32::try_from(mail.attempts.clamp(1, 12) - 1).unwrap_or(0);
                let wait =
                    (self.settings.retry_base * 2u32.pow(shift)).min(Duration::from_secs(3600));
                tracing::warn!(notification = %mail.id, attempts = mail.attempts, %error, retry_in = ?wait, "mail not sent");
                sqlx::query(
                    "UPDATE mail_outbox SET due_at = now() + make_interval(secs => $2), last_error = $3 \
                     WHERE notification_id = $1",
                )
                .bind(mail.id)
                .bind(wait.as_secs_f64())
                .bind(&error)
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    async fn deliver(&self, mail: &Claimed) -> Result<(), String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| e.to_string())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!("<{}@hub>", mail.id)))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| e.to_string())?;
        match tokio::time::timeout(self.settings.send_timeout, self.transport.send(message)).await {
            Ok(sent) => sent.map(drop).map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "the SMTP server did not finish within {:?}",
                self.settings.send_timeout
            )),
        }
    }
}
