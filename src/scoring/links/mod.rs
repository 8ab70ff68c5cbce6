//! Outcome links: across teams and quarters, how a team's empathy favorability goes with its
//! outcomes one, two and three quarters later. Reported as an association with its 95 %
//! interval, never as proof of cause, and only from [`MIN_TEAM_QUARTERS`] team-quarters up.
//!
//! [`estimate`] holds the statistics (correlations with their intervals, the within-team
//! correlation, a Poisson model of leaver counts); [`sample`] pairs each team's favorability in
//! one quarter with its outcome one, two or three quarters later; [`links`] puts them together
//! as the report's `outcome_links`.

pub mod estimate;
#[cfg(test)]
mod statsmodels;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::period::Period;
use estimate::{Correlation, Count, Point, RateRatio};

/// What every link says about itself.
pub const NOTE: &str = "association across teams and quarters, not proof of cause";

/// The association between favorability and one outcome `lag` quarters later, across every
/// team and the [`OUTCOME_QUARTERS`] outcome quarters ending with the report's last quarter.
/// Estimates are None below [`MIN_TEAM_QUARTERS`] team-quarters, or when the figures do not vary.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OutcomeLink {
    /// The outcome's metric key: `voluntary_turnover_rate`, `absenteeism_rate` or `csat`.
    pub outcome: &'static str,
    /// How many quarters after the favorability the outcome is: 1, 2 or 3.
    pub lag: u32,
    /// Pearson's r over all team-quarters (pooled across teams).
    pub correlation: Option<f64>,
    /// The 95 % interval of `correlation` (Fisher's z).
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The team-quarters with both figures.
    pub n: usize,
    /// The teams those team-quarters come from.
    pub teams: usize,
    /// The association of change inside a team: each team centred on its own means.
    pub within_team: WithinTeam,
    /// Voluntary turnover only: from a Poisson model of the leavers with log(average headcount)
    /// as offset, how many times the leavers for 10 points more favorability (0.8 = 20 % fewer).
    pub rate_ratio_per_10_points: Option<f64>,
    /// The 95 % interval of `rate_ratio_per_10_points`.
    pub rate_ratio_ci_low: Option<f64>,
    pub rate_ratio_ci_high: Option<f64>,
    /// Whether the 95 % interval of the link's main estimate (the rate ratio for voluntary
    /// turnover, the correlation otherwise) excludes "no association".
    pub evidence: bool,
    /// Without evidence: how many more team-quarters would typically be needed for an
    /// association as strong as the one seen to be told from chance (80 % power). None with
    /// evidence, or when nothing is estimated.
    pub more_team_quarters_needed: Option<u64>,
    pub note: &'static str,
}

/// The within-team association of a link.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WithinTeam {
    /// Pearson's r of the values centred on each team's own means.
    pub correlation: Option<f64>,
    /// Its 95 % interval (Fisher's z, with a degree of freedom less per team beyond the first).
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The team-quarters of teams with two or more (a single one carries no change).
    pub n: usize,
    pub teams: usize,
    /// Whether the interval excludes zero.
    pub evidence: bool,
    /// Without evidence: how many more team-quarters would typically be needed.
    pub more_team_quarters_needed: Option<u64>,
}

impl OutcomeLink {
    /// The outcome this link is about.
    pub fn outcome(&self) -> Outcome {
        Outcome::from_key(self.outcome).expect("links are made for known outcomes")
    }
}

/// Every outcome at every lag, lag by lag (the three outcomes at lag 1 first): the report's
/// `outcome_links`, over the team-quarters of `figures` (see [`sample`]).
pub fn links(figures: &[QuarterFigures], last: Period) -> Vec<OutcomeLink> {
    LAGS.iter()
        .flat_map(|&lag| {
            Outcome::ALL
                .into_iter()
                .map(move |outcome| link(&sample(figures, last, lag, outcome), lag, outcome))
        })
        .collect()
}

/// One link from its sample.
pub fn link(sample: &Sample, lag: u32, outcome: Outcome) -> OutcomeLink {
    let n = sample.points.len();
    let enough = n >= MIN_TEAM_QUARTERS;
    let pooled: Option<Correlation> = enough.then(|| estimate::pooled(&sample.points)).flatten();
    let within = estimate::within_team(&sample.points);
    let within_estimated = within.filter(|c| c.n >= MIN_TEAM_QUARTERS);
    let rate_ratio: Option<RateRatio> = (enough && outcome == Outcome::VoluntaryTurnover)
        .then(|| estimate::poisson_rate_ratio(&sample.counts))
        .flatten();
    let (evidence, more) = match (outcome, rate_ratio) {
        (Outcome::VoluntaryTurnover, Some(rr)) => (rr.excludes_one(), rr.more_needed()),
        _ => match pooled {
            Some(c) => (c.excludes_zero(), c.more_needed()),
            None => (false, None),
        },
    };
    let within_evidence = within_estimated.is_some_and(|c| c.excludes_zero());
    OutcomeLink {
        outcome: outcome.key(),
        lag,
        correlation: pooled.map(|c| c.r),
        ci_low: pooled.map(|c| c.ci_low),
        ci_high: pooled.map(|c| c.ci_high),
        n,
        teams: team_count(&sample.points),
        within_team: WithinTeam {
            correlation: within_estimated.map(|c| c.r),
            ci_low: within_estimated.map(|c| c.ci_low),
            ci_high: within_estimated.map(|c| c.ci_high),
            n: within.map_or_else(|| within_points(&sample.points), |c| c.n),
            teams: within.map_or_else(|| within_teams(&sample.points), |c| c.teams),
            evidence: within_evidence,
            more_team_quarters_needed: within_estimated
                .filter(|_| !within_evidence)
                .and_then(|c| c.more_needed()),
        },
        rate_ratio_per_10_points: rate_ratio.map(|r| r.per_10_points),
        rate_ratio_ci_low: rate_ratio.map(|r| r.ci_low),
        rate_ratio_ci_high: rate_ratio.map(|r| r.ci_high),
        evidence,
        more_team_quarters_needed: more.filter(|_| !evidence),
        note: NOTE,
    }
}

fn team_count(points: &[Point]) -> usize {
    let mut teams: Vec<usize> = points.iter().map(|p| p.team).collect();
    teams.sort_unstable();
    teams.dedup();
    teams.len()
}

/// Team-quarters per team.
fn per_team(points: &[Point]) -> BTreeMap<usize, usize> {
    let mut per_team = BTreeMap::new();
    for p in points {
        *per_team.entry(p.team).or_insert(0) += 1;
    }
    per_team
}

/// The team-quarters of teams with two or more, which the within-team estimate uses.
fn within_points(points: &[Point]) -> usize {
    per_team(points).values().filter(|&&n| n >= 2).sum()
}

fn within_teams(points: &[Point]) -> usize {
    per_team(points).values().filter(|&&n| n >= 2).count()
}

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

    /// The outcome of a metric key.
    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
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

#[cfg(test)]
mod link_tests {
    use super::*;

    fn q(label: &str) -> Period {
        label.parse().unwrap()
    }

    /// `teams` teams over the twelve quarters to 2024-Q4, 20 people each; favorability rises
    /// with the team number and the quarter, and voluntary leavers fall with the favorability
    /// of the quarter before (none above 75 %).
    fn company(teams: usize) -> Vec<QuarterFigures> {
        let quarters = q("2024-Q4").trailing(12);
        let mut figures = Vec::new();
        for team in 0..teams {
            for (i, quarter) in quarters.iter().enumerate() {
                let favorability = 50.0 + 3.0 * team as f64 + 2.0 * i as f64;
                let before = 50.0 + 3.0 * team as f64 + 2.0 * i.saturating_sub(1) as f64;
                let leavers = ((80.0 - before) / 8.0).floor().max(0.0) as i64;
                figures.push(QuarterFigures {
                    team: format!("Team {team}"),
                    quarter: *quarter,
                    empathy_favorability: Some(favorability),
                    voluntary_turnover_rate: Some(100.0 * leavers as f64 / 20.0),
                    voluntary_leavers: leavers,
                    headcount_avg: 20.0,
                    absenteeism_rate: Some(10.0 - favorability / 10.0 + (i % 3) as f64),
                    csat: (team == 0).then_some(70.0),
                });
            }
        }
        figures
    }

    #[test]
    fn every_outcome_at_every_lag_lag_by_lag() {
        let links = links(&company(3), q("2024-Q4"));
        let order: Vec<(u32, &str)> = links.iter().map(|l| (l.lag, l.outcome)).collect();
        assert_eq!(
            order,
            [
                (1, "voluntary_turnover_rate"),
                (1, "absenteeism_rate"),
                (1, "csat"),
                (2, "voluntary_turnover_rate"),
                (2, "absenteeism_rate"),
                (2, "csat"),
                (3, "voluntary_turnover_rate"),
                (3, "absenteeism_rate"),
                (3, "csat"),
            ]
        );
        assert!(links.iter().all(|l| l.note == NOTE));
    }

    #[test]
    fn below_twenty_team_quarters_nothing_is_estimated() {
        // Two teams × eight outcome quarters: 16 team-quarters.
        let links = links(&company(2), q("2024-Q4"));
        let turnover = &links[0];
        assert_eq!((turnover.n, turnover.teams), (16, 2));
        assert_eq!(
            (
                turnover.correlation,
                turnover.ci_low,
                turnover.rate_ratio_per_10_points
            ),
            (None, None, None)
        );
        assert_eq!(turnover.within_team.correlation, None);
        assert_eq!(
            (turnover.within_team.n, turnover.within_team.teams),
            (16, 2)
        );
        assert!(!turnover.evidence);
        assert_eq!(turnover.more_team_quarters_needed, None);
    }

    #[test]
    fn turnover_is_judged_by_its_rate_ratio_the_others_by_their_correlation() {
        let links = links(&company(4), q("2024-Q4"));
        let turnover = &links[0];
        assert_eq!((turnover.n, turnover.teams), (32, 4));
        let leavers = sample(&company(4), q("2024-Q4"), 1, Outcome::VoluntaryTurnover);
        let rr = estimate::poisson_rate_ratio(&leavers.counts).unwrap();
        assert_eq!(turnover.rate_ratio_per_10_points, Some(rr.per_10_points));
        assert_eq!(
            (turnover.rate_ratio_ci_low, turnover.rate_ratio_ci_high),
            (Some(rr.ci_low), Some(rr.ci_high))
        );
        assert!(rr.per_10_points < 1.0 && rr.excludes_one(), "{rr:?}");
        assert!(turnover.evidence);
        assert_eq!(turnover.more_team_quarters_needed, None);
        let pooled = estimate::pooled(&leavers.points).unwrap();
        assert_eq!(
            (turnover.correlation, turnover.ci_low, turnover.ci_high),
            (Some(pooled.r), Some(pooled.ci_low), Some(pooled.ci_high))
        );
        let within = estimate::within_team(&leavers.points).unwrap();
        assert_eq!(turnover.within_team.correlation, Some(within.r));
        assert_eq!(turnover.within_team.evidence, within.excludes_zero());

        let absenteeism = &links[1];
        assert_eq!(
            absenteeism.rate_ratio_per_10_points, None,
            "counts are for leavers"
        );
        let absence = sample(&company(4), q("2024-Q4"), 1, Outcome::Absenteeism);
        let pooled = estimate::pooled(&absence.points).unwrap();
        assert_eq!(absenteeism.correlation, Some(pooled.r));
        assert_eq!(absenteeism.evidence, pooled.excludes_zero());
    }

    #[test]
    fn without_evidence_a_link_says_how_many_more_team_quarters_are_needed() {
        // CSAT is known for one team only and never varies: no estimate, no count.
        let links = links(&company(4), q("2024-Q4"));
        let csat = &links[2];
        assert_eq!((csat.n, csat.teams, csat.correlation), (8, 1, None));
        assert!(!csat.evidence);

        let points: Vec<Point> = (0..24)
            .map(|i| Point {
                team: i % 4,
                x: 50.0 + i as f64,
                y: [1.0, 3.0, 2.0, 5.0, 1.0, 2.0][i % 6],
            })
            .collect();
        let weak = link(
            &Sample {
                points: points.clone(),
                counts: Vec::new(),
            },
            2,
            Outcome::Absenteeism,
        );
        let pooled = estimate::pooled(&points).unwrap();
        assert!(!pooled.excludes_zero(), "{pooled:?}");
        assert!(!weak.evidence);
        assert_eq!(weak.more_team_quarters_needed, pooled.more_needed());
        assert!(weak.more_team_quarters_needed.unwrap() > 0);
    }

    #[test]
    fn hidden_favorability_never_enters_a_link() {
        let mut figures = company(4);
        let all = links(&figures, q("2024-Q4"));
        for f in figures.iter_mut().filter(|f| f.team == "Team 3") {
            f.empathy_favorability = None;
        }
        let without = links(&figures, q("2024-Q4"));
        assert_eq!((all[0].n, without[0].n), (32, 24));
        assert_eq!(without[0].teams, 3);
    }
}
