//! The act's page: what goes where.

use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;

use crate::fonts::{Face, Fonts};
use crate::layout::{Area, Fitted, fit};
use crate::pen::{Align, LINE_SPACING, Pen};
use crate::{Act, Party, Plan, RenderError, amount_in_words, format};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm on the left for binding, 15 mm on the right.
const LEFT: f32 = 56.7;
const RIGHT: f32 = PAGE_WIDTH - 42.5;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = 70.0;

const BODY: f32 = 10.0;
/// Below this, print is hard to read; longer names are cut instead (see `layout`).
const MIN_BODY: f32 = 7.0;

/// Renders the act as a one-page A4 PDF.
///
/// Every text field is wrapped to its box and, if still too long, set smaller and
/// finally cut, so the act always fits one page. The output depends only on `act`.
pub fn render_pdf(act: &Act) -> Result<Vec<u8>, RenderError> {
    let fonts = Fonts::load()?;
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title(act)).language("ru".to_owned()));
    // Only non-positive sizes are rejected, so this never falls back (krilla's
    // default would be A4 too, rounded to whole points).
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).unwrap_or_default();
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen::new(&mut surface);
    let sheet = Sheet { fonts: &fonts, act };

    let mut y = TOP;
    y = sheet.heading(&mut pen, y);
    y = sheet.parties(&mut pen, y + 28.0);
    y = sheet.table(&mut pen, y + 16.0);
    y = sheet.totals(&mut pen, y + 16.0);
    y = sheet.statement(&mut pen, y + 18.0);
    sheet.signatures(&mut pen, y + 40.0);

    surface.finish();
    page.finish();
    Ok(document.finish()?)
}

fn title(act: &Act) -> String {
    format!("Акт № {} от {}", act.number.trim(), format::date(act.date))
}

/// The act with the fonts it is set in; each method draws one block from `y` down
/// and returns where the block ended.
struct Sheet<'a> {
    fonts: &'a Fonts,
    act: &'a Act,
}

impl Sheet<'_> {
    fn heading(&self, pen: &mut Pen, y: f32) -> f32 {
        let bold = &self.fonts.bold;
        let title = fit(bold, &title(self.act), area(WIDTH, 2, 14.0));
        let y = y + pen.lines(bold, &title, LEFT + WIDTH / 2.0, y, Align::Center);
        pen.text(
            &self.fonts.regular,
            12.0,
            LEFT + WIDTH / 2.0,
            y + 4.0,
            Align::Center,
            "об оказании услуг",
        );
        y + 4.0
    }

    fn parties(&self, pen: &mut Pen, y: f32) -> f32 {
        let rows = [
            ("Исполнитель:", &self.act.provider),
            ("Заказчик:", &self.act.client),
            ("Агент (платформа):", &self.act.platform),
        ];
        let mut y = y;
        for (label, party) in rows {
            y = self.party(pen, y, label, party) + 8.0;
        }
        y
    }

    /// The label on the left; name and ИНН on separate lines to its right, so the
    /// ИНН is never lost in a wrapped name.
    fn party(&self, pen: &mut Pen, y: f32, label: &str, party: &Party) -> f32 {
        const LABEL_WIDTH: f32 = 125.0;
        let value_x = LEFT + LABEL_WIDTH;
        let value_width = WIDTH - LABEL_WIDTH;
        let regular = &self.fonts.regular;
        pen.text(&self.fonts.bold, BODY, LEFT, y, Align::Left, label);
        let name = fit(regular, &party.name, area(value_width, 6, BODY));
        let mut bottom = y + pen.lines(regular, &name, value_x, y, Align::Left);
        let inn = fit(
            regular,
            &format!("ИНН {}", party.inn.trim()),
            area(value_width, 1, BODY),
        );
        bottom += pen.lines(regular, &inn, value_x, bottom, Align::Left);
        bottom
    }

    /// One service row under a header, ruled as a grid.
    fn table(&self, pen: &mut Pen, top: f32) -> f32 {
        const PAD: f32 = 5.0;
        const HEADER_HEIGHT: f32 = 20.0;
        const CELL: f32 = 9.5;
        /// DejaVu Sans descends about a quarter of the size below the baseline.
        const DESCENT: f32 = 0.25;
        let widths = [28.0, WIDTH - 28.0 - 132.0 - 100.0, 132.0, 100.0];
        let mut edges = [LEFT; 5];
        for (i, width) in widths.iter().enumerate() {
            edges[i + 1] = edges[i] + width;
        }
        let centre = |i: usize| (edges[i] + edges[i + 1]) / 2.0;
        let inner = |i: usize| widths[i] - 2.0 * PAD;

        let (bold, regular) = (&self.fonts.bold, &self.fonts.regular);
        let sum_header = format!("Сумма, {}", format::currency_label(&self.act.currency));
        let headers = ["№", "Наименование услуги", "Период", sum_header.as_str()];
        for (i, header) in headers.iter().enumerate() {
            let fitted = fit(bold, header, area(inner(i), 1, 9.0));
            pen.lines(bold, &fitted, centre(i), top + 13.5, Align::Center);
        }

        let row_top = top + HEADER_HEIGHT;
        let plan = match self.act.plan {
            Plan::OneOff => "(разовая услуга)",
            Plan::Monthly => "(ежемесячная подписка)",
        };
        let service = format!("{} {plan}", self.act.service.trim());
        let period = format!(
            "{} – {}",
            format::date(self.act.period_start),
            format::date(self.act.period_end)
        );
        let cells = [
            fit(regular, "1", area(inner(0), 1, CELL)),
            fit(regular, &service, area(inner(1), 6, CELL)),
            fit(regular, &period, area(inner(2), 2, CELL)),
            self.amount_cell(inner(3), CELL),
        ];
        let baseline = row_top + PAD + CELL;
        pen.lines(regular, &cells[0], centre(0), baseline, Align::Center);
        pen.lines(regular, &cells[1], edges[1] + PAD, baseline, Align::Left);
        pen.lines(regular, &cells[2], centre(2), baseline, Align::Center);
        pen.lines(regular, &cells[3], edges[4] - PAD, baseline, Align::Right);
        // From the first line's top to the last baseline, plus room for descenders,
        // so the padding looks the same above and below the text.
        let ink = cells
            .iter()
            .map(|cell| block_height(cell) - (LINE_SPACING - 1.0) * cell.size)
            .fold(0.0, f32::max);
        let bottom = baseline - CELL + ink + DESCENT * CELL + PAD;

        for y in [top, row_top, bottom] {
            pen.rule((LEFT, y), (RIGHT, y), 0.6);
        }
        for x in edges {
            pen.rule((x, top), (x, bottom), 0.6);
        }
        bottom
    }

    /// A figure reads best on one line, so it is set smaller before it is broken;
    /// it is never cut.
    fn amount_cell(&self, width: f32, size: f32) -> Fitted {
        let regular = &self.fonts.regular;
        let amount = format::amount(self.act.amount);
        let one_line = fit(regular, &amount, area(width, 1, size));
        if !one_line.cut {
            return one_line;
        }
        fit(regular, &amount, area(width, usize::MAX, size))
    }

    fn totals(&self, pen: &mut Pen, y: f32) -> f32 {
        let currency = format::currency_label(&self.act.currency);
        let total = format!("Итого: {} {currency}", format::amount(self.act.amount));
        let fee = format!(
            "в том числе вознаграждение агента: {} {currency}",
            format::amount(self.act.fee)
        );
        let y = y + self.right_aligned(pen, &self.fonts.bold, &total, y);
        y + self.right_aligned(pen, &self.fonts.regular, &fee, y)
    }

    fn right_aligned(&self, pen: &mut Pen, face: &Face, text: &str, y: f32) -> f32 {
        let fitted = fit(face, text, area(WIDTH, 2, BODY));
        pen.lines(face, &fitted, RIGHT, y + BODY, Align::Right)
    }

    /// The amount in words and the client's acceptance.
    fn statement(&self, pen: &mut Pen, y: f32) -> f32 {
        let in_words = if format::is_rub(&self.act.currency) {
            amount_in_words(self.act.amount)
        } else {
            // The words are spelled in roubles and kopecks; other currencies get figures.
            format!(
                "{} {}",
                format::amount(self.act.amount),
                format::currency_label(&self.act.currency)
            )
        };
        let regular = &self.fonts.regular;
        let sum = fit(
            regular,
            &format!("Всего оказано услуг на сумму: {in_words}"),
            area(WIDTH, 4, BODY),
        );
        let y = y + pen.lines(regular, &sum, LEFT, y, Align::Left) + 8.0;
        let acceptance = fit(
            regular,
            "Вышеперечисленные услуги оказаны полностью и в срок. Заказчик претензий \
             по объему, качеству и срокам оказания услуг не имеет.",
            area(WIDTH, 4, BODY),
        );
        y + pen.lines(regular, &acceptance, LEFT, y, Align::Left)
    }

    /// Two columns, each with the side, its name and a line to sign on; the lines
    /// are level even when one name wraps further than the other.
    fn signatures(&self, pen: &mut Pen, y: f32) {
        const GAP: f32 = 30.0;
        let column = (WIDTH - GAP) / 2.0;
        let sides = [
            ("Исполнитель", &self.act.provider, LEFT),
            ("Заказчик", &self.act.client, LEFT + column + GAP),
        ];
        let names =
            sides.map(|(_, party, _)| fit(&self.fonts.regular, &party.name, area(column, 5, 9.0)));
        let names_height = names.iter().map(block_height).fold(0.0, f32::max);
        let line_y = y + BODY * LINE_SPACING + names_height + 30.0;

        for ((label, _, x), name) in sides.iter().zip(&names) {
            pen.text(&self.fonts.bold, BODY, *x, y, Align::Left, label);
            pen.lines(
                &self.fonts.regular,
                name,
                *x,
                y + BODY * LINE_SPACING,
                Align::Left,
            );
            let split = x + column * 0.42;
            pen.rule((*x, line_y), (split - 8.0, line_y), 0.6);
            pen.rule((split, line_y), (x + column, line_y), 0.6);
            pen.greyed(|pen| {
                let caption = 7.0;
                let below = line_y + caption + 2.0;
                pen.text(
                    &self.fonts.regular,
                    caption,
                    (x + split - 8.0) / 2.0,
                    below,
                    Align::Center,
                    "подпись",
                );
                pen.text(
                    &self.fonts.regular,
                    caption,
                    (split + x + column) / 2.0,
                    below,
                    Align::Center,
                    "расшифровка подписи",
                );
            });
        }
    }
}

/// A box `width` wide that starts at `size` and may shrink to [`MIN_BODY`]
/// (or stay at `size` if that is already smaller).
fn area(width: f32, max_lines: usize, size: f32) -> Area {
    Area {
        width,
        max_lines,
        size,
        min_size: MIN_BODY.min(size),
    }
}

/// The height of fitted lines, as [`Pen::lines`] advances.
fn block_height(fitted: &Fitted) -> f32 {
    fitted.size * LINE_SPACING * fitted.lines.len() as f32
}
