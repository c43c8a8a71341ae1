//! Query parameters and cursor pagination.
//!
//! Every list is ordered newest first by `(created_at, id)`; the cursor is
//! the opaque base64url of the last item's key, so the next page starts
//! strictly after it and rows inserted meanwhile cause no duplicates or gaps.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use platform::Problem;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The default page size.
pub const DEFAULT_LIMIT: i64 = 20;
/// The largest page size.
pub const MAX_LIMIT: i64 = 100;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// 400 naming the query parameter at fault.
pub fn bad_param(name: &str, message: impl Into<String>) -> Problem {
    let message = message.into();
    Problem::bad_request(format!("query parameter `{name}`: {message}")).with_field(name, message)
}

/// The query string as name → value, refusing names outside `allowed` and
/// repeated names. Empty values count as absent (`?cursor=&limit=`).
pub fn parse_query(
    raw: Option<&str>,
    allowed: &[&str],
) -> Result<HashMap<String, String>, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| Problem::bad_request(format!("the query string does not parse: {e}")))?;
    let mut out = HashMap::new();
    for (name, value) in pairs {
        if !allowed.contains(&name.as_str()) {
            return Err(bad_param(
                &name,
                format!("unknown parameter; expected one of: {}", allowed.join(", ")),
            ));
        }
        if out.contains_key(&name) {
            return Err(bad_param(&name, "given more than once"));
        }
        if !value.is_empty() {
            out.insert(name, value);
        }
    }
    Ok(out)
}

/// The position after which a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last item's creation time.
    pub at: DateTime<Utc>,
    /// The last item's id (breaks ties in time).
    pub id: Uuid,
}

impl Cursor {
    /// The opaque form handed to callers.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.at.timestamp_micros(), self.id))
    }

    /// The key of a list ordered by a sequence number instead of a time
    /// (a wallet's history): the sequence takes the time's place, so the
    /// cursor stays as opaque and parses the same way.
    pub fn for_sequence(sequence: i64) -> Self {
        Self {
            at: DateTime::from_timestamp_micros(sequence).unwrap_or_default(),
            id: Uuid::nil(),
        }
    }

    /// The sequence of a cursor made by [`Cursor::for_sequence`].
    pub fn sequence(&self) -> i64 {
        self.at.timestamp_micros()
    }

    /// Parses what [`Cursor::encode`] produced.
    pub fn decode(raw: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (micros, id) = text.split_once(':')?;
        Some(Self {
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    }
}

/// `cursor` and `limit` of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParams {
    /// Start after this item; `None` for the first page.
    pub after: Option<Cursor>,
    /// Page size, 1..=100.
    pub limit: i64,
}

impl PageParams {
    /// Reads `cursor` and `limit` from parsed query parameters.
    pub fn from_query(q: &HashMap<String, String>) -> Result<Self, Problem> {
        let after = q
            .get("cursor")
            .map(|c| {
                Cursor::decode(c).ok_or_else(|| {
                    bad_param("cursor", "not a cursor this API returned as `next_cursor`")
                })
            })
            .transpose()?;
        let limit = match q.get("limit") {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    bad_param("limit", format!("must be an integer from 1 to {MAX_LIMIT}"))
                })?,
        };
        Ok(Self { after, limit })
    }

    /// Parses the raw query string allowing only `cursor`, `limit` and `extra`.
    pub fn parse(
        raw: Option<&str>,
        extra: &[&str],
    ) -> Result<(Self, HashMap<String, String>), Problem> {
        let mut allowed = vec!["cursor", "limit"];
        allowed.extend_from_slice(extra);
        let q = parse_query(raw, &allowed)?;
        Ok((Self::from_query(&q)?, q))
    }

    /// Rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The cursor's time, for SQL (`NULL` on the first page).
    pub fn after_at(&self) -> Option<DateTime<Utc>> {
        self.after.map(|c| c.at)
    }

    /// The cursor's id, for SQL.
    pub fn after_id(&self) -> Option<Uuid> {
        self.after.map(|c| c.id)
    }

    /// Cuts `rows` (fetched with [`PageParams::fetch`]) to a page, and its next cursor.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> Cursor,
        map: impl FnMut(R) -> T,
    ) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| key(r).encode())
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let c = Cursor {
            at: DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    #[test]
    fn a_sequence_cursor_round_trips() {
        let c = Cursor::for_sequence(123_456);
        assert_eq!(
            Cursor::decode(&c.encode()).map(|c| c.sequence()),
            Some(123_456)
        );
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        assert_eq!(Cursor::decode("!!"), None);
        assert_eq!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode("12:not-a-uuid")),
            None
        );
    }

    #[test]
    fn limits_outside_the_range_name_the_parameter() {
        for bad in ["0", "101", "-1", "ten"] {
            let err = PageParams::parse(Some(&format!("limit={bad}")), &[]).unwrap_err();
            assert_eq!(err.status, 400);
            assert_eq!(err.errors[0].field, "limit");
        }
    }

    #[test]
    fn empty_values_are_defaults_and_unknown_names_are_refused() {
        let (p, _) = PageParams::parse(Some("cursor=&limit="), &[]).unwrap();
        assert_eq!((p.after, p.limit), (None, DEFAULT_LIMIT));
        let err = PageParams::parse(Some("limt=5"), &[]).unwrap_err();
        assert_eq!(err.errors[0].field, "limt");
    }
}
