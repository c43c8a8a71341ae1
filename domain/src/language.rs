//! The language an account reads Hub in: its mail and notifications.

use serde::{Deserialize, Serialize};

/// Russian (the default) or English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Russian, the product's first language.
    #[default]
    Ru,
    /// English.
    En,
}

impl Language {
    /// The ISO 639-1 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::En => "en",
        }
    }

    /// The language of an ISO 639-1 code; unknown codes read as Russian.
    pub fn from_code(code: &str) -> Self {
        match code {
            "en" => Language::En,
            _ => Language::Ru,
        }
    }
}
