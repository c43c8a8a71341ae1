//! Where every role finds PostgreSQL, RabbitMQ and its HTTP settings.

use platform::{Env, Settings};

/// The local broker `hub dev` uses when none is named.
const DEV_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// `HUB_<NAME>__URL`, else `<NAME>_URL` (`DATABASE`, `AMQP`).
fn named_url(primary: &str, alternative: &str) -> Option<String> {
    std::env::var(primary)
        .or_else(|_| std::env::var(alternative))
        .ok()
}

/// The database `hub dev` and its tools use: `HUB_DATABASE__URL`, else
/// `DATABASE_URL`, else the local `hub` database.
pub fn database_url() -> String {
    named_url("HUB_DATABASE__URL", "DATABASE_URL")
        .unwrap_or_else(|| platform::DatabaseSettings::DEV_URL.to_owned())
}

/// RabbitMQ for `hub dev`: `HUB_AMQP__URL`, else `AMQP_URL`, else the local broker.
pub fn amqp_url() -> String {
    named_url("HUB_AMQP__URL", "AMQP_URL").unwrap_or_else(|| DEV_AMQP_URL.to_owned())
}

/// The database of a deployed role: named, or the role refuses to start
/// rather than quietly trying a laptop's.
pub fn required_database_url() -> anyhow::Result<String> {
    named_url("HUB_DATABASE__URL", "DATABASE_URL").ok_or_else(|| {
        anyhow::anyhow!(
            "HUB_DATABASE__URL must be set, e.g. postgres://user:password@db:5432/hub (only hub dev defaults to the local database)"
        )
    })
}

/// RabbitMQ of a deployed role: named, or the role refuses to start.
pub fn required_amqp_url() -> anyhow::Result<String> {
    named_url("HUB_AMQP__URL", "AMQP_URL").ok_or_else(|| {
        anyhow::anyhow!(
            "HUB_AMQP__URL must be set, e.g. amqp://user:password@rabbitmq:5672/%2f (only hub dev defaults to the local broker)"
        )
    })
}

/// The HTTP roles' settings from `HUB_*`. `hub dev` passes `dev = true`: a
/// laptop has no secret store, so a random signing key is made per run
/// (tokens then die with the process, which is what a demo wants).
pub fn http_settings(dev: bool) -> anyhow::Result<Settings> {
    let mut pairs: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("HUB_"))
        .collect();
    if !pairs.iter().any(|(k, _)| k == "HUB_DATABASE__URL") {
        let url = if dev {
            database_url()
        } else {
            required_database_url()?
        };
        pairs.push(("HUB_DATABASE__URL".into(), url));
    }
    if dev && !pairs.iter().any(|(k, _)| k == "HUB_AUTH__JWT_SECRET") {
        let key: [u8; 32] = rand::random();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        pairs.push(("HUB_AUTH__JWT_SECRET".into(), hex));
    }
    Ok(Settings::load(&Env::from_pairs(pairs))?)
}

/// RabbitMQ names: `HUB_AMQP__PREFIX` goes before every exchange and queue
/// (empty in production; tests and parallel dev stacks set their own), and
/// `HUB_AMQP__QUEUE_TYPE` is `classic` (default) or `quorum` (the cluster).
pub fn topology() -> anyhow::Result<bus::Topology> {
    let mut topology =
        bus::Topology::with_prefix(&std::env::var("HUB_AMQP__PREFIX").unwrap_or_default());
    if let Ok(kind) = std::env::var("HUB_AMQP__QUEUE_TYPE") {
        topology.queue_type = kind.parse().map_err(|_| {
            anyhow::anyhow!("HUB_AMQP__QUEUE_TYPE must be classic or quorum, not {kind:?}")
        })?;
    }
    Ok(topology)
}
