//! The read models, one projection each.

mod accounts;
mod catalog;
mod complaints;
mod orders;
mod subscriptions;
mod wallets;

pub use accounts::Accounts;
pub use catalog::Catalog;
pub use complaints::Complaints;
pub use orders::Orders;
pub use subscriptions::Subscriptions;
pub use wallets::{Wallets, mask_account};

use crate::ProjectionError;
use crate::projector::Projection;

/// Every projection Hub runs.
pub fn all() -> Vec<Box<dyn Projection>> {
    vec![
        Box::new(Accounts),
        Box::new(Catalog),
        Box::new(Subscriptions),
        Box::new(Orders),
        Box::new(Complaints),
        Box::new(Wallets),
    ]
}

/// The projection called `name`.
pub fn by_name(name: &str) -> Result<Box<dyn Projection>, ProjectionError> {
    all()
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| ProjectionError::UnknownProjection(name.to_owned()))
}

/// Fails when an UPDATE touched no row: the event refers to something the
/// read model never saw, which only a bug or a lost event explains.
fn expect_row(
    result: sqlx::postgres::PgQueryResult,
    what: &'static str,
    id: impl ToString,
) -> Result<(), ProjectionError> {
    if result.rows_affected() == 0 {
        return Err(ProjectionError::MissingRow {
            what,
            id: id.to_string(),
        });
    }
    Ok(())
}
