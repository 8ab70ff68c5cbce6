//! Outcome links: across teams and quarters, how a team's empathy favorability goes with its
//! outcomes in the quarters that follow. Reported as an association (a correlation and its n),
//! never as proof of cause, and only from 8 team-quarters up.
//!
//! [`estimate`] holds the statistics (correlations with their intervals, the within-team
//! correlation, a Poisson model of leaver counts); [`sample`] pairs each team's favorability in
//! one quarter with its outcome one, two or three quarters later.

pub mod estimate;
#[cfg(test)]
mod statsmodels;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::period::Period;
use estimate::{Count, Point};

/// The fewest team-quarter pairs a correlation is reported for.
pub const MIN_PAIRS: usize = 8;

/// One team in one quarter: favorability then (None when unknown or suppressed) and the
/// outcomes of the following quarter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TeamQuarter {
    pub empathy_favorability: Option<f64>,
    pub next_voluntary_turnover_rate: Option<f64>,
    pub next_absenteeism_rate: Option<f64>,
    pub next_csat: Option<f64>,
}

/// The association between favorability and one next-quarter outcome.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OutcomeLink {
    pub outcome: &'static str,
    /// Pearson's r, or None with fewer than [`MIN_PAIRS`] pairs (or no variation).
    pub correlation: Option<f64>,
    /// The number of team-quarter pairs with both values.
    pub n: usize,
    pub note: &'static str,
}

/// The links for voluntary turnover, absenteeism and CSAT.
pub fn outcome_links(quarters: &[TeamQuarter]) -> Vec<OutcomeLink> {
    type Next = fn(&TeamQuarter) -> Option<f64>;
    let outcomes: [(&'static str, Next); 3] = [
        ("voluntary_turnover_rate", |q| {
            q.next_voluntary_turnover_rate
        }),
        ("absenteeism_rate", |q| q.next_absenteeism_rate),
        ("csat", |q| q.next_csat),
    ];
    outcomes
        .into_iter()
        .map(|(outcome, next)| {
            let pairs: Vec<(f64, f64)> = quarters
                .iter()
                .filter_map(|q| q.empathy_favorability.zip(next(q)))
                .collect();
            OutcomeLink {
                outcome,
                correlation: (pairs.len() >= MIN_PAIRS)
                    .then(|| pearson(&pairs))
                    .flatten(),
                n: pairs.len(),
                note: "association across teams and quarters, not proof of cause",
            }
        })
        .collect()
}

pub use estimate::pearson;

/// The fewest team-quarters anything is estimated from.
pub const MIN_TEAM_QUARTERS: usize = 20;

/// How many quarters after the favorability the outcome is looked at.
pub const LAGS: [u32; 3] = [1, 2, 3];

/// How many quarters of outcomes the links look at: those up to and including the report's
/// last quarter.
pub const OUTCOME_QUARTERS: usize = 8;

/// How many quarters of figures the links need, ending with the report's last quarter: the
/// outcome quarters and, before them, the favorability of the longest lag.
pub const QUARTERS_NEEDED: usize = OUTCOME_QUARTERS + 3;

/// The outcomes favorability is linked to, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    VoluntaryTurnover,
    Absenteeism,
    Csat,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [
        Outcome::VoluntaryTurnover,
        Outcome::Absenteeism,
        Outcome::Csat,
    ];

    /// The outcome's metric key, as in the report.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::VoluntaryTurnover => "voluntary_turnover_rate",
            Outcome::Absenteeism => "absenteeism_rate",
            Outcome::Csat => "csat",
        }
    }

    fn of(self, figures: &QuarterFigures) -> Option<f64> {
        match self {
            Outcome::VoluntaryTurnover => figures.voluntary_turnover_rate,
            Outcome::Absenteeism => figures.absenteeism_rate,
            Outcome::Csat => figures.csat,
        }
    }
}

/// One team's figures in one quarter, as the links read them.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterFigures {
    pub team: String,
    pub quarter: Period,
    /// None when unknown, and whenever it is not shown to everyone (suppressed or withheld): a
    /// hidden figure must never enter an estimate.
    pub empathy_favorability: Option<f64>,
    pub voluntary_turnover_rate: Option<f64>,
    /// The voluntary leavers behind `voluntary_turnover_rate`, and the average headcount it is
    /// over.
    pub voluntary_leavers: i64,
    pub headcount_avg: f64,
    pub absenteeism_rate: Option<f64>,
    pub csat: Option<f64>,
}

/// The team-quarters of one outcome at one lag: favorability in quarter q against the outcome
/// in quarter q + lag, for every outcome quarter among the [`OUTCOME_QUARTERS`] ending with
/// `last`. `points` pairs favorability with the outcome; for voluntary turnover `counts` holds
/// the same team-quarters as leavers over average headcount. Teams are numbered in name order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub points: Vec<Point>,
    pub counts: Vec<Count>,
}

/// Pair favorability with an outcome `lag` quarters later (see [`Sample`]). A team-quarter
/// counts only when both figures are known.
pub fn sample(figures: &[QuarterFigures], last: Period, lag: u32, outcome: Outcome) -> Sample {
    let mut teams: BTreeMap<&str, usize> = figures.iter().map(|f| (f.team.as_str(), 0)).collect();
    for (number, slot) in teams.values_mut().enumerate() {
        *slot = number;
    }
    let by_quarter: HashMap<(&str, Period), &QuarterFigures> = figures
        .iter()
        .map(|f| ((f.team.as_str(), f.quarter), f))
        .collect();
    let mut sample = Sample::default();
    for quarter in last.trailing(OUTCOME_QUARTERS) {
        let mut then = quarter;
        for _ in 0..lag {
            then = then.previous();
        }
        for (team, number) in &teams {
            let (Some(later), Some(earlier)) = (
                by_quarter.get(&(*team, quarter)),
                by_quarter.get(&(*team, then)),
            ) else {
                continue;
            };
            let (Some(x), Some(y)) = (earlier.empathy_favorability, outcome.of(later)) else {
                continue;
            };
            sample.points.push(Point {
                team: *number,
                x,
                y,
            });
            if outcome == Outcome::VoluntaryTurnover && later.headcount_avg > 0.0 {
                sample.counts.push(Count {
                    team: *number,
                    x,
                    leavers: later.voluntary_leavers as f64,
                    exposure: later.headcount_avg,
                });
            }
        }
    }
    sample
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarter(fav: f64, turnover: f64) -> TeamQuarter {
        TeamQuarter {
            empathy_favorability: Some(fav),
            next_voluntary_turnover_rate: Some(turnover),
            next_absenteeism_rate: None,
            next_csat: None,
        }
    }

    #[test]
    fn a_link_is_reported_only_from_eight_pairs() {
        let seven: Vec<TeamQuarter> = (0..7)
            .map(|i| quarter(50.0 + i as f64, 10.0 - i as f64))
            .collect();
        let links = outcome_links(&seven);
        assert_eq!(
            (links[0].outcome, links[0].correlation, links[0].n),
            ("voluntary_turnover_rate", None, 7)
        );

        let mut eight = seven.clone();
        eight.push(quarter(57.0, 3.0));
        let links = outcome_links(&eight);
        assert_eq!(links[0].n, 8);
        assert!((links[0].correlation.unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(links[1].n, 0, "no absenteeism data");
    }

    #[test]
    fn suppressed_quarters_do_not_count() {
        let mut quarters: Vec<TeamQuarter> = (0..8)
            .map(|i| quarter(50.0 + i as f64, 10.0 - i as f64))
            .collect();
        quarters[0].empathy_favorability = None;
        assert_eq!(outcome_links(&quarters)[0].n, 7);
    }
}

#[cfg(test)]
mod sample_tests {
    use super::*;

    fn q(label: &str) -> Period {
        label.parse().unwrap()
    }

    fn figures(
        team: &str,
        quarter: &str,
        favorability: Option<f64>,
        leavers: i64,
    ) -> QuarterFigures {
        QuarterFigures {
            team: team.to_string(),
            quarter: q(quarter),
            empathy_favorability: favorability,
            voluntary_turnover_rate: Some(100.0 * leavers as f64 / 10.0),
            voluntary_leavers: leavers,
            headcount_avg: 10.0,
            absenteeism_rate: Some(leavers as f64),
            csat: None,
        }
    }

    #[test]
    fn favorability_is_paired_with_the_outcome_lag_quarters_later() {
        let data = vec![
            figures("B", "2024-Q1", Some(60.0), 1),
            figures("B", "2024-Q2", Some(70.0), 2),
            figures("B", "2024-Q3", Some(80.0), 3),
            figures("A", "2024-Q3", Some(50.0), 4),
            figures("A", "2024-Q4", Some(55.0), 5),
        ];
        let last = q("2024-Q4");
        let lag1 = sample(&data, last, 1, Outcome::VoluntaryTurnover);
        let pairs: Vec<(usize, f64, f64)> =
            lag1.points.iter().map(|p| (p.team, p.x, p.y)).collect();
        // Oldest outcome quarter first; teams numbered by name (A = 0, B = 1).
        assert_eq!(pairs, [(1, 60.0, 20.0), (1, 70.0, 30.0), (0, 50.0, 50.0)]);
        assert_eq!(
            lag1.counts
                .iter()
                .map(|c| (c.x, c.leavers, c.exposure))
                .collect::<Vec<_>>(),
            [(60.0, 2.0, 10.0), (70.0, 3.0, 10.0), (50.0, 5.0, 10.0)]
        );
        let lag2 = sample(&data, last, 2, Outcome::Absenteeism);
        assert_eq!(
            lag2.points.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>(),
            [(60.0, 3.0)]
        );
        assert!(
            lag2.counts.is_empty(),
            "counts are for voluntary turnover only"
        );
        assert!(sample(&data, last, 3, Outcome::Csat).points.is_empty());
    }

    #[test]
    fn only_the_eight_outcome_quarters_up_to_the_last_count() {
        let data: Vec<QuarterFigures> = q("2024-Q4")
            .trailing(12)
            .iter()
            .map(|p| figures("A", &p.to_string(), Some(60.0), 1))
            .collect();
        for lag in LAGS {
            let s = sample(&data, q("2024-Q4"), lag, Outcome::Absenteeism);
            assert_eq!(s.points.len(), OUTCOME_QUARTERS, "lag {lag}");
        }
        let s = sample(&data, q("2023-Q4"), 1, Outcome::Absenteeism);
        assert_eq!(
            s.points.len(),
            7,
            "2022-Q1 is the first quarter: no favorability before it"
        );
    }

    #[test]
    fn hidden_favorability_and_unknown_outcomes_never_count() {
        let mut empty = figures("A", "2024-Q4", Some(70.0), 0);
        empty.headcount_avg = 0.0;
        empty.voluntary_turnover_rate = None;
        let data = vec![
            figures("A", "2024-Q2", None, 1),
            figures("A", "2024-Q3", Some(60.0), 1),
            empty,
        ];
        let s = sample(&data, q("2024-Q4"), 1, Outcome::VoluntaryTurnover);
        assert!(s.points.is_empty() && s.counts.is_empty(), "{s:?}");
        let s = sample(&data, q("2024-Q4"), 1, Outcome::Absenteeism);
        assert_eq!(
            s.points.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>(),
            [(60.0, 0.0)],
            "2024-Q2's hidden favorability gives no pair for 2024-Q3"
        );
    }
}
