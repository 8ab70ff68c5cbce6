//! The summary as an A4 PDF, written with krilla from the same `Summary` the page shows: the
//! title and quarter, the headline sentences, the empathy index and its parts, the fundamentals
//! with their trend charts, the teams, what turnover cost, the outcome links and the teams that
//! need attention.
//!
//! The font (DejaVu Sans, see assets/fonts/LICENSE-DejaVu.txt) is compiled into the binary and
//! embedded, subset, in every PDF: nothing is fetched and the document looks the same
//! everywhere. Layout is simple and explicit: a cursor moves down the page, and a block that
//! does not fit starts a new page. Drawing happens in two passes (lay out every page, then
//! draw), so the footer can say "page N of M".

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

use super::Summary;
use crate::present::chart::LineChart;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const PAGE_WIDTH: f64 = 595.28;
const PAGE_HEIGHT: f64 = 841.89;
const MARGIN: f64 = 50.0;
const CONTENT_WIDTH: f64 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where content stops, above the footer.
const CONTENT_BOTTOM: f64 = PAGE_HEIGHT - MARGIN - 10.0;

const INK: (u8, u8, u8) = (0x1b, 0x27, 0x33);
const MUTED: (u8, u8, u8) = (0x4d, 0x5b, 0x68);
const RULE: (u8, u8, u8) = (0xb8, 0xc2, 0xcc);

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be written: {0}")]
pub struct PdfError(String);

/// The summary as PDF bytes.
pub fn render(summary: &Summary) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let mut layout = Layout::new(&fonts);
    lay_out(summary, &mut layout);
    let pages = layout.finish();

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Attune quarterly summary {}", summary.period))
            .language("en".to_string())
            .creator("Attune".to_string()),
    );
    let total = pages.len();
    for (number, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH as f32, PAGE_HEIGHT as f32)
            .ok_or_else(|| PdfError("bad page size".to_string()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let footer = format!(
            "Attune quarterly summary {} · page {} of {}",
            summary.period,
            number + 1,
            total
        );
        let footer_ops = [Op::Text {
            x: MARGIN,
            y: PAGE_HEIGHT - MARGIN + 14.0,
            size: 8.0,
            bold: false,
            color: MUTED,
            text: footer,
        }];
        for op in ops.iter().chain(footer_ops.iter()) {
            draw(&mut surface, &fonts, op);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

/// The embedded font, for drawing (krilla) and measuring (ttf-parser).
struct Fonts {
    regular: Font,
    bold: Font,
    regular_face: ttf_parser::Face<'static>,
    bold_face: ttf_parser::Face<'static>,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        let font = |bytes: &'static [u8]| {
            Font::new(bytes.into(), 0).ok_or_else(|| PdfError("bad embedded font".to_string()))
        };
        let face = |bytes: &'static [u8]| {
            ttf_parser::Face::parse(bytes, 0).map_err(|e| PdfError(format!("font: {e}")))
        };
        Ok(Fonts {
            regular: font(REGULAR)?,
            bold: font(BOLD)?,
            regular_face: face(REGULAR)?,
            bold_face: face(BOLD)?,
        })
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        let face = if bold {
            &self.bold_face
        } else {
            &self.regular_face
        };
        let units: f64 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(0) as f64
            })
            .sum();
        units * size / face.units_per_em() as f64
    }
}

/// One thing to draw, in page coordinates (points, from the top left; text at its baseline).
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f64,
        y: f64,
        size: f64,
        bold: bool,
        color: (u8, u8, u8),
        text: String,
    },
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: (u8, u8, u8),
    },
    Line {
        points: Vec<(f64, f64)>,
        width: f64,
        color: (u8, u8, u8),
    },
}

fn draw(surface: &mut krilla::surface::Surface<'_>, fonts: &Fonts, op: &Op) {
    let fill = |(r, g, b): (u8, u8, u8)| Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    };
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*color)));
            let font = if *bold { &fonts.bold } else { &fonts.regular };
            surface.draw_text(
                Point::from_xy(*x as f32, *y as f32),
                font.clone(),
                *size as f32,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, color } => {
            let mut builder = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x as f32, *y as f32, *w as f32, *h as f32) {
                builder.push_rect(rect);
            }
            if let Some(path) = builder.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
        Op::Line {
            points,
            width,
            color,
        } => {
            let mut builder = PathBuilder::new();
            for (i, (x, y)) in points.iter().enumerate() {
                if i == 0 {
                    builder.move_to(*x as f32, *y as f32);
                } else {
                    builder.line_to(*x as f32, *y as f32);
                }
            }
            if let Some(path) = builder.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(color.0, color.1, color.2).into(),
                    width: *width as f32,
                    ..Default::default()
                }));
                surface.draw_path(&path);
            }
        }
    }
}

/// A table column: title, width in points, right-aligned or not.
struct Column<'a> {
    title: &'a str,
    width: f64,
    right: bool,
}

const fn col(title: &'static str, width: f64, right: bool) -> Column<'static> {
    Column {
        title,
        width,
        right,
    }
}

/// The columns of the index's parts.
const PART_COLUMNS: [Column<'static>; 3] = [
    col("Part of the index", 300.0, false),
    col("Score (0–100)", 100.0, true),
    col("Weight", 95.0, true),
];

/// The columns of the fundamentals, the last headed "Change vs 2025-Q4".
fn fundamental_columns(change_title: &str) -> [Column<'_>; 5] {
    [
        col("Metric", 110.0, false),
        col("This quarter", 95.0, true),
        col("Previous quarter", 95.0, true),
        col("A year earlier", 95.0, true),
        Column {
            title: change_title,
            width: 100.0,
            right: true,
        },
    ]
}

/// The columns of the teams.
const TEAM_COLUMNS: [Column<'static>; 7] = [
    col("Team", 92.0, false),
    // Wide enough for "not enough data", as Favorability for "not enough responses".
    col("Index", 78.0, true),
    col("Index change", 72.0, true),
    col("Headcount", 58.0, true),
    col("Leavers", 44.0, true),
    col("Turnover", 50.0, true),
    col("Favorability", 101.0, true),
];

/// The pages being laid out, and the cursor.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f64,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Layout<'f> {
        Layout {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn finish(self) -> Vec<Vec<Op>> {
        self.pages
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("one page at least").push(op);
    }

    /// Start a new page unless `height` more points fit on this one.
    fn need(&mut self, height: f64) {
        if self.y + height > CONTENT_BOTTOM && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, color: (u8, u8, u8), text: &str) {
        self.push(Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text: text.to_string(),
        });
    }

    /// Lines of `text` no wider than `width`.
    fn wrap(&self, text: &str, size: f64, bold: bool, width: f64) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.fonts.width(&candidate, size, bold) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn paragraph(&mut self, text: &str, size: f64, bold: bool, color: (u8, u8, u8)) {
        self.indented(text, size, bold, color, 0.0, None);
    }

    /// A paragraph starting `indent` points in, with an optional marker (a bullet) before it.
    fn indented(
        &mut self,
        text: &str,
        size: f64,
        bold: bool,
        color: (u8, u8, u8),
        indent: f64,
        marker: Option<&str>,
    ) {
        let leading = size * 1.4;
        let lines = self.wrap(text, size, bold, CONTENT_WIDTH - indent);
        self.need(leading * lines.len().min(3) as f64);
        for (i, line) in lines.iter().enumerate() {
            self.need(leading);
            let baseline = self.y + size;
            if i == 0
                && let Some(marker) = marker
            {
                self.text(MARGIN + indent - 10.0, baseline, size, bold, color, marker);
            }
            self.text(MARGIN + indent, baseline, size, bold, color, line);
            self.y += leading;
        }
        self.y += size * 0.5;
    }

    fn heading(&mut self, text: &str) {
        self.need(60.0);
        self.y += 8.0;
        self.text(MARGIN, self.y + 13.0, 13.0, true, INK, text);
        self.y += 20.0;
        self.push(Op::Line {
            points: vec![(MARGIN, self.y), (MARGIN + CONTENT_WIDTH, self.y)],
            width: 0.75,
            color: RULE,
        });
        self.y += 8.0;
    }

    fn table(&mut self, columns: &[Column<'_>], rows: &[Vec<String>]) {
        let size = 8.5;
        let row_height = 15.0;
        let header = |layout: &mut Layout<'_>| {
            let mut x = MARGIN;
            for c in columns {
                layout.cell(x, c, c.title, size, true, MUTED);
                x += c.width;
            }
            layout.y += row_height;
            layout.push(Op::Line {
                points: vec![
                    (MARGIN, layout.y - 4.0),
                    (MARGIN + CONTENT_WIDTH, layout.y - 4.0),
                ],
                width: 0.75,
                color: INK,
            });
        };
        self.need(row_height * 3.0);
        header(self);
        for row in rows {
            if self.y + row_height > CONTENT_BOTTOM {
                self.need(row_height * 2.0);
                header(self);
            }
            let mut x = MARGIN;
            for (c, value) in columns.iter().zip(row) {
                self.cell(x, c, value, size, false, INK);
                x += c.width;
            }
            self.y += row_height;
            self.push(Op::Line {
                points: vec![
                    (MARGIN, self.y - 4.0),
                    (MARGIN + CONTENT_WIDTH, self.y - 4.0),
                ],
                width: 0.4,
                color: RULE,
            });
        }
        self.y += 8.0;
    }

    fn cell(
        &mut self,
        x: f64,
        c: &Column<'_>,
        value: &str,
        size: f64,
        bold: bool,
        color: (u8, u8, u8),
    ) {
        let mut value = value.to_string();
        while value.chars().count() > 1 && self.fonts.width(&value, size, bold) > c.width - 6.0 {
            value.pop();
            value.pop();
            value.push('…');
        }
        let width = self.fonts.width(&value, size, bold);
        let x = if c.right {
            x + c.width - 6.0 - width
        } else {
            x
        };
        self.text(x, self.y + size, size, bold, color, &value);
    }

    /// Draw a chart at `(x, self.y)`, `scale` times its own size, under a title.
    fn chart(&mut self, x: f64, title: &str, chart: &LineChart, scale: f64) -> f64 {
        let top = self.y;
        self.text(x, top + 9.0, 9.0, true, INK, title);
        let oy = top + 14.0;
        let p = |(cx, cy): (f64, f64)| (x + cx * scale, oy + cy * scale);
        // Axes.
        self.push(Op::Line {
            points: vec![
                p((chart.frame.left, chart.frame.top)),
                p((chart.frame.left, chart.frame.bottom)),
                p((chart.frame.right, chart.frame.bottom)),
            ],
            width: 0.6,
            color: INK,
        });
        for tick in &chart.y_ticks {
            let (tx, ty) = p((chart.frame.left, tick.pos));
            let width = self.fonts.width(&tick.label, 6.5, false);
            self.text(tx - 4.0 - width, ty + 2.3, 6.5, false, MUTED, &tick.label);
            self.push(Op::Line {
                points: vec![(tx - 2.0, ty), (tx, ty)],
                width: 0.6,
                color: INK,
            });
        }
        for tick in &chart.x_ticks {
            let (tx, ty) = p((tick.x, chart.frame.bottom));
            let w = self.fonts.width(&tick.label, 6.5, false);
            self.text(tx - w / 2.0, ty + 9.0, 6.5, false, MUTED, &tick.label);
            if let Some(year) = &tick.year {
                let w = self.fonts.width(year, 6.5, false);
                self.text(tx - w / 2.0, ty + 17.0, 6.5, false, MUTED, year);
            }
        }
        for run in &chart.main.segments {
            if run.len() > 1 {
                self.push(Op::Line {
                    points: run.iter().map(|pt| p(*pt)).collect(),
                    width: 1.4,
                    color: INK,
                });
            }
        }
        for dot in &chart.main.dots {
            let (dx, dy) = p(*dot);
            self.push(Op::Rect {
                x: dx - 1.8,
                y: dy - 1.8,
                w: 3.6,
                h: 3.6,
                color: INK,
            });
        }
        14.0 + chart.frame.height * scale
    }
}

fn lay_out(s: &Summary, l: &mut Layout<'_>) {
    l.text(MARGIN, l.y + 20.0, 20.0, true, INK, "Quarterly summary");
    l.y += 28.0;
    l.paragraph(
        &format!("{} · {} · Attune", s.period, s.dates),
        10.0,
        false,
        MUTED,
    );
    if !s.has_data {
        l.paragraph(
            "No data yet: import a roster (attune import employees roster.csv) to see this \
             summary.",
            11.0,
            false,
            INK,
        );
        return;
    }

    l.heading("In brief");
    for line in &s.headlines {
        l.indented(line, 10.0, false, INK, 12.0, Some("•"));
    }

    l.heading("Empathy index");
    l.need(150.0);
    let top = l.y;
    if s.index.raw.is_some() {
        l.text(MARGIN, top + 30.0, 30.0, true, INK, &s.index.value);
        l.text(MARGIN, top + 46.0, 8.5, false, MUTED, "out of 100");
    } else {
        // Why there is no index ("not enough data"), in a size that leaves room for the chart.
        l.text(MARGIN, top + 30.0, 14.0, true, INK, &s.index.value);
    }
    l.text(MARGIN, top + 62.0, 8.5, false, INK, &s.index.vs_previous);
    l.text(
        MARGIN,
        top + 74.0,
        8.5,
        false,
        INK,
        &s.index.vs_year_earlier,
    );
    let height = l.chart(
        MARGIN + CONTENT_WIDTH - 320.0 * 0.95,
        "Empathy index, last 8 quarters",
        &s.index.chart,
        0.95,
    );
    l.y = top + height + 6.0;
    let parts: Vec<Vec<String>> = s
        .index
        .parts
        .iter()
        .map(|p| vec![p.label.to_string(), p.score.clone(), p.weight.clone()])
        .collect();
    if parts.is_empty() {
        l.paragraph("The index has no parts this quarter.", 9.0, false, MUTED);
    } else {
        l.table(&PART_COLUMNS, &parts);
    }

    l.heading("Fundamentals");
    let rows: Vec<Vec<String>> = s
        .fundamentals
        .iter()
        .map(|f| {
            vec![
                f.label.to_string(),
                f.value.clone(),
                f.previous.clone(),
                f.year_earlier.clone(),
                f.change_short.clone(),
            ]
        })
        .collect();
    let change_title = format!("Change vs {}", s.previous_period);
    l.table(&fundamental_columns(&change_title), &rows);
    let scale = 0.74;
    let chart_width = 320.0 * scale;
    for pair in s.fundamentals.chunks(2) {
        l.need(14.0 + 170.0 * scale + 6.0);
        let top = l.y;
        let mut height: f64 = 0.0;
        for (i, f) in pair.iter().enumerate() {
            l.y = top;
            let x = MARGIN + i as f64 * (CONTENT_WIDTH - chart_width);
            height = height.max(l.chart(x, f.label, &f.chart, scale));
        }
        l.y = top + height + 6.0;
    }

    // Keep the teams together on one page when they fit on one.
    let teams_height = 110.0 + 15.0 * (s.teams.len() + 1) as f64;
    if teams_height < CONTENT_BOTTOM - MARGIN {
        l.need(teams_height);
    }
    l.heading("Teams");
    let mut team_lines = Vec::new();
    if !s.strongest.is_empty() {
        team_lines.push(format!("Strongest: {}.", super::podium_text(&s.strongest)));
    }
    if !s.most_improved.is_empty() {
        team_lines.push(format!(
            "Most improved since {}: {}.",
            s.previous_period,
            super::podium_text(&s.most_improved)
        ));
    }
    for line in team_lines {
        l.paragraph(&line, 10.0, false, INK);
    }
    let rows: Vec<Vec<String>> = s
        .teams
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                t.index.clone(),
                t.index_change.clone(),
                t.headcount.clone(),
                t.leavers.clone(),
                t.turnover.clone(),
                t.favorability.clone(),
            ]
        })
        .collect();
    l.table(&TEAM_COLUMNS, &rows);

    l.heading("What turnover cost");
    l.paragraph(&s.cost.sentence, 10.0, false, INK);
    if let Some(line) = &s.cost.unpriced_sentence {
        l.paragraph(line, 10.0, false, INK);
    }

    l.heading("Outcome links (association, not proof)");
    for sentence in &s.links.findings {
        l.indented(sentence, 10.0, false, INK, 12.0, Some("•"));
    }
    let rows: Vec<Vec<String>> = s
        .links
        .rows
        .iter()
        .map(|link| {
            vec![
                link.label.clone(),
                link.when.clone(),
                link.across.clone(),
                link.within.clone(),
                link.basis.clone(),
                if link.evidence { "Evidence" } else { "Not yet" }.to_string(),
            ]
        })
        .collect();
    l.table(
        &[
            col("Outcome", 80.0, false),
            col("When", 75.0, false),
            col("Across teams (95 % interval)", 135.0, false),
            col("Within teams", 100.0, false),
            col("Team-quarters", 60.0, true),
            col("Evidence", 45.0, false),
        ],
        &rows,
    );
    for link in s.links.rows.iter().filter(|link| !link.evidence) {
        l.indented(&link.verdict, 8.5, false, MUTED, 12.0, Some("•"));
    }
    l.paragraph(&s.links.caveats, 8.5, false, MUTED);

    l.heading("Teams that need attention");
    if s.attention.is_empty() {
        l.paragraph(
            "No team needs particular attention this quarter.",
            10.0,
            false,
            INK,
        );
    }
    for a in &s.attention {
        l.indented(
            &format!(
                "{}: {}. Suggested next step: {}",
                a.team,
                a.reasons.join("; "),
                a.next_step
            ),
            10.0,
            false,
            INK,
            12.0,
            Some("•"),
        );
    }
    l.paragraph(&super::attention_rule(), 8.5, false, MUTED);
    l.paragraph(
        &format!(
            "Survey figures from fewer than {} responses are withheld (\"not enough responses\"). \
             \"No data\": nothing to compute from; the empathy index reads \"not enough data\" \
             without empathy favorability or without parts carrying half of its weight. Every \
             metric is defined in Attune's metric guide (docs/metrics.md).",
            s.min_group_size
        ),
        8.5,
        false,
        MUTED,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_heading_fits_its_column_whole_and_the_tables_fit_the_page() {
        let fonts = Fonts::load().unwrap();
        let tables: [&[Column<'_>]; 3] = [
            &PART_COLUMNS,
            &fundamental_columns("Change vs 2025-Q4"),
            &TEAM_COLUMNS,
        ];
        for columns in tables {
            for c in columns {
                // As `Layout::cell` draws a heading: 8.5 points, bold, 6 points to spare.
                let width = fonts.width(c.title, 8.5, true);
                assert!(
                    width <= c.width - 6.0,
                    "\"{}\" needs {width:.1} pt, its column has {:.1}",
                    c.title,
                    c.width - 6.0
                );
            }
            let total: f64 = columns.iter().map(|c| c.width).sum();
            assert!(total <= CONTENT_WIDTH + 1.0, "{total} pt");
        }
        // The check can fail: the heading that was once cut to "Headco…".
        assert!(fonts.width("Headcount", 8.5, true) > 55.0 - 6.0);
    }
}
