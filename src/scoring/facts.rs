//! The inputs of scoring: counts and sums over one scope (a team or the organization) and one
//! period, as the database layer computes them.

use std::collections::BTreeMap;

use super::RosterFacts;
use super::coverage::{Covered, DataKind};

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

impl Facts {
    /// Add another scope's facts (over disjoint people): the organization made of some teams
    /// only, where the others' data is not covered. Customers active in two of the teams count
    /// twice, as they do in each team. The sum's coverage is left as it is.
    pub fn add(&mut self, other: &Facts) {
        self.roster = self.roster + other.roster;
        self.regretted_separations += other.regretted_separations;
        self.first_year_separations += other.first_year_separations;
        self.separation_salaries += other.separation_salaries;
        self.separations_unpriced += other.separations_unpriced;
        self.scheduled_days += other.scheduled_days;
        self.absence_days += other.absence_days;
        self.absence_cost += other.absence_cost;
        self.absence_days_unpriced += other.absence_days_unpriced;
        self.absence_priced_people += other.absence_priced_people;
        self.promotions += other.promotions;
        self.csat_responses += other.csat_responses;
        self.csat_positive += other.csat_positive;
        let (p, o) = (&mut self.pulse, &other.pulse);
        p.responses += o.responses;
        p.empathy_respondents += o.empathy_respondents;
        p.favorable_answers += o.favorable_answers;
        p.answers += o.answers;
        p.enps_answers += o.enps_answers;
        p.enps_promoters += o.enps_promoters;
        p.enps_detractors += o.enps_detractors;
        let (c, o) = (&mut self.customers, &other.customers);
        c.active_previous += o.active_previous;
        c.retained += o.retained;
        c.active += o.active;
        c.revenue += o.revenue;
        for (name, measure) in &other.measures {
            let m = self.measures.entry(name.clone()).or_default();
            m.sum += measure.sum;
            m.count += measure.count;
        }
    }

    /// Whether the scope has anyone employed at some time in the period.
    pub fn has_roster(&self) -> bool {
        let r = &self.roster;
        r.headcount_start > 0 || r.headcount_end > 0 || r.separations > 0
    }

    /// Whether the scope has rows of `kind` in the period (the roster: anyone employed).
    pub fn has_rows(&self, kind: DataKind) -> bool {
        match kind {
            DataKind::Employees => self.has_roster(),
            DataKind::Absences => self.absence_days > 0.0,
            DataKind::Promotions => self.promotions > 0,
            DataKind::Csat => self.csat_responses > 0,
            DataKind::Pulse => self.pulse.responses > 0,
            DataKind::Customers => self.customers.active > 0 || self.customers.active_previous > 0,
            DataKind::Measures => !self.measures.is_empty(),
        }
    }
}
