//! Fitting free text (company and service names) into a box of fixed size.
//!
//! Names come from users and can be of any length, while the act must stay on one
//! page. So text is wrapped, then set smaller, and as a last resort cut with "…".

use crate::fonts::Face;

/// Text broken into lines, with the size it must be set at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fitted {
    pub(crate) size: f32,
    pub(crate) lines: Vec<String>,
    /// Whether text was dropped to make it fit.
    pub(crate) cut: bool,
}

/// Limits for [`fit`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub(crate) width: f32,
    pub(crate) max_lines: usize,
    /// The size to use whenever the text fits at it.
    pub(crate) size: f32,
    /// The smallest size still readable on paper; below it the text is cut instead.
    pub(crate) min_size: f32,
}

const SIZE_STEP: f32 = 0.5;
const ELLIPSIS: char = '…';

/// Wraps `text` into `area`, shrinking it and finally cutting it if needed.
pub(crate) fn fit(face: &Face, text: &str, area: Area) -> Fitted {
    let mut size = area.size;
    loop {
        let lines = wrap(face, text, size, area.width);
        if lines.len() <= area.max_lines {
            return Fitted {
                size,
                lines,
                cut: false,
            };
        }
        if size - SIZE_STEP < area.min_size {
            return Fitted {
                size,
                lines: cut(face, lines, size, area),
                cut: true,
            };
        }
        size -= SIZE_STEP;
    }
}

/// Keeps the first `max_lines` lines and marks the loss with an ellipsis.
fn cut(face: &Face, mut lines: Vec<String>, size: f32, area: Area) -> Vec<String> {
    lines.truncate(area.max_lines);
    if let Some(last) = lines.last_mut() {
        loop {
            let candidate = format!("{last}{ELLIPSIS}");
            if last.is_empty() || face.width(&candidate, size) <= area.width {
                *last = candidate;
                break;
            }
            last.pop();
        }
    }
    lines
}

/// Greedy line breaking at spaces; a word wider than the line is split by characters.
pub(crate) fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if face.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if face.width(word, size) <= width {
            line = word.to_owned();
        } else {
            let mut pieces = split_word(face, word, size, width);
            line = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Breaks one overlong word into pieces that each fit; every piece keeps at least
/// one character so even an absurdly narrow box makes progress.
fn split_word(face: &Face, word: &str, size: f32, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for ch in word.chars() {
        piece.push(ch);
        if face.width(&piece, size) > width && piece.chars().count() > 1 {
            piece.pop();
            pieces.push(std::mem::take(&mut piece));
            piece.push(ch);
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::Fonts;

    fn area(width: f32, max_lines: usize) -> Area {
        Area {
            width,
            max_lines,
            size: 10.0,
            min_size: 7.0,
        }
    }

    #[test]
    fn short_text_stays_on_one_line() {
        let fonts = Fonts::load().expect("fonts");
        let fitted = fit(&fonts.regular, "ООО «Ромашка»", area(300.0, 3));
        assert_eq!(fitted.lines, vec!["ООО «Ромашка»".to_owned()]);
        assert_eq!(fitted.size, 10.0);
        assert!(!fitted.cut);
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let fonts = Fonts::load().expect("fonts");
        let text = "Общество с ограниченной ответственностью «Очень длинное название \
                    компании, оказывающей бухгалтерские услуги»";
        let lines = wrap(&fonts.regular, text, 10.0, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(fonts.regular.width(line, 10.0) <= 150.0, "{line}");
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_split() {
        let fonts = Fonts::load().expect("fonts");
        let word = "Ж".repeat(200);
        let lines = wrap(&fonts.regular, &word, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        for line in &lines {
            assert!(fonts.regular.width(line, 10.0) <= 100.0);
        }
    }

    #[test]
    fn too_much_text_shrinks_then_is_cut() {
        let fonts = Fonts::load().expect("fonts");
        let text = "слово ".repeat(200);
        let fitted = fit(&fonts.regular, &text, area(200.0, 2));
        assert_eq!(fitted.size, 7.0);
        assert_eq!(fitted.lines.len(), 2);
        assert!(fitted.cut);
        let last = fitted.lines.last().expect("two lines");
        assert!(last.ends_with('…'), "{last}");
        assert!(fonts.regular.width(last, fitted.size) <= 200.0);
    }

    #[test]
    fn empty_text_has_no_lines() {
        let fonts = Fonts::load().expect("fonts");
        assert!(fit(&fonts.regular, "  ", area(100.0, 2)).lines.is_empty());
    }
}
