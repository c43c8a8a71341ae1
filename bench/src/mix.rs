//! A realistic mix of domain events at volume, for the relay and rebuild
//! rows: one *story* is written by the domain aggregates through the store,
//! as command-api and the process managers write it, then cloned in SQL
//! with every UUID in it renamed per copy, so the copies are as valid as
//! the story (projections really apply them) and cost no command each.
//!
//! The story, 26 events: a client's wallet topped up twice
//! and its money moved into escrow; a monthly subscription requested,
//! funded and accepted; an order in it created, taken, twelve chat messages,
//! done by both; the provider's wallet credited with the earnings.

use anyhow::{Context, bail};
use domain::order::{Order, OrderCommand, SubscriptionFacts};
use domain::subscription::{Subscription, SubscriptionCommand};
use domain::wallet::{CreditKind, Wallet, WalletCommand};
use domain::{
    AccountId, Actor, MessageId, Money, OrderId, Plan, Role, ServiceType, SubscriptionId,
    TransferId,
};
use sqlx::PgPool;
use std::time::Instant;
use store::{EventMetadata, Store, execute_with_retry};

/// Chat messages in the story's order.
const MESSAGES: u64 = 12;

/// Story copies per appending transaction.
const COPIES_PER_TX: u64 = 2_000;

/// What [`append`] wrote.
pub struct Appended {
    pub events: u64,
    /// Copies of the story, each with one order.
    pub stories: u64,
}

/// Appends about `events` events (whole stories, at least one) to the
/// empty store at `pool`.
pub async fn append(pool: &PgPool, events: u64) -> anyhow::Result<Appended> {
    let started = Instant::now();
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    if before != 0 {
        bail!("the store is not empty");
    }
    story(pool).await?;
    let story_events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    let story_events = u64::try_from(story_events)?;
    let story_end = max_position(pool).await?;
    let copies = events.div_ceil(story_events).saturating_sub(1);
    let mut done = 0;
    while done < copies {
        let n = COPIES_PER_TX.min(copies - done);
        // Copy k renames every UUID by writing k into its first eight hex
        // digits (the story's own start with a time, never this small); the
        // rest of each UUID is random, so ids stay distinct within a copy.
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                                 event_version, payload, metadata) \
             SELECT e.aggregate_type, \
                    regexp_replace(e.aggregate_id, $3, lpad(to_hex(k), 8, '0') || '\\1', 'g'), \
                    e.sequence, e.event_type, e.event_version, \
                    regexp_replace(e.payload::text, $3, lpad(to_hex(k), 8, '0') || '\\1', 'g')::json, \
                    regexp_replace(e.metadata::text, $3, lpad(to_hex(k), 8, '0') || '\\1', 'g')::json \
             FROM generate_series($1::bigint, $2::bigint) AS k \
             CROSS JOIN (SELECT * FROM events WHERE global_position <= $4) AS e \
             ORDER BY k, e.tx_id, e.global_position",
        )
        .bind(i64::try_from(done + 1)?)
        .bind(i64::try_from(done + n)?)
        .bind("[0-9a-f]{8}(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
        .bind(story_end)
        .execute(pool)
        .await
        .context("cloning the story")?;
        done += n;
    }
    sqlx::query("ANALYZE events").execute(pool).await?;
    let appended = Appended {
        events: (copies + 1) * story_events,
        stories: copies + 1,
    };
    println!(
        "  appended {} events ({} stories of {story_events}) in {:.1} s",
        appended.events,
        appended.stories,
        started.elapsed().as_secs_f64()
    );
    Ok(appended)
}

async fn max_position(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT max(global_position) FROM events")
            .fetch_one(pool)
            .await?,
    )
}

/// The story, through the aggregates and the store.
async fn story(pool: &PgPool) -> anyhow::Result<()> {
    let store = Store::new(pool.clone());
    let client = Actor::new(AccountId::new(), Role::Client);
    let provider = Actor::new(AccountId::new(), Role::Provider);
    let subscription_id = SubscriptionId::new();
    let legal = ServiceType::parse("legal")?;
    let price = Money::parse_rub("1500.00")?;
    let now = chrono::Utc::now();

    let wallets = store.wallets();
    // The owner's own commands carry the owner; the gateway's and the
    // process managers' are the system's.
    let wallet = |owner: Actor, command: WalletCommand| {
        let wallets = &wallets;
        let metadata = match command {
            WalletCommand::RequestTopUp { .. } => EventMetadata::by(owner),
            _ => EventMetadata::system(),
        };
        async move {
            execute_with_retry::<Wallet, _, _>(
                wallets,
                &owner.id.to_string(),
                || command.clone(),
                &metadata,
                3,
            )
            .await
            .map_err(|e| anyhow::anyhow!("wallet: {e}"))
        }
    };
    for amount in ["3000.00", "2500.00"] {
        let transfer_id = TransferId::new();
        wallet(
            client,
            WalletCommand::RequestTopUp {
                actor: client,
                owner: client.id,
                transfer_id,
                amount: Money::parse_rub(amount)?,
            },
        )
        .await?;
        wallet(client, WalletCommand::SettleTopUp { transfer_id }).await?;
    }

    let escrow = TransferId::new();
    let subscriptions = store.subscriptions();
    for (actor, command) in [
        (
            client,
            SubscriptionCommand::Request {
                actor: client,
                subscription_id,
                service_type: legal.clone(),
                plan: Plan::Monthly,
                description: "Юридическое сопровождение".into(),
                price,
                acceptance_deadline: now + chrono::Duration::hours(24),
                at: now,
            },
        ),
        (
            client,
            SubscriptionCommand::FundEscrow {
                transfer_id: escrow,
                amount: price,
            },
        ),
        (
            provider,
            SubscriptionCommand::Accept {
                actor: provider,
                provider_service_types: vec![legal.clone()],
                at: now,
            },
        ),
    ] {
        execute_with_retry::<Subscription, _, _>(
            &subscriptions,
            &subscription_id.to_string(),
            || command.clone(),
            &EventMetadata::by(actor),
            3,
        )
        .await
        .map_err(|e| anyhow::anyhow!("subscription: {e}"))?;
        if matches!(command, SubscriptionCommand::FundEscrow { .. }) {
            wallet(
                client,
                WalletCommand::MoveToEscrow {
                    transfer_id: escrow,
                    subscription_id,
                    amount: price,
                },
            )
            .await?;
        }
    }

    let orders = store.orders();
    let order_id = OrderId::new();
    let order = |actor: Actor, command: OrderCommand| {
        let orders = &orders;
        async move {
            execute_with_retry::<Order, _, _>(
                orders,
                &order_id.to_string(),
                || command.clone(),
                &EventMetadata::by(actor),
                3,
            )
            .await
            .map_err(|e| anyhow::anyhow!("order: {e}"))
        }
    };
    let at = chrono::Utc::now;
    order(
        client,
        OrderCommand::Create {
            actor: client,
            order_id,
            subscription: SubscriptionFacts {
                subscription_id,
                client: client.id,
                provider: Some(provider.id),
                active: true,
                plan: Plan::Monthly,
            },
            title: "Проверка договора поставки".into(),
            details: "Нужна проверка договора и протокол разногласий".into(),
            at: at(),
        },
    )
    .await?;
    order(
        provider,
        OrderCommand::Take {
            actor: provider,
            at: at(),
        },
    )
    .await?;
    for i in 0..MESSAGES {
        let actor = if i % 2 == 0 { client } else { provider };
        order(
            actor,
            OrderCommand::PostMessage {
                actor,
                message_id: MessageId::new(),
                text: format!("Сообщение {i}: уточняем пункт договора о сроках и приёмке."),
                at: at(),
            },
        )
        .await?;
    }
    for actor in [provider, client] {
        order(actor, OrderCommand::MarkDone { actor, at: at() }).await?;
    }
    wallet(
        provider,
        WalletCommand::CreditFromEscrow {
            owner: provider.id,
            transfer_id: TransferId::new(),
            subscription_id,
            amount: Money::parse_rub("1350.00")?,
            kind: CreditKind::Earnings,
        },
    )
    .await?;
    Ok(())
}
