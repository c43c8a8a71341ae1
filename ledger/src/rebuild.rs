//! A fresh rebuild beside the live ledger, to prove they are the same: the
//! store is replayed into a scratch schema up to the live ledger's
//! position, and the two heads compared. Equal hashes at the same `seq`
//! mean equal ledgers up to there (each hash covers every entry before it).

use crate::follower::{self, LedgerError, State};
use crate::tables::Tables;
use sqlx::PgPool;

/// How a rebuild compared with the live ledger.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The rebuilt ledger's state.
    pub rebuilt: State,
    /// The last `seq` both ledgers hold.
    pub compared_seq: i64,
    /// Their hashes at `compared_seq` (live, rebuilt).
    pub hashes: (Option<String>, Option<String>),
    /// The first `seq` up to `compared_seq` where any field of the two
    /// entries differs (an entry edited in place keeps its old hash, so
    /// every field is compared, not only the hashes).
    pub first_difference: Option<i64>,
    /// Closing documents up to the same point, live and rebuilt.
    pub documents: (i64, i64),
}

impl Comparison {
    /// Whether the rebuild equals the live ledger and its invariants hold.
    pub fn is_sound(&self) -> bool {
        let heads_agree = self.hashes.0 == self.hashes.1 && self.first_difference.is_none();
        heads_agree
            && self.documents.0 == self.documents.1
            && self.rebuilt.total.is_zero()
            && self.rebuilt.negative_accounts == 0
    }
}

/// Replays the whole store into `scratch` (created here, dropped after),
/// up to the live ledger's checkpoint, and compares.
pub async fn compare(
    pool: &PgPool,
    scratch: &Tables,
    page: i64,
) -> Result<Comparison, LedgerError> {
    let live = Tables::live();
    let mut db = pool.acquire().await?;
    scratch.drop_schema(&mut db).await?;
    scratch.create_like_live(&mut db).await?;
    let target = follower::state(&mut db, &live).await?;
    drop(db);
    let result = replay_until(pool, scratch, &target, page).await;
    let mut db = pool.acquire().await?;
    let comparison = match result {
        Ok(rebuilt) => {
            let live_now = follower::state(&mut db, &live).await?;
            let compared_seq = live_now.seq.min(rebuilt.seq);
            let hash_at = |t: &Tables| format!("SELECT hash FROM {} WHERE seq = $1", t.entries);
            let live_hash: Option<String> = sqlx::query_scalar(&hash_at(&live))
                .bind(compared_seq)
                .fetch_optional(&mut *db)
                .await?;
            let rebuilt_hash: Option<String> = sqlx::query_scalar(&hash_at(scratch))
                .bind(compared_seq)
                .fetch_optional(&mut *db)
                .await?;
            let first_difference: Option<i64> = sqlx::query_scalar(&format!(
                "SELECT min(seq) FROM ( \
                   (SELECT * FROM {l} WHERE seq <= $1 EXCEPT ALL SELECT * FROM {r} WHERE seq <= $1) \
                   UNION ALL \
                   (SELECT * FROM {r} WHERE seq <= $1 EXCEPT ALL SELECT * FROM {l} WHERE seq <= $1)) d",
                l = live.entries,
                r = scratch.entries
            ))
            .bind(compared_seq)
            .fetch_one(&mut *db)
            .await?;
            let count = |t: &Tables| {
                format!(
                    "SELECT count(*) FROM {} d WHERE d.number <= coalesce((SELECT max(number) FROM {}), '')",
                    t.documents, scratch.documents
                )
            };
            let live_docs: i64 = sqlx::query_scalar(&count(&live))
                .fetch_one(&mut *db)
                .await?;
            let rebuilt_docs: i64 = sqlx::query_scalar(&count(scratch))
                .fetch_one(&mut *db)
                .await?;
            Ok(Comparison {
                rebuilt,
                compared_seq,
                hashes: (live_hash, rebuilt_hash),
                first_difference,
                documents: (live_docs, rebuilt_docs),
            })
        }
        Err(e) => Err(e),
    };
    scratch.drop_schema(&mut db).await?;
    comparison
}

/// Posts into `tables` until they reach `target`'s checkpoint.
async fn replay_until(
    pool: &PgPool,
    tables: &Tables,
    target: &State,
    page: i64,
) -> Result<State, LedgerError> {
    loop {
        let mut db = pool.acquire().await?;
        let now = follower::state(&mut db, tables).await?;
        drop(db);
        if (now.tx_id, now.global_position) >= (target.tx_id, target.global_position) {
            return Ok(now);
        }
        if follower::step(pool, tables, page).await? == 0 {
            return Ok(now);
        }
    }
}
