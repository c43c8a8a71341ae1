//! Events in, notifications out: the `hub.notifier` handler. For each event
//! it works out the notes ([`crate::audience`]), finds the recipients, puts
//! each note into words ([`crate::compose`]) and stores, in one transaction,
//! an in-app notification and a mail in the outbox per recipient. Ids are
//! derived from (event, recipient, kind), so a redelivery stores nothing
//! twice; the mailer sends what the outbox holds.

use crate::audience::{self, Audience, Note, SubscriptionPeople};
use crate::compose::{Lang, compose};
use bus::{EventEnvelope, Failure, Handler};
use cqrs_es::{Aggregate, EventStore};
use domain::AccountId;
use domain::order::{Order, OrderEvent};
use domain::subscription::{Subscription, SubscriptionEvent};
use domain::wallet::WalletEvent;
use sqlx::PgPool;
use store::HubEventStore;
use store::cqrs::LONG_LIVED_SNAPSHOT_EVERY;
use uuid::Uuid;

/// Namespace of notification ids: UUID v5 of `message_id:account:kind`.
const NOTIFICATION_NAMESPACE: Uuid = Uuid::from_u128(0x6875_622d_6e6f_7469_6679_0000_0000_0001);

/// The notifier's handler.
pub struct Inbox {
    pool: PgPool,
    /// The web app's address, for links in mail.
    public_url: String,
}

/// One person to tell.
struct Recipient {
    account_id: Uuid,
    email: String,
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
        }
    }

    async fn load<A: Aggregate>(&self, id: &str) -> Result<A, Failure>
    where
        A::Services: Default,
    {
        HubEventStore::<A>::new(self.pool.clone())
            .with_snapshots(LONG_LIVED_SNAPSHOT_EVERY)
            .load_aggregate(id)
            .await
            .map(|context| context.aggregate)
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
        let rows: Vec<(Uuid, String)> = match audience {
            Audience::Account(id) => sqlx::query_as(
                "SELECT c.account_id, c.email FROM credentials c WHERE c.account_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM blocked_accounts b WHERE b.account_id = c.account_id)",
            )
            .bind(id.as_uuid())
            .fetch_all(&self.pool)
            .await,
            Audience::ProvidersOf(service_type) => sqlx::query_as(
                "SELECT a.account_id, a.email FROM read.accounts a \
                 WHERE a.role = 'provider' AND a.service_types @> ARRAY[$1] AND NOT a.blocked",
            )
            .bind(service_type)
            .fetch_all(&self.pool)
            .await,
            Audience::Admins => sqlx::query_as(
                "SELECT c.account_id, c.email FROM credentials c WHERE c.role = 'admin' \
                 AND NOT EXISTS (SELECT 1 FROM blocked_accounts b WHERE b.account_id = c.account_id)",
            )
            .fetch_all(&self.pool)
            .await,
        }
        .map_err(transient)?;
        Ok(rows
            .into_iter()
            .map(|(account_id, email)| Recipient { account_id, email })
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
            // Accounts carry no language yet: Russian, the product's first.
            let words = compose(note.kind, Lang::Ru, &note.params, &url)
                .map_err(|e| Failure::Refused(e.to_string()))?;
            for recipient in self.recipients(&note.audience).await? {
                let id = Uuid::new_v5(
                    &NOTIFICATION_NAMESPACE,
                    format!("{message_id}:{}:{}", recipient.account_id, note.kind).as_bytes(),
                );
                let stored = sqlx::query(
                    "INSERT INTO notifications (id, account_id, kind, link, subject, text, message_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(recipient.account_id)
                .bind(note.kind)
                .bind(&note.link)
                .bind(&words.subject)
                .bind(&words.text)
                .bind(&message_id)
                .execute(&mut *tx)
                .await
                .map_err(transient)?
                .rows_affected();
                if stored == 0 {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO mail_outbox (notification_id, to_email, subject, text_body, html_body) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&recipient.email)
                .bind(&words.subject)
                .bind(&words.text)
                .bind(&words.html)
                .execute(&mut *tx)
                .await
                .map_err(transient)?;
                // The read API's live stream pushes it to its account.
                sqlx::query("SELECT pg_notify('hub_changes', $1)")
                    .bind(serde_json::json!({"kind": "notification", "id": id}).to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(transient)?;
            }
        }
        tx.commit().await.map_err(transient)
    }
}
