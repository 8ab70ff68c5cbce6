//! Charts as server-rendered SVG: computed here into plain numbers, drawn by templates, readable
//! in black and white, and always paired with the data as a table.

/// A small line chart of a series (missing values leave gaps).
#[derive(Debug, Clone)]
pub struct Sparkline {
    pub width: u32,
    pub height: u32,
    /// SVG `points` attributes, one per unbroken run of values.
    pub segments: Vec<String>,
    /// Markers at each known value: (x, y).
    pub dots: Vec<(f64, f64)>,
    /// A sentence describing the series, for screen readers.
    pub description: String,
}

/// Draw `values` in a `width` × `height` box with a little padding.
pub fn sparkline(values: &[Option<f64>], labels: &[String], width: u32, height: u32) -> Sparkline {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let max = known.iter().copied().fold(0.0_f64, f64::max);
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
    let mut segments = Vec::new();
    let mut current = Vec::new();
    let mut dots = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => {
                let (x, y) = (pad + step * i as f64, y_of(*v));
                current.push(format!("{x:.1},{y:.1}"));
                dots.push((x, y));
            }
            None if !current.is_empty() => segments.push(std::mem::take(&mut current).join(" ")),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current.join(" "));
    }
    let description = labels
        .iter()
        .zip(values)
        .map(|(label, v)| match v {
            Some(v) => format!("{label}: {v:.1} %"),
            None => format!("{label}: no data"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Sparkline {
        width,
        height,
        segments,
        dots,
        description,
    }
}

/// A bar chart with a labelled value axis and one labelled bar per period.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub width: u32,
    pub height: u32,
    pub plot_left: f64,
    pub plot_bottom: f64,
    pub plot_top: f64,
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
    pub label_x: f64,
}

/// Bars for `values` (percentages), labelled with `labels`.
pub fn bar_chart(values: &[Option<f64>], labels: &[String]) -> BarChart {
    let (width, height) = (640u32, 220u32);
    let (plot_left, plot_right, plot_top, plot_bottom) = (48.0, 632.0, 16.0, 184.0);
    let max = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let axis_max = nice_ceiling(max);
    let slot = (plot_right - plot_left) / values.len().max(1) as f64;
    let bars = values
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (value, label))| {
            let v = value.unwrap_or(0.0);
            let h = if axis_max > 0.0 {
                (plot_bottom - plot_top) * v / axis_max
            } else {
                0.0
            };
            let x = plot_left + slot * i as f64 + slot * 0.2;
            Bar {
                x,
                y: plot_bottom - h,
                width: slot * 0.6,
                height: h,
                label: label.clone(),
                value_label: value.map_or("–".to_string(), |v| format!("{v:.1}")),
                label_x: x + slot * 0.3,
            }
        })
        .collect();
    BarChart {
        width,
        height,
        plot_left,
        plot_bottom,
        plot_top,
        axis_max_label: format!("{axis_max:.0} %"),
        bars,
    }
}

/// A small line chart of one scope's series against a reference series (the organization),
/// with a labelled value axis (0 and a round maximum, in the unit) and period labels. The
/// reference is dashed with hollow markers, so the two read apart in black and white.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub width: u32,
    pub height: u32,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
    /// Value axis ticks: (y, label).
    pub y_ticks: Vec<(f64, String)>,
    /// Period labels under the axis: (x, label); every other one when there are many.
    pub x_labels: Vec<(f64, String)>,
    pub main: ChartLine,
    pub reference: ChartLine,
}

/// One series of a line chart: unbroken runs as SVG `points`, and a marker at each value.
#[derive(Debug, Clone, Default)]
pub struct ChartLine {
    pub segments: Vec<String>,
    pub dots: Vec<(f64, f64)>,
}

/// Draw `main` and `reference` over `labels`; `unit_suffix` follows the axis maximum (" %" for
/// rates, "" for counts). Values are never negative in the metrics drawn this way.
pub fn line_chart(
    main: &[Option<f64>],
    reference: &[Option<f64>],
    labels: &[String],
    unit_suffix: &str,
) -> LineChart {
    let (width, height) = (320u32, 150u32);
    let (plot_left, plot_right, plot_top, plot_bottom) = (44.0, 292.0, 10.0, 118.0);
    let max = main
        .iter()
        .chain(reference)
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max);
    let axis_max = nice_ceiling(max);
    let step = if labels.len() > 1 {
        (plot_right - plot_left) / (labels.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| plot_left + step * i as f64;
    let y_of = |v: f64| plot_bottom - (plot_bottom - plot_top) * (v / axis_max).clamp(0.0, 1.0);
    let line = |values: &[Option<f64>]| {
        let mut chart_line = ChartLine::default();
        let mut current = Vec::new();
        for (i, value) in values.iter().enumerate() {
            match value {
                Some(v) => {
                    let (x, y) = (x_of(i), y_of(*v));
                    current.push(format!("{x:.1},{y:.1}"));
                    chart_line.dots.push((x, y));
                }
                None if !current.is_empty() => chart_line
                    .segments
                    .push(std::mem::take(&mut current).join(" ")),
                None => {}
            }
        }
        if !current.is_empty() {
            chart_line.segments.push(current.join(" "));
        }
        chart_line
    };
    let every = if labels.len() > 4 { 2 } else { 1 };
    let last = labels.len().saturating_sub(1);
    LineChart {
        width,
        height,
        plot_left,
        plot_right,
        plot_top,
        plot_bottom,
        y_ticks: vec![
            (plot_bottom, format!("0{unit_suffix}")),
            (
                (plot_top + plot_bottom) / 2.0,
                format!("{}{unit_suffix}", axis_max / 2.0),
            ),
            (plot_top, format!("{axis_max}{unit_suffix}")),
        ],
        x_labels: labels
            .iter()
            .enumerate()
            .filter(|(i, _)| (last - i).is_multiple_of(every))
            .map(|(i, label)| (x_of(i), label.clone()))
            .collect(),
        main: line(main),
        reference: line(reference),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_breaks_the_line() {
        let labels: Vec<String> = (1..=4).map(|i| format!("Q{i}")).collect();
        let s = sparkline(&[Some(1.0), None, Some(2.0), Some(3.0)], &labels, 100, 40);
        assert_eq!(s.segments.len(), 2);
        assert_eq!(s.dots.len(), 3);
        assert!(s.description.contains("Q2: no data"));
    }

    #[test]
    fn a_line_chart_labels_its_axes_and_breaks_at_missing_values() {
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
        let chart = line_chart(&main, &[Some(5.0); 8], &labels, " %");
        assert_eq!(chart.main.segments.len(), 2);
        assert_eq!(chart.reference.dots.len(), 8);
        let ticks: Vec<&str> = chart.y_ticks.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(ticks, ["0 %", "10 %", "20 %"]);
        let periods: Vec<&str> = chart.x_labels.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(periods, ["P2", "P4", "P6", "P8"]);
    }

    #[test]
    fn the_axis_ends_on_a_round_number() {
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(41.0), 50.0);
    }
}
