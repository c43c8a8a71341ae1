//! What happened to the catalog. Variant names are stored as event types and never change.

use crate::{Money, ServiceType};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

/// Events of the [`Catalog`](super::Catalog). The admin who acted is in the event metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CatalogEvent {
    /// A service type is offered.
    ServiceTypeAdded {
        /// Its code.
        code: ServiceType,
        /// English display name, trimmed.
        name_en: String,
        /// Russian display name, trimmed.
        name_ru: String,
        /// One-off price.
        one_off_price: Money,
        /// Monthly price.
        monthly_price: Money,
    },
    /// A service type's prices changed.
    PricesChanged {
        /// Its code.
        code: ServiceType,
        /// New one-off price.
        one_off_price: Money,
        /// New monthly price.
        monthly_price: Money,
    },
    /// A service type is no longer offered.
    ServiceTypeRetired {
        /// Its code.
        code: ServiceType,
    },
    /// A retired service type is offered again.
    ServiceTypeRestored {
        /// Its code.
        code: ServiceType,
    },
}

impl DomainEvent for CatalogEvent {
    fn event_type(&self) -> String {
        match self {
            CatalogEvent::ServiceTypeAdded { .. } => "ServiceTypeAdded",
            CatalogEvent::PricesChanged { .. } => "PricesChanged",
            CatalogEvent::ServiceTypeRetired { .. } => "ServiceTypeRetired",
            CatalogEvent::ServiceTypeRestored { .. } => "ServiceTypeRestored",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}
