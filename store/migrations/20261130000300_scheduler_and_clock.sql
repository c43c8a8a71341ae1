-- Everything timed (DESIGN §6): acceptance deadlines, period ends, renewal
-- retries, auto-confirm of done orders, payout checks. `processes` claims due
-- rows with FOR UPDATE SKIP LOCKED under a lease (`locked_until`, real time);
-- `due_at` is compared with the Clock's time, which `hub dev` and tests move.
-- `dedupe_key` makes scheduling idempotent: a redelivered event schedules
-- nothing twice (INSERT .. ON CONFLICT (dedupe_key) DO NOTHING).
CREATE TABLE scheduled_jobs
(
    id           uuid PRIMARY KEY,
    kind         text        NOT NULL,
    dedupe_key   text        NOT NULL UNIQUE,
    payload      jsonb       NOT NULL,
    due_at       timestamptz NOT NULL,
    locked_until timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    done_at      timestamptz
);

-- The claim scans only what is still to do, in due order.
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (due_at) WHERE done_at IS NULL;

-- The development clock's shift from real time, one row, shared by every
-- role of `hub dev` (and by tests) so they all see the same moved time.
-- Production roles use the system clock and never read it.
CREATE TABLE dev_clock
(
    id        boolean PRIMARY KEY DEFAULT true CHECK (id),
    offset_ms bigint      NOT NULL DEFAULT 0,
    moved_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO dev_clock (id, offset_ms) VALUES (true, 0);
