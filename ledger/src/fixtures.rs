//! Settled top-ups written straight into the store, many per statement:
//! the load of the ledger's tests and of `hub-bench ledger`. Each makes two
//! entries (bank → wallet).

use sqlx::PgPool;

/// Appends `count` settled top-ups numbered from `start`, spread over
/// `wallets` wallets (`md5('w' || n)` as ids), in transactions of `per_tx`.
pub async fn append_top_ups(
    pool: &PgPool,
    start: i64,
    count: i64,
    wallets: i64,
    per_tx: i64,
) -> Result<(), sqlx::Error> {
    let mut from = start;
    while from < start + count {
        let to = (from + per_tx).min(start + count) - 1;
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, \
                                 payload, metadata) \
             SELECT 'Wallet', md5('w' || (i % $3))::uuid::text, i / $3 + 1, 'TopUpSettled', '1.0', \
                    json_build_object('TopUpSettled', json_build_object( \
                        'transfer_id', gen_random_uuid(), \
                        'amount', json_build_object('amount', (((i % 97) + 1) * 10.5)::numeric(12,2)::text, \
                                                    'currency', 'RUB'))), \
                    '{}' \
             FROM generate_series($1::bigint, $2::bigint) i",
        )
        .bind(from)
        .bind(to)
        .bind(wallets)
        .execute(pool)
        .await?;
        from = to + 1;
    }
    Ok(())
}
