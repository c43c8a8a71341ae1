//! Who issues a command. The HTTP layer authenticates; the aggregates decide
//! what that caller may do.

use crate::AccountId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A company buying services.
    Client,
    /// A company serving requests of its service types.
    Provider,
    /// Platform staff guaranteeing delivery.
    Admin,
    /// Read-only access to the ledger.
    Auditor,
}

impl Role {
    /// The lowercase name used in tokens, metadata and URLs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Provider => "provider",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "client" => Ok(Role::Client),
            "provider" => Ok(Role::Provider),
            "admin" => Ok(Role::Admin),
            "auditor" => Ok(Role::Auditor),
            other => Err(format!("unknown role `{other}`")),
        }
    }
}

/// The authenticated caller of a command, or `system` for process managers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The caller's account.
    pub id: AccountId,
    /// The caller's role.
    pub role: Role,
}

impl Actor {
    /// Shorthand constructor.
    pub fn new(id: AccountId, role: Role) -> Self {
        Self { id, role }
    }
    /// True for an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
