//! Presentation: how figures read for people, in one place for every format — the web pages,
//! the executive summary (page, PDF, CSV and one-file HTML) and `attune report --format text`.
//!
//! - [`number`]: numbers, percentages, money, changes, days and spans;
//! - [`missing`]: the words for a figure that is not shown, by why it is missing;
//! - [`verdict`]: whether a change is good news, from the catalogue's direction;
//! - [`labels`]: the names of things that are not metrics (empathy index parts, period lengths,
//!   tiers, directions);
//! - [`chart`]: chart geometry (line charts, sparklines, bars), drawn by the templates and the
//!   PDF;
//! - [`spreadsheet`]: cells a spreadsheet shows as text, never runs;
//! - [`text`]: the report as a plain-text table.
//!
//! Nothing here reads the database or knows HTTP: values in, strings and geometry out.

pub mod chart;
pub mod labels;
pub mod missing;
pub mod number;
pub mod spreadsheet;
pub mod text;
pub mod verdict;

pub use missing::Missing;
pub use number::{day, delta, money, number, percent, precision, score, signed, span, value};
pub use verdict::{Verdict, judge};

use crate::scoring::{Metric, MetricInfo, Scored};

/// The rates the pages lead with, in this order: the team page's tiles and "what changed", and
/// the organization's heatmap.
pub const HEADLINE_RATES: [Metric; 7] = [
    Metric::TurnoverRate,
    Metric::VoluntaryTurnoverRate,
    Metric::InvoluntaryTurnoverRate,
    Metric::AbsenteeismRate,
    Metric::PromotionRate,
    Metric::Csat,
    Metric::EmpathyFavorability,
];

/// A metric of a scope as shown: its value in its unit, or why there is none.
pub fn show(scope: &impl Scored, metric: &MetricInfo, currency: &str) -> String {
    match Missing::of(scope, metric.metric) {
        Some(missing) => missing.words().to_string(),
        None => value(metric.unit, scope.get(metric.metric), currency),
    }
}
