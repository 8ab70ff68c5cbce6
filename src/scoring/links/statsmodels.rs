//! Attune's outcome-link estimates against statsmodels: on the fixed team-quarters of
//! `tests/stats/links.csv`, every estimate must equal what `tests/stats/compare.py` computed with
//! statsmodels and committed in `tests/stats/expected.json` (the command that produced it is
//! recorded there). CI reruns the Python script to check the committed numbers still hold.

use serde::Deserialize;

use super::estimate::{self, Correlation, RateRatio};
use super::{MIN_TEAM_QUARTERS, Outcome, QuarterFigures, links, sample};
use crate::period::Period;

const DATA: &str = include_str!("../../../tests/stats/links.csv");
const EXPECTED: &str = include_str!("../../../tests/stats/expected.json");

/// Correlations and their bounds agree to this (absolute); rate ratios to this relative to
/// their size. Both are far below what is ever shown, and far above floating-point noise.
const TOLERANCE: f64 = 1e-9;

#[derive(Deserialize)]
struct Row {
    team: String,
    quarter: String,
    empathy_favorability: Option<f64>,
    voluntary_leavers: i64,
    headcount_avg: f64,
    absenteeism_rate: Option<f64>,
    csat: Option<f64>,
}

#[derive(Deserialize)]
struct Expected {
    last_quarter: String,
    links: Vec<ExpectedLink>,
}

#[derive(Deserialize)]
struct ExpectedLink {
    outcome: String,
    lag: u32,
    n: usize,
    pooled: Option<ExpectedCorrelation>,
    within_team: Option<ExpectedCorrelation>,
    poisson: Option<ExpectedPoisson>,
}

#[derive(Deserialize)]
struct ExpectedCorrelation {
    correlation: f64,
    ci_low: f64,
    ci_high: f64,
    n: usize,
    teams: usize,
}

#[derive(Deserialize)]
struct ExpectedPoisson {
    rate_ratio_per_10_points: f64,
    ci_low: f64,
    ci_high: f64,
    dispersion: f64,
    n: usize,
    teams: usize,
}

fn figures() -> Vec<QuarterFigures> {
    csv::Reader::from_reader(DATA.as_bytes())
        .deserialize::<Row>()
        .map(|row| {
            let row = row.expect("links.csv is well-formed");
            QuarterFigures {
                quarter: row.quarter.parse().expect("a quarter label"),
                team: row.team,
                empathy_favorability: row.empathy_favorability,
                // As scoring::fundamentals computes it: unknown over nobody.
                voluntary_turnover_rate: (row.headcount_avg > 0.0)
                    .then(|| 100.0 * row.voluntary_leavers as f64 / row.headcount_avg),
                voluntary_leavers: row.voluntary_leavers,
                headcount_avg: row.headcount_avg,
                absenteeism_rate: row.absenteeism_rate,
                csat: row.csat,
            }
        })
        .collect()
}

fn outcome(key: &str) -> Outcome {
    Outcome::ALL
        .into_iter()
        .find(|o| o.key() == key)
        .expect("a known outcome")
}

fn assert_close(what: &str, actual: f64, expected: f64, scale: f64) {
    assert!(
        (actual - expected).abs() <= TOLERANCE * scale,
        "{what}: Attune {actual}, statsmodels {expected}"
    );
}

fn assert_correlation(what: &str, actual: Option<Correlation>, expected: &ExpectedCorrelation) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: Attune estimates nothing"));
    assert_close(&format!("{what} r"), actual.r, expected.correlation, 1.0);
    assert_close(
        &format!("{what} ci_low"),
        actual.ci_low,
        expected.ci_low,
        1.0,
    );
    assert_close(
        &format!("{what} ci_high"),
        actual.ci_high,
        expected.ci_high,
        1.0,
    );
    assert_eq!(
        (actual.n, actual.teams),
        (expected.n, expected.teams),
        "{what}"
    );
}

fn assert_rate_ratio(what: &str, actual: Option<RateRatio>, expected: &ExpectedPoisson) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: Attune estimates nothing"));
    let ratio = expected.rate_ratio_per_10_points;
    assert_close(
        &format!("{what} rate ratio"),
        actual.per_10_points,
        ratio,
        ratio,
    );
    assert_close(
        &format!("{what} ci_low"),
        actual.ci_low,
        expected.ci_low,
        ratio,
    );
    assert_close(
        &format!("{what} ci_high"),
        actual.ci_high,
        expected.ci_high,
        ratio,
    );
    assert_close(
        &format!("{what} dispersion"),
        actual.dispersion,
        expected.dispersion,
        expected.dispersion,
    );
    assert_eq!(
        (actual.n, actual.teams),
        (expected.n, expected.teams),
        "{what}"
    );
}

/// Below [`MIN_TEAM_QUARTERS`] nothing is estimated, here as in the script.
fn estimated<T>(n: usize, estimate: impl FnOnce() -> Option<T>) -> Option<T> {
    (n >= MIN_TEAM_QUARTERS).then(estimate).flatten()
}

#[test]
fn every_estimate_equals_statsmodels_on_the_fixed_data_set() {
    let expected: Expected = serde_json::from_str(EXPECTED).expect("expected.json parses");
    let last: Period = expected.last_quarter.parse().expect("a quarter label");
    let figures = figures();
    assert_eq!(expected.links.len(), 9, "three outcomes at three lags");
    let (mut estimates, mut too_few) = (0, 0);
    for link in &expected.links {
        let what = format!("{} at lag {}", link.outcome, link.lag);
        let sample = sample(&figures, last, link.lag, outcome(&link.outcome));
        assert_eq!(sample.points.len(), link.n, "{what}: team-quarters");

        let pooled = estimated(sample.points.len(), || estimate::pooled(&sample.points));
        match &link.pooled {
            Some(e) => assert_correlation(&format!("{what}, pooled"), pooled, e),
            None => assert_eq!(pooled, None, "{what}: too few team-quarters"),
        }
        let within = estimate::within_team(&sample.points).filter(|c| c.n >= MIN_TEAM_QUARTERS);
        match &link.within_team {
            Some(e) => assert_correlation(&format!("{what}, within teams"), within, e),
            None => assert_eq!(within, None, "{what}: too few team-quarters within teams"),
        }
        let poisson = estimated(sample.counts.len(), || {
            estimate::poisson_rate_ratio(&sample.counts)
        });
        match &link.poisson {
            Some(e) => assert_rate_ratio(&format!("{what}, Poisson"), poisson, e),
            None => assert!(
                poisson.is_none() || link.outcome != "voluntary_turnover_rate",
                "{what}"
            ),
        }
        estimates += usize::from(link.pooled.is_some());
        too_few += usize::from(link.pooled.is_none());
    }
    // The data set exercises both sides of the 20 team-quarter rule.
    assert!(
        estimates >= 6 && too_few >= 1,
        "{estimates} estimated, {too_few} not"
    );
}

/// The report's links (`links`) carry the same numbers, lag by lag.
#[test]
fn the_reports_links_carry_the_statsmodels_estimates() {
    let expected: Expected = serde_json::from_str(EXPECTED).expect("expected.json parses");
    let last: Period = expected.last_quarter.parse().expect("a quarter label");
    let links = links(&figures(), last);
    assert_eq!(links.len(), expected.links.len());
    for e in &expected.links {
        let what = format!("{} at lag {}", e.outcome, e.lag);
        let link = links
            .iter()
            .find(|l| l.outcome == e.outcome && l.lag == e.lag)
            .unwrap_or_else(|| panic!("{what}: no link"));
        assert_eq!(link.n, e.n, "{what}");
        let pooled = link.correlation.map(|r| Correlation {
            r,
            ci_low: link.ci_low.unwrap(),
            ci_high: link.ci_high.unwrap(),
            n: link.n,
            teams: link.teams,
            dof: 0.0,
        });
        match &e.pooled {
            Some(p) => assert_correlation(&format!("{what}, pooled"), pooled, p),
            None => assert_eq!(pooled, None, "{what}"),
        }
        let w = &link.within_team;
        let within = w.correlation.map(|r| Correlation {
            r,
            ci_low: w.ci_low.unwrap(),
            ci_high: w.ci_high.unwrap(),
            n: w.n,
            teams: w.teams,
            dof: 0.0,
        });
        match &e.within_team {
            Some(p) => assert_correlation(&format!("{what}, within teams"), within, p),
            None => assert_eq!(within, None, "{what}"),
        }
        match (&e.poisson, link.rate_ratio_per_10_points) {
            (Some(p), Some(rr)) => {
                let scale = p.rate_ratio_per_10_points;
                assert_close(&format!("{what} rate ratio"), rr, scale, scale);
                assert_close(
                    &format!("{what} rate ratio ci_low"),
                    link.rate_ratio_ci_low.unwrap(),
                    p.ci_low,
                    scale,
                );
                assert_close(
                    &format!("{what} rate ratio ci_high"),
                    link.rate_ratio_ci_high.unwrap(),
                    p.ci_high,
                    scale,
                );
                assert_eq!(
                    link.evidence,
                    p.ci_low > 1.0 || p.ci_high < 1.0,
                    "{what}: evidence from the rate ratio"
                );
            }
            (None, None) => {}
            (p, rr) => panic!("{what}: statsmodels {:?}, Attune {rr:?}", p.is_some()),
        }
    }
}
