//! Least-privilege database roles (DESIGN §9). The login that runs the
//! migrations owns every table; every other login is a member of one group
//! role that cannot log in, and inherits exactly what its workload needs:
//! each writing role appends events (INSERT and SELECT, never UPDATE, DELETE
//! or TRUNCATE) and writes only its own tables ([`GROUPS`]); the read API
//! SELECTs, and writes nothing but its stream tickets ([`READ_API`]). Nobody
//! but the owner may alter a table or drop its triggers.
//!
//! In the cluster an operator creates one login per role with a password, in
//! its group (deploy/k8s/base/infra/postgres.yaml, docs/operations.md);
//! `hub dev` creates passwordless ones for itself on its trust-auth server.

use sqlx::{PgConnection, PgPool};

/// A SELECT-only group (no hub role logs in with it any more: the read API
/// has [`READ_API`]); `hub dev`'s [`DEV_READER_LOGIN`] is in it.
pub const READER: &str = "hub_reader";
/// The group that is a member of every writing group: for a process that runs
/// several roles on one login (the integration tests, a single-login setup).
pub const WRITER: &str = "hub_writer";
/// `hub dev`'s and the tests' login in [`WRITER`].
pub const DEV_WRITER_LOGIN: &str = "hub_app";
/// A login in [`READER`], for tests that must prove a role writes nothing.
pub const DEV_READER_LOGIN: &str = "hub_read";

/// What one writing group may write; it SELECTs every table of `public` and
/// `read`.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// The group role.
    pub name: &'static str,
    /// `hub dev`'s login in it.
    pub dev_login: &'static str,
    /// Whether it appends events (and keeps aggregate snapshots).
    pub appends_events: bool,
    /// Tables of `public` it may INSERT, UPDATE and DELETE.
    pub tables: &'static [&'static str],
    /// Tables of `public` it may only INSERT into (besides SELECT): what
    /// events name must keep meaning the same.
    pub inserts: &'static [&'static str],
    /// Tables of `public` it may only UPDATE (besides SELECT).
    pub updates: &'static [&'static str],
    /// Tables of `public` it may DELETE from (besides what the lists above give).
    pub deletes: &'static [&'static str],
    /// Whether it writes every table of the `read` schema (the read models).
    pub read_models: bool,
}

/// The command API: events, and the tables of sign-in, idempotency, payments'
/// callbacks, admin messages, blocks and chat attachments; marks
/// notifications read.
pub const COMMAND: Group = Group {
    name: "hub_command_rw",
    dev_login: "hub_dev_command",
    appends_events: true,
    tables: &[
        "refresh_tokens",
        "login_attempts",
        "registration_attempts",
        "idempotency_keys",
        "credentials",
        "sandbox_callbacks",
        "admin_messages",
        "blocked_accounts",
        // `hub dev`'s movable clock, which its command API serves.
        "dev_clock",
    ],
    inserts: &["attachments"],
    updates: &["notifications"],
    deletes: &[],
    read_models: false,
};

/// The process managers: events, their scheduled jobs, the dev clock.
pub const PROCESSES: Group = Group {
    name: "hub_processes_rw",
    dev_login: "hub_dev_processes",
    appends_events: true,
    tables: &["scheduled_jobs", "dev_clock"],
    inserts: &[],
    updates: &[],
    deletes: &[],
    read_models: false,
};

/// The relay: reads events, keeps its checkpoint.
pub const RELAY: Group = Group {
    name: "hub_relay_rw",
    dev_login: "hub_dev_relay",
    appends_events: false,
    tables: &["relay_checkpoint"],
    inserts: &[],
    updates: &[],
    deletes: &[],
    read_models: false,
};

/// The projections and the ledger: every read model.
pub const PROJECTIONS: Group = Group {
    name: "hub_projections_rw",
    dev_login: "hub_dev_projections",
    appends_events: false,
    tables: &[],
    inserts: &[],
    updates: &[],
    deletes: &[],
    read_models: true,
};

/// The notifier: notifications, the mail outbox; marks admin messages sent.
pub const NOTIFIER: Group = Group {
    name: "hub_notifier_rw",
    dev_login: "hub_dev_notifier",
    appends_events: false,
    tables: &["notifications", "mail_outbox"],
    inserts: &[],
    updates: &["admin_messages"],
    deletes: &[],
    read_models: false,
};

/// The read API: SELECTs everything; issues and spends the SSE stream's
/// one-time tickets (INSERT, DELETE; never UPDATE: a ticket is not extended).
pub const READ_API: Group = Group {
    name: "hub_read_rw",
    dev_login: "hub_dev_read",
    appends_events: false,
    tables: &[],
    inserts: &["stream_tickets"],
    updates: &[],
    deletes: &["stream_tickets"],
    read_models: false,
};

/// Every group a hub role logs in with.
pub const GROUPS: [Group; 6] = [COMMAND, PROCESSES, RELAY, PROJECTIONS, NOTIFIER, READ_API];

/// Tables of `public` no role writes but the owner: the event store's own
/// (appended through the groups' `events` grant), and the migrations' log.
pub const OWNER_ONLY: &[&str] = &["events", "snapshots", "_sqlx_migrations"];

/// Creates the group roles and `hub dev`'s logins when missing.
/// Needs `CREATEROLE` (the local superuser in development and tests);
/// concurrent callers may race, and the loser's duplicate is ignored.
pub async fn ensure_dev_roles(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut roles = vec![
        (READER.to_owned(), "NOLOGIN".to_owned()),
        (WRITER.to_owned(), "NOLOGIN".to_owned()),
    ];
    for group in GROUPS {
        roles.push((group.name.to_owned(), "NOLOGIN".to_owned()));
        roles.push((
            group.dev_login.to_owned(),
            format!("LOGIN IN ROLE {}", group.name),
        ));
    }
    roles.push((
        DEV_WRITER_LOGIN.to_owned(),
        format!("LOGIN IN ROLE {WRITER}"),
    ));
    roles.push((
        DEV_READER_LOGIN.to_owned(),
        format!("LOGIN IN ROLE {READER}"),
    ));
    for (role, options) in roles {
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

/// Grants the groups what they may do on every table the migrations made,
/// and on tables the same owner makes later in those schemas, in one
/// transaction (no moment without them). Idempotent and exact: what a group
/// held before and no longer should is revoked (a release that narrows a
/// role narrows it). `hub migrate` runs it after the migrations. Groups that
/// do not exist yet are skipped: run it again once an operator created them.
pub async fn grant(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    grant_on(&mut tx).await?;
    tx.commit().await
}

/// [`grant`] on one connection, so a transaction that moves tables into
/// `read` (a projection rebuild's swap) grants them before it commits:
/// default privileges follow the schema a table is made in, not the one it
/// is moved to.
pub async fn grant_on(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(&mut *conn)
            .await?;
    let mut statements = Vec::new();
    if exists(conn, READER).await? {
        statements.extend(reset(READER));
        statements.push(format!("GRANT USAGE ON SCHEMA public, read TO {READER}"));
        statements.push(format!(
            "GRANT SELECT ON ALL TABLES IN SCHEMA public, read TO {READER}"
        ));
        statements.push(format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public, read GRANT SELECT ON TABLES TO {READER}"
        ));
    }
    for group in GROUPS {
        if exists(conn, group.name).await? {
            statements.extend(group_statements(&group, &existing));
        }
    }
    if exists(conn, WRITER).await? {
        // The union group held every privilege itself before the groups
        // split: take those back, keep only the memberships.
        statements.extend(reset(WRITER));
        for group in GROUPS {
            if exists(conn, group.name).await? {
                statements.push(format!("GRANT {} TO {WRITER}", group.name));
            }
        }
    }
    for sql in statements {
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Takes back every table and sequence privilege `role` holds in the two
/// schemas, and its default privileges, so what follows is the whole grant.
fn reset(role: &str) -> Vec<String> {
    vec![
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA public, read FROM {role}"),
        format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public, read FROM {role}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public, read REVOKE ALL ON TABLES FROM {role}"),
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public, read REVOKE ALL ON SEQUENCES FROM {role}"
        ),
    ]
}

fn group_statements(group: &Group, existing: &[String]) -> Vec<String> {
    let role = group.name;
    let present = |t: &&&str| existing.iter().any(|e| e == **t);
    let mut sql = reset(role);
    sql.extend([
        format!("GRANT USAGE ON SCHEMA public, read TO {role}"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public, read TO {role}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public, read GRANT SELECT ON TABLES TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public, read TO {role}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public, read GRANT USAGE, SELECT ON SEQUENCES TO {role}"),
    ]);
    if group.appends_events {
        sql.push(format!("GRANT INSERT ON events TO {role}"));
        // postgres-es upserts an aggregate's snapshot.
        sql.push(format!(
            "GRANT INSERT, UPDATE, DELETE ON snapshots TO {role}"
        ));
    }
    for table in group.tables.iter().filter(present) {
        sql.push(format!("GRANT INSERT, UPDATE, DELETE ON {table} TO {role}"));
    }
    for table in group.inserts.iter().filter(present) {
        sql.push(format!("GRANT INSERT ON {table} TO {role}"));
    }
    for table in group.updates.iter().filter(present) {
        sql.push(format!("GRANT UPDATE ON {table} TO {role}"));
    }
    for table in group.deletes.iter().filter(present) {
        sql.push(format!("GRANT DELETE ON {table} TO {role}"));
    }
    if group.read_models {
        sql.push(format!(
            "GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA read TO {role}"
        ));
        sql.push(format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA read GRANT INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {role}"
        ));
    }
    sql
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
