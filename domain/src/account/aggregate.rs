//! The account aggregate: its state, its rules and how events change it.

use super::{
    AccountCommand, AccountEvent, Company, MAX_NAME_CHARS, MAX_REASON_CHARS, MAX_SERVICE_TYPES,
};
use crate::{AccountId, Actor, Email, Language, Role, RuleViolation, ServiceType};
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};

/// Why an account command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// A register command reached an account that already exists.
    #[error("the account is already registered")]
    AlreadyRegistered,
    /// A command other than registration reached an account that does not exist.
    #[error("the account is not registered")]
    NotRegistered,
    /// A name or reason is blank or too long once trimmed.
    #[error("{field} must be 1 to {max} characters")]
    InvalidText {
        /// The field at fault.
        field: &'static str,
        /// Its limit in characters.
        max: usize,
    },
    /// A provider must serve at least one service type.
    #[error("at least one service type is required")]
    NoServiceTypes,
    /// A provider may serve at most [`MAX_SERVICE_TYPES`] service types.
    #[error("at most {MAX_SERVICE_TYPES} service types are allowed")]
    TooManyServiceTypes,
    /// Staff are admins or auditors only.
    #[error("a staff account must be an admin or an auditor")]
    NotAStaffRole,
    /// Only the account itself or an admin may change a profile.
    #[error("only the account owner or an admin may change this profile")]
    NotOwnerOrAdmin,
    /// Only an admin may do this.
    #[error("only an admin may do this")]
    NotAdmin,
    /// A blocked account's profile is frozen until it is unblocked.
    #[error("the account is blocked")]
    Blocked,
    /// Service types belong to providers only.
    #[error("only providers have service types")]
    NotAProvider,
    /// Staff accounts have no company.
    #[error("this account has no company")]
    NoCompany,
    /// A profile change that changes nothing.
    #[error("nothing to change")]
    NothingToChange,
    /// Block on a blocked account.
    #[error("the account is already blocked")]
    AlreadyBlocked,
    /// Unblock on an account that is not blocked.
    #[error("the account is not blocked")]
    NotBlocked,
    /// An admin may not block their own account, so the last admin cannot lock everyone out.
    #[error("an admin cannot block their own account")]
    CannotBlockSelf,
}

impl RuleViolation for AccountError {
    fn rule(&self) -> &'static str {
        match self {
            AccountError::AlreadyRegistered => "account_already_registered",
            AccountError::NotRegistered => "account_not_registered",
            AccountError::InvalidText { .. } => "invalid_text",
            AccountError::NoServiceTypes => "no_service_types",
            AccountError::TooManyServiceTypes => "too_many_service_types",
            AccountError::NotAStaffRole => "not_a_staff_role",
            AccountError::NotOwnerOrAdmin => "not_owner_or_admin",
            AccountError::NotAdmin => "not_admin",
            AccountError::Blocked => "account_blocked",
            AccountError::NotAProvider => "not_a_provider",
            AccountError::NoCompany => "no_company",
            AccountError::NothingToChange => "nothing_to_change",
            AccountError::AlreadyBlocked => "account_already_blocked",
            AccountError::NotBlocked => "account_not_blocked",
            AccountError::CannotBlockSelf => "cannot_block_self",
        }
    }
}

/// A registered account, or the empty default before registration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    id: Option<AccountId>,
    role: Option<Role>,
    email: Option<Email>,
    company: Option<Company>,
    /// The contact person for clients and providers, the person for staff.
    name: String,
    service_types: Vec<ServiceType>,
    blocked: bool,
    registered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    language: Language,
}

impl Account {
    /// The account's id, once registered.
    pub fn id(&self) -> Option<AccountId> {
        self.id
    }
    /// The account's role, once registered.
    pub fn role(&self) -> Option<Role> {
        self.role
    }
    /// The login and contact address, once registered.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }
    /// The company of a client or provider; `None` for staff.
    pub fn company(&self) -> Option<&Company> {
        self.company.as_ref()
    }
    /// The contact person (client, provider) or the person (staff).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What a provider serves; empty for other roles.
    pub fn service_types(&self) -> &[ServiceType] {
        &self.service_types
    }
    /// True if the provider serves `service_type`.
    pub fn serves(&self, service_type: &ServiceType) -> bool {
        self.service_types.contains(service_type)
    }
    /// True while an admin has the account blocked.
    pub fn is_blocked(&self) -> bool {
        self.blocked
    }
    /// The language of its mail and notifications.
    pub fn language(&self) -> Language {
        self.language
    }
    /// When it registered.
    pub fn registered_at(&self) -> Option<DateTime<Utc>> {
        self.registered_at
    }
    /// True once one of the register commands succeeded.
    pub fn is_registered(&self) -> bool {
        self.id.is_some()
    }

    fn ensure_unregistered(&self) -> Result<(), AccountError> {
        if self.is_registered() {
            return Err(AccountError::AlreadyRegistered);
        }
        Ok(())
    }

    fn ensure_registered(&self) -> Result<AccountId, AccountError> {
        self.id.ok_or(AccountError::NotRegistered)
    }
}

/// Trims `value` and checks it holds 1..=`max` characters.
fn text(field: &'static str, value: &str, max: usize) -> Result<String, AccountError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(AccountError::InvalidText { field, max });
    }
    Ok(value.to_owned())
}

/// Drops repeats (keeping the first), then checks 1..=[`MAX_SERVICE_TYPES`].
fn service_types(types: Vec<ServiceType>) -> Result<Vec<ServiceType>, AccountError> {
    let mut unique: Vec<ServiceType> = Vec::with_capacity(types.len());
    for t in types {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    match unique.len() {
        0 => Err(AccountError::NoServiceTypes),
        n if n > MAX_SERVICE_TYPES => Err(AccountError::TooManyServiceTypes),
        _ => Ok(unique),
    }
}

fn company(company: Company) -> Result<Company, AccountError> {
    Ok(Company {
        name: text("company.name", &company.name, MAX_NAME_CHARS)?,
        inn: company.inn,
    })
}

fn admin(actor: &Actor) -> Result<(), AccountError> {
    if !actor.is_admin() {
        return Err(AccountError::NotAdmin);
    }
    Ok(())
}

impl Account {
    fn decide(&self, command: AccountCommand) -> Result<AccountEvent, AccountError> {
        match command {
            AccountCommand::RegisterClient {
                account_id,
                email,
                company: c,
                contact_name,
                at,
            } => {
                self.ensure_unregistered()?;
                Ok(AccountEvent::ClientRegistered {
                    account_id,
                    email,
                    company: company(c)?,
                    contact_name: text("contact_name", &contact_name, MAX_NAME_CHARS)?,
                    at,
                })
            }
            AccountCommand::RegisterProvider {
                account_id,
                email,
                company: c,
                contact_name,
                service_types: types,
                at,
            } => {
                self.ensure_unregistered()?;
                Ok(AccountEvent::ProviderRegistered {
                    account_id,
                    email,
                    company: company(c)?,
                    contact_name: text("contact_name", &contact_name, MAX_NAME_CHARS)?,
                    service_types: service_types(types)?,
                    at,
                })
            }
            AccountCommand::RegisterStaff {
                account_id,
                role,
                email,
                name,
                at,
            } => {
                self.ensure_unregistered()?;
                if !matches!(role, Role::Admin | Role::Auditor) {
                    return Err(AccountError::NotAStaffRole);
                }
                Ok(AccountEvent::StaffRegistered {
                    account_id,
                    role,
                    email,
                    name: text("name", &name, MAX_NAME_CHARS)?,
                    at,
                })
            }
            AccountCommand::ChangeProfile {
                actor,
                contact_name,
                company_name,
                service_types: types,
                at,
            } => {
                let id = self.ensure_registered()?;
                if actor.id != id && !actor.is_admin() {
                    return Err(AccountError::NotOwnerOrAdmin);
                }
                if self.blocked {
                    return Err(AccountError::Blocked);
                }
                if contact_name.is_none() && company_name.is_none() && types.is_none() {
                    return Err(AccountError::NothingToChange);
                }
                if company_name.is_some() && self.company.is_none() {
                    return Err(AccountError::NoCompany);
                }
                if types.is_some() && self.role != Some(Role::Provider) {
                    return Err(AccountError::NotAProvider);
                }
                Ok(AccountEvent::ProfileChanged {
                    changed_by: actor.id,
                    contact_name: contact_name
                        .map(|n| text("contact_name", &n, MAX_NAME_CHARS))
                        .transpose()?,
                    company_name: company_name
                        .map(|n| text("company_name", &n, MAX_NAME_CHARS))
                        .transpose()?,
                    service_types: types.map(service_types).transpose()?,
                    at,
                })
            }
            AccountCommand::ChooseLanguage {
                actor,
                language,
                at,
            } => {
                let id = self.ensure_registered()?;
                if actor.id != id && !actor.is_admin() {
                    return Err(AccountError::NotOwnerOrAdmin);
                }
                if language == self.language {
                    return Err(AccountError::NothingToChange);
                }
                Ok(AccountEvent::LanguageChosen { language, at })
            }
            AccountCommand::Block { actor, reason, at } => {
                let id = self.ensure_registered()?;
                admin(&actor)?;
                if actor.id == id {
                    return Err(AccountError::CannotBlockSelf);
                }
                if self.blocked {
                    return Err(AccountError::AlreadyBlocked);
                }
                Ok(AccountEvent::AccountBlocked {
                    blocked_by: actor.id,
                    reason: text("reason", &reason, MAX_REASON_CHARS)?,
                    at,
                })
            }
            AccountCommand::Unblock { actor, at } => {
                self.ensure_registered()?;
                admin(&actor)?;
                if !self.blocked {
                    return Err(AccountError::NotBlocked);
                }
                Ok(AccountEvent::AccountUnblocked {
                    unblocked_by: actor.id,
                    at,
                })
            }
        }
    }
}

impl Aggregate for Account {
    const TYPE: &'static str = "Account";
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AccountEvent::ClientRegistered {
                account_id,
                email,
                company,
                contact_name,
                at,
            } => {
                self.id = Some(account_id);
                self.role = Some(Role::Client);
                self.email = Some(email);
                self.company = Some(company);
                self.name = contact_name;
                self.registered_at = Some(at);
            }
            AccountEvent::ProviderRegistered {
                account_id,
                email,
                company,
                contact_name,
                service_types,
                at,
            } => {
                self.id = Some(account_id);
                self.role = Some(Role::Provider);
                self.email = Some(email);
                self.company = Some(company);
                self.name = contact_name;
                self.service_types = service_types;
                self.registered_at = Some(at);
            }
            AccountEvent::StaffRegistered {
                account_id,
                role,
                email,
                name,
                at,
            } => {
                self.id = Some(account_id);
                self.role = Some(role);
                self.email = Some(email);
                self.name = name;
                self.registered_at = Some(at);
            }
            AccountEvent::ProfileChanged {
                contact_name,
                company_name,
                service_types,
                ..
            } => {
                if let Some(name) = contact_name {
                    self.name = name;
                }
                if let (Some(name), Some(company)) = (company_name, self.company.as_mut()) {
                    company.name = name;
                }
                if let Some(types) = service_types {
                    self.service_types = types;
                }
            }
            AccountEvent::LanguageChosen { language, .. } => self.language = language,
            AccountEvent::AccountBlocked { .. } => self.blocked = true,
            AccountEvent::AccountUnblocked { .. } => self.blocked = false,
        }
    }
}
