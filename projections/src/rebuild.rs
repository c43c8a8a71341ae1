//! `hub projections rebuild [name]`: replays the store in commit order into
//! fresh tables (schema `read_rebuild`) while the live ones keep serving, then
//! swaps them in within one transaction.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::ProjectionError;
use crate::event::{self, Checkpoint, StoredEvent, load_range};
use crate::projector::{Projection, apply_in_tx, use_schema};
use crate::read_models;

/// Where a rebuild writes until the swap.
pub const REBUILD_SCHEMA: &str = "read_rebuild";
/// Where the old tables go for the moment of the swap, dropped in the same transaction.
const RETIRED_SCHEMA: &str = "read_retired";
/// Advisory lock key: one rebuild at a time ("hubrbld" in ASCII).
const LOCK_KEY: i64 = 0x0068_7562_7262_6c64;
/// Events read from the store at a time.
const BATCH: i64 = 1000;
/// Writers a projection whose aggregates are independent replays on by
/// default (see [`Projection::independent_aggregates`]); each has its own
/// connection.
pub const DEFAULT_SHARDS: usize = 4;
/// Batches read ahead of a writer.
const WRITER_QUEUE: usize = 4;

/// Whether to draw a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A bar on stderr when stderr is a terminal; nothing otherwise.
    Terminal,
    /// Nothing.
    Silent,
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    /// The projections rebuilt.
    pub projections: Vec<&'static str>,
    /// Events replayed from the store.
    pub replayed: u64,
    /// Aggregates brought up to the live position during the swap (events
    /// the live consumer applied while the replay ran).
    pub caught_up: u64,
}

/// Rebuilds the projection called `name`, or every projection, from the
/// store, and swaps the result in atomically.
pub async fn rebuild(
    pool: &PgPool,
    name: Option<&str>,
    progress: Progress,
) -> Result<RebuildReport, ProjectionError> {
    rebuild_with(pool, name, progress, DEFAULT_SHARDS).await
}

/// [`rebuild`] with each projection whose aggregates are independent
/// replayed on `shards` connections (1: one connection per projection).
/// Besides the pool's connections it opens one reader per projection and
/// up to `shards` writers per projection.
pub async fn rebuild_with(
    pool: &PgPool,
    name: Option<&str>,
    progress: Progress,
    shards: usize,
) -> Result<RebuildReport, ProjectionError> {
    let projections: Vec<Arc<dyn Projection>> = match name {
        Some(n) => vec![read_models::by_name(n)?.into()],
        None => read_models::all().into_iter().map(Arc::from).collect(),
    };
    // A session lock, held on this connection for the whole rebuild.
    let mut lock = pool.acquire().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut *lock)
        .await?;
    if !locked {
        return Err(ProjectionError::RebuildRunning);
    }
    let result = rebuild_locked(pool, &projections, shards, progress).await;
    // Dropping the connection without unlocking would leave the lock held
    // in the pool; unlock explicitly, and close it if that fails.
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *lock)
        .await;
    if unlocked.is_err() {
        lock.detach();
    }
    result
}

async fn rebuild_locked(
    pool: &PgPool,
    projections: &[Arc<dyn Projection>],
    shards: usize,
    progress: Progress,
) -> Result<RebuildReport, ProjectionError> {
    prepare(pool, projections).await?;
    let replayed = replay(pool, projections, shards, progress).await?;
    let caught_up = swap(pool, projections).await?;
    let names: Vec<&'static str> = projections.iter().map(|p| p.name()).collect();
    tracing::info!(projections = ?names, replayed, caught_up, "read models rebuilt and swapped in");
    Ok(RebuildReport {
        projections: names,
        replayed,
        caught_up,
    })
}

/// Empty copies of the projections' tables (columns, defaults, checks,
/// keys and indexes under their own names) plus a positions table.
async fn prepare(
    pool: &PgPool,
    projections: &[Arc<dyn Projection>],
) -> Result<(), ProjectionError> {
    let mut tx = pool.begin().await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {REBUILD_SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("CREATE SCHEMA {REBUILD_SCHEMA}"))
        .execute(&mut *tx)
        .await?;
    let tables = projections
        .iter()
        .flat_map(|p| p.tables().iter().copied())
        .chain(["projection_positions"]);
    for table in tables {
        copy_table(&mut tx, table).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `CREATE TABLE read_rebuild.t (LIKE read.t)`, with keys and indexes
/// recreated from their definitions so they keep their names after the swap.
async fn copy_table(conn: &mut PgConnection, table: &str) -> Result<(), ProjectionError> {
    let live = format!("read.{table}");
    sqlx::query(&format!(
        "CREATE TABLE {REBUILD_SCHEMA}.{table} (LIKE {live} INCLUDING ALL EXCLUDING INDEXES)"
    ))
    .execute(&mut *conn)
    .await?;
    let constraints: Vec<(String, String)> = sqlx::query_as(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname",
    )
    .bind(&live)
    .fetch_all(&mut *conn)
    .await?;
    for (name, definition) in constraints {
        sqlx::query(&format!(
            "ALTER TABLE {REBUILD_SCHEMA}.{table} ADD CONSTRAINT {name} {definition}"
        ))
        .execute(&mut *conn)
        .await?;
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i \
         WHERE i.indrelid = $1::regclass \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
         ORDER BY i.indexrelid",
    )
    .bind(&live)
    .fetch_all(&mut *conn)
    .await?;
    for definition in indexes {
        let definition = definition.replacen(
            &format!(" ON {live} "),
            &format!(" ON {REBUILD_SCHEMA}.{table} "),
            1,
        );
        sqlx::query(&definition).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replays every event the projections read, in commit order: one reader
/// on its own connection hands each event to its projections' writers
/// (their tables are disjoint), each aggregate's events in order to the
/// same writer; the writers apply at once, each on its own connection.
async fn replay(
    pool: &PgPool,
    projections: &[Arc<dyn Projection>],
    shards: usize,
    progress: Progress,
) -> Result<u64, ProjectionError> {
    // Which projections read each aggregate type: looked up per event.
    let mut readers_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, projection) in projections.iter().enumerate() {
        for aggregate_type in projection.aggregate_types() {
            readers_of.entry(aggregate_type).or_default().push(i);
        }
    }
    let types: Vec<String> = readers_of.keys().map(|t| (*t).to_owned()).collect();

    let total = event::count(&mut *pool.acquire().await?, &types).await?;
    let bar = match progress {
        Progress::Terminal if std::io::stderr().is_terminal() => {
            let bar = ProgressBar::new(u64::try_from(total).unwrap_or_default());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} rebuilding [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        }
        _ => ProgressBar::hidden(),
    };

    // Connections of their own, not the pool's: the caller's pool may be
    // small, and live consumers may share it.
    let options = pool.connect_options();
    let mut reader = PgConnection::connect_with(&options).await?;
    // Per projection, its writers' queues, started with the first event
    // for them (a writer is a connection).
    let mut writers: Vec<Vec<Option<mpsc::Sender<Vec<StoredEvent>>>>> = projections
        .iter()
        .map(|p| {
            let n = if p.independent_aggregates() {
                shards.max(1)
            } else {
                1
            };
            vec![None; n]
        })
        .collect();
    // Dropped on an error, which aborts the writers (their transactions
    // roll back with their connections).
    let mut running = JoinSet::new();
    let mut checkpoint = Checkpoint::default();
    let mut replayed = 0u64;
    'read: loop {
        let batch = event::load_batch(&mut reader, &types, &checkpoint, BATCH).await?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        checkpoint = last.clone();
        replayed += batch.len() as u64;
        // A writer ends early only on an error: stop reading then.
        if let Some(done) = running.try_join_next() {
            joined(done)?;
        }
        let mut parts: Vec<Vec<Vec<StoredEvent>>> =
            writers.iter().map(|w| vec![Vec::new(); w.len()]).collect();
        for (_, event) in batch {
            let readers = readers_of
                .get(event.aggregate_type.as_str())
                .map_or(&[][..], Vec::as_slice);
            if let Some((&last, others)) = readers.split_last() {
                for &i in others {
                    let shard = shard_of(&event, parts[i].len());
                    parts[i][shard].push(event.clone());
                }
                let shard = shard_of(&event, parts[last].len());
                parts[last][shard].push(event);
            }
        }
        for (i, shards) in parts.into_iter().enumerate() {
            for (writer, part) in writers[i].iter_mut().zip(shards) {
                if part.is_empty() {
                    continue;
                }
                let sender = writer.get_or_insert_with(|| {
                    let (sender, receiver) = mpsc::channel(WRITER_QUEUE);
                    running.spawn(write_shard(
                        Arc::clone(&options),
                        Arc::clone(&projections[i]),
                        receiver,
                        bar.clone(),
                    ));
                    sender
                });
                if sender.send(part).await.is_err() {
                    // That writer stopped on an error, reported below.
                    break 'read;
                }
            }
        }
    }
    reader.close().await?;
    // Closing the queues lets the writers finish their last batches.
    drop(writers);
    while let Some(done) = running.join_next().await {
        joined(done)?;
    }
    bar.finish_and_clear();
    Ok(replayed)
}

/// Applies the batches it receives, one transaction each, and saves the
/// positions they moved in the same transaction.
async fn write_shard(
    options: Arc<PgConnectOptions>,
    projection: Arc<dyn Projection>,
    mut batches: mpsc::Receiver<Vec<StoredEvent>>,
    bar: ProgressBar,
) -> Result<(), ProjectionError> {
    let mut conn = PgConnection::connect_with(&options).await?;
    let mut positions = Positions::default();
    while let Some(batch) = batches.recv().await {
        let mut tx = conn.begin().await?;
        // A replay that dies is simply run again (the live tables are
        // untouched until the swap), so its commits need not wait for the
        // WAL flush; the swap's commit is an ordinary one.
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        use_schema(&mut tx, REBUILD_SCHEMA).await?;
        for event in &batch {
            apply_next(&mut tx, projection.as_ref(), event, &mut positions).await?;
        }
        positions.save(&mut tx).await?;
        tx.commit().await?;
        bar.inc(batch.len() as u64);
    }
    conn.close().await?;
    Ok(())
}

/// Which of `shards` writers an aggregate's events go to.
fn shard_of(event: &StoredEvent, shards: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    event.aggregate_type.hash(&mut hasher);
    event.aggregate_id.hash(&mut hasher);
    // The remainder is below `shards`, a usize.
    (hasher.finish() % shards as u64) as usize
}

/// A finished replay task's result; a panic in it carries on here.
fn joined<T>(
    done: Result<Result<T, ProjectionError>, tokio::task::JoinError>,
) -> Result<T, ProjectionError> {
    match done {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: only when its set is dropped, and then nobody asks.
        Err(e) => Err(ProjectionError::ReplayStopped(e.to_string())),
    }
}

/// Applies `event` to `projection` unless it already has it, first filling
/// any gap from the store, as [`apply_in_tx`] does but with the positions
/// in memory (see [`Positions`]).
async fn apply_next(
    conn: &mut PgConnection,
    projection: &dyn Projection,
    event: &StoredEvent,
    positions: &mut Positions,
) -> Result<(), ProjectionError> {
    let key = (
        projection.name(),
        event.aggregate_type.clone(),
        event.aggregate_id.clone(),
    );
    let last = positions.last.get(&key).copied().unwrap_or(0);
    if event.sequence <= last {
        return Ok(());
    }
    // Changes are for live readers: `apply` gets none, so it builds none.
    if event.sequence > last + 1 {
        // An event committed late below the replay's checkpoint was
        // skipped (see `event::load_batch`): the store has it.
        let missing = load_range(
            conn,
            &event.aggregate_type,
            &event.aggregate_id,
            last,
            event.sequence,
        )
        .await?;
        let contiguous = missing.len() as i64 == event.sequence - last - 1
            && missing
                .iter()
                .zip(last + 1..)
                .all(|(e, expected)| e.sequence == expected);
        if !contiguous {
            return Err(ProjectionError::MissingEvents {
                aggregate_type: event.aggregate_type.clone(),
                aggregate_id: event.aggregate_id.clone(),
                after: last,
                before: event.sequence,
            });
        }
        for earlier in &missing {
            projection.apply(conn, earlier, None).await?;
        }
    }
    projection.apply(conn, event, None).await?;
    positions.last.insert(key.clone(), event.sequence);
    positions.moved.insert(key);
    Ok(())
}

/// The replay's positions, kept in memory rather than read, locked and
/// written per event as the live projector does (three statements an
/// event): the replay is the only writer of `read_rebuild`. Each batch
/// saves the positions it moved in one statement, in its transaction.
#[derive(Default)]
struct Positions {
    last: HashMap<(&'static str, String, String), i64>,
    moved: HashSet<(&'static str, String, String)>,
}

impl Positions {
    /// Writes the positions moved since the last save.
    async fn save(&mut self, conn: &mut PgConnection) -> Result<(), ProjectionError> {
        let mut columns: (Vec<&str>, Vec<String>, Vec<String>, Vec<i64>) = Default::default();
        for key in self.moved.drain() {
            let sequence = self.last[&key];
            columns.0.push(key.0);
            columns.1.push(key.1);
            columns.2.push(key.2);
            columns.3.push(sequence);
        }
        sqlx::query(
            "INSERT INTO projection_positions (projection, aggregate_type, aggregate_id, last_sequence) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[]) \
             ON CONFLICT (projection, aggregate_type, aggregate_id) \
             DO UPDATE SET last_sequence = EXCLUDED.last_sequence",
        )
        .bind(&columns.0)
        .bind(&columns.1)
        .bind(&columns.2)
        .bind(&columns.3)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Swaps the rebuilt tables in. Live consumers are held off for the moment
/// (the positions table is locked), whatever they applied during the replay
/// is applied to the new tables from the store, and the table moves happen
/// in the same transaction, so readers see either all old or all new.
async fn swap(pool: &PgPool, projections: &[Arc<dyn Projection>]) -> Result<u64, ProjectionError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '60s'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("LOCK TABLE read.projection_positions IN EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    use_schema(&mut tx, REBUILD_SCHEMA).await?;

    let names: Vec<&'static str> = projections.iter().map(|p| p.name()).collect();
    let mut caught_up = 0u64;
    for projection in projections {
        let behind: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT l.aggregate_type, l.aggregate_id, l.last_sequence \
             FROM read.projection_positions l \
             LEFT JOIN read_rebuild.projection_positions r USING (projection, aggregate_type, aggregate_id) \
             WHERE l.projection = $1 AND l.last_sequence > COALESCE(r.last_sequence, 0)",
        )
        .bind(projection.name())
        .fetch_all(&mut *tx)
        .await?;
        for (aggregate_type, aggregate_id, live_last) in behind {
            // Applying the live position's event fills everything before it.
            let events = load_range(
                &mut tx,
                &aggregate_type,
                &aggregate_id,
                live_last - 1,
                live_last + 1,
            )
            .await?;
            let Some(event) = events.first() else {
                return Err(ProjectionError::MissingEvents {
                    aggregate_type,
                    aggregate_id,
                    after: live_last - 1,
                    before: live_last + 1,
                });
            };
            apply_in_tx(&mut tx, projection.as_ref(), event, false).await?;
            caught_up += 1;
        }
    }

    sqlx::query(&format!("CREATE SCHEMA {RETIRED_SCHEMA}"))
        .execute(&mut *tx)
        .await?;
    for table in projections.iter().flat_map(|p| p.tables().iter()) {
        sqlx::query(&format!(
            "ALTER TABLE read.{table} SET SCHEMA {RETIRED_SCHEMA}"
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "ALTER TABLE {REBUILD_SCHEMA}.{table} SET SCHEMA read"
        ))
        .execute(&mut *tx)
        .await?;
    }
    // Moved in from `read_rebuild`, the tables carry none of `read`'s default
    // privileges: grant them before anyone else can see them.
    store::roles::grant_on(&mut tx).await?;
    // Positions are updated in place (not deleted and re-inserted) so a live
    // consumer waiting on a position's row lock finds the new value.
    sqlx::query(
        "INSERT INTO read.projection_positions AS l \
         SELECT * FROM read_rebuild.projection_positions \
         ON CONFLICT (projection, aggregate_type, aggregate_id) \
         DO UPDATE SET last_sequence = EXCLUDED.last_sequence",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM read.projection_positions l WHERE l.projection = ANY($1) AND NOT EXISTS \
         (SELECT 1 FROM read_rebuild.projection_positions r WHERE r.projection = l.projection \
          AND r.aggregate_type = l.aggregate_type AND r.aggregate_id = l.aggregate_id)",
    )
    .bind(&names)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("DROP SCHEMA {RETIRED_SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("DROP SCHEMA {REBUILD_SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(caught_up)
}
