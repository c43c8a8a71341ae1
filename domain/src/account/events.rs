//! What happened to an account. Variant names are stored as event types and never change.

use super::Company;
use crate::{AccountId, Email, Language, Role, ServiceType};
use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

/// Events of an [`Account`](super::Account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AccountEvent {
    /// A client registered. Version 2.0 nests the company; 1.0 had flat
    /// `company_name`/`company_inn` (see `upcasters`).
    ClientRegistered {
        /// The account.
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
    /// A provider registered.
    ProviderRegistered {
        /// The account.
        account_id: AccountId,
        /// Login and contact address.
        email: Email,
        /// The serving company.
        company: Company,
        /// The person to talk to.
        contact_name: String,
        /// What it serves, without duplicates.
        service_types: Vec<ServiceType>,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// An admin or auditor was bootstrapped.
    StaffRegistered {
        /// The account.
        account_id: AccountId,
        /// Admin or auditor.
        role: Role,
        /// Login and contact address.
        email: Email,
        /// The person's name.
        name: String,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// Some profile fields changed; `None` means unchanged.
    ProfileChanged {
        /// The owner or the admin who made the change.
        changed_by: AccountId,
        /// New contact (or staff) name.
        contact_name: Option<String>,
        /// New company name.
        company_name: Option<String>,
        /// New service types.
        service_types: Option<Vec<ServiceType>>,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// The language of the account's mail and notifications changed.
    LanguageChosen {
        /// The language.
        language: Language,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// An admin blocked the account.
    AccountBlocked {
        /// The admin.
        blocked_by: AccountId,
        /// Why.
        reason: String,
        /// When it happened.
        at: DateTime<Utc>,
    },
    /// An admin unblocked the account.
    AccountUnblocked {
        /// The admin.
        unblocked_by: AccountId,
        /// When it happened.
        at: DateTime<Utc>,
    },
}

impl AccountEvent {
    /// The current version of `ClientRegistered`.
    pub const CLIENT_REGISTERED_VERSION: &'static str = "2.0";
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> String {
        match self {
            AccountEvent::ClientRegistered { .. } => "ClientRegistered",
            AccountEvent::ProviderRegistered { .. } => "ProviderRegistered",
            AccountEvent::StaffRegistered { .. } => "StaffRegistered",
            AccountEvent::ProfileChanged { .. } => "ProfileChanged",
            AccountEvent::LanguageChosen { .. } => "LanguageChosen",
            AccountEvent::AccountBlocked { .. } => "AccountBlocked",
            AccountEvent::AccountUnblocked { .. } => "AccountUnblocked",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        match self {
            AccountEvent::ClientRegistered { .. } => Self::CLIENT_REGISTERED_VERSION,
            _ => "1.0",
        }
        .to_owned()
    }
}
