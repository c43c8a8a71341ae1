//! Spreads a problem+json answer over a form: each field error next to its field, the rest on top.

use std::collections::BTreeMap;

use crate::api::types::Problem;

/// Errors to show on a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    /// Message per form field name.
    pub fields: BTreeMap<String, String>,
    /// Message for the whole form: the problem's detail when no field took it,
    /// plus errors about fields the form does not show.
    pub general: Option<String>,
}

impl FormErrors {
    /// Splits `problem` over the fields in `known` (field paths as the API names them, e.g. `company.inn`).
    pub fn from_problem(problem: &Problem, known: &[&str]) -> FormErrors {
        let mut fields = BTreeMap::new();
        let mut unplaced = Vec::new();
        for e in &problem.errors {
            let field = normalise(&e.field);
            if known.contains(&field.as_str()) {
                // The first message per field is enough for a person to act on.
                fields.entry(field).or_insert_with(|| e.message.clone());
            } else {
                unplaced.push(e.message.clone());
            }
        }
        let general = if !unplaced.is_empty() {
            Some(unplaced.join(" "))
        } else if fields.is_empty() {
            problem
                .detail
                .clone()
                .or_else(|| problem.title.clone())
                .filter(|s| !s.trim().is_empty())
        } else {
            None
        };
        FormErrors { fields, general }
    }

    /// A form-level message only.
    pub fn general(message: impl Into<String>) -> FormErrors {
        FormErrors {
            fields: BTreeMap::new(),
            general: Some(message.into()),
        }
    }

    /// The message for `field`, if any.
    pub fn field(&self, field: &str) -> Option<String> {
        self.fields.get(field).cloned()
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }
}

/// Accepts the JSON Pointer (`/company/inn`) and bracket (`service_types[0]`) spellings too.
fn normalise(field: &str) -> String {
    let dotted = field.trim_start_matches('/').replace('/', ".");
    match dotted.find('[') {
        Some(i) => dotted[..i].to_string(),
        None => dotted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::FieldProblem;

    const FIELDS: &[&str] = &["email", "password", "company.inn"];

    fn problem(errors: &[(&str, &str)], detail: Option<&str>) -> Problem {
        Problem {
            status: 422,
            detail: detail.map(str::to_string),
            errors: errors
                .iter()
                .map(|(f, m)| FieldProblem {
                    field: f.to_string(),
                    message: m.to_string(),
                })
                .collect(),
            ..Problem::default()
        }
    }

    #[test]
    fn field_errors_go_next_to_their_fields_and_hide_the_detail() {
        let e = FormErrors::from_problem(
            &problem(
                &[("email", "taken"), ("company.inn", "bad checksum")],
                Some("Validation failed"),
            ),
            FIELDS,
        );
        assert_eq!(e.field("email").as_deref(), Some("taken"));
        assert_eq!(e.field("company.inn").as_deref(), Some("bad checksum"));
        assert_eq!(e.general, None);
    }

    #[test]
    fn detail_is_shown_when_no_field_is_named() {
        let e = FormErrors::from_problem(&problem(&[], Some("Wrong email or password")), FIELDS);
        assert!(e.fields.is_empty());
        assert_eq!(e.general.as_deref(), Some("Wrong email or password"));
    }

    #[test]
    fn errors_for_fields_the_form_lacks_go_on_top() {
        let e = FormErrors::from_problem(&problem(&[("plan", "unknown plan")], Some("x")), FIELDS);
        assert_eq!(e.general.as_deref(), Some("unknown plan"));
    }

    #[test]
    fn pointer_and_index_spellings_map_to_the_field() {
        let e = FormErrors::from_problem(
            &problem(&[("/company/inn", "bad"), ("email[0]", "worse")], None),
            FIELDS,
        );
        assert_eq!(e.field("company.inn").as_deref(), Some("bad"));
        assert_eq!(e.field("email").as_deref(), Some("worse"));
    }

    #[test]
    fn first_message_per_field_wins() {
        let e = FormErrors::from_problem(
            &problem(&[("password", "too short"), ("password", "no digit")], None),
            FIELDS,
        );
        assert_eq!(e.field("password").as_deref(), Some("too short"));
    }
}
