//! The kinds of file an order's chat accepts, told from the file's first
//! bytes (its "magic"), never from the name or the type a client claims.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A file kind the chat accepts. Stored in events as its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttachmentType {
    /// `application/pdf`.
    #[serde(rename = "application/pdf")]
    Pdf,
    /// `image/png`.
    #[serde(rename = "image/png")]
    Png,
    /// `image/jpeg`.
    #[serde(rename = "image/jpeg")]
    Jpeg,
    /// `image/gif`.
    #[serde(rename = "image/gif")]
    Gif,
    /// `image/webp`.
    #[serde(rename = "image/webp")]
    Webp,
}

impl AttachmentType {
    /// Every accepted kind.
    pub const ALL: [AttachmentType; 5] = [Self::Pdf, Self::Png, Self::Jpeg, Self::Gif, Self::Webp];

    /// The kind `bytes` start like, or `None` for anything else (an empty
    /// file, HTML, an executable…).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(b"\xFF\xD8\xFF") {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    /// Its media type, e.g. `application/pdf`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }

    /// The kind whose media type is `media_type`.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.media_type() == media_type)
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }
}

impl fmt::Display for AttachmentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.media_type())
    }
}

#[cfg(test)]
mod tests {
    use super::AttachmentType;

    #[test]
    fn each_kind_is_told_by_its_first_bytes() {
        let cases: [(&[u8], AttachmentType); 6] = [
            (b"%PDF-1.7\n%\xE2\xE3", AttachmentType::Pdf),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", AttachmentType::Png),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", AttachmentType::Jpeg),
            (b"GIF87a\x01\0", AttachmentType::Gif),
            (b"GIF89a\x01\0", AttachmentType::Gif),
            (b"RIFF\x24\0\0\0WEBPVP8 ", AttachmentType::Webp),
        ];
        for (bytes, kind) in cases {
            assert_eq!(AttachmentType::sniff(bytes), Some(kind));
        }
    }

    #[test]
    fn anything_else_is_refused_whatever_it_is_called() {
        for bytes in [
            &b""[..],
            b"MZ\x90\0\x03",
            b"<!DOCTYPE html><script>",
            b"%PDF",
            b"RIFF\x24\0\0\0WAVEfmt ",
            b"\x7FELF",
        ] {
            assert_eq!(AttachmentType::sniff(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn a_kind_is_stored_as_its_media_type() {
        for kind in AttachmentType::ALL {
            let json = serde_json::to_string(&kind).expect("json");
            assert_eq!(json, format!("\"{}\"", kind.media_type()));
            assert_eq!(
                serde_json::from_str::<AttachmentType>(&json).ok(),
                Some(kind)
            );
            assert_eq!(
                AttachmentType::from_media_type(kind.media_type()),
                Some(kind)
            );
        }
    }
}
