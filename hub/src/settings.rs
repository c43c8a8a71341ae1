//! Where every role finds PostgreSQL, RabbitMQ and its HTTP settings.

use platform::{Env, Settings};

/// The database every role uses: `HUB_DATABASE__URL`, else `DATABASE_URL`,
/// else the local `hub` database.
pub fn database_url() -> String {
    std::env::var("HUB_DATABASE__URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| platform::DatabaseSettings::DEV_URL.to_owned())
}

/// RabbitMQ: `HUB_AMQP__URL`, else `AMQP_URL`, else the local broker.
pub fn amqp_url() -> String {
    std::env::var("HUB_AMQP__URL")
        .or_else(|_| std::env::var("AMQP_URL"))
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// The HTTP roles' settings from `HUB_*`. `hub dev` passes `dev = true`: a
/// laptop has no secret store, so a random signing key is made per run
/// (tokens then die with the process, which is what a demo wants).
pub fn http_settings(dev: bool) -> anyhow::Result<Settings> {
    let mut pairs: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("HUB_"))
        .collect();
    if !pairs.iter().any(|(k, _)| k == "HUB_DATABASE__URL") {
        pairs.push(("HUB_DATABASE__URL".into(), database_url()));
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
