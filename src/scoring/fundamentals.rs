//! The fundamentals tier: headcount and turnover (SHRM / BLS JOLTS style).

use std::ops::Add;

use serde::Serialize;

use super::rate;

/// Counts over one scope (a team or the whole organization) and one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RosterFacts {
    /// Employees active on the period's first day.
    pub headcount_start: i64,
    /// Employees active on the period's last day.
    pub headcount_end: i64,
    /// Employees whose termination_date falls inside the period.
    pub separations: i64,
    /// Separations of termination_type voluntary.
    pub voluntary_separations: i64,
    /// Separations of termination_type involuntary.
    pub involuntary_separations: i64,
}

/// Facts over disjoint scopes add up: the organization is the sum of its people, never an
/// average of its teams' rates.
impl Add for RosterFacts {
    type Output = RosterFacts;

    fn add(self, other: RosterFacts) -> RosterFacts {
        RosterFacts {
            headcount_start: self.headcount_start + other.headcount_start,
            headcount_end: self.headcount_end + other.headcount_end,
            separations: self.separations + other.separations,
            voluntary_separations: self.voluntary_separations + other.voluntary_separations,
            involuntary_separations: self.involuntary_separations + other.involuntary_separations,
        }
    }
}

impl std::iter::Sum for RosterFacts {
    fn sum<I: Iterator<Item = RosterFacts>>(iter: I) -> RosterFacts {
        iter.fold(RosterFacts::default(), Add::add)
    }
}

/// The fundamentals of one scope and period, as reported (rates on a 0–100 scale, unrounded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fundamentals {
    pub headcount_start: i64,
    pub headcount_end: i64,
    pub headcount_avg: f64,
    pub separations: i64,
    pub turnover_rate: Option<f64>,
    pub voluntary_turnover_rate: Option<f64>,
    pub involuntary_turnover_rate: Option<f64>,
}

/// headcount_avg = (start + end) / 2; each turnover rate = 100 × its separations / headcount_avg.
pub fn fundamentals(facts: &RosterFacts) -> Fundamentals {
    let headcount_avg = (facts.headcount_start + facts.headcount_end) as f64 / 2.0;
    Fundamentals {
        headcount_start: facts.headcount_start,
        headcount_end: facts.headcount_end,
        headcount_avg,
        separations: facts.separations,
        turnover_rate: rate(facts.separations as f64, headcount_avg),
        voluntary_turnover_rate: rate(facts.voluntary_separations as f64, headcount_avg),
        involuntary_turnover_rate: rate(facts.involuntary_separations as f64, headcount_avg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(start: i64, end: i64, sep: i64, vol: i64, invol: i64) -> RosterFacts {
        RosterFacts {
            headcount_start: start,
            headcount_end: end,
            separations: sep,
            voluntary_separations: vol,
            involuntary_separations: invol,
        }
    }

    #[test]
    fn the_worked_example_of_docs_metrics_gives_ten_percent_turnover() {
        // docs/metrics.md: 48 at the start, 52 at the end, 5 leavers (3 voluntary, 1 involuntary,
        // 1 without a type).
        let f = fundamentals(&facts(48, 52, 5, 3, 1));
        assert_eq!(f.headcount_avg, 50.0);
        assert_eq!(f.turnover_rate, Some(10.0));
        assert_eq!(f.voluntary_turnover_rate, Some(6.0));
        assert_eq!(f.involuntary_turnover_rate, Some(2.0));
    }

    #[test]
    fn a_team_with_no_headcount_has_no_turnover_rate() {
        let f = fundamentals(&facts(0, 0, 0, 0, 0));
        assert_eq!(f.headcount_avg, 0.0);
        assert_eq!(f.turnover_rate, None);
        assert_eq!(f.voluntary_turnover_rate, None);
        assert_eq!(f.involuntary_turnover_rate, None);
    }

    #[test]
    fn a_team_that_everyone_left_still_has_a_rate_from_its_start() {
        let f = fundamentals(&facts(2, 0, 2, 2, 0));
        assert_eq!(f.turnover_rate, Some(200.0));
    }

    #[test]
    fn the_organization_is_the_sum_of_its_teams_not_their_average() {
        let small = facts(2, 2, 1, 1, 0); // 50 %
        let large = facts(98, 98, 1, 1, 0); // ≈1 %
        let org = fundamentals(&[small, large].into_iter().sum());
        assert_eq!(org.turnover_rate, Some(2.0));
    }
}
