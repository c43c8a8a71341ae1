//! A deployed role without its database or broker named refuses to start
//! and says which variable to set, instead of quietly trying a laptop's
//! `127.0.0.1` (security review finding of [9]); `hub dev` keeps its local
//! defaults.

use std::process::Command;

fn without_urls(role: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hub"))
        .arg(role)
        .env_remove("HUB_DATABASE__URL")
        .env_remove("DATABASE_URL")
        .env_remove("HUB_AMQP__URL")
        .env_remove("AMQP_URL")
        .env("HUB_SMTP__URL", "smtp://127.0.0.1:1")
        .env("HUB_PAYOUTS__BANK", "sandbox")
        .env("HUB_AUTH__JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .env(
            "HUB_PAYMENTS__WEBHOOK_SECRET",
            "0123456789abcdef0123456789abcdef",
        )
        .env(
            "HUB_PAYMENTS__WEBHOOK_URL",
            "http://127.0.0.1:1/api/v1/payments/webhook",
        )
        .env("HUB_HTTP__ADDR", "127.0.0.1:0")
        .env("HUB_METRICS__ADDR", "127.0.0.1:0")
        .output()
        .expect("run hub")
}

#[test]
fn every_deployed_role_names_the_missing_url_and_exits() {
    for role in [
        "migrate",
        "command-api",
        "read-api",
        "relay",
        "projections",
        "processes",
        "notifier",
    ] {
        let out = without_urls(role);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "hub {role} started without a database"
        );
        assert!(
            said.contains("HUB_DATABASE__URL must be set"),
            "hub {role}: {said}"
        );
    }
}
