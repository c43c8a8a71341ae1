//! What the table was measured on: hardware, servers, date, commit.

use sqlx::PgPool;

/// One line per fact, for the report's header.
pub async fn describe(database_url: &str) -> Vec<(&'static str, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let ram = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|r| r.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or_else(
            || "unknown".into(),
            |kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0),
        );
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into());
    let postgres = match PgPool::connect(database_url).await {
        Ok(pool) => {
            let v: Result<String, _> = sqlx::query_scalar("SHOW server_version")
                .fetch_one(&pool)
                .await;
            pool.close().await;
            v.unwrap_or_else(|e| format!("unknown ({e})"))
        }
        Err(e) => format!("unknown ({e})"),
    };
    let rabbitmq = output("rabbitmqctl", &["version"])
        .unwrap_or_else(|| "unknown (rabbitmqctl version did not answer on this machine)".into());
    let commit = output("git", &["rev-parse", "--short", "HEAD"]).map_or_else(
        || "unknown".into(),
        |c| {
            let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{c} (with uncommitted changes)")
            } else {
                c
            }
        },
    );
    vec![
        ("CPU", format!("{cpu}, {cores} cores")),
        ("RAM", ram),
        ("Load average at the start (1, 5, 15 min)", load),
        ("PostgreSQL", postgres),
        ("RabbitMQ", rabbitmq),
        (
            "Date",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        ("Commit", commit),
    ]
}

/// A command's trimmed stdout, if it ran and succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
