//! One account's postings, newest first: a wallet's history for its owner.

use crate::entry::Entry;
use crate::tables::Tables;
use sqlx::PgPool;

/// Up to `limit` postings of `account` before `before` (an `account_seq`),
/// newest first.
pub async fn postings(
    pool: &PgPool,
    tables: &Tables,
    account: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM {} WHERE account = $1 AND account_seq < $2 ORDER BY account_seq DESC LIMIT $3",
        crate::entry::COLUMNS,
        tables.entries
    ))
    .bind(account)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await
}
