//! `hub <role>`: one binary, one image, a subcommand per role (DESIGN §1).

mod dev;
mod dev_clock;
mod dev_mail;
mod ledger_cli;
mod order_cli;
mod roles;
mod seed;
mod settings;
mod spa_headers;
mod story;

use clap::{Parser, Subcommand};

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
    /// Build the read models from RabbitMQ, or rebuild them from the store.
    Projections {
        #[command(subcommand)]
        action: Option<ProjectionsAction>,
    },
    /// Serve the HTTP query side.
    ReadApi,
    /// Send email and in-app notifications (needs HUB_SMTP__URL).
    Notifier,
    /// Run the process managers and the scheduler: money flows, deadlines, payouts.
    Processes,
    /// Move the development clock (`hub dev` and roles with `HUB_CLOCK__DEV=true`).
    DevClock {
        #[command(subcommand)]
        action: DevClockAction,
    },
    /// Run every role in one process with demo data, for a laptop.
    Dev,
    /// The auditor's ledger: export, verify offline, compare with a rebuild.
    Ledger {
        #[command(subcommand)]
        action: LedgerAction,
    },
    /// An order's dispute replay from the event store (needs HUB_DATABASE__URL).
    Order {
        #[command(subcommand)]
        action: OrderAction,
    },
    /// Administration tasks.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Subcommand)]
enum ProjectionsAction {
    /// Replay the store into fresh tables and swap them in; all read models, or one.
    Rebuild {
        /// accounts, catalog, subscriptions, orders, complaints or wallets.
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum LedgerAction {
    /// Stream the ledger as CSV or JSONL (needs HUB_DATABASE__URL).
    Export {
        /// First day (2026-12-01) or RFC 3339 time, inclusive.
        #[arg(long)]
        from: Option<String>,
        /// Last day (inclusive) or RFC 3339 time (exclusive).
        #[arg(long)]
        to: Option<String>,
        /// Only one account, e.g. wallet:<id> or platform:fees.
        #[arg(long)]
        account: Option<String>,
        /// csv or jsonl.
        #[arg(long, default_value = "csv")]
        format: String,
        /// The file to write (stdout when absent).
        #[arg(long, short)]
        out: Option<std::path::PathBuf>,
    },
    /// Check an export offline: the hash chain, the balances, the header.
    Verify {
        /// The exported file.
        file: std::path::PathBuf,
    },
    /// Replay the store into a scratch ledger and compare it with the live one.
    Rebuild,
}

#[derive(Subcommand)]
enum OrderAction {
    /// Every event that touched the order, in commit order, with the state after each.
    History {
        /// The order's id.
        id: String,
        /// Print the JSON the admin API answers instead of lines.
        #[arg(long)]
        json: bool,
        /// Only these kinds, comma-separated: order, subscription, complaint, money.
        #[arg(long)]
        kind: Option<String>,
    },
}

#[derive(Subcommand)]
enum DevClockAction {
    /// Move it forward, e.g. `31d`, `12h`, `90s` or `P31D`.
    Advance {
        /// How far.
        span: String,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an admin or auditor login.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, env = "HUB_ADMIN_PASSWORD")]
        password: String,
        #[arg(long, default_value = "admin")]
        role: domain::Role,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    // `hub ledger export` and `hub order history` write to stdout, where the logs go.
    if !matches!(cli.role, Role::Ledger { .. } | Role::Order { .. }) {
        platform::telemetry::init();
    }
    match cli.role {
        Role::Migrate => roles::migrate().await?,
        Role::CommandApi => roles::command_api().await?,
        Role::Relay => roles::relay().await?,
        Role::Projections { action: None } => roles::projections().await?,
        Role::Projections {
            action: Some(ProjectionsAction::Rebuild { name }),
        } => roles::rebuild(name).await?,
        Role::ReadApi => roles::read_api().await?,
        Role::Dev => dev::run().await?,
        Role::Admin {
            action:
                AdminAction::Create {
                    email,
                    password,
                    role,
                },
        } => roles::create_staff(&email, &password, role).await?,
        Role::Processes => roles::processes().await?,
        Role::DevClock {
            action: DevClockAction::Advance { span },
        } => roles::advance_dev_clock(&span).await?,
        Role::Notifier => roles::notifier().await?,
        Role::Order {
            action: OrderAction::History { id, json, kind },
        } => return order_cli::history(&id, json, kind.as_deref()).await,
        Role::Ledger { action } => {
            return match action {
                LedgerAction::Export {
                    from,
                    to,
                    account,
                    format,
                    out,
                } => {
                    let args = ledger_cli::ExportArgs {
                        from,
                        to,
                        account,
                        format,
                        out,
                    };
                    ledger_cli::export(args).await
                }
                LedgerAction::Verify { file } => ledger_cli::verify(&file),
                LedgerAction::Rebuild => ledger_cli::rebuild().await,
            };
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
