-- Blocked accounts, checked on every request by every HTTP role (DESIGN §7:
-- blocking takes effect at once). Written by command-api in the block and
-- unblock request, with pg_notify('hub_blocked_accounts', <account id>) so
-- each role's in-memory copy (platform::blocklist) reloads at once.
CREATE TABLE blocked_accounts
(
    account_id uuid PRIMARY KEY,
    blocked_at timestamptz NOT NULL DEFAULT now()
);

-- Accounts already blocked: those whose last block/unblock event is a block.
INSERT INTO blocked_accounts (account_id, blocked_at)
SELECT last.aggregate_id::uuid, last.recorded_at
FROM (SELECT DISTINCT ON (aggregate_id) aggregate_id, event_type, recorded_at
      FROM events
      WHERE aggregate_type = 'Account'
        AND event_type IN ('AccountBlocked', 'AccountUnblocked')
      ORDER BY aggregate_id, sequence DESC) last
WHERE last.event_type = 'AccountBlocked';

-- Blocking revokes every live refresh token of the account.
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id) WHERE NOT revoked;
