//! Chart geometry, computed here into plain numbers and drawn elsewhere: as SVG by the templates
//! (`templates/partials/charts.html`) and as paths by the summary's PDF writer. Charts read in
//! black and white (markers on every value, a dashed reference line) and are always shown with
//! their data as a table. Missing values leave gaps, never zeros.

use super::Missing;
use super::number::{number, percent};

/// A value axis tick: its position and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub pos: f64,
    pub label: String,
}

/// A label on the horizontal axis; `year` is written under it where the year changes.
#[derive(Debug, Clone, PartialEq)]
pub struct XTick {
    pub x: f64,
    pub label: String,
    pub year: Option<String>,
}

/// One series of a chart: its unbroken runs of points (the same runs as SVG `points`
/// attributes) and a marker at each value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub segments: Vec<Vec<(f64, f64)>>,
    pub svg_segments: Vec<String>,
    pub dots: Vec<(f64, f64)>,
}

impl Line {
    /// The line through `values`, the i-th at `(x_of(i), y_of(value))`.
    fn through(
        values: &[Option<f64>],
        x_of: impl Fn(usize) -> f64,
        y_of: impl Fn(f64) -> f64,
    ) -> Line {
        let mut line = Line::default();
        let mut run = Vec::new();
        for (i, value) in values.iter().enumerate() {
            match value {
                Some(v) => {
                    let point = (round1(x_of(i)), round1(y_of(*v)));
                    run.push(point);
                    line.dots.push(point);
                }
                None if !run.is_empty() => line.segments.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            line.segments.push(run);
        }
        line.svg_segments = line
            .segments
            .iter()
            .map(|run| {
                run.iter()
                    .map(|(x, y)| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        line
    }
}

/// A chart's size and the box its data is plotted in (SVG user units, or points in the PDF).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// How a line chart's value axis is scaled.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// From 0 to a round number above the largest value, with this unit suffix (" %").
    Auto(&'static str),
    /// Always 0 to 100 (scores).
    Hundred,
}

/// How the periods are written under a line chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    /// Each period as written ("2025-Q1"); every other one, ending with the last, when there
    /// are more than four.
    Periods,
    /// Quarters as "Q1", with the year under the first quarter of each year.
    Quarters,
}

/// A line chart's size, plot area and axis style.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub frame: Frame,
    /// Space between the value axis and the first value.
    pub inset: f64,
    pub x_axis: XAxis,
}

/// A tile of the team page: the team against the organization.
pub const TILE: Layout = Layout {
    frame: Frame {
        width: 320.0,
        height: 150.0,
        left: 44.0,
        right: 292.0,
        top: 10.0,
        bottom: 118.0,
    },
    inset: 0.0,
    x_axis: XAxis::Periods,
};

/// A figure of the executive summary, on the page and in the PDF.
pub const SUMMARY: Layout = Layout {
    frame: Frame {
        width: 320.0,
        height: 170.0,
        left: 46.0,
        right: 312.0,
        top: 12.0,
        bottom: 128.0,
    },
    inset: 8.0,
    x_axis: XAxis::Quarters,
};

/// A line chart of a series, and optionally a reference series (the organization), over
/// periods, with a labelled value axis (0, the middle and a round maximum).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub frame: Frame,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<XTick>,
    pub main: Line,
    /// Drawn dashed with hollow markers, so that the two read apart in black and white.
    pub reference: Option<Line>,
}

/// Draw `main` (and `reference`) over `periods` (labels such as "2025-Q1"). The metrics drawn
/// this way are never negative.
pub fn line_chart(
    layout: &Layout,
    periods: &[String],
    scale: Scale,
    main: &[Option<f64>],
    reference: Option<&[Option<f64>]>,
) -> LineChart {
    let Layout {
        frame,
        inset,
        x_axis,
    } = *layout;
    let Frame {
        left,
        right,
        top,
        bottom,
        ..
    } = frame;
    let (axis_max, suffix) = match scale {
        Scale::Hundred => (100.0, ""),
        Scale::Auto(suffix) => {
            let max = main
                .iter()
                .chain(reference.unwrap_or_default())
                .flatten()
                .copied()
                .fold(0.0_f64, f64::max);
            (nice_ceiling(max), suffix)
        }
    };
    let y_of = |v: f64| bottom - (bottom - top) * (v / axis_max).clamp(0.0, 1.0);
    let step = if periods.len() > 1 {
        (right - left - 2.0 * inset) / (periods.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| left + inset + step * i as f64;
    LineChart {
        frame,
        y_ticks: [0.0, axis_max / 2.0, axis_max]
            .into_iter()
            .map(|v| Tick {
                pos: y_of(v),
                label: format!("{}{suffix}", trim_number(v)),
            })
            .collect(),
        x_ticks: x_ticks(x_axis, periods, x_of),
        main: Line::through(main, x_of, y_of),
        reference: reference.map(|values| Line::through(values, x_of, y_of)),
    }
}

fn x_ticks(x_axis: XAxis, periods: &[String], x_of: impl Fn(usize) -> f64) -> Vec<XTick> {
    match x_axis {
        XAxis::Periods => {
            let every = if periods.len() > 4 { 2 } else { 1 };
            let last = periods.len().saturating_sub(1);
            periods
                .iter()
                .enumerate()
                .filter(|(i, _)| (last - i).is_multiple_of(every))
                .map(|(i, label)| XTick {
                    x: x_of(i),
                    label: label.clone(),
                    year: None,
                })
                .collect()
        }
        XAxis::Quarters => {
            let mut last_year = None;
            periods
                .iter()
                .enumerate()
                .map(|(i, period)| {
                    let (year, quarter) = period.split_once('-').unwrap_or((period.as_str(), ""));
                    let year_label = (last_year != Some(year)).then(|| year.to_string());
                    last_year = Some(year);
                    XTick {
                        x: x_of(i),
                        label: quarter.to_string(),
                        year: year_label,
                    }
                })
                .collect()
        }
    }
}

/// A small line chart of a series without axes (the dashboard's table rows).
#[derive(Debug, Clone)]
pub struct Sparkline {
    pub width: u32,
    pub height: u32,
    pub line: Line,
    /// A sentence describing the series, for screen readers.
    pub description: String,
}

/// Draw percentages `values` in a `width` × `height` box with a little padding.
pub fn sparkline(values: &[Option<f64>], labels: &[String], width: u32, height: u32) -> Sparkline {
    let max = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let pad = 4.0;
    let step = if values.len() > 1 {
        (width as f64 - 2.0 * pad) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let y_of = |v: f64| {
        let usable = height as f64 - 2.0 * pad;
        if max > 0.0 {
            pad + usable * (1.0 - v / max)
        } else {
            height as f64 - pad
        }
    };
    let description = labels
        .iter()
        .zip(values)
        .map(|(label, v)| match v {
            Some(_) => format!("{label}: {}", percent(*v)),
            None => format!("{label}: no data"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Sparkline {
        width,
        height,
        line: Line::through(values, |i| pad + step * i as f64, y_of),
        description,
    }
}

/// A bar chart with a labelled value axis and one labelled bar per period (percentages).
#[derive(Debug, Clone)]
pub struct BarChart {
    pub frame: Frame,
    pub axis_max_label: String,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub label: String,
    pub value_label: String,
    /// The middle of the bar, where its labels are centred.
    pub label_x: f64,
}

/// Bars for `values` (percentages), labelled with `labels`.
pub fn bar_chart(values: &[Option<f64>], labels: &[String]) -> BarChart {
    let frame = Frame {
        width: 640.0,
        height: 220.0,
        left: 48.0,
        right: 632.0,
        top: 16.0,
        bottom: 184.0,
    };
    let max = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let axis_max = nice_ceiling(max);
    let (left, bottom) = (frame.left, frame.bottom);
    let slot = (frame.right - left) / values.len().max(1) as f64;
    let bars = values
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (value, label))| {
            let h = (bottom - frame.top) * value.unwrap_or(0.0) / axis_max;
            let x = left + slot * i as f64 + slot * 0.2;
            Bar {
                x,
                y: bottom - h,
                width: slot * 0.6,
                height: h,
                label: label.clone(),
                value_label: value.map_or(Missing::NoFigure.words().to_string(), |v| number(v, 1)),
                label_x: x + slot * 0.3,
            }
        })
        .collect();
    BarChart {
        frame,
        axis_max_label: format!("{} %", trim_number(axis_max)),
        bars,
    }
}

/// A horizontal bar per team, on a 0–100 axis (empathy index scores).
#[derive(Debug, Clone, PartialEq)]
pub struct BarList {
    pub frame: Frame,
    pub x_ticks: Vec<Tick>,
    pub rows: Vec<BarRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub value_label: String,
    /// Top of the bar.
    pub y: f64,
    pub bar_height: f64,
    pub bar_width: f64,
    /// Baseline of the row's texts.
    pub text_y: f64,
    /// Where the value label starts (right of the bar).
    pub value_x: f64,
}

/// Bars for `(label, score 0–100)` rows, in the order given.
pub fn bar_list(rows: &[(String, f64)]) -> BarList {
    let (width, left, right, top, row_height) = (480.0, 140.0, 436.0, 8.0, 26.0);
    let bottom = top + row_height * rows.len().max(1) as f64;
    let x_of = |v: f64| left + (right - left) * (v / 100.0).clamp(0.0, 1.0);
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = top + row_height * i as f64 + 5.0;
            BarRow {
                label: label.clone(),
                value_label: number(*value, 1),
                y,
                bar_height: row_height - 10.0,
                bar_width: round1(x_of(*value) - left),
                text_y: y + 12.0,
                value_x: round1(x_of(*value) + 6.0),
            }
        })
        .collect();
    BarList {
        frame: Frame {
            width,
            height: bottom + 24.0,
            left,
            right,
            top,
            bottom,
        },
        x_ticks: [0.0, 25.0, 50.0, 75.0, 100.0]
            .into_iter()
            .map(|v| Tick {
                pos: x_of(v),
                label: trim_number(v),
            })
            .collect(),
        rows,
    }
}

/// The smallest of 1, 2, 5, 10, 20, 50, … that is at least `value` (and at least 5).
fn nice_ceiling(value: f64) -> f64 {
    let mut step = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * step >= value.max(5.0) {
                return m * step;
            }
        }
        step *= 10.0;
    }
}

/// An axis label: "10", "2.5".
fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarters() -> Vec<String> {
        ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_missing_value_breaks_the_sparkline() {
        let labels: Vec<String> = (1..=4).map(|i| format!("Q{i}")).collect();
        let s = sparkline(&[Some(1.0), None, Some(2.0), Some(3.0)], &labels, 100, 40);
        assert_eq!(s.line.segments.len(), 2);
        assert_eq!(s.line.dots.len(), 3);
        assert!(s.description.contains("Q2: no data"));
        assert!(s.description.contains("Q1: 1.0 %"));
    }

    #[test]
    fn a_tile_chart_labels_its_axes_and_breaks_at_missing_values() {
        let labels: Vec<String> = (1..=8).map(|i| format!("P{i}")).collect();
        let main = [
            Some(1.0),
            Some(2.0),
            None,
            Some(4.0),
            Some(3.0),
            Some(2.0),
            Some(1.0),
            Some(12.0),
        ];
        let chart = line_chart(
            &TILE,
            &labels,
            Scale::Auto(" %"),
            &main,
            Some(&[Some(5.0); 8]),
        );
        assert_eq!(chart.main.segments.len(), 2);
        assert_eq!(chart.reference.as_ref().unwrap().dots.len(), 8);
        let ticks: Vec<&str> = chart.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(ticks, ["0 %", "10 %", "20 %"]);
        let periods: Vec<&str> = chart.x_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(periods, ["P2", "P4", "P6", "P8"]);
    }

    #[test]
    fn a_missing_quarter_breaks_the_line_and_the_axis_ends_on_a_round_number() {
        let chart = line_chart(
            &SUMMARY,
            &quarters(),
            Scale::Auto(" %"),
            &[Some(3.0), None, Some(7.2), Some(4.0)],
            None,
        );
        assert_eq!(chart.main.segments.len(), 2);
        assert_eq!(chart.main.dots.len(), 3);
        assert_eq!(chart.reference, None);
        let labels: Vec<&str> = chart.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0 %", "5 %", "10 %"]);
    }

    #[test]
    fn the_year_is_written_under_the_first_quarter_of_each_year_only() {
        let chart = line_chart(&SUMMARY, &quarters(), Scale::Hundred, &[None; 4], None);
        let years: Vec<Option<&str>> = chart.x_ticks.iter().map(|t| t.year.as_deref()).collect();
        assert_eq!(years, [Some("2024"), None, Some("2025"), None]);
        assert_eq!(chart.x_ticks[2].label, "Q1");
    }

    #[test]
    fn the_axis_ends_on_a_round_number() {
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(41.0), 50.0);
    }

    #[test]
    fn bars_are_labelled_and_a_missing_value_has_no_bar() {
        let labels: Vec<String> = ["Jan", "Feb"].map(String::from).to_vec();
        let chart = bar_chart(&[Some(2.5), None], &labels);
        assert_eq!(chart.axis_max_label, "5 %");
        assert_eq!(chart.bars[0].value_label, "2.5");
        assert_eq!(
            chart.bars[0].height,
            (chart.frame.bottom - chart.frame.top) / 2.0
        );
        assert_eq!(chart.bars[1].value_label, "–");
        assert_eq!(chart.bars[1].height, 0.0);
    }

    #[test]
    fn a_full_score_fills_the_bar_area() {
        let bars = bar_list(&[("A".to_string(), 100.0), ("B".to_string(), 50.0)]);
        let width = bars.frame.right - bars.frame.left;
        assert_eq!(bars.rows[0].bar_width, width);
        assert_eq!(bars.rows[1].bar_width, width / 2.0);
    }
}
