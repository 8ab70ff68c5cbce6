//! Chart geometry for the summary, computed once and drawn twice: as SVG by the templates and as
//! paths by the PDF writer. One series per chart, drawn as a line with a marker at each value,
//! so the charts read in black and white; the axes carry labels.

/// A value axis tick: its position and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub pos: f64,
    pub label: String,
}

/// A period on the horizontal axis: `Q2` above, the year below where it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct XTick {
    pub x: f64,
    pub label: String,
    pub year: Option<String>,
}

/// A line chart of one series over the quarters (unknown values leave a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<XTick>,
    /// Unbroken runs of points.
    pub segments: Vec<Vec<(f64, f64)>>,
    /// The same runs as SVG `points` attributes.
    pub svg_segments: Vec<String>,
    pub dots: Vec<(f64, f64)>,
}

/// How a line chart's value axis is scaled.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// From 0 to a round number above the largest value, with this unit suffix.
    Auto(&'static str),
    /// Always 0 to 100 (scores).
    Hundred,
}

/// A line chart of `values` over `periods` (labels like `2025-Q1`).
pub fn line_chart(values: &[Option<f64>], periods: &[String], scale: Scale) -> LineChart {
    let (width, height) = (320.0, 170.0);
    let (left, right, top, bottom) = (46.0, 312.0, 12.0, 128.0);
    let (axis_max, suffix) = match scale {
        Scale::Hundred => (100.0, ""),
        Scale::Auto(suffix) => {
            let max = values.iter().flatten().copied().fold(0.0_f64, f64::max);
            (nice_ceiling(max), suffix)
        }
    };
    let y_of = |v: f64| bottom - (bottom - top) * (v / axis_max).clamp(0.0, 1.0);
    let y_ticks = [0.0, axis_max / 2.0, axis_max]
        .into_iter()
        .map(|v| Tick {
            pos: y_of(v),
            label: format!("{}{suffix}", trim_number(v)),
        })
        .collect();
    let step = if values.len() > 1 {
        (right - left - 16.0) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| left + 8.0 + step * i as f64;
    let mut last_year = None;
    let x_ticks = periods
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
        .collect();
    let mut segments = Vec::new();
    let mut run = Vec::new();
    let mut dots = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => {
                let point = (round1(x_of(i)), round1(y_of(*v)));
                run.push(point);
                dots.push(point);
            }
            None if !run.is_empty() => segments.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        segments.push(run);
    }
    let svg_segments = segments
        .iter()
        .map(|run| {
            run.iter()
                .map(|(x, y)| format!("{x},{y}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    LineChart {
        width,
        height,
        left,
        right,
        top,
        bottom,
        y_ticks,
        x_ticks,
        segments,
        svg_segments,
        dots,
    }
}

/// A horizontal bar per team, on a 0–100 axis (empathy index scores).
#[derive(Debug, Clone, PartialEq)]
pub struct BarList {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
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
                value_label: format!("{value:.1}"),
                y,
                bar_height: row_height - 10.0,
                bar_width: round1(x_of(*value) - left),
                text_y: y + 12.0,
                value_x: round1(x_of(*value) + 6.0),
            }
        })
        .collect();
    BarList {
        width,
        height: bottom + 24.0,
        left,
        right,
        top,
        bottom,
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
    fn a_missing_quarter_breaks_the_line_and_the_axis_ends_on_a_round_number() {
        let chart = line_chart(
            &[Some(3.0), None, Some(7.2), Some(4.0)],
            &quarters(),
            Scale::Auto(" %"),
        );
        assert_eq!(chart.segments.len(), 2);
        assert_eq!(chart.dots.len(), 3);
        let labels: Vec<&str> = chart.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0 %", "5 %", "10 %"]);
    }

    #[test]
    fn the_year_is_written_under_the_first_quarter_of_each_year_only() {
        let chart = line_chart(&[None; 4], &quarters(), Scale::Hundred);
        let years: Vec<Option<&str>> = chart.x_ticks.iter().map(|t| t.year.as_deref()).collect();
        assert_eq!(years, [Some("2024"), None, Some("2025"), None]);
        assert_eq!(chart.x_ticks[2].label, "Q1");
    }

    #[test]
    fn a_full_score_fills_the_bar_area() {
        let bars = bar_list(&[("A".to_string(), 100.0), ("B".to_string(), 50.0)]);
        assert_eq!(bars.rows[0].bar_width, bars.right - bars.left);
        assert_eq!(bars.rows[1].bar_width, (bars.right - bars.left) / 2.0);
    }
}
