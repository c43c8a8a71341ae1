//! The company behind a client or provider account.

use crate::Inn;
use serde::{Deserialize, Serialize};

/// A company's legal name and taxpayer number.
///
/// The name is checked (trimmed, 1..=200 characters) by the aggregate when a
/// command carries it, so the error names the rule that was broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Legal name, trimmed.
    pub name: String,
    /// Taxpayer number, check digits already validated.
    pub inn: Inn,
}
