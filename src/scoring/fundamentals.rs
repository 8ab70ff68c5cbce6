//! The fundamentals tier: headcount, turnover, absenteeism, promotions, customer satisfaction
//! and empathy favorability. Exact definitions: docs/metrics.md.

use std::ops::Add;

use serde::Serialize;

#[cfg(test)]
use super::Settings;
use super::{Facts, Metric, rate};

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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct Fundamentals {
    pub headcount_start: i64,
    pub headcount_end: i64,
    pub headcount_avg: f64,
    pub separations: i64,
    pub turnover_rate: Option<f64>,
    pub voluntary_turnover_rate: Option<f64>,
    pub involuntary_turnover_rate: Option<f64>,
    pub absence_days: f64,
    pub scheduled_days: f64,
    pub absenteeism_rate: Option<f64>,
    pub promotions: i64,
    pub promotion_rate: Option<f64>,
    pub csat_responses: i64,
    pub csat: Option<f64>,
    pub pulse_responses: i64,
    pub empathy_favorability: Option<f64>,
}

/// Every fundamental of a scope. empathy_favorability is suppressed (None, and its key added to
/// `suppressed`) when `hidden` names it (see `privacy`).
pub fn fundamentals_of(
    facts: &Facts,
    hidden: &[Metric],
    suppressed: &mut Vec<Metric>,
) -> Fundamentals {
    let mut f = fundamentals(&facts.roster);
    f.absence_days = facts.absence_days;
    f.scheduled_days = facts.scheduled_days;
    f.absenteeism_rate = rate(facts.absence_days, facts.scheduled_days);
    f.promotions = facts.promotions;
    f.promotion_rate = rate(facts.promotions as f64, f.headcount_avg);
    f.csat_responses = facts.csat_responses;
    f.csat = rate(facts.csat_positive as f64, facts.csat_responses as f64);
    f.pulse_responses = facts.pulse.responses;
    if hidden.contains(&Metric::EmpathyFavorability) {
        suppressed.push(Metric::EmpathyFavorability);
    } else {
        f.empathy_favorability = rate(
            facts.pulse.favorable_answers as f64,
            facts.pulse.answers as f64,
        );
    }
    f
}

/// [`fundamentals_of`] with its own list of suppressed keys (for tests of other tiers).
#[cfg(test)]
pub fn fundamentals_of_for_tests(
    facts: &Facts,
    settings: &Settings,
) -> (Fundamentals, Vec<Metric>) {
    let mut suppressed = Vec::new();
    let hidden = super::base_suppression(facts, settings.min_group_size);
    (fundamentals_of(facts, &hidden, &mut suppressed), suppressed)
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
        absence_days: 0.0,
        scheduled_days: 0.0,
        absenteeism_rate: None,
        promotions: 0,
        promotion_rate: None,
        csat_responses: 0,
        csat: None,
        pulse_responses: 0,
        empathy_favorability: None,
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

    fn scored(facts: &Facts) -> (Fundamentals, Vec<Metric>) {
        fundamentals_of_for_tests(facts, &Settings::default())
    }

    #[test]
    fn the_worked_examples_of_absenteeism_promotions_csat_and_favorability() {
        // docs/metrics.md: 48 → 52 people, 6,300 scheduled days, 126 absence days,
        // 3 promotions, 40 CSAT responses of which 34 score 4–5, 6 pulse responses with
        // 18 answers to the three empathy items, 12 of them 4 or 5.
        let facts = Facts {
            roster: facts(48, 52, 5, 3, 1),
            scheduled_days: 6300.0,
            absence_days: 126.0,
            promotions: 3,
            csat_responses: 40,
            csat_positive: 34,
            pulse: crate::scoring::PulseFacts {
                responses: 6,
                empathy_respondents: 6,
                favorable_answers: 12,
                answers: 18,
                ..Default::default()
            },
            ..Facts::default()
        };
        let (f, suppressed) = scored(&facts);
        assert_eq!(f.absenteeism_rate, Some(2.0));
        assert_eq!(f.promotion_rate, Some(6.0));
        assert_eq!(f.csat, Some(85.0));
        assert_eq!(f.empathy_favorability, Some(100.0 * 12.0 / 18.0));
        assert!(suppressed.is_empty());
    }

    #[test]
    fn favorability_below_the_minimum_group_size_is_suppressed_not_shown() {
        let facts = Facts {
            pulse: crate::scoring::PulseFacts {
                responses: 4,
                favorable_answers: 12,
                answers: 12,
                ..Default::default()
            },
            ..Facts::default()
        };
        let (f, suppressed) = scored(&facts);
        assert_eq!(f.empathy_favorability, None);
        assert_eq!(f.pulse_responses, 4);
        assert_eq!(suppressed, ["empathy_favorability"]);
    }

    #[test]
    fn favorability_is_hidden_when_too_few_responses_answered_the_empathy_items() {
        // Six responses, but only four answered heard/supported/valued: the rest only eNPS.
        let facts = Facts {
            pulse: crate::scoring::PulseFacts {
                responses: 6,
                empathy_respondents: 4,
                favorable_answers: 10,
                answers: 12,
                ..Default::default()
            },
            ..Facts::default()
        };
        let (f, suppressed) = scored(&facts);
        assert_eq!(f.empathy_favorability, None);
        assert_eq!(suppressed, ["empathy_favorability"]);
    }

    #[test]
    fn rates_without_a_denominator_are_null() {
        let (f, _) = scored(&Facts {
            pulse: crate::scoring::PulseFacts {
                responses: 9,
                ..Default::default()
            },
            ..Facts::default()
        });
        assert_eq!(
            (f.absenteeism_rate, f.promotion_rate, f.csat),
            (None, None, None)
        );
        assert_eq!(
            f.empathy_favorability, None,
            "responses that answered no empathy item"
        );
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
