//! Turns stored account events of older shapes into the current ones on load.

use super::AccountEvent;
use cqrs_es::persist::{EventUpcaster, SemanticVersionEventUpcaster};
use serde_json::{Map, Value};

/// Every upcaster for `Account` events, to hand to the event repository.
pub fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(SemanticVersionEventUpcaster::new(
        "ClientRegistered",
        AccountEvent::CLIENT_REGISTERED_VERSION,
        Box::new(client_registered_1_to_2),
    ))]
}

/// 1.0 stored `company_name` and `company_inn` side by side; 2.0 nests them as
/// `company: {name, inn}`. The payload is the externally tagged enum, so the
/// fields sit under the `ClientRegistered` key. A payload of another shape is
/// returned as it is: deserialising it then fails loudly instead of guessing.
fn client_registered_1_to_2(mut payload: Value) -> Value {
    let Some(fields) = payload
        .get_mut("ClientRegistered")
        .and_then(Value::as_object_mut)
    else {
        return payload;
    };
    if fields.contains_key("company") {
        return payload;
    }
    let (Some(name), Some(inn)) = (fields.remove("company_name"), fields.remove("company_inn"))
    else {
        return payload;
    };
    let mut company = Map::new();
    company.insert("name".to_owned(), name);
    company.insert("inn".to_owned(), inn);
    fields.insert("company".to_owned(), Value::Object(company));
    payload
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Company;
    use crate::{AccountId, Email, Inn};
    use chrono::{TimeZone, Utc};
    use cqrs_es::persist::SerializedEvent;
    use serde_json::json;

    /// A `ClientRegistered` as version 1.0 wrote it to the `events` table.
    fn stored_v1() -> SerializedEvent {
        SerializedEvent::new(
            "0190a8e2-6a0b-7c3e-9d41-5f2b8c7e1a00".to_owned(),
            1,
            "Account".to_owned(),
            "ClientRegistered".to_owned(),
            "1.0".to_owned(),
            json!({
                "ClientRegistered": {
                    "account_id": "0190a8e2-6a0b-7c3e-9d41-5f2b8c7e1a00",
                    "email": "buyer@example.ru",
                    "company_name": "ООО Ромашка",
                    "company_inn": "7707083893",
                    "contact_name": "Анна Петрова",
                    "at": "2025-03-01T09:30:00Z"
                }
            }),
            json!({"actor_role": "client"}),
        )
    }

    fn upcast(event: SerializedEvent) -> SerializedEvent {
        upcasters().iter().fold(event, |e, u| {
            if u.can_upcast(&e.event_type, &e.event_version) {
                u.upcast(e)
            } else {
                e
            }
        })
    }

    #[test]
    fn version_1_client_registered_loads_as_version_2() {
        let upcasted = upcast(stored_v1());
        // SemanticVersionEventUpcaster writes the full triple; "2.0.0" is the same version as "2.0".
        assert_eq!(upcasted.event_version, "2.0.0");
        assert_eq!(upcasted.metadata, json!({"actor_role": "client"}));
        let event: AccountEvent = serde_json::from_value(upcasted.payload).unwrap();
        assert_eq!(
            event,
            AccountEvent::ClientRegistered {
                account_id: "0190a8e2-6a0b-7c3e-9d41-5f2b8c7e1a00"
                    .parse::<AccountId>()
                    .unwrap(),
                email: Email::parse("buyer@example.ru").unwrap(),
                company: Company {
                    name: "ООО Ромашка".to_owned(),
                    inn: Inn::parse("7707083893").unwrap(),
                },
                contact_name: "Анна Петрова".to_owned(),
                at: Utc.with_ymd_and_hms(2025, 3, 1, 9, 30, 0).unwrap(),
            }
        );
    }

    #[test]
    fn version_1_json_does_not_deserialize_without_the_upcaster() {
        let raw = stored_v1().payload;
        assert!(serde_json::from_value::<AccountEvent>(raw).is_err());
    }

    #[test]
    fn current_version_is_left_alone() {
        let upcaster = &upcasters()[0];
        assert!(!upcaster.can_upcast("ClientRegistered", "2.0"));
        assert!(!upcaster.can_upcast("ProviderRegistered", "1.0"));
        assert!(upcaster.can_upcast("ClientRegistered", "1.0"));
    }

    #[test]
    fn current_event_round_trips_through_json() {
        let event = AccountEvent::ClientRegistered {
            account_id: AccountId::new(),
            email: Email::parse("a@b.ru").unwrap(),
            company: Company {
                name: "Acme".to_owned(),
                inn: Inn::parse("7736207543").unwrap(),
            },
            contact_name: "Ivan".to_owned(),
            at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["ClientRegistered"]["company"]["inn"], "7736207543");
        assert_eq!(client_registered_1_to_2(json.clone()), json);
        assert_eq!(serde_json::from_value::<AccountEvent>(json).unwrap(), event);
    }
}
