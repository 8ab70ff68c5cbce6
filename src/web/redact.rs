//! What a user may see of a report, applied in one place to every `report::Report` the web
//! layer builds (pages and API alike), right after it is built.
//!
//! - Teams the user may not see are dropped (the organization stays).
//! - For a manager, the figures computed from salaries are withheld: a turnover cost divided
//!   by the cost factor, or an absence cost over the absence days, gives away the salary of the
//!   one or two people behind it, and the drill-down names them. The value becomes None (null
//!   in JSON) and its key is listed in the scope's
//!   (and each comparison's) `suppressed`, so pages show "withheld: salary-based"
//!   (`present::Missing::SalaryBased`) and never compute with it. HR and executives keep the
//!   money figures.

use super::auth::CurrentUser;
use crate::accounts::Role;
use crate::report::{Comparison, Report, Scope};
use crate::scoring::{Intermediate, Metric};

impl CurrentUser {
    /// Whether this user may see figures computed from salaries (HR and executives).
    pub fn sees_salary_figures(&self) -> bool {
        self.role != Role::Manager
    }

    /// Make a freshly built report fit for this user: only the teams they may see, and for a
    /// manager no salary-based figure anywhere (organization, teams, comparisons).
    pub fn redact(&self, report: &mut Report) {
        self.retain_visible(&mut report.teams);
        if self.sees_salary_figures() {
            return;
        }
        withhold_salary_figures(&mut report.org);
        for scope in report.teams.values_mut() {
            withhold_salary_figures(scope);
        }
    }

    /// `redact` for each of several reports.
    pub fn redact_all(&self, reports: &mut [Report]) {
        for report in reports {
            self.redact(report);
        }
    }
}

fn withhold_salary_figures(scope: &mut Scope) {
    withhold(&mut scope.intermediate, &mut scope.suppressed);
    for comparison in [&mut scope.previous, &mut scope.year_earlier] {
        let Comparison {
            intermediate,
            suppressed,
            ..
        } = comparison;
        withhold(intermediate, suppressed);
    }
}

fn withhold(intermediate: &mut Intermediate, suppressed: &mut Vec<Metric>) {
    // The salary-based metrics are these two (a test checks it against the catalogue).
    intermediate.turnover_cost = None;
    intermediate.absence_cost = None;
    for metric in Metric::salary_based() {
        if !suppressed.contains(&metric) {
            suppressed.push(metric);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{self, Facts, Hidden, Scored, Settings};

    fn intermediate() -> Intermediate {
        let facts = Facts {
            separation_salaries: 60_000.0,
            absence_cost: 461.5,
            ..Facts::default()
        };
        let settings = Settings::default();
        let ctx = scoring::Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        scoring::score(&facts, None, &[], ctx, &Hidden::default()).intermediate
    }

    #[test]
    fn withheld_salary_figures_are_null_in_json_and_listed_as_suppressed() {
        let mut i = intermediate();
        let mut suppressed = vec![Metric::Enps];
        withhold(&mut i, &mut suppressed);
        withhold(&mut i, &mut suppressed);
        let json = serde_json::to_value(&i).unwrap();
        assert!(json["turnover_cost"].is_null());
        assert!(json["absence_cost"].is_null());
        assert_eq!(suppressed, ["enps", "turnover_cost", "absence_cost"]);
        let text = serde_json::to_string(&i).unwrap();
        assert!(text.contains("\"turnover_cost\":null"), "{text}");
        assert!(!text.contains("12600") && !text.contains("461"), "{text}");
    }

    #[test]
    fn only_the_salary_based_metrics_are_money_from_salaries() {
        for metric in Metric::salary_based() {
            assert_eq!(metric.info().unit, scoring::Unit::Money);
        }
        assert!(Metric::salary_based().all(|m| m != Metric::RevenuePerEmployee));
    }

    #[test]
    fn withholding_nulls_every_salary_based_metric_of_the_catalogue() {
        let settings = Settings::default();
        let ctx = scoring::Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        let mut scored = scoring::score(&Facts::default(), None, &[], ctx, &Hidden::default());
        withhold(&mut scored.intermediate, &mut scored.suppressed);
        let salary_based: Vec<Metric> = Metric::salary_based().collect();
        assert_eq!(salary_based, [Metric::TurnoverCost, Metric::AbsenceCost]);
        for metric in salary_based {
            assert_eq!(scored.get(metric), None, "{metric}");
            assert!(scored.is_suppressed(metric), "{metric}");
        }
    }
}
