//! All-or-nothing steps across several streams (DESIGN §5).
//!
//! A step a user starts — subscribe (wallet → escrow + request), file a
//! complaint (complaint, frozen order, frozen escrow), resolve (complaint,
//! split, both wallets, thawed order), cancel with a refund — loads the
//! streams it touches into a [`UnitOfWork`], runs its commands against that
//! in-memory state, and commits every stream's new events, plus any rows of
//! its own (idempotency answers, scheduled jobs), in **one** PostgreSQL
//! transaction. Each stream keeps its own optimistic-concurrency check (the
//! events' primary key on the next sequence): if any stream moved meanwhile,
//! nothing is stored and [`run_unit`] runs the whole step again on fresh
//! state. There is no moment at which a rouble has left one stream and not
//! reached the other.

use crate::event_store::{HubEventStore, Rows, prepare};
use crate::execute::{CommandError, backoff};
use crate::metadata::EventMetadata;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateError, EventStore};
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, PgPool, Postgres};
use std::any::Any;
use std::collections::HashMap;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a unit of work did not commit.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// Another writer kept moving one of the streams first; nothing was
    /// stored in any attempt (HTTP 409).
    #[error("the data kept changing; gave up after {attempts} attempts")]
    Conflict {
        /// How many times the step ran.
        attempts: u32,
    },
    /// The store failed: a fault (HTTP 500). After a connection error while
    /// committing the outcome is unknown, so it is never retried here.
    #[error("event store failure: {0}")]
    Store(#[source] BoxError),
}

impl<E: std::error::Error> From<UnitError> for CommandError<E> {
    fn from(e: UnitError) -> Self {
        match e {
            UnitError::Conflict { attempts } => CommandError::Conflict { attempts },
            UnitError::Store(error) => CommandError::Store(error),
        }
    }
}

/// A statement committed with the step's events, e.g. the idempotency
/// answer of the request that started it.
pub struct Statement {
    sql: &'static str,
    args: PgArguments,
    error: Option<BoxError>,
}

impl Statement {
    /// A statement with positional parameters `$1`, `$2`, …
    pub fn new(sql: &'static str) -> Self {
        Self {
            sql,
            args: PgArguments::default(),
            error: None,
        }
    }

    /// Binds the next parameter.
    pub fn bind<T>(mut self, value: T) -> Self
    where
        T: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Send + 'static,
    {
        if let Err(error) = self.args.add(value) {
            self.error.get_or_insert(error);
        }
        self
    }
}

/// One stream loaded into the unit: its state as the step changes it and
/// the events the step added.
struct Loaded<A: Aggregate> {
    snapshot_every: Option<usize>,
    state: A,
    sequence: usize,
    snapshot: Option<usize>,
    pending: Vec<A::Event>,
}

/// What the unit needs of a loaded stream without knowing its type.
trait Stream: Send + Sync {
    fn is_for(&self, aggregate_type: &str) -> bool;
    fn as_any(&mut self) -> &mut dyn Any;
    fn rows(
        &self,
        aggregate_id: &str,
        metadata: &HashMap<String, String>,
    ) -> Result<Rows, BoxError>;
}

struct Entry {
    aggregate_type: &'static str,
    aggregate_id: String,
    stream: Box<dyn Stream>,
}

impl<A: Aggregate + 'static> Stream for Loaded<A> {
    fn is_for(&self, aggregate_type: &str) -> bool {
        aggregate_type == A::TYPE
    }

    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn rows(
        &self,
        aggregate_id: &str,
        metadata: &HashMap<String, String>,
    ) -> Result<Rows, BoxError> {
        let (_, rows) = prepare::<A, std::io::Error>(
            self.snapshot_every,
            self.pending.clone(),
            aggregate_id,
            self.sequence,
            self.snapshot,
            &self.state,
            metadata,
        )
        .map_err(|e| -> BoxError { Box::new(e) })?;
        Ok(rows)
    }
}

/// The streams one step touches, its commands' new events, and the rows it
/// writes besides; committed together by [`UnitOfWork::commit`] or not at all.
pub struct UnitOfWork {
    pool: PgPool,
    metadata: HashMap<String, String>,
    streams: Vec<Entry>,
    statements: Vec<Statement>,
}

impl UnitOfWork {
    /// An empty unit whose events will carry `metadata`.
    pub fn new(pool: PgPool, metadata: &EventMetadata) -> Self {
        Self {
            pool,
            metadata: metadata.to_map(),
            streams: Vec::new(),
            statements: Vec::new(),
        }
    }

    /// The pool, for lookups the step makes outside the unit.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn loaded<A>(
        &mut self,
        store: &HubEventStore<A>,
        id: &str,
    ) -> Result<&mut Loaded<A>, CommandError<A::Error>>
    where
        A: Aggregate + 'static,
    {
        let position = self
            .streams
            .iter()
            .position(|e| e.aggregate_id == id && e.stream.is_for(A::TYPE));
        let index = match position {
            Some(index) => index,
            None => {
                let context = store.load_aggregate(id).await.map_err(store_failure)?;
                self.streams.push(Entry {
                    aggregate_type: A::TYPE,
                    aggregate_id: id.to_owned(),
                    stream: Box::new(Loaded::<A> {
                        snapshot_every: store.snapshot_every(),
                        state: context.aggregate,
                        sequence: context.current_sequence,
                        snapshot: context.current_snapshot,
                        pending: Vec::new(),
                    }),
                });
                self.streams.len() - 1
            }
        };
        let loaded = self.streams[index]
            .stream
            .as_any()
            .downcast_mut::<Loaded<A>>()
            .expect("a stream is keyed by its aggregate type");
        Ok(loaded)
    }

    /// The stream's state as this step has changed it so far.
    pub async fn state<A>(
        &mut self,
        store: &HubEventStore<A>,
        id: &str,
    ) -> Result<&A, CommandError<A::Error>>
    where
        A: Aggregate + 'static,
    {
        Ok(&self.loaded(store, id).await?.state)
    }

    /// Runs `command` on the stream's current state; its events join the
    /// unit. A refused command changes nothing, in the unit or the stream.
    /// Returns the events the command produced.
    pub async fn execute<A>(
        &mut self,
        store: &HubEventStore<A>,
        id: &str,
        command: A::Command,
    ) -> Result<Vec<A::Event>, CommandError<A::Error>>
    where
        A: Aggregate + Clone + 'static,
    {
        let loaded = self.loaded(store, id).await?;
        let mut next = loaded.state.clone();
        let sink = EventSink::default();
        next.handle(command, store.services(), &sink)
            .await
            .map_err(CommandError::Rule)?;
        let events = sink.collect().await;
        loaded.state = next;
        loaded.pending.extend(events.iter().cloned());
        Ok(events)
    }

    /// A statement to run in the commit's transaction, after the events.
    pub fn also(&mut self, statement: Statement) {
        self.statements.push(statement);
    }

    /// Writes every stream's events and the statements in one transaction.
    /// Streams are written in a fixed order, so two units touching the same
    /// streams wait for each other instead of deadlocking.
    pub async fn commit(mut self) -> Result<(), Outcome> {
        self.streams.sort_by(|a, b| {
            (a.aggregate_type, &a.aggregate_id).cmp(&(b.aggregate_type, &b.aggregate_id))
        });
        let mut rows = Vec::with_capacity(self.streams.len());
        for entry in &self.streams {
            let r = entry
                .stream
                .rows(&entry.aggregate_id, &self.metadata)
                .map_err(Outcome::Store)?;
            if !r.is_empty() {
                rows.push(r);
            }
        }
        if rows.is_empty() && self.statements.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(outcome)?;
        for r in &rows {
            r.write(&mut tx).await.map_err(outcome)?;
        }
        for statement in self.statements {
            if let Some(error) = statement.error {
                return Err(Outcome::Store(error));
            }
            sqlx::query_with(statement.sql, statement.args)
                .execute(&mut *tx)
                .await
                .map_err(outcome)?;
        }
        tx.commit().await.map_err(outcome)?;
        if !rows.is_empty() {
            crate::wake::events_appended(&self.pool);
        }
        Ok(())
    }
}

/// How a commit failed.
#[derive(Debug)]
pub enum Outcome {
    /// A stream moved, or a unique row another writer committed first:
    /// nothing was stored; run the step again.
    Conflict,
    /// A fault.
    Store(BoxError),
}

/// Unique violations (a stream's next sequence, a transfer or key another
/// writer stored first), serialization failures and deadlocks all mean
/// "someone else got there first": the transaction stored nothing.
fn outcome(error: sqlx::Error) -> Outcome {
    match &error {
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("23505" | "40001" | "40P01")) =>
        {
            Outcome::Conflict
        }
        _ => Outcome::Store(Box::new(error)),
    }
}

fn store_failure<E: std::error::Error>(error: AggregateError<E>) -> CommandError<E> {
    match error {
        AggregateError::UserError(rule) => CommandError::Rule(rule),
        AggregateError::AggregateConflict => CommandError::Conflict { attempts: 1 },
        AggregateError::DatabaseConnectionError(e)
        | AggregateError::DeserializationError(e)
        | AggregateError::UnexpectedError(e) => CommandError::Store(e),
    }
}

/// Bounded attempts at committing a step; a step conflicts when another
/// writer moved one of its streams first, and then runs again on fresh state:
///
/// ```ignore
/// let mut attempts = Attempts::new(5);
/// let answer = loop {
///     let mut unit = UnitOfWork::new(pool.clone(), &metadata);
///     let answer = step(&mut unit).await?; // decides on the current state
///     if attempts.commit(unit).await? {
///         break answer;
///     }
/// };
/// ```
///
/// (A loop at the call site rather than a closure: an async closure
/// borrowing the unit makes futures that axum cannot prove `Send`.)
#[derive(Debug)]
pub struct Attempts {
    max: u32,
    attempt: u32,
}

impl Attempts {
    /// At most `max` attempts in all (at least one).
    pub fn new(max: u32) -> Self {
        Self {
            max: max.max(1),
            attempt: 1,
        }
    }

    /// Commits `unit`: `Ok(true)` when stored; `Ok(false)` after a conflict
    /// with attempts left (it has waited a jittered backoff: run the step
    /// again); an error when the attempts ran out or the store failed.
    pub async fn commit(&mut self, unit: UnitOfWork) -> Result<bool, UnitError> {
        match unit.commit().await {
            Ok(()) => Ok(true),
            Err(Outcome::Conflict) if self.attempt < self.max => {
                tracing::debug!(
                    attempt = self.attempt,
                    "unit of work conflicted; running the step again"
                );
                tokio::time::sleep(backoff(self.attempt)).await;
                self.attempt += 1;
                Ok(false)
            }
            Err(Outcome::Conflict) => Err(UnitError::Conflict {
                attempts: self.attempt,
            }),
            Err(Outcome::Store(error)) => Err(UnitError::Store(error)),
        }
    }
}
