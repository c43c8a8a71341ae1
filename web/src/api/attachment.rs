//! A file the API answers as an attachment (ledger export, register, act PDF).
//!
//! Such answers need the bearer token, so the app fetches them itself and
//! hands the bytes to the browser (`crate::save_file`) instead of linking to
//! them; the name comes from `Content-Disposition` like a plain download's would.

/// The body of an attachment answer and what its headers say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The body, byte for byte (a CSV's BOM included).
    pub bytes: Vec<u8>,
    /// `Content-Type`, e.g. `text/csv; charset=utf-8`.
    pub content_type: String,
    /// The name the server gave it, if it gave a usable one.
    pub filename: Option<String>,
}

impl Attachment {
    /// The server's name for the file, else `fallback`.
    pub fn name_or(&self, fallback: &str) -> String {
        self.filename
            .clone()
            .unwrap_or_else(|| fallback.to_string())
    }
}

/// The file name of a `Content-Disposition` value (RFC 6266): the UTF-8
/// `filename*` when present and readable, else `filename`. Directories are
/// cut off, so a name can only ever name a file.
pub fn filename_from_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for param in split_params(header).into_iter().skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "filename*" => extended = extended.or_else(|| decode_ext_value(value.trim())),
            "filename" => plain = plain.or_else(|| Some(unquote(value.trim()))),
            _ => {}
        }
    }
    extended
        .or(plain)
        .map(|n| base_name(&n).to_string())
        .filter(|n| !n.trim().is_empty() && n != "." && n != "..")
}

/// Splits at the `;` that are not inside a quoted string.
fn split_params(header: &str) -> Vec<String> {
    let mut params = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in header.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                params.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    params.push(current);
    params
}

/// A token or quoted string, without its quotes and escapes.
fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .map(|v| v.strip_suffix('"').unwrap_or(v))
    else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if c == '\\' && !escaped {
            escaped = true;
        } else {
            out.push(c);
            escaped = false;
        }
    }
    out
}

/// `UTF-8'lang'percent-encoded` (RFC 8187); other charsets are not read.
fn decode_ext_value(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let (charset, _lang, encoded) = (parts.next()?, parts.next()?, parts.next()?);
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The last path segment of `name`.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_bare_names_are_read() {
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="ledger-2026-12-06.csv""#).as_deref(),
            Some("ledger-2026-12-06.csv")
        );
        assert_eq!(
            filename_from_disposition("attachment; filename=ledger.jsonl").as_deref(),
            Some("ledger.jsonl")
        );
        assert_eq!(
            filename_from_disposition(r#"Attachment; FILENAME = "a.pdf""#).as_deref(),
            Some("a.pdf")
        );
    }

    #[test]
    fn the_utf8_name_wins_over_the_ascii_one() {
        let h =
            "attachment; filename=\"act.pdf\"; filename*=UTF-8''%D0%B0%D0%BA%D1%82-2026-000001.pdf";
        assert_eq!(
            filename_from_disposition(h).as_deref(),
            Some("акт-2026-000001.pdf")
        );
        let h = "attachment; filename*=utf-8'ru'%D0%B0.csv; filename=\"a.csv\"";
        assert_eq!(filename_from_disposition(h).as_deref(), Some("а.csv"));
    }

    #[test]
    fn an_unreadable_utf8_name_falls_back_to_the_plain_one() {
        let h = "attachment; filename*=UTF-8''%ZZ.csv; filename=\"plain.csv\"";
        assert_eq!(filename_from_disposition(h).as_deref(), Some("plain.csv"));
        let h = "attachment; filename*=ISO-8859-1''%E4.csv; filename=\"plain.csv\"";
        assert_eq!(filename_from_disposition(h).as_deref(), Some("plain.csv"));
    }

    #[test]
    fn quotes_keep_semicolons_and_escapes() {
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="a;b \"c\".csv""#).as_deref(),
            Some(r#"a;b "c".csv"#)
        );
    }

    #[test]
    fn directories_are_cut_off_and_empty_names_refused() {
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="../../etc/passwd""#).as_deref(),
            Some("passwd")
        );
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="C:\\x\\y.csv""#).as_deref(),
            Some("y.csv")
        );
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="""#),
            None
        );
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="..""#),
            None
        );
        assert_eq!(filename_from_disposition("attachment"), None);
        assert_eq!(filename_from_disposition("inline"), None);
    }

    #[test]
    fn a_missing_name_takes_the_fallback() {
        let a = Attachment {
            bytes: vec![],
            content_type: "text/csv".into(),
            filename: None,
        };
        assert_eq!(a.name_or("ledger.csv"), "ledger.csv");
    }
}
