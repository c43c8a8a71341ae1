//! Events in, notifications out: the `hub.notifier` handler. For each event
//! it works out the notes ([`crate::audience`]), finds the recipients, puts
//! each note into words ([`crate::compose`]) and stores, in one transaction,
//! an in-app notification and a mail in the outbox per recipient. Ids are
//! derived from (event, recipient, kind), so a redelivery stores nothing
//! twice; the mailer sends what the outbox holds.

use crate::audience::{self, Audience, Note, SubscriptionPeople};
use crate::compose::{Composed, Lang, compose};
use bus::{EventEnvelope, Failure, Handler};
use cqrs_es::Aggregate;
use domain::AccountId;
use domain::complaint::{Complaint, ComplaintEvent};
use domain::order::{Order, OrderEvent};
use domain::subscription::{Subscription, SubscriptionEvent};
use domain::wallet::WalletEvent;
use sqlx::PgPool;
use uuid::Uuid;

/// Namespace of notification ids: UUID v5 of `message_id:account:kind`.
const NOTIFICATION_NAMESPACE: Uuid = Uuid::from_u128(0x6875_622d_6e6f_7469_6679_0000_0000_0001);

/// The notifier's handler.
pub struct Inbox {
    pool: PgPool,
    /// The web app's address, for links in mail.
    public_url: String,
    /// At most one chat mail per order and recipient this often; the rest
    /// are in-app only.
    chat_mail_every: std::time::Duration,
}

/// One person to tell.
struct Recipient {
    account_id: Uuid,
    email: String,
    language: Lang,
}

fn transient(e: impl std::fmt::Display) -> Failure {
    Failure::Transient(e.to_string())
}

fn malformed(envelope: &EventEnvelope, e: impl std::fmt::Display) -> Failure {
    Failure::Malformed(format!("{}: {e}", envelope.message_id()))
}

impl Inbox {
    /// A handler writing to `pool`'s database; links point at `public_url`.
    pub fn new(pool: PgPool, public_url: &str) -> Self {
        Self {
            pool,
            public_url: public_url.trim_end_matches('/').to_owned(),
            chat_mail_every: std::time::Duration::from_secs(15 * 60),
        }
    }

    /// The same with chat mail throttled to one per `every` per order and
    /// recipient (`HUB_NOTIFIER__CHAT_MAIL_MINUTES`).
    pub fn with_chat_mail_every(mut self, every: std::time::Duration) -> Self {
        self.chat_mail_every = every;
        self
    }

    async fn load<A: Aggregate>(&self, id: &str) -> Result<A, Failure>
    where
        A::Services: Default,
    {
        store::current_state(&self.pool, id)
            .await
            .map_err(transient)
    }

    /// The notes an event calls for.
    async fn notes(&self, envelope: &EventEnvelope) -> Result<Vec<Note>, Failure> {
        let id = envelope.aggregate_id.as_str();
        match envelope.aggregate_type.as_str() {
            "Subscription" => {
                let event: SubscriptionEvent = serde_json::from_value(envelope.payload.clone())
                    .map_err(|e| malformed(envelope, e))?;
                let people = if matches!(event, SubscriptionEvent::SubscriptionRequested { .. }) {
                    SubscriptionPeople::default()
                } else {
                    let sub: Subscription = self.load(id).await?;
                    SubscriptionPeople {
                        client: sub.client(),
                        provider: sub.provider(),
                    }
                };
                Ok(audience::subscription(id, &event, people))
            }
            "Order" => {
                let event: OrderEvent = serde_json::from_value(envelope.payload.clone())
                    .map_err(|e| malformed(envelope, e))?;
                let order: Order = self.load(id).await?;
                Ok(audience::order(
                    id,
                    &event,
                    order.client(),
                    order.provider(),
                ))
            }
            "Complaint" => {
                let event: ComplaintEvent = serde_json::from_value(envelope.payload.clone())
                    .map_err(|e| malformed(envelope, e))?;
                let complaint: Complaint = self.load(id).await?;
                Ok(audience::complaint(
                    &event,
                    complaint.client(),
                    complaint.provider(),
                ))
            }
            "Wallet" => {
                let event: WalletEvent = serde_json::from_value(envelope.payload.clone())
                    .map_err(|e| malformed(envelope, e))?;
                let owner: AccountId = id.parse().map_err(|e| malformed(envelope, e))?;
                Ok(audience::wallet(owner, &event))
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Who an audience is, with their login email. Blocked accounts hear nothing.
    async fn recipients(&self, audience: &Audience) -> Result<Vec<Recipient>, Failure> {
        let rows: Vec<(Uuid, String, Option<String>)> = match audience {
            Audience::Account(id) => sqlx::query_as(
                "SELECT c.account_id, c.email, a.language FROM credentials c \
                   LEFT JOIN read.accounts a ON a.account_id = c.account_id \
                 WHERE c.account_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM blocked_accounts b WHERE b.account_id = c.account_id)",
            )
            .bind(id.as_uuid())
            .fetch_all(&self.pool)
            .await,
            Audience::ProvidersOf(service_type) => sqlx::query_as(
                "SELECT a.account_id, a.email, a.language FROM read.accounts a \
                 WHERE a.role = 'provider' AND a.service_types @> ARRAY[$1] AND NOT a.blocked",
            )
            .bind(service_type)
            .fetch_all(&self.pool)
            .await,
            Audience::Admins => sqlx::query_as(
                "SELECT c.account_id, c.email, a.language FROM credentials c \
                   LEFT JOIN read.accounts a ON a.account_id = c.account_id WHERE c.role = 'admin' \
                 AND NOT EXISTS (SELECT 1 FROM blocked_accounts b WHERE b.account_id = c.account_id)",
            )
            .fetch_all(&self.pool)
            .await,
        }
        .map_err(transient)?;
        Ok(rows
            .into_iter()
            .map(|(account_id, email, language)| Recipient {
                account_id,
                email,
                // Before the account's projection catches up: Russian.
                language: Lang::from_code(language.as_deref().unwrap_or_default()),
            })
            .collect())
    }
}

impl Handler for Inbox {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), Failure> {
        let notes = self.notes(envelope).await?;
        if notes.is_empty() {
            return Ok(());
        }
        let message_id = envelope.message_id();
        let mut tx = self.pool.begin().await.map_err(transient)?;
        for note in &notes {
            let url = format!("{}{}", self.public_url, note.link);
            // A note to every provider of a type is put into words once per
            // language, not once per provider.
            let mut rendered: Vec<(Lang, Composed)> = Vec::with_capacity(2);
            for recipient in self.recipients(&note.audience).await? {
                if !rendered.iter().any(|(l, _)| *l == recipient.language) {
                    let words = compose(note.kind, recipient.language, &note.params, &url)
                        .map_err(|e| Failure::Refused(e.to_string()))?;
                    rendered.push((recipient.language, words));
                }
                let words = rendered
                    .iter()
                    .find(|(l, _)| *l == recipient.language)
                    .map(|(_, w)| w)
                    .ok_or_else(|| Failure::Refused("no words".into()))?;
                let id = Uuid::new_v5(
                    &NOTIFICATION_NAMESPACE,
                    format!("{message_id}:{}:{}", recipient.account_id, note.kind).as_bytes(),
                );
                let stored = insert_notification(
                    &mut tx,
                    id,
                    recipient.account_id,
                    note.kind,
                    &note.link,
                    words,
                    &message_id,
                )
                .await?;
                if !stored {
                    continue;
                }
                // Chat: in the app always, by mail once per order and
                // recipient per `chat_mail_every` (two replicas racing may
                // both mail: the bound is one mail per replica per window).
                if note.kind == "chat_message" {
                    let mailed_lately: bool = sqlx::query_scalar(
                        "SELECT EXISTS (SELECT 1 FROM notifications n \
                             JOIN mail_outbox o ON o.notification_id = n.id \
                          WHERE n.account_id = $1 AND n.kind = 'chat_message' AND n.link = $2 \
                            AND n.created_at > now() - make_interval(secs => $3))",
                    )
                    .bind(recipient.account_id)
                    .bind(&note.link)
                    .bind(self.chat_mail_every.as_secs_f64())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(transient)?;
                    if mailed_lately {
                        live(&mut tx, id).await?;
                        continue;
                    }
                }
                insert_mail(&mut tx, id, &recipient.email, words).await?;
                live(&mut tx, id).await?;
            }
        }
        tx.commit().await.map_err(transient)
    }
}

/// Tells the read API's live stream, at commit, to push notification `id`
/// to its account.
async fn live(tx: &mut sqlx::PgConnection, id: Uuid) -> Result<(), Failure> {
    sqlx::query("SELECT pg_notify('hub_changes', $1)")
        .bind(serde_json::json!({"kind": "notification", "id": id}).to_string())
        .execute(tx)
        .await
        .map(drop)
        .map_err(transient)
}

/// Stores a notification unless it exists; whether it was new.
async fn insert_notification(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    account_id: Uuid,
    kind: &str,
    link: &str,
    words: &Composed,
    message_id: &str,
) -> Result<bool, Failure> {
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, link, subject, text, message_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(account_id)
    .bind(kind)
    .bind(link)
    .bind(&words.subject)
    .bind(&words.text)
    .bind(message_id)
    .execute(tx)
    .await
    .map(|done| done.rows_affected() == 1)
    .map_err(transient)
}

/// Puts a notification's mail in the outbox.
async fn insert_mail(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    email: &str,
    words: &Composed,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO mail_outbox (notification_id, to_email, subject, text_body, html_body) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(email)
    .bind(&words.subject)
    .bind(&words.text)
    .bind(&words.html)
    .execute(tx)
    .await
    .map(drop)
    .map_err(transient)
}

/// An admin's direct message not yet forwarded, with where it goes.
#[derive(sqlx::FromRow)]
struct AdminMessage {
    id: Uuid,
    account_id: Uuid,
    text: String,
    email: Option<String>,
    language: Option<String>,
}

impl Inbox {
    /// Turns admins' direct messages (`admin_messages`, written by the
    /// command API) into notifications and mail, each once: the row is
    /// marked in the same transaction. Returns how many it forwarded.
    pub async fn forward_admin_messages(&self) -> Result<usize, Failure> {
        let mut tx = self.pool.begin().await.map_err(transient)?;
        let rows: Vec<AdminMessage> = sqlx::query_as(
            "SELECT m.id, m.account_id, m.text, c.email, a.language FROM admin_messages m \
               LEFT JOIN credentials c ON c.account_id = m.account_id \
               LEFT JOIN read.accounts a ON a.account_id = m.account_id \
             WHERE m.notified_at IS NULL ORDER BY m.created_at LIMIT 16 FOR UPDATE OF m SKIP LOCKED",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(transient)?;
        let url = format!("{}/", self.public_url);
        for AdminMessage {
            id,
            account_id,
            text,
            email,
            language,
        } in &rows
        {
            let words = compose(
                "admin_message",
                Lang::from_code(language.as_deref().unwrap_or_default()),
                &serde_json::json!({"text": text}),
                &url,
            )
            .map_err(|e| Failure::Refused(e.to_string()))?;
            let message_id = format!("admin_message:{id}");
            if insert_notification(
                &mut tx,
                *id,
                *account_id,
                "admin_message",
                "/",
                &words,
                &message_id,
            )
            .await?
            {
                if let Some(email) = email {
                    insert_mail(&mut tx, *id, email, &words).await?;
                }
                live(&mut tx, *id).await?;
            }
            sqlx::query("UPDATE admin_messages SET notified_at = now() WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(transient)?;
        }
        tx.commit().await.map_err(transient)?;
        Ok(rows.len())
    }

    /// Forwards admin messages every `every` until `shutdown`.
    pub async fn forward_admin_messages_until(
        &self,
        every: std::time::Duration,
        shutdown: &tokio_util::sync::CancellationToken,
    ) {
        loop {
            if let Err(error) = self.forward_admin_messages().await {
                tracing::warn!(%error, "admin messages not forwarded; retrying");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}
