//! AMQP string types from Rust strings, without lapin's panicking `From`.

use lapin::types::{AMQPValue, LongString, ShortString};

use crate::BusError;

/// A name or key as AMQP's short string; an error past 255 bytes.
pub(crate) fn short(what: &'static str, s: String) -> Result<ShortString, BusError> {
    let len = s.len();
    ShortString::try_new(s).map_err(|_| BusError::TooLong { what, len })
}

/// A header or argument value.
pub(crate) fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes().to_vec()))
}
