//! The inputs of scoring: counts and sums over one scope (a team or the organization) and one
//! period, as the database layer computes them.

use std::collections::BTreeMap;

use super::RosterFacts;
use super::coverage::Covered;

/// The facts of one period: the organization and every team (teams without data included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodFacts {
    pub org: Facts,
    pub teams: BTreeMap<String, Facts>,
}

impl PeriodFacts {
    /// The facts of `team`, or of the organization for None.
    pub fn of(&self, team: Option<&str>) -> Option<&Facts> {
        match team {
            None => Some(&self.org),
            Some(name) => self.teams.get(name),
        }
    }
}

/// Everything scoring needs about one scope and period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub roster: RosterFacts,
    /// Separations marked regretted.
    pub regretted_separations: i64,
    /// Separations less than 365 days after the hire date.
    pub first_year_separations: i64,
    /// The sum of annual_salary over separations that have one.
    pub separation_salaries: f64,
    /// Separations without a salary.
    pub separations_unpriced: i64,
    /// Σ over employees of the Monday–Friday days in the period on which they are active.
    pub scheduled_days: f64,
    /// Weighted working days of unplanned absence inside the period.
    pub absence_days: f64,
    /// Σ absence_days × annual_salary / 260, over absent people with a salary.
    pub absence_cost: f64,
    /// Absence days of people without a salary (not in absence_cost).
    pub absence_days_unpriced: f64,
    /// The people with a salary behind absence_cost.
    pub absence_priced_people: i64,
    pub promotions: i64,
    pub csat_responses: i64,
    /// CSAT responses scoring 4 or 5.
    pub csat_positive: i64,
    pub pulse: PulseFacts,
    pub customers: CustomerFacts,
    /// Team measures by metric name.
    pub measures: BTreeMap<String, MeasureFacts>,
    /// The kinds whose data covers the whole period (and the previous one) for this scope:
    /// the metrics computed from any other kind are unknown (see `coverage`).
    pub covered: Covered,
}

/// Pulse survey counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PulseFacts {
    pub responses: i64,
    /// Responses that answered at least one of heard, supported and valued.
    pub empathy_respondents: i64,
    /// Answers of 4 or 5 to heard, supported and valued.
    pub favorable_answers: i64,
    /// All answers to heard, supported and valued.
    pub answers: i64,
    pub enps_answers: i64,
    /// eNPS answers of 9 or 10.
    pub enps_promoters: i64,
    /// eNPS answers from 0 to 6.
    pub enps_detractors: i64,
}

/// Customer activity counts (a customer is active in a period when it brought revenue then).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CustomerFacts {
    pub active_previous: i64,
    /// Active in both the previous period and this one.
    pub retained: i64,
    pub active: i64,
    pub revenue: f64,
}

/// The sum and number of values of one measure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeasureFacts {
    pub sum: f64,
    pub count: i64,
}

impl Facts {
    /// The leavers with a salary behind turnover_cost.
    pub fn priced_leavers(&self) -> i64 {
        self.roster.separations - self.separations_unpriced
    }

    /// The sum of a measure, if any value was recorded.
    pub fn measure_sum(&self, metric: &str) -> Option<f64> {
        self.measures
            .get(metric)
            .filter(|m| m.count > 0)
            .map(|m| m.sum)
    }

    /// The mean of a measure, if any value was recorded.
    pub fn measure_mean(&self, metric: &str) -> Option<f64> {
        self.measures
            .get(metric)
            .filter(|m| m.count > 0)
            .map(|m| m.sum / m.count as f64)
    }
}
