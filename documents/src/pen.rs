//! Drawing primitives on a krilla surface, in page coordinates (points, y down).

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;

use crate::fonts::Face;
use crate::layout::Fitted;

/// Vertical distance between baselines, relative to the font size.
pub(crate) const LINE_SPACING: f32 = 1.3;

/// Where a line of text sits relative to the x it is drawn at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Draws text and rules; keeps fill and stroke straight between the two, since
/// krilla would otherwise outline text with the last rule's stroke.
pub(crate) struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
    color: luma::Color,
}

impl<'s, 'p> Pen<'s, 'p> {
    pub(crate) fn new(surface: &'s mut Surface<'p>) -> Self {
        Self {
            surface,
            color: luma::Color::black(),
        }
    }

    /// Runs `draw` with text in grey: for captions that should not compete with content.
    pub(crate) fn greyed(&mut self, draw: impl FnOnce(&mut Self)) {
        self.color = luma::Color::new(110);
        draw(self);
        self.color = luma::Color::black();
    }

    /// One line of text with its baseline at `y`.
    pub(crate) fn text(
        &mut self,
        face: &Face,
        size: f32,
        x: f32,
        y: f32,
        align: Align,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        let left = match align {
            Align::Left => x,
            Align::Center => x - face.width(text, size) / 2.0,
            Align::Right => x - face.width(text, size),
        };
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill {
            paint: self.color.into(),
            ..Fill::default()
        }));
        self.surface.draw_text(
            Point::from_xy(left, y),
            face.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// Fitted lines, the first baseline at `y`; returns the height they took.
    pub(crate) fn lines(
        &mut self,
        face: &Face,
        fitted: &Fitted,
        x: f32,
        y: f32,
        align: Align,
    ) -> f32 {
        let step = fitted.size * LINE_SPACING;
        for (i, line) in fitted.lines.iter().enumerate() {
            self.text(face, fitted.size, x, y + step * i as f32, align, line);
        }
        step * fitted.lines.len() as f32
    }

    /// A straight rule `width` points thick.
    pub(crate) fn rule(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        let mut builder = PathBuilder::new();
        builder.move_to(from.0, from.1);
        builder.line_to(to.0, to.1);
        // Only a zero-length rule yields no path, and there is nothing to draw then.
        let Some(path) = builder.finish() else {
            return;
        };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            width,
            ..Stroke::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }
}
