//! What may be asked of an account.

use super::Company;
use crate::{AccountId, Actor, Email, Language, Role, ServiceType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Commands on an [`Account`](super::Account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AccountCommand {
    /// A company registers itself to buy services.
    RegisterClient {
        /// The new account's id (also the aggregate id).
        account_id: AccountId,
        /// Login and contact address.
        email: Email,
        /// The buying company.
        company: Company,
        /// The person to talk to.
        contact_name: String,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// A company registers itself to serve requests of some service types.
    RegisterProvider {
        /// The new account's id (also the aggregate id).
        account_id: AccountId,
        /// Login and contact address.
        email: Email,
        /// The serving company.
        company: Company,
        /// The person to talk to.
        contact_name: String,
        /// What it serves: at least one, at most 20; duplicates are dropped.
        service_types: Vec<ServiceType>,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// An operator bootstraps an admin or auditor.
    RegisterStaff {
        /// The new account's id (also the aggregate id).
        account_id: AccountId,
        /// [`Role::Admin`] or [`Role::Auditor`]; anything else is refused.
        role: Role,
        /// Login and contact address.
        email: Email,
        /// The person's name.
        name: String,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// The account's owner or an admin edits the profile. `None` leaves a field as it is.
    ChangeProfile {
        /// Who asks.
        actor: Actor,
        /// New contact (or, for staff, personal) name.
        contact_name: Option<String>,
        /// New company name; clients and providers only.
        company_name: Option<String>,
        /// New service types; providers only.
        service_types: Option<Vec<ServiceType>>,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// The owner (or an admin) picks the language of the account's mail and
    /// notifications.
    ChooseLanguage {
        /// Who asks.
        actor: Actor,
        /// The language.
        language: Language,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// An admin stops the account from acting.
    Block {
        /// Who asks; must be an admin.
        actor: Actor,
        /// Why, shown to the account and kept for audit.
        reason: String,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// An admin lets a blocked account act again.
    Unblock {
        /// Who asks; must be an admin.
        actor: Actor,
        /// When it happened.
        at: DateTime<Utc>,
    },
}
