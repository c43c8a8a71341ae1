-- Identity lives beside the event store, never in it: password hashes and
-- refresh tokens must be erasable and rotatable, and events are forever.

CREATE TABLE credentials
(
    account_id    uuid PRIMARY KEY,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('client', 'provider', 'admin', 'auditor')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails are stored lower-cased by the domain's Email type.
CREATE UNIQUE INDEX credentials_email ON credentials (email);

-- Refresh tokens rotate: each use marks the row used and issues a sibling in
-- the same family; presenting a used token again revokes the whole family.
CREATE TABLE refresh_tokens
(
    token_hash bytea PRIMARY KEY, -- SHA-256 of the token; the token itself is never stored
    family     uuid        NOT NULL,
    account_id uuid        NOT NULL REFERENCES credentials (account_id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Failed logins, counted per email and per client address in a sliding window.
CREATE TABLE login_attempts
(
    id           bigserial PRIMARY KEY,
    email        text        NOT NULL,
    ip           inet        NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, attempted_at);

-- Idempotency-Key: the first request with a key claims the row (pending);
-- its answer is stored so a retry with the same body gets it again.
CREATE TABLE idempotency_keys
(
    account_id      uuid        NOT NULL,
    key             text        NOT NULL,
    request_hash    bytea       NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    response_status smallint,
    response_type   text,
    response_body   bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
