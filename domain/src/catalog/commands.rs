//! What admins may ask of the catalog.

use crate::{Actor, Money, ServiceType};
use serde::{Deserialize, Serialize};

/// Commands on the [`Catalog`](super::Catalog). Every one needs an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CatalogCommand {
    /// Offer a new service type with both plans' prices.
    AddServiceType {
        /// Who asks.
        actor: Actor,
        /// The new, unique code.
        code: ServiceType,
        /// English display name.
        name_en: String,
        /// Russian display name.
        name_ru: String,
        /// Price of a one-off request; positive.
        one_off_price: Money,
        /// Price of a month of subscription; positive.
        monthly_price: Money,
    },
    /// Reprice an existing service type; running subscriptions keep their price.
    ChangePrices {
        /// Who asks.
        actor: Actor,
        /// The service type.
        code: ServiceType,
        /// New one-off price; positive.
        one_off_price: Money,
        /// New monthly price; positive.
        monthly_price: Money,
    },
    /// Stop offering a service type to new subscriptions.
    RetireServiceType {
        /// Who asks.
        actor: Actor,
        /// The service type.
        code: ServiceType,
    },
    /// Offer a retired service type again, at its last prices.
    RestoreServiceType {
        /// Who asks.
        actor: Actor,
        /// The service type.
        code: ServiceType,
    },
}
