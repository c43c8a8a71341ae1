//! Who, why and when: the metadata stored beside every event (DESIGN §2).
//!
//! cqrs-es keeps metadata as a `HashMap<String, String>`; every event carries
//! all five keys so consumers never have to guess whether one was forgotten.
//! An absent actor or cause is stored as an empty string, a process manager's
//! role as `system`.

use chrono::{DateTime, SecondsFormat, Utc};
use domain::{AccountId, Actor, Role};
use std::collections::HashMap;
use uuid::Uuid;

/// Key of the acting account's id (empty for the system).
pub const ACTOR_ID: &str = "actor_id";
/// Key of the acting account's role (`client`, `provider`, `admin`, `auditor` or `system`).
pub const ACTOR_ROLE: &str = "actor_role";
/// Key of the id shared by everything one request or process set off.
pub const CORRELATION_ID: &str = "correlation_id";
/// Key of the id of the message (event or command) that caused this one (empty if none).
pub const CAUSATION_ID: &str = "causation_id";
/// Key of the time the command was issued, RFC 3339 in UTC.
pub const OCCURRED_AT: &str = "occurred_at";

/// The role written for commands issued by process managers.
pub const SYSTEM_ROLE: &str = "system";

/// The metadata of the events one command produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMetadata {
    /// The account that issued the command; `None` for the system.
    pub actor_id: Option<AccountId>,
    /// That account's role; `None` for the system.
    pub actor_role: Option<Role>,
    /// Shared by everything one request or process set off.
    pub correlation_id: Uuid,
    /// The event or command that caused this one, if any.
    pub causation_id: Option<Uuid>,
    /// When the command was issued.
    pub occurred_at: DateTime<Utc>,
}

/// Metadata read back from the store that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    /// A key is missing.
    #[error("event metadata lacks `{0}`")]
    Missing(&'static str),
    /// A key holds a value of the wrong shape.
    #[error("event metadata `{key}` is invalid: {value:?}")]
    Invalid {
        /// The key at fault.
        key: &'static str,
        /// Its value.
        value: String,
    },
}

impl EventMetadata {
    /// Metadata for a command issued by a person, now, starting a new correlation.
    pub fn by(actor: Actor) -> Self {
        Self {
            actor_id: Some(actor.id),
            actor_role: Some(actor.role),
            correlation_id: Uuid::new_v4(),
            causation_id: None,
            occurred_at: Utc::now(),
        }
    }

    /// Metadata for a command issued by a process manager, now, starting a new correlation.
    pub fn system() -> Self {
        Self {
            actor_id: None,
            actor_role: None,
            correlation_id: Uuid::new_v4(),
            causation_id: None,
            occurred_at: Utc::now(),
        }
    }

    /// Continues an existing correlation (e.g. the request id, or the
    /// correlation of the event a process manager reacts to).
    pub fn correlated_with(mut self, correlation_id: Uuid) -> Self {
        self.correlation_id = correlation_id;
        self
    }

    /// Records what caused this command (e.g. the event a process manager reacts to).
    pub fn caused_by(mut self, causation_id: Uuid) -> Self {
        self.causation_id = Some(causation_id);
        self
    }

    /// Sets the time the command was issued.
    pub fn at(mut self, occurred_at: DateTime<Utc>) -> Self {
        self.occurred_at = occurred_at;
        self
    }

    /// The map cqrs-es stores, with all five keys.
    pub fn to_map(&self) -> HashMap<String, String> {
        HashMap::from([
            (
                ACTOR_ID.to_owned(),
                self.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            ),
            (
                ACTOR_ROLE.to_owned(),
                self.actor_role
                    .map_or(SYSTEM_ROLE, |role| role.as_str())
                    .to_owned(),
            ),
            (CORRELATION_ID.to_owned(), self.correlation_id.to_string()),
            (
                CAUSATION_ID.to_owned(),
                self.causation_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ),
            (
                OCCURRED_AT.to_owned(),
                // Nanoseconds, so a round trip gives back the same instant.
                self.occurred_at
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true),
            ),
        ])
    }

    /// Reads the metadata back from an event.
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, MetadataError> {
        let get = |key: &'static str| map.get(key).ok_or(MetadataError::Missing(key));
        let invalid = |key: &'static str, value: &str| MetadataError::Invalid {
            key,
            value: value.to_owned(),
        };

        let actor_id = match get(ACTOR_ID)?.as_str() {
            "" => None,
            raw => Some(
                raw.parse::<AccountId>()
                    .map_err(|_| invalid(ACTOR_ID, raw))?,
            ),
        };
        let actor_role = match get(ACTOR_ROLE)?.as_str() {
            SYSTEM_ROLE => None,
            raw => Some(raw.parse::<Role>().map_err(|_| invalid(ACTOR_ROLE, raw))?),
        };
        if actor_id.is_some() != actor_role.is_some() {
            return Err(invalid(ACTOR_ROLE, get(ACTOR_ROLE)?));
        }
        let raw = get(CORRELATION_ID)?;
        let correlation_id = raw.parse().map_err(|_| invalid(CORRELATION_ID, raw))?;
        let causation_id = match get(CAUSATION_ID)?.as_str() {
            "" => None,
            raw => Some(raw.parse().map_err(|_| invalid(CAUSATION_ID, raw))?),
        };
        let raw = get(OCCURRED_AT)?;
        let occurred_at = DateTime::parse_from_rfc3339(raw)
            .map_err(|_| invalid(OCCURRED_AT, raw))?
            .with_timezone(&Utc);
        Ok(Self {
            actor_id,
            actor_role,
            correlation_id,
            causation_id,
            occurred_at,
        })
    }
}

impl From<&EventMetadata> for HashMap<String, String> {
    fn from(metadata: &EventMetadata) -> Self {
        metadata.to_map()
    }
}

impl TryFrom<&HashMap<String, String>> for EventMetadata {
    type Error = MetadataError;
    fn try_from(map: &HashMap<String, String>) -> Result<Self, Self::Error> {
        Self::from_map(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_metadata_round_trips_with_all_five_keys() {
        let actor = Actor::new(AccountId::new(), Role::Provider);
        let metadata = EventMetadata::by(actor).caused_by(Uuid::new_v4());
        let map = metadata.to_map();
        let mut keys: Vec<_> = map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "actor_id",
                "actor_role",
                "causation_id",
                "correlation_id",
                "occurred_at"
            ]
        );
        assert_eq!(map["actor_role"], "provider");
        assert_eq!(EventMetadata::from_map(&map), Ok(metadata));
    }

    #[test]
    fn the_systems_metadata_round_trips_as_system_without_actor() {
        let metadata = EventMetadata::system();
        let map = metadata.to_map();
        assert_eq!(map["actor_role"], "system");
        assert_eq!(map["actor_id"], "");
        assert_eq!(map["causation_id"], "");
        assert_eq!(EventMetadata::from_map(&map), Ok(metadata));
    }

    #[test]
    fn a_missing_key_is_reported() {
        let mut map = EventMetadata::system().to_map();
        map.remove("correlation_id");
        assert_eq!(
            EventMetadata::from_map(&map),
            Err(MetadataError::Missing("correlation_id"))
        );
    }

    #[test]
    fn an_unknown_role_is_reported() {
        let mut map = EventMetadata::by(Actor::new(AccountId::new(), Role::Admin)).to_map();
        map.insert("actor_role".into(), "root".into());
        assert!(matches!(
            EventMetadata::from_map(&map),
            Err(MetadataError::Invalid {
                key: "actor_role",
                ..
            })
        ));
    }

    #[test]
    fn a_role_without_an_actor_is_reported() {
        let mut map = EventMetadata::system().to_map();
        map.insert("actor_role".into(), "admin".into());
        assert!(EventMetadata::from_map(&map).is_err());
    }
}
