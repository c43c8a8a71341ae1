//! The catalog aggregate: its state, its rules and how events change it.

use super::{CatalogCommand, CatalogEvent, MAX_NAME_CHARS};
use crate::{Actor, Money, Plan, RuleViolation, ServiceType};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a catalog command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Only admins edit the catalog.
    #[error("only an admin may edit the catalog")]
    NotAdmin,
    /// The code is already in the catalog (retired codes included: restore them instead).
    #[error("service type `{0}` already exists")]
    DuplicateCode(ServiceType),
    /// The code is not in the catalog.
    #[error("service type `{0}` is not in the catalog")]
    UnknownServiceType(ServiceType),
    /// Retire on a retired service type.
    #[error("service type `{0}` is already retired")]
    AlreadyRetired(ServiceType),
    /// Restore on an active service type.
    #[error("service type `{0}` is not retired")]
    NotRetired(ServiceType),
    /// A price of zero.
    #[error("{field} must be greater than zero")]
    PriceNotPositive {
        /// The field at fault.
        field: &'static str,
    },
    /// A name is blank or too long once trimmed.
    #[error("{field} must be 1 to {MAX_NAME_CHARS} characters")]
    InvalidName {
        /// The field at fault.
        field: &'static str,
    },
}

impl RuleViolation for CatalogError {
    fn rule(&self) -> &'static str {
        match self {
            CatalogError::NotAdmin => "not_admin",
            CatalogError::DuplicateCode(_) => "duplicate_service_type",
            CatalogError::UnknownServiceType(_) => "unknown_service_type",
            CatalogError::AlreadyRetired(_) => "service_type_already_retired",
            CatalogError::NotRetired(_) => "service_type_not_retired",
            CatalogError::PriceNotPositive { .. } => "price_not_positive",
            CatalogError::InvalidName { .. } => "invalid_text",
        }
    }
}

/// One service type as the catalog knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offering {
    /// Its code.
    pub code: ServiceType,
    /// English display name.
    pub name_en: String,
    /// Russian display name.
    pub name_ru: String,
    /// Price of a one-off request.
    pub one_off_price: Money,
    /// Price of a month.
    pub monthly_price: Money,
    /// True once retired: kept for history, not offered to new subscriptions.
    pub retired: bool,
}

impl Offering {
    /// The price of `plan`.
    pub fn price(&self, plan: Plan) -> Money {
        match plan {
            Plan::OneOff => self.one_off_price,
            Plan::Monthly => self.monthly_price,
        }
    }
}

/// Every service type Hub has ever offered, keyed by code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    offerings: BTreeMap<ServiceType, Offering>,
}

impl Catalog {
    /// The id of the one catalog instance.
    pub const ID: &'static str = "catalog";

    /// The price of `plan` for `code`; `None` when the code is unknown or retired.
    pub fn price(&self, code: &ServiceType, plan: Plan) -> Option<Money> {
        self.offered(code).map(|o| o.price(plan))
    }

    /// True when `code` exists and is not retired.
    pub fn is_offered(&self, code: &ServiceType) -> bool {
        self.offered(code).is_some()
    }

    /// Every service type, retired ones included, ordered by code.
    pub fn service_types(&self) -> impl Iterator<Item = &Offering> {
        self.offerings.values()
    }

    /// One service type, retired or not.
    pub fn get(&self, code: &ServiceType) -> Option<&Offering> {
        self.offerings.get(code)
    }

    fn offered(&self, code: &ServiceType) -> Option<&Offering> {
        self.offerings.get(code).filter(|o| !o.retired)
    }

    fn existing(&self, code: &ServiceType) -> Result<&Offering, CatalogError> {
        self.offerings
            .get(code)
            .ok_or_else(|| CatalogError::UnknownServiceType(code.clone()))
    }

    fn decide(&self, command: CatalogCommand) -> Result<CatalogEvent, CatalogError> {
        match command {
            CatalogCommand::AddServiceType {
                actor,
                code,
                name_en,
                name_ru,
                one_off_price,
                monthly_price,
            } => {
                admin(&actor)?;
                if self.offerings.contains_key(&code) {
                    return Err(CatalogError::DuplicateCode(code));
                }
                Ok(CatalogEvent::ServiceTypeAdded {
                    code,
                    name_en: name("name_en", &name_en)?,
                    name_ru: name("name_ru", &name_ru)?,
                    one_off_price: positive("one_off_price", one_off_price)?,
                    monthly_price: positive("monthly_price", monthly_price)?,
                })
            }
            CatalogCommand::ChangePrices {
                actor,
                code,
                one_off_price,
                monthly_price,
            } => {
                admin(&actor)?;
                self.existing(&code)?;
                Ok(CatalogEvent::PricesChanged {
                    code,
                    one_off_price: positive("one_off_price", one_off_price)?,
                    monthly_price: positive("monthly_price", monthly_price)?,
                })
            }
            CatalogCommand::RetireServiceType { actor, code } => {
                admin(&actor)?;
                if self.existing(&code)?.retired {
                    return Err(CatalogError::AlreadyRetired(code));
                }
                Ok(CatalogEvent::ServiceTypeRetired { code })
            }
            CatalogCommand::RestoreServiceType { actor, code } => {
                admin(&actor)?;
                if !self.existing(&code)?.retired {
                    return Err(CatalogError::NotRetired(code));
                }
                Ok(CatalogEvent::ServiceTypeRestored { code })
            }
        }
    }
}

fn admin(actor: &Actor) -> Result<(), CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::NotAdmin);
    }
    Ok(())
}

fn name(field: &'static str, value: &str) -> Result<String, CatalogError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_NAME_CHARS {
        return Err(CatalogError::InvalidName { field });
    }
    Ok(value.to_owned())
}

fn positive(field: &'static str, price: Money) -> Result<Money, CatalogError> {
    if price.is_zero() {
        return Err(CatalogError::PriceNotPositive { field });
    }
    Ok(price)
}

impl Aggregate for Catalog {
    const TYPE: &'static str = "Catalog";
    type Command = CatalogCommand;
    type Event = CatalogEvent;
    type Error = CatalogError;
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
            CatalogEvent::ServiceTypeAdded {
                code,
                name_en,
                name_ru,
                one_off_price,
                monthly_price,
            } => {
                self.offerings.insert(
                    code.clone(),
                    Offering {
                        code,
                        name_en,
                        name_ru,
                        one_off_price,
                        monthly_price,
                        retired: false,
                    },
                );
            }
            CatalogEvent::PricesChanged {
                code,
                one_off_price,
                monthly_price,
            } => {
                if let Some(o) = self.offerings.get_mut(&code) {
                    o.one_off_price = one_off_price;
                    o.monthly_price = monthly_price;
                }
            }
            CatalogEvent::ServiceTypeRetired { code } => {
                if let Some(o) = self.offerings.get_mut(&code) {
                    o.retired = true;
                }
            }
            CatalogEvent::ServiceTypeRestored { code } => {
                if let Some(o) = self.offerings.get_mut(&code) {
                    o.retired = false;
                }
            }
        }
    }
}
