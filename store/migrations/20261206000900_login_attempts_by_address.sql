-- Failed logins lock an (email, client address) pair, not the email from
-- everywhere: the count looks them up by both.
DROP INDEX login_attempts_email;
CREATE INDEX login_attempts_email_ip ON login_attempts (email, ip, attempted_at);
