//! The admin console's queries, under `/api/v1/admin/`: admins only (403
//! for every other role, whatever the parameters), bad parameters a 400
//! naming the parameter.

pub mod accounts;
pub mod complaints;
pub mod escrow;
pub mod orders;
pub mod subscriptions;

use crate::page::bad_param;
use domain::Role;
use platform::{Caller, Problem};
use std::collections::HashMap;
use uuid::Uuid;

/// 403 unless the caller is an admin.
pub fn require_admin(caller: &Caller) -> Result<(), Problem> {
    caller.require(&[Role::Admin])
}

/// The value of `name` if given, which must be one of `allowed`.
pub fn one_of<'q>(
    q: &'q HashMap<String, String>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<&'q str>, Problem> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(_) => Err(bad_param(
            name,
            format!("must be one of: {}", allowed.join(", ")),
        )),
    }
}

/// `true` or `false`, if given.
pub fn flag(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, Problem> {
    Ok(one_of(q, name, &["true", "false"])?.map(|v| v == "true"))
}

/// A UUID, if given.
pub fn uuid(q: &HashMap<String, String>, name: &str) -> Result<Option<Uuid>, Problem> {
    // Only the hyphenated form, as the document's pattern says (`parse`
    // would take braced, URN and simple forms too).
    q.get(name)
        .map(|v| {
            (v.len() == 36)
                .then(|| v.parse().ok())
                .flatten()
                .ok_or_else(|| bad_param(name, "not a UUID"))
        })
        .transpose()
}
