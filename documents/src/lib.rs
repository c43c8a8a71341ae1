//! Closing documents (акты) as PDF.
//!
//! [`render_pdf`] lays an [`Act`] out on one A4 page and returns the bytes; nothing
//! here touches the file system or the clock, so the same act always renders the same.
//!
//! The PDF is written with [`krilla`] (by the typst authors): it embeds a subset of the
//! TrueType font and writes a `ToUnicode` map, so the Cyrillic text stays searchable
//! and copyable. The font is DejaVu Sans, compiled in (see `fonts/LICENSE`).

mod act;
mod error;
mod fonts;
mod format;
mod layout;
mod pen;
mod render;
mod words;

pub use act::{Act, Party, Plan};
pub use error::RenderError;
pub use render::render_pdf;
pub use words::amount_in_words;
