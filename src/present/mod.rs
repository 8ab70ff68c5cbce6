//! Presentation: how figures read for people, in one place for every format — the web pages,
//! the executive summary (page, PDF, CSV and one-file HTML) and `attune report --format text`.
//!
//! - [`number`]: numbers, percentages, money, changes, days and spans;
//! - [`missing`]: the words for a figure that is not shown, by why it is missing;
//! - [`verdict`]: whether a change is good news, from the catalogue's direction;
//! - [`links`]: the outcome links in plain words (verdicts, table cells, "teams like yours");
//! - [`labels`]: the names of things that are not metrics (empathy index parts, period lengths,
//!   tiers, directions);
//! - [`chart`]: chart geometry (line charts, sparklines, bars), drawn by the templates and the
//!   PDF;
//! - [`spreadsheet`]: cells a spreadsheet shows as text, never runs;
//! - [`text`]: the report as a plain-text table;
//! - [`standout`]: "What stands out" for a team, with the suggestions of [`playbook`]
//!   (docs/playbook.md).
//!
//! Nothing here reads the database or knows HTTP: values in, strings and geometry out.

pub mod chart;
pub mod labels;
pub mod links;
pub mod missing;
pub mod number;
pub mod playbook;
pub mod spreadsheet;
pub mod standout;
pub mod text;
pub mod verdict;

pub use missing::Missing;
pub use number::{day, delta, money, number, percent, precision, score, signed, span, value};
pub use verdict::{Verdict, judge};

use crate::period::Granularity;
use crate::scoring::{Metric, MetricInfo, Scored};

/// Working days in a year (52 weeks of Monday to Friday), as absence costs count them.
const WORKING_DAYS_A_YEAR: f64 = 260.0;

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

/// A rate's yearly equivalent, for a month's or quarter's figure that reads small: turnover
/// and promotion rates times the periods in a year ("≈ 47 % a year" beside a quarter's 11.8 %);
/// absenteeism, a share of working days whatever the period, as the days it would cost each
/// person in a year ("≈ 5.2 days a year per person"). None for other metrics, and for a year's
/// turnover and promotions (already a year's).
pub fn per_year(metric: Metric, value: f64, granularity: Granularity) -> Option<String> {
    let periods = match granularity {
        Granularity::Year => 1.0,
        Granularity::Quarter => 4.0,
        Granularity::Month => 12.0,
    };
    match metric {
        Metric::AbsenteeismRate => Some(format!(
            "≈ {} days a year per person",
            number(value * WORKING_DAYS_A_YEAR / 100.0, 1)
        )),
        Metric::TurnoverRate
        | Metric::VoluntaryTurnoverRate
        | Metric::InvoluntaryTurnoverRate
        | Metric::RegrettedTurnoverRate
        | Metric::PromotionRate
            if granularity != Granularity::Year =>
        {
            Some(format!("≈ {} % a year", number(value * periods, 0)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarters_turnover_reads_as_a_year_and_absence_as_days_a_person() {
        let q = Granularity::Quarter;
        assert_eq!(
            per_year(Metric::TurnoverRate, 11.8, q).as_deref(),
            Some("≈ 47 % a year")
        );
        assert_eq!(
            per_year(Metric::VoluntaryTurnoverRate, 2.5, Granularity::Month).as_deref(),
            Some("≈ 30 % a year")
        );
        assert_eq!(
            per_year(Metric::TurnoverRate, 11.8, Granularity::Year),
            None
        );
        assert_eq!(
            per_year(Metric::AbsenteeismRate, 2.0, Granularity::Year).as_deref(),
            Some("≈ 5.2 days a year per person")
        );
        assert_eq!(per_year(Metric::FirstYearTurnover, 75.0, q), None);
        assert_eq!(per_year(Metric::Csat, 80.0, q), None);
    }
}
