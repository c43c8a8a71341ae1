//! The write side over HTTP. Not built yet.
