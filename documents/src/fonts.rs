//! The compiled-in DejaVu Sans faces, and measuring text set in them.

use krilla::text::Font;

use crate::RenderError;

// Compiled in so rendering needs no font files on the host and looks the same everywhere.
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A face as krilla draws it and as rustybuzz measures it.
///
/// krilla shapes `draw_text` with rustybuzz and no extra features, so shaping the
/// same way here gives exactly the width that ends up on the page (kerning included).
pub(crate) struct Face {
    pub(crate) font: Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Self, RenderError> {
        let font = Font::new(data.into(), 0).ok_or(RenderError::Font(name))?;
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(RenderError::Font(name))?;
        // The head table guarantees 16..=16384, exact in f32.
        let units_per_em = shaper.units_per_em() as f32;
        Ok(Self {
            font,
            shaper,
            units_per_em,
        })
    }

    /// The advance of `text` set on one line at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.shaper, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|p| i64::from(p.x_advance))
            .sum();
        // Only ever compared against page widths, where f32 rounding is invisible.
        units as f32 / self.units_per_em * size
    }
}

/// The two weights the act uses.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, RenderError> {
        Ok(Self {
            regular: Face::load("DejaVuSans.ttf", REGULAR)?,
            bold: Face::load("DejaVuSans-Bold.ttf", BOLD)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_measure_cyrillic() {
        let fonts = Fonts::load().expect("embedded fonts parse");
        let regular = fonts.regular.width("Заказчик", 10.0);
        let bold = fonts.bold.width("Заказчик", 10.0);
        assert!(regular > 30.0 && regular < 60.0, "{regular}");
        assert!(bold > regular, "bold {bold} vs regular {regular}");
        assert_eq!(fonts.regular.width("", 10.0), 0.0);
    }
}
