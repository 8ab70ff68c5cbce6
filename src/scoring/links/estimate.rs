//! The statistics behind the outcome links, on plain numbers: Pearson's correlation with its
//! Fisher-z interval, the within-team correlation (each team centred on its own means), a Poisson
//! model of leaver counts fitted by iteratively reweighted least squares, and how many more
//! team-quarters would typically be needed before an association can be told from chance.
//!
//! Every formula is written out, with a worked example, in docs/metrics.md ("Outcome links");
//! the unit tests below reproduce those examples, and `tests/stats/compare.py` checks the
//! estimates against statsmodels on a fixed data set (see `statsmodels` in `mod.rs`).

use std::collections::BTreeMap;

use statrs::distribution::{ContinuousCDF, Normal};

/// The confidence of every interval: 95 %.
pub const CONFIDENCE: f64 = 0.95;

/// The power assumed when saying how many more team-quarters would be needed: the chance of
/// telling an association as strong as the one seen from chance, were it real (the usual 80 %).
pub const POWER: f64 = 0.80;

/// One team-quarter as a point: which team, favorability (x) and an outcome (y).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub team: usize,
    pub x: f64,
    pub y: f64,
}

/// One team-quarter as a count: which team, favorability (x), the leavers and the average
/// headcount they left from (the exposure, > 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count {
    pub team: usize,
    pub x: f64,
    pub leavers: f64,
    pub exposure: f64,
}

/// A correlation with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    pub r: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The points it is computed from.
    pub n: usize,
    /// The teams those points come from.
    pub teams: usize,
    /// The degrees of freedom of Fisher's z: its standard error is `1 / √dof`.
    pub dof: f64,
}

impl Correlation {
    /// Whether the interval excludes zero.
    pub fn excludes_zero(&self) -> bool {
        self.ci_low > 0.0 || self.ci_high < 0.0
    }

    /// How many more points would typically be needed for an association as strong as this
    /// one to be told from chance (see [`more_needed_for_correlation`]).
    pub fn more_needed(&self) -> Option<u64> {
        more_needed_for_correlation(self.r, self.dof)
    }
}

/// A Poisson model's rate ratio per 10 points of favorability, with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateRatio {
    /// `exp(10 β)`: how many times the rate is for 10 points more favorability.
    pub per_10_points: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The slope β on the log rate, per point of favorability.
    pub beta: f64,
    /// β's standard error, after any correction for overdispersion.
    pub se: f64,
    /// Pearson's χ² over the residual degrees of freedom; above 1 the standard error is
    /// widened by its square root (quasi-Poisson).
    pub dispersion: f64,
    pub n: usize,
    pub teams: usize,
    /// All leavers counted.
    pub leavers: f64,
}

impl RateRatio {
    /// Whether the interval excludes 1 (no association).
    pub fn excludes_one(&self) -> bool {
        self.ci_low > 1.0 || self.ci_high < 1.0
    }

    /// How many more points would typically be needed for a slope as steep as this one to be
    /// told from chance: the standard error shrinks as `1/√n`, so
    /// `n_needed = n × ((z₀.₉₇₅ + z₀.₈₀) × se / |β|)²`.
    pub fn more_needed(&self) -> Option<u64> {
        if self.beta == 0.0 || !self.beta.is_finite() {
            return None;
        }
        let needed =
            self.n as f64 * ((z_interval() + z_power()) * self.se / self.beta.abs()).powi(2);
        Some(more_than(needed, self.n as f64))
    }
}

/// The standard normal quantile of a 95 % two-sided interval, 1.959964.
pub fn z_interval() -> f64 {
    standard_normal().inverse_cdf(0.5 + CONFIDENCE / 2.0)
}

/// The standard normal quantile of 80 % power, 0.841621.
pub fn z_power() -> f64 {
    standard_normal().inverse_cdf(POWER)
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// Whole points still to come so that `needed` are reached: at least one.
fn more_than(needed: f64, have: f64) -> u64 {
    let more = (needed - have).ceil();
    if more.is_finite() {
        more.max(1.0) as u64
    } else {
        u64::MAX
    }
}

/// Pearson's correlation coefficient, or None with fewer than two points or when either
/// variable does not vary.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let centred: Vec<(f64, f64)> = pairs
        .iter()
        .map(|(x, y)| (x - mean_x, y - mean_y))
        .collect();
    correlation_of_centred(&centred)
}

/// `Σ xy / √(Σ x² Σ y²)` of values already centred.
fn correlation_of_centred(centred: &[(f64, f64)]) -> Option<f64> {
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in centred {
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
    }
    // Clamped: rounding may put a perfect correlation a hair beyond ±1.
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// The 95 % interval of a correlation by Fisher's z: `tanh(atanh r ± z₀.₉₇₅ / √dof)`, where
/// `dof` is `n − 3` for a plain correlation and one less for each further variable held
/// constant. None when `dof` is not positive.
pub fn fisher_interval(r: f64, dof: f64) -> Option<(f64, f64)> {
    if dof <= 0.0 {
        return None;
    }
    let z = r.atanh();
    let half = z_interval() / dof.sqrt();
    Some(((z - half).tanh(), (z + half).tanh()))
}

/// How many more points would typically be needed for a correlation as strong as `r` to be
/// told from chance (95 % interval excluding zero, with 80 % power):
/// `dof_needed = ((z₀.₉₇₅ + z₀.₈₀) / atanh |r|)²`, minus the `dof` there are. None when r is 0
/// (no association to detect).
pub fn more_needed_for_correlation(r: f64, dof: f64) -> Option<u64> {
    if r == 0.0 || !r.is_finite() {
        return None;
    }
    let needed = ((z_interval() + z_power()) / r.abs().atanh()).powi(2);
    Some(more_than(needed, dof))
}

/// The pooled correlation over all points, with its interval (`dof = n − 3`).
pub fn pooled(points: &[Point]) -> Option<Correlation> {
    let pairs: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
    let r = pearson(&pairs)?;
    let dof = points.len() as f64 - 3.0;
    let (ci_low, ci_high) = fisher_interval(r, dof)?;
    Some(Correlation {
        r,
        ci_low,
        ci_high,
        n: points.len(),
        teams: team_count(points.iter().map(|p| p.team)),
        dof,
    })
}

/// The within-team correlation: each team's x and y centred on that team's own means, so that
/// only change inside a team counts. Teams with a single point carry no change and are left out
/// (of the estimate and of n). Centring on J team means is the same as holding J − 1 team
/// indicators constant, so the interval uses `dof = n − 3 − (J − 1) = n − J − 2`: the
/// partial-correlation degrees of freedom (statsmodels' residual degrees of freedom of
/// `y ~ x + C(team)`, minus one).
pub fn within_team(points: &[Point]) -> Option<Correlation> {
    let mut by_team: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    for p in points {
        by_team.entry(p.team).or_default().push((p.x, p.y));
    }
    by_team.retain(|_, pairs| pairs.len() >= 2);
    let mut centred = Vec::new();
    for pairs in by_team.values() {
        let n = pairs.len() as f64;
        let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / n;
        let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / n;
        centred.extend(pairs.iter().map(|(x, y)| (x - mean_x, y - mean_y)));
    }
    let r = correlation_of_centred(&centred)?;
    let teams = by_team.len();
    let dof = centred.len() as f64 - teams as f64 - 2.0;
    let (ci_low, ci_high) = fisher_interval(r, dof)?;
    Some(Correlation {
        r,
        ci_low,
        ci_high,
        n: centred.len(),
        teams,
        dof,
    })
}

fn team_count(teams: impl Iterator<Item = usize>) -> usize {
    let mut teams: Vec<usize> = teams.collect();
    teams.sort_unstable();
    teams.dedup();
    teams.len()
}

/// The fit of `log μ = log exposure + β₀ + β (x − x̄)`, μ the expected leavers.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PoissonFit {
    beta: f64,
    /// β's standard error under the Poisson model (before any dispersion correction).
    se: f64,
    /// Pearson's χ² = Σ (y − μ)² / μ.
    pearson_chi2: f64,
}

/// The most IRLS steps; Newton's method on this concave likelihood converges in a handful.
const MAX_ITERATIONS: usize = 100;

/// Fit a Poisson model of leaver counts with log(exposure) as offset by iteratively reweighted
/// least squares (Newton's method for the canonical log link): repeatedly regress the working
/// response `z = η − offset + (y − μ)/μ` on x with weights μ, until the deviance settles. None
/// when it cannot be fitted: no leavers at all, x not varying, or no finite maximum (e.g. every
/// leaver at the lowest favorability), which shows as a slope running away.
fn fit_poisson(counts: &[Count]) -> Option<PoissonFit> {
    let n = counts.len() as f64;
    let total: f64 = counts.iter().map(|c| c.leavers).sum();
    if counts.len() < 3 || total <= 0.0 {
        return None;
    }
    // Centring x keeps the intercept and slope nearly uncorrelated; the slope is unchanged.
    let mean_x = counts.iter().map(|c| c.x).sum::<f64>() / n;
    let xs: Vec<f64> = counts.iter().map(|c| c.x - mean_x).collect();
    let spread = xs.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if spread == 0.0 {
        return None;
    }
    let ys: Vec<f64> = counts.iter().map(|c| c.leavers).collect();
    let offsets: Vec<f64> = counts.iter().map(|c| c.exposure.ln()).collect();

    // Start from the overall rate: every team-quarter at the same leavers per head.
    let exposure: f64 = counts.iter().map(|c| c.exposure).sum();
    let mut b = [(total / exposure).ln(), 0.0];
    let mean_of = |b: [f64; 2]| -> Vec<f64> {
        xs.iter()
            .zip(&offsets)
            .map(|(x, o)| (o + b[0] + b[1] * x).exp())
            .collect()
    };
    let mut mu = mean_of(b);
    let mut deviance = poisson_deviance(&ys, &mu);
    let mut converged = false;
    for _ in 0..MAX_ITERATIONS {
        // The weighted least-squares step: regressing z = η − offset + (y − μ)/μ on x with
        // weights μ moves the coefficients by (X'WX)⁻¹ X'(y − μ), which is what is solved here.
        let gradient = xs
            .iter()
            .zip(&ys)
            .zip(&mu)
            .fold([0.0, 0.0], |g, ((x, y), m)| {
                [g[0] + (y - m), g[1] + x * (y - m)]
            });
        let step = solve(information(&xs, &mu), gradient)?;
        let mut next = [b[0] + step[0], b[1] + step[1]];
        let mut next_mu = mean_of(next);
        let mut next_deviance = poisson_deviance(&ys, &next_mu);
        // Step halving, should a full step ever overshoot.
        let mut halvings = 0;
        while (next_deviance.is_nan() || next_deviance > deviance + 1e-12 * deviance.abs())
            && halvings < 30
        {
            next = [(next[0] + b[0]) / 2.0, (next[1] + b[1]) / 2.0];
            next_mu = mean_of(next);
            next_deviance = poisson_deviance(&ys, &next_mu);
            halvings += 1;
        }
        if !next_deviance.is_finite() {
            return None;
        }
        let settled = (deviance - next_deviance).abs() <= 1e-13 * (next_deviance.abs() + 0.1)
            && (next[1] - b[1]).abs() <= 1e-12 * (next[1].abs() + 1e-8);
        b = next;
        mu = next_mu;
        deviance = next_deviance;
        if settled {
            converged = true;
            break;
        }
    }
    // A slope that makes the rate differ by more than e^30 across the data has run away towards
    // infinity: the data has no finite maximum.
    if !converged || b[1].abs() * spread > 30.0 {
        return None;
    }
    // The covariance of (β₀, β) is the inverse of the information; β's variance is its second
    // diagonal element, Σμ / det.
    let [sw, swx, swxx] = information(&xs, &mu);
    let det = sw * swxx - swx * swx;
    if det.is_nan() || det <= 0.0 {
        return None;
    }
    let pearson_chi2 = ys.iter().zip(&mu).map(|(y, m)| (y - m).powi(2) / m).sum();
    Some(PoissonFit {
        beta: b[1],
        se: (sw / det).sqrt(),
        pearson_chi2,
    })
}

/// The information X'WX of (β₀, β) with weights W = μ, as its three distinct elements
/// `[Σ μ, Σ μx, Σ μx²]`.
fn information(xs: &[f64], mu: &[f64]) -> [f64; 3] {
    xs.iter().zip(mu).fold([0.0, 0.0, 0.0], |s, (x, m)| {
        [s[0] + m, s[1] + m * x, s[2] + m * x * x]
    })
}

/// Solve `[a b; b c] v = rhs`; None unless the matrix is positive definite.
fn solve([a, b, c]: [f64; 3], rhs: [f64; 2]) -> Option<[f64; 2]> {
    let det = a * c - b * b;
    if det.is_nan() || det <= 0.0 {
        return None;
    }
    Some([
        (c * rhs[0] - b * rhs[1]) / det,
        (a * rhs[1] - b * rhs[0]) / det,
    ])
}

/// `2 Σ (y ln(y/μ) − (y − μ))`, with `y ln(y/μ) = 0` for y = 0.
fn poisson_deviance(ys: &[f64], mu: &[f64]) -> f64 {
    2.0 * ys
        .iter()
        .zip(mu)
        .map(|(y, m)| {
            let log_term = if *y > 0.0 { y * (y / m).ln() } else { 0.0 };
            log_term - (y - m)
        })
        .sum::<f64>()
}

/// The rate ratio per 10 points of favorability from a Poisson model of leaver counts with
/// log(exposure) as offset, with its 95 % Wald interval `exp(10 (β ± z₀.₉₇₅ se))`. When the
/// counts vary more than a Poisson model allows (Pearson's χ² over its `n − 2` degrees of
/// freedom above 1), the standard error is widened by the square root of that dispersion
/// (quasi-Poisson), so that the interval is never narrower than the data warrants; it is never
/// narrowed.
pub fn poisson_rate_ratio(counts: &[Count]) -> Option<RateRatio> {
    let fit = fit_poisson(counts)?;
    let dispersion = fit.pearson_chi2 / (counts.len() as f64 - 2.0);
    let se = fit.se * dispersion.max(1.0).sqrt();
    let half = z_interval() * se;
    Some(RateRatio {
        per_10_points: (10.0 * fit.beta).exp(),
        ci_low: (10.0 * (fit.beta - half)).exp(),
        ci_high: (10.0 * (fit.beta + half)).exp(),
        beta: fit.beta,
        se,
        dispersion,
        n: counts.len(),
        teams: team_count(counts.iter().map(|c| c.team)),
        leavers: counts.iter().map(|c| c.leavers).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    fn points(team: usize, xy: &[(f64, f64)]) -> Vec<Point> {
        xy.iter().map(|&(x, y)| Point { team, x, y }).collect()
    }

    #[test]
    fn pearson_reproduces_known_values() {
        type Case<'a> = (&'a [(f64, f64)], Option<f64>);
        let cases: [Case; 4] = [
            (&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)], Some(1.0)),
            (&[(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)], Some(-1.0)),
            // docs/metrics.md: x = 1..5, y = 2, 4, 5, 4, 5 → r = √0.6.
            (
                &[(1.0, 2.0), (2.0, 4.0), (3.0, 5.0), (4.0, 4.0), (5.0, 5.0)],
                Some(0.6_f64.sqrt()),
            ),
            (&[(1.0, 2.0), (1.0, 3.0)], None),
        ];
        for (pairs, expected) in cases {
            match (pearson(pairs), expected) {
                (Some(r), Some(e)) => assert!(close(r, e, 1e-12), "{pairs:?}: {r}"),
                (r, e) => assert_eq!(r, e, "{pairs:?}"),
            }
        }
    }

    #[test]
    fn the_normal_quantiles_are_the_usual_ones() {
        assert!(close(z_interval(), 1.959_963_984_540_054, 1e-9));
        assert!(close(z_power(), 0.841_621_233_572_914, 1e-9));
    }

    /// docs/metrics.md, "Worked example: the interval of a correlation".
    #[test]
    fn an_r_of_0_30_over_15_team_quarters_has_a_wide_interval() {
        let (low, high) = fisher_interval(0.30, 12.0).unwrap();
        assert!(close(low, -0.2508, 5e-5), "{low}");
        assert!(close(high, 0.7041, 5e-5), "{high}");
        assert_eq!(fisher_interval(0.3, 0.0), None, "no degrees of freedom");
    }

    /// docs/metrics.md, "Worked example: how many more team-quarters".
    #[test]
    fn more_team_quarters_needed_follow_the_usual_sample_size_formula() {
        // r = 0.30: ((1.96 + 0.8416) / atanh 0.3)² = 81.9 degrees of freedom, 12 there.
        assert_eq!(more_needed_for_correlation(0.30, 12.0), Some(70));
        assert_eq!(more_needed_for_correlation(-0.30, 12.0), Some(70));
        // Already past the point: still at least one more.
        assert_eq!(more_needed_for_correlation(0.30, 200.0), Some(1));
        assert_eq!(more_needed_for_correlation(0.0, 12.0), None);
    }

    /// docs/metrics.md, "Worked example: within-team change". Team A: favorability 60, 70, 80
    /// with absenteeism 12, 9, 9; team B: 40, 50, 60 with 20, 18, 13.
    #[test]
    fn the_within_team_correlation_only_counts_change_inside_a_team() {
        let mut data = points(0, &[(60.0, 12.0), (70.0, 9.0), (80.0, 9.0)]);
        data.extend(points(1, &[(40.0, 20.0), (50.0, 18.0), (60.0, 13.0)]));

        let within = within_team(&data).unwrap();
        assert!(
            close(within.r, -100.0 / 12_800_f64.sqrt(), 1e-12),
            "{}",
            within.r
        );
        assert_eq!((within.n, within.teams, within.dof), (6, 2, 2.0));
        assert!(close(within.ci_low, -0.9923, 5e-5), "{}", within.ci_low);
        assert!(close(within.ci_high, -0.0073, 5e-5), "{}", within.ci_high);
        assert!(within.excludes_zero());

        let pooled = pooled(&data).unwrap();
        assert!(close(pooled.r, -0.9544, 5e-5), "{}", pooled.r);
        assert_eq!((pooled.n, pooled.teams, pooled.dof), (6, 2, 3.0));
    }

    #[test]
    fn a_team_with_one_quarter_carries_no_change() {
        let mut data = points(0, &[(60.0, 12.0), (70.0, 9.0), (80.0, 9.0)]);
        data.extend(points(1, &[(40.0, 20.0), (50.0, 18.0), (60.0, 13.0)]));
        let without = within_team(&data).unwrap();
        data.extend(points(2, &[(90.0, 1.0)]));
        assert_eq!(within_team(&data), Some(without));
    }

    #[test]
    fn no_variation_inside_teams_gives_no_within_team_correlation() {
        let mut data = points(0, &[(60.0, 12.0), (60.0, 9.0)]);
        data.extend(points(1, &[(40.0, 20.0), (40.0, 18.0)]));
        assert_eq!(within_team(&data), None);
        assert!(pooled(&data).is_some(), "between teams, x varies");
    }

    /// docs/metrics.md, "Worked example: voluntary leavers as counts". Four team-quarters of 50
    /// people at favorability 60 with 3 leavers each; four at 70 with 2, 1, 2, 1. With two
    /// levels of x the model's fit is each level's own rate, so the rate ratio is 6/12 = 0.5
    /// and the standard error of its log is √(1/12 + 1/6) = 0.5.
    #[test]
    fn the_poisson_rate_ratio_has_the_closed_form_of_two_groups() {
        let count = |x, leavers| Count {
            team: 0,
            x,
            leavers,
            exposure: 50.0,
        };
        let counts = vec![
            count(60.0, 3.0),
            count(60.0, 3.0),
            count(60.0, 3.0),
            count(60.0, 3.0),
            count(70.0, 2.0),
            count(70.0, 1.0),
            count(70.0, 2.0),
            count(70.0, 1.0),
        ];
        let rr = poisson_rate_ratio(&counts).unwrap();
        assert!(close(rr.per_10_points, 0.5, 1e-10), "{}", rr.per_10_points);
        assert!(close(10.0 * rr.se, 0.5, 1e-9), "{}", rr.se);
        assert!(close(rr.dispersion, (4.0 * 0.25 / 1.5) / 6.0, 1e-9));
        assert!(close(rr.ci_low, 0.1877, 5e-5), "{}", rr.ci_low);
        assert!(close(rr.ci_high, 1.3322, 5e-5), "{}", rr.ci_high);
        assert!(!rr.excludes_one());
        assert_eq!((rr.n, rr.teams, rr.leavers), (8, 1, 18.0));
        // 8 × ((1.96 + 0.8416) × 0.5 / ln 2)² = 32.7: 25 more.
        assert_eq!(rr.more_needed(), Some(25));
    }

    #[test]
    fn overdispersed_counts_widen_the_interval() {
        let count = |x, leavers| Count {
            team: 0,
            x,
            leavers,
            exposure: 50.0,
        };
        // Same group totals as the worked example, spread unevenly: 12 leavers as 0, 0, 0, 12.
        let counts = vec![
            count(60.0, 0.0),
            count(60.0, 0.0),
            count(60.0, 0.0),
            count(60.0, 12.0),
            count(70.0, 2.0),
            count(70.0, 1.0),
            count(70.0, 2.0),
            count(70.0, 1.0),
        ];
        let rr = poisson_rate_ratio(&counts).unwrap();
        assert!(close(rr.per_10_points, 0.5, 1e-10));
        // χ² = 3 × 3 + 81/3 + 0.667 = 36.667 over 6 degrees of freedom.
        assert!(
            close(rr.dispersion, (36.0 + 2.0 / 3.0) / 6.0, 1e-9),
            "{}",
            rr.dispersion
        );
        assert!(close(10.0 * rr.se, 0.5 * rr.dispersion.sqrt(), 1e-9));
    }

    #[test]
    fn a_poisson_model_needs_leavers_and_varying_favorability() {
        let count = |x, leavers| Count {
            team: 0,
            x,
            leavers,
            exposure: 10.0,
        };
        assert_eq!(
            poisson_rate_ratio(&[count(50.0, 0.0), count(60.0, 0.0), count(70.0, 0.0)]),
            None,
            "nobody left"
        );
        assert_eq!(
            poisson_rate_ratio(&[count(50.0, 1.0), count(50.0, 2.0), count(50.0, 0.0)]),
            None,
            "favorability does not vary"
        );
        assert_eq!(
            poisson_rate_ratio(&[count(50.0, 3.0), count(60.0, 0.0), count(70.0, 0.0)]),
            None,
            "every leaver at the lowest favorability: no finite estimate"
        );
    }
}
