//! The event store. Being built.
