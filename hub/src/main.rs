//! `hub <role>`: one binary, one image, a subcommand per role (DESIGN §1).

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hub", version, about = "Hub, the B2B services marketplace")]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// Apply the database migrations (event store, read models, auth tables).
    Migrate,
    /// Serve the HTTP write side.
    CommandApi,
    /// Relay committed events to RabbitMQ.
    Relay,
    /// Build the read models from RabbitMQ.
    Projections,
    /// Serve the HTTP query side.
    ReadApi,
    /// Send email and in-app notifications.
    Notifier,
    /// Run the process managers (money flows, deadlines).
    Processes,
    /// Run every role in one process with demo data, for a laptop.
    Dev,
}

/// The database every role uses: `HUB_DATABASE__URL`, else `DATABASE_URL`,
/// else the local `hub` database.
fn database_url() -> String {
    std::env::var("HUB_DATABASE__URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/hub".to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.role {
        Role::Migrate => {
            let url = database_url();
            store::ensure_database(&url)
                .await
                .with_context(|| format!("cannot reach PostgreSQL at {url}"))?;
            let pool = store::connect(&url, 2).await?;
            store::migrate(&pool).await?;
            println!("migrations applied to {url}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            let name = match other {
                Role::CommandApi => "command-api",
                Role::Relay => "relay",
                Role::Projections => "projections",
                Role::ReadApi => "read-api",
                Role::Notifier => "notifier",
                Role::Processes => "processes",
                Role::Dev => "dev",
                Role::Migrate => unreachable!("handled above"),
            };
            eprintln!("hub {name}: this role is not built yet");
            Ok(ExitCode::from(2))
        }
    }
}
