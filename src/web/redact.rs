//! What a user may see of a report, applied in one place to every `report::Report` the web
//! layer builds (pages and API alike), right after it is built.
//!
//! - Teams the user may not see are dropped (the organization stays).
//! - Figures computed from salaries give away the salary of the one or two people behind them
//!   (a turnover cost divided by the cost factor, an absence cost over the absence days), and
//!   the drill-down names them. For a manager every such figure is withheld (reason
//!   `salary_based`); for an executive those the report marks `salary_protected` (fewer than
//!   three priced people behind them, or recoverable as such by subtraction:
//!   `scoring::privacy::decide_salary`) are withheld (reason `too_few_people`). The value
//!   becomes None (null in JSON), its key is listed in the scope's (and each comparison's)
//!   `suppressed`, and `reasons` says why, so pages show the matching words
//!   (`present::Missing`) and never compute with it. HR sees them all.

use std::collections::BTreeMap;

use super::auth::{CurrentUser, TeamScope};
use crate::accounts::Role;
use crate::report::{Comparison, Report, Scope};
use crate::scoring::{Intermediate, Metric, Reason};

impl CurrentUser {
    /// Make a freshly built report fit for this user: only the teams they may see, and no
    /// salary-based figure they may not see anywhere (organization, teams, comparisons).
    pub fn redact(&self, report: &mut Report) {
        for_reader(std::slice::from_mut(report), self.role, &self.teams);
    }

    /// `redact` for each of several reports.
    pub fn redact_all(&self, reports: &mut [Report]) {
        for_reader(reports, self.role, &self.teams);
    }
}

/// What a reader with `role` who may see `teams` may see of reports: the one rule behind
/// `CurrentUser::redact` (pages, API) and the managers' e-mailed digest, whose reader is not
/// signed in.
pub fn for_reader(reports: &mut [Report], role: Role, teams: &TeamScope) {
    for report in reports {
        report.teams.retain(|name, _| teams.includes(name));
        let rule = match role {
            Role::Hr => continue,
            Role::Executive => SalaryRule::TooFewPeople,
            Role::Manager => SalaryRule::All,
        };
        withhold_in_report(report, rule);
    }
}

/// What an executive may see of a report, for a reader who is not signed in: the quarterly
/// summary e-mailed to executives and HR alike (every team stays; salary-based figures over
/// fewer than three people are withheld).
pub fn for_executives(reports: &mut [Report]) {
    for report in reports {
        withhold_in_report(report, SalaryRule::TooFewPeople);
    }
}

/// `rule` applied to every scope of a report: the organization and each team.
fn withhold_in_report(report: &mut Report, rule: SalaryRule) {
    withhold_salary_figures(&mut report.org, rule);
    for scope in report.teams.values_mut() {
        withhold_salary_figures(scope, rule);
    }
}

/// Which salary-based figures a reader may not see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SalaryRule {
    /// None of them (managers).
    All,
    /// Those over too few people (executives).
    TooFewPeople,
}

fn withhold_salary_figures(scope: &mut Scope, rule: SalaryRule) {
    let protected = scope.salary_protected.clone();
    withhold(
        &mut scope.intermediate,
        &mut scope.suppressed,
        &mut scope.reasons,
        &protected,
        rule,
    );
    for comparison in [&mut scope.previous, &mut scope.year_earlier] {
        let Comparison {
            intermediate,
            suppressed,
            reasons,
            salary_protected,
            ..
        } = comparison;
        withhold(intermediate, suppressed, reasons, salary_protected, rule);
    }
}

fn withhold(
    intermediate: &mut Intermediate,
    suppressed: &mut Vec<Metric>,
    reasons: &mut BTreeMap<Metric, Reason>,
    protected: &[Metric],
    rule: SalaryRule,
) {
    for metric in Metric::salary_based() {
        let reason = match rule {
            SalaryRule::All => Reason::SalaryBased,
            SalaryRule::TooFewPeople if protected.contains(&metric) => Reason::TooFewPeople,
            SalaryRule::TooFewPeople => continue,
        };
        // The salary-based metrics are these two (a test checks it against the catalogue).
        match metric {
            Metric::TurnoverCost => intermediate.turnover_cost = None,
            Metric::AbsenceCost => intermediate.absence_cost = None,
            other => unreachable!("{other} is not salary-based"),
        }
        if !suppressed.contains(&metric) {
            suppressed.push(metric);
        }
        reasons.insert(metric, reason);
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
        let mut reasons = BTreeMap::new();
        withhold(&mut i, &mut suppressed, &mut reasons, &[], SalaryRule::All);
        withhold(&mut i, &mut suppressed, &mut reasons, &[], SalaryRule::All);
        assert_eq!(reasons[&Metric::TurnoverCost], Reason::SalaryBased);
        let json = serde_json::to_value(&i).unwrap();
        assert!(json["turnover_cost"].is_null());
        assert!(json["absence_cost"].is_null());
        assert_eq!(suppressed, ["enps", "turnover_cost", "absence_cost"]);
        let text = serde_json::to_string(&i).unwrap();
        assert!(text.contains("\"turnover_cost\":null"), "{text}");
        assert!(!text.contains("12600") && !text.contains("461"), "{text}");
    }

    #[test]
    fn an_executive_loses_only_the_figures_over_too_few_people() {
        let mut i = intermediate();
        let mut suppressed = Vec::new();
        let mut reasons = BTreeMap::new();
        withhold(
            &mut i,
            &mut suppressed,
            &mut reasons,
            &[Metric::TurnoverCost],
            SalaryRule::TooFewPeople,
        );
        assert_eq!(i.turnover_cost, None);
        assert_eq!(i.absence_cost, Some(461.5));
        assert_eq!(suppressed, [Metric::TurnoverCost]);
        assert_eq!(
            reasons,
            BTreeMap::from([(Metric::TurnoverCost, Reason::TooFewPeople)])
        );
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
        let mut reasons = BTreeMap::new();
        withhold(
            &mut scored.intermediate,
            &mut scored.suppressed,
            &mut reasons,
            &[],
            SalaryRule::All,
        );
        let salary_based: Vec<Metric> = Metric::salary_based().collect();
        assert_eq!(salary_based, [Metric::TurnoverCost, Metric::AbsenceCost]);
        for metric in salary_based {
            assert_eq!(scored.get(metric), None, "{metric}");
            assert!(scored.is_suppressed(metric), "{metric}");
        }
    }
}
