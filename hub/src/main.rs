//! `hub <role>`: one binary, one image, a subcommand per role (DESIGN §1).

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

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.role {
        other => {
            let name = match other {
                Role::CommandApi => "command-api",
                Role::Relay => "relay",
                Role::Projections => "projections",
                Role::ReadApi => "read-api",
                Role::Notifier => "notifier",
                Role::Processes => "processes",
                Role::Dev => "dev",
                Role::Migrate => "migrate",
            };
            eprintln!("hub {name}: this role is not built yet");
            Ok(ExitCode::from(2))
        }
    }
}
