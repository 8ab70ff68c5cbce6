//! Outcome links: across teams and quarters, how a team's empathy favorability goes with its
//! outcomes in the *next* quarter. Reported as an association (a correlation and its n), never as
//! proof of cause, and only from 8 team-quarters up.

use serde::Serialize;

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

/// Pearson's correlation coefficient, or None when either variable does not vary.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 2 {
        return None;
    }
    let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mean_x) * (y - mean_y);
        sxx += (x - mean_x).powi(2);
        syy += (y - mean_y).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx.sqrt() * syy.sqrt()))
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
    fn pearson_reproduces_known_values() {
        let close = |r: Option<f64>, expected: f64| (r.unwrap() - expected).abs() < 1e-12;
        assert!(close(pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)]), 1.0));
        assert!(close(pearson(&[(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)]), -1.0));
        // docs/metrics.md: x = 1..5, y = 2, 4, 5, 4, 5 → r = 0.7746 (√0.6).
        let r = pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 5.0), (4.0, 4.0), (5.0, 5.0)]).unwrap();
        assert!((r - 0.6_f64.sqrt()).abs() < 1e-12, "{r}");
        assert_eq!(
            pearson(&[(1.0, 2.0), (1.0, 3.0)]),
            None,
            "no variation in x"
        );
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
