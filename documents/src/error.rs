//! Why rendering can fail.

/// A failure to produce the PDF.
///
/// Both cases mean a bug or a broken build rather than bad input: the fonts are
/// compiled in and the layout stays within PDF limits.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// An embedded font could not be parsed.
    #[error("embedded font {0} could not be parsed")]
    Font(&'static str),
    /// The PDF writer rejected the document.
    #[error("PDF could not be written: {0}")]
    Pdf(#[from] krilla::error::KrillaError),
}
