//! The catalog: which service types Hub offers and what each plan costs.
//!
//! A single aggregate instance ([`Catalog::ID`]) holds every service type, so
//! "codes are unique" is decided in one place under optimistic concurrency.

mod aggregate;
mod commands;
mod events;

#[cfg(test)]
mod tests;

pub use aggregate::{Catalog, CatalogError, Offering};
pub use commands::CatalogCommand;
pub use events::CatalogEvent;

/// Longest accepted service type name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
