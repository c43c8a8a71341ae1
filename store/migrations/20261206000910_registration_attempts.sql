-- Registrations per client address in a sliding window (the registration
-- limit), shared by every command-api replica; purged once out of the window.
CREATE TABLE registration_attempts
(
    id           bigserial PRIMARY KEY,
    ip           inet        NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registration_attempts_ip ON registration_attempts (ip, attempted_at);
