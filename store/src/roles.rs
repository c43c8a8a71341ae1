//! Least-privilege database roles (DESIGN §9). The login that runs the
//! migrations owns every table; the other roles log in as members of
//! `hub_writer` (INSERT and SELECT on `events` and `attachments`, never UPDATE, DELETE or
//! TRUNCATE; read and write the other tables) or `hub_reader` (the read API:
//! SELECT only). Nobody but the owner may alter a table or drop its triggers.
//!
//! In the cluster an operator creates the login roles with passwords (see
//! docs/operations.md); `hub dev` creates passwordless ones for itself
//! (`hub_app`, `hub_read`) on its trust-auth server.

use sqlx::{PgConnection, PgPool};

/// The group role of every role that appends events.
pub const WRITER: &str = "hub_writer";
/// The group role of the read API.
pub const READER: &str = "hub_reader";
/// `hub dev`'s login in [`WRITER`].
pub const DEV_WRITER_LOGIN: &str = "hub_app";
/// `hub dev`'s login in [`READER`].
pub const DEV_READER_LOGIN: &str = "hub_read";

/// Creates the two group roles and `hub dev`'s two logins when missing.
/// Needs `CREATEROLE` (the local superuser in development and tests);
/// concurrent callers may race, and the loser's duplicate is ignored.
pub async fn ensure_dev_roles(pool: &PgPool) -> Result<(), sqlx::Error> {
    for (role, options) in [
        (WRITER, "NOLOGIN".to_owned()),
        (READER, "NOLOGIN".to_owned()),
        (DEV_WRITER_LOGIN, format!("LOGIN IN ROLE {WRITER}")),
        (DEV_READER_LOGIN, format!("LOGIN IN ROLE {READER}")),
    ] {
        sqlx::query(&format!(
            "DO $$ BEGIN \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN \
                 CREATE ROLE {role} {options}; \
               END IF; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; \
             END $$"
        ))
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Grants the group roles what they may do on every table the migrations
/// made, and on tables the same owner makes later in those schemas.
/// Idempotent; `hub migrate` runs it after the migrations. Roles that do not
/// exist yet are skipped: run it again once an operator created them.
pub async fn grant(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    grant_on(&mut conn).await
}

/// [`grant`] on one connection, so a transaction that moves tables into
/// `read` (a projection rebuild's swap) grants them before it commits:
/// default privileges follow the schema a table is made in, not the one it
/// is moved to.
pub async fn grant_on(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let schemas = "public, read";
    let mut statements = Vec::new();
    if exists(conn, WRITER).await? {
        statements.extend([
            format!("GRANT USAGE ON SCHEMA {schemas} TO {WRITER}"),
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schemas} TO {WRITER}"),
            format!("REVOKE UPDATE, DELETE, TRUNCATE ON events FROM {WRITER}"),
            // A stored file never changes: the events that name it must keep meaning it.
            format!("REVOKE UPDATE, DELETE, TRUNCATE ON attachments FROM {WRITER}"),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schemas} TO {WRITER}"),
            format!("ALTER DEFAULT PRIVILEGES IN SCHEMA {schemas} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {WRITER}"),
            format!("ALTER DEFAULT PRIVILEGES IN SCHEMA {schemas} GRANT USAGE, SELECT ON SEQUENCES TO {WRITER}"),
        ]);
    }
    if exists(conn, READER).await? {
        statements.extend([
            format!("GRANT USAGE ON SCHEMA {schemas} TO {READER}"),
            format!("GRANT SELECT ON ALL TABLES IN SCHEMA {schemas} TO {READER}"),
            format!(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schemas} GRANT SELECT ON TABLES TO {READER}"
            ),
        ]);
    }
    for sql in statements {
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn exists(conn: &mut PgConnection, role: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(conn)
        .await
}

/// `url` with its user replaced by `user` (and any password dropped): how
/// `hub dev` reaches its own database as each role.
pub fn url_as(url: &str, user: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_and_path = match rest.split_once('/') {
        Some((authority, path)) => {
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{host}/{path}")
        }
        None => rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_owned(),
    };
    format!("{scheme}://{user}@{host_and_path}")
}

#[cfg(test)]
mod tests {
    use super::url_as;

    #[test]
    fn the_user_of_a_url_is_replaced_and_its_password_dropped() {
        assert_eq!(
            url_as("postgres://postgres@127.0.0.1:5432/hub", "hub_read"),
            "postgres://hub_read@127.0.0.1:5432/hub"
        );
        assert_eq!(
            url_as("postgres://u:secret@db:5432/hub?sslmode=disable", "hub_app"),
            "postgres://hub_app@db:5432/hub?sslmode=disable"
        );
        assert_eq!(
            url_as("postgres://127.0.0.1/hub", "hub_app"),
            "postgres://hub_app@127.0.0.1/hub"
        );
    }
}
