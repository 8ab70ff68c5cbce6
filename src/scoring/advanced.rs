//! The advanced tier: advocacy (eNPS), customer lifetime value, resilience, innovation and
//! impact, and the composite empathy index. Definitions: docs/metrics.md.

use serde::Serialize;

use super::{Context, Facts, Fundamentals, Hidden, Metric, rate, ratio};

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct Advanced {
    /// 100 × (answers 9–10 − answers 0–6) / all eNPS answers (Bain's Net Promoter Score).
    pub enps: Option<f64>,
    /// Employee advocacy trend: eNPS − the previous period's eNPS.
    pub enps_change: Option<f64>,
    /// Revenue per active customer / churn (as a fraction): the revenue a customer brings over
    /// their expected lifetime.
    pub customer_lifetime_value: Option<f64>,
    /// 100 × (CLV − previous CLV) / previous CLV.
    pub customer_lifetime_value_growth: Option<f64>,
    /// How far turnover has come back from its worst quarter of the trailing eight towards the
    /// usual level (0–100).
    pub resilience_recovery: Option<f64>,
    /// Quarters it took to get back to the usual level after the worst quarter.
    pub resilience_quarters: Option<f64>,
    /// 100 × partnerships / headcount_avg.
    pub partnerships_per_100_employees: Option<f64>,
    /// volunteer_hours / headcount_avg.
    pub volunteer_hours_per_employee: Option<f64>,
    /// co2e_tonnes / headcount_avg.
    pub co2e_tonnes_per_employee: Option<f64>,
    /// The weighted mean of the empathy index parts' scores (0–100).
    pub empathy_index: Option<f64>,
}

/// How much each part counts in the empathy index (any scale: they are normalized).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct EmpathyWeights {
    pub empathy_favorability: f64,
    pub enps: f64,
    pub voluntary_turnover: f64,
    pub absenteeism: f64,
    pub promotion: f64,
    pub csat: f64,
}

impl Default for EmpathyWeights {
    fn default() -> EmpathyWeights {
        EmpathyWeights {
            empathy_favorability: 30.0,
            enps: 15.0,
            voluntary_turnover: 20.0,
            absenteeism: 10.0,
            promotion: 10.0,
            csat: 15.0,
        }
    }
}

/// A part of the empathy index (its JSON name is the key of its weight in [`EmpathyWeights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmpathyPart {
    EmpathyFavorability,
    Enps,
    VoluntaryTurnover,
    Absenteeism,
    Promotion,
    Csat,
}

/// Unit tests compare lists of parts with their JSON names.
#[cfg(test)]
impl PartialEq<&str> for EmpathyPart {
    fn eq(&self, name: &&str) -> bool {
        serde_json::to_value(self).is_ok_and(|v| v == *name)
    }
}

/// One part of the empathy index: its 0–100 score and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EmpathyIndexPart {
    pub part: EmpathyPart,
    pub score: f64,
    pub weight: f64,
}

/// Annual voluntary turnover at which the turnover part scores 0.
const VOLUNTARY_TURNOVER_FLOOR: f64 = 30.0;
/// Absenteeism at which the absence part scores 0.
const ABSENTEEISM_FLOOR: f64 = 6.0;
/// Annual promotion rate at which the promotion part scores 100.
const PROMOTION_CEILING: f64 = 10.0;

pub(super) fn advanced(
    facts: &Facts,
    previous: Option<&Facts>,
    f: &Fundamentals,
    turnover_series: &[Option<f64>],
    ctx: Context<'_>,
    hidden: &Hidden,
    suppressed: &mut Vec<Metric>,
) -> (Advanced, Vec<EmpathyIndexPart>) {
    let min = ctx.settings.min_group_size;
    let enps_hidden = hidden.current.contains(&Metric::Enps);
    let enps = if enps_hidden {
        suppressed.push(Metric::Enps);
        None
    } else {
        enps(facts, min).filter(|_| facts.covered.knows(Metric::Enps))
    };
    let previous_enps = previous
        .filter(|p| !hidden.previous.contains(&Metric::Enps) && p.covered.knows(Metric::Enps))
        .and_then(|p| self::enps(p, min));
    // The change would reveal a hidden eNPS from the shown one.
    if enps_hidden || hidden.previous.contains(&Metric::Enps) {
        suppressed.push(Metric::EnpsChange);
    }
    let clv = lifetime_value(facts);
    let previous_clv = previous
        .filter(|p| p.covered.knows(Metric::CustomerLifetimeValue))
        .and_then(lifetime_value);
    let per_head = |metric: &str| {
        facts
            .measure_sum(metric)
            .and_then(|v| ratio(v, f.headcount_avg))
    };
    let (resilience_recovery, resilience_quarters) = resilience(turnover_series);
    let (empathy_index, parts) = index(f, enps, ctx);
    let advanced = Advanced {
        enps,
        enps_change: enps.zip(previous_enps).map(|(now, before)| now - before),
        customer_lifetime_value: clv,
        customer_lifetime_value_growth: clv
            .zip(previous_clv)
            .and_then(|(now, before)| rate(now - before, before)),
        resilience_recovery,
        resilience_quarters,
        partnerships_per_100_employees: facts
            .measure_sum("partnerships")
            .and_then(|v| rate(v, f.headcount_avg)),
        volunteer_hours_per_employee: per_head("volunteer_hours"),
        co2e_tonnes_per_employee: per_head("co2e_tonnes"),
        empathy_index,
    };
    (advanced, parts)
}

/// eNPS, or None when there are no answers or fewer than the minimum group size.
fn enps(facts: &Facts, min_group_size: i64) -> Option<f64> {
    let p = &facts.pulse;
    if p.enps_answers < min_group_size {
        return None;
    }
    rate(
        (p.enps_promoters - p.enps_detractors) as f64,
        p.enps_answers as f64,
    )
}

/// Average revenue per active customer divided by the churn fraction; None without churn.
fn lifetime_value(facts: &Facts) -> Option<f64> {
    let c = &facts.customers;
    let per_customer = ratio(c.revenue, c.active as f64)?;
    let retention = ratio(c.retained as f64, c.active_previous as f64)?;
    let churn = 1.0 - retention;
    (churn > 0.0).then(|| per_customer / churn)
}

/// (recovery 0–100, quarters to recover) from turnover rates over the trailing quarters, oldest
/// first, the last being the current quarter.
///
/// The worst quarter is the one with the highest turnover (the latest, on ties); the usual level
/// is the median of the other known quarters. Recovery = 100 × (worst − current) / (worst −
/// usual), within 0–100 (100 when the worst quarter was no worse than usual). Quarters to
/// recover counts from the worst quarter to the first later quarter at or below the usual level
/// (None while not recovered). Both are None with fewer than four known quarters.
pub fn resilience(series: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let known: Vec<(usize, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    if known.len() < 4 {
        return (None, None);
    }
    let Some(current) = *series.last().unwrap_or(&None) else {
        return (None, None);
    };
    let (worst_index, worst) =
        known.iter().copied().fold(
            (0, f64::MIN),
            |best, (i, v)| if v >= best.1 { (i, v) } else { best },
        );
    let mut others: Vec<f64> = known
        .iter()
        .filter(|(i, _)| *i != worst_index)
        .map(|(_, v)| *v)
        .collect();
    others.sort_by(f64::total_cmp);
    let usual = if others.len() % 2 == 1 {
        others[others.len() / 2]
    } else {
        (others[others.len() / 2 - 1] + others[others.len() / 2]) / 2.0
    };
    if worst - usual <= f64::EPSILON {
        return (Some(100.0), Some(0.0));
    }
    let recovery = (100.0 * (worst - current) / (worst - usual)).clamp(0.0, 100.0);
    let quarters = series[worst_index + 1..]
        .iter()
        .position(|v| v.is_some_and(|v| v <= usual))
        .map(|offset| (offset + 1) as f64);
    (Some(recovery), quarters)
}

/// The empathy index: the weighted mean of its known parts' scores, computed only from real
/// parts — when empathy favorability is known and the known parts carry at least half of the
/// total weight (`weights`' positive weights). Otherwise None: the known parts are not enough
/// (docs/metrics.md, "The empathy index").
fn empathy_index(
    parts: &[EmpathyIndexPart],
    weights: &EmpathyWeights,
    favorability_known: bool,
) -> Option<f64> {
    let total: f64 = weights.all().into_iter().filter(|w| *w > 0.0).sum();
    let known: f64 = parts.iter().map(|p| p.weight).sum();
    (favorability_known && known > 0.0 && 2.0 * known >= total)
        .then(|| parts.iter().map(|p| p.score * p.weight).sum::<f64>() / known)
}

impl EmpathyWeights {
    /// The six weights, in the order of [`EmpathyPart`].
    fn all(&self) -> [f64; 6] {
        [
            self.empathy_favorability,
            self.enps,
            self.voluntary_turnover,
            self.absenteeism,
            self.promotion,
            self.csat,
        ]
    }
}

/// The empathy index (under its rule, [`empathy_index`]) and its parts, from a scope's
/// fundamentals and eNPS.
pub(super) fn index(
    f: &Fundamentals,
    enps: Option<f64>,
    ctx: Context<'_>,
) -> (Option<f64>, Vec<EmpathyIndexPart>) {
    let parts = empathy_parts(f, enps, ctx);
    let index = empathy_index(
        &parts,
        &ctx.settings.empathy_weights,
        f.empathy_favorability.is_some(),
    );
    (index, parts)
}

/// Each available part of the empathy index as a 0–100 score (see docs/metrics.md).
fn empathy_parts(f: &Fundamentals, enps: Option<f64>, ctx: Context<'_>) -> Vec<EmpathyIndexPart> {
    let w = ctx.settings.empathy_weights;
    let annual = |rate: Option<f64>| rate.map(|r| r * ctx.periods_per_year);
    let candidates = [
        (
            EmpathyPart::EmpathyFavorability,
            f.empathy_favorability,
            w.empathy_favorability,
        ),
        (EmpathyPart::Enps, enps.map(|e| (e + 100.0) / 2.0), w.enps),
        (
            EmpathyPart::VoluntaryTurnover,
            annual(f.voluntary_turnover_rate)
                .map(|r| 100.0 * (1.0 - r / VOLUNTARY_TURNOVER_FLOOR).clamp(0.0, 1.0)),
            w.voluntary_turnover,
        ),
        (
            EmpathyPart::Absenteeism,
            f.absenteeism_rate
                .map(|r| 100.0 * (1.0 - r / ABSENTEEISM_FLOOR).clamp(0.0, 1.0)),
            w.absenteeism,
        ),
        (
            EmpathyPart::Promotion,
            annual(f.promotion_rate).map(|r| 100.0 * (r / PROMOTION_CEILING).clamp(0.0, 1.0)),
            w.promotion,
        ),
        (EmpathyPart::Csat, f.csat, w.csat),
    ];
    candidates
        .into_iter()
        .filter(|(_, _, weight)| *weight > 0.0)
        .filter_map(|(part, score, weight)| {
            score.map(|score| EmpathyIndexPart {
                part,
                score,
                weight,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{PulseFacts, Settings, fundamentals_of_for_tests};

    fn ctx(settings: &Settings) -> Context<'_> {
        Context {
            settings,
            periods_per_year: 4.0,
        }
    }

    #[test]
    fn enps_is_promoters_minus_detractors_over_answers() {
        // docs/metrics.md: 20 answers, 9 promoters, 4 detractors → +25.
        let facts = Facts {
            pulse: PulseFacts {
                responses: 20,
                enps_answers: 20,
                enps_promoters: 9,
                enps_detractors: 4,
                ..Default::default()
            },
            ..Facts::default()
        };
        assert_eq!(enps(&facts, 5), Some(25.0));
        assert_eq!(
            enps(&facts, 21),
            None,
            "fewer answers than the minimum group size"
        );
    }

    #[test]
    fn enps_below_the_minimum_group_size_is_suppressed() {
        let settings = Settings::default();
        let facts = Facts {
            pulse: PulseFacts {
                responses: 4,
                enps_answers: 4,
                enps_promoters: 4,
                ..Default::default()
            },
            ..Facts::default()
        };
        let (f, mut suppressed) = fundamentals_of_for_tests(&facts, &settings);
        let hidden = Hidden::own(&facts, None, &settings);
        let (a, _) = advanced(
            &facts,
            None,
            &f,
            &[],
            ctx(&settings),
            &hidden,
            &mut suppressed,
        );
        assert_eq!(a.enps, None);
        assert_eq!(suppressed, ["empathy_favorability", "enps", "enps_change"]);
    }

    #[test]
    fn lifetime_value_is_revenue_per_customer_over_churn() {
        // 44 active customers bring 220,000 (5,000 each); 36 of 40 stayed (10 % churn) → 50,000.
        let facts = Facts {
            customers: crate::scoring::CustomerFacts {
                active_previous: 40,
                retained: 36,
                active: 44,
                revenue: 220_000.0,
            },
            ..Facts::default()
        };
        let clv = lifetime_value(&facts).unwrap();
        assert!((clv - 50_000.0).abs() < 1e-6, "{clv}");
        let all_stayed = Facts {
            customers: crate::scoring::CustomerFacts {
                active_previous: 40,
                retained: 40,
                active: 44,
                revenue: 220_000.0,
            },
            ..Facts::default()
        };
        assert_eq!(
            lifetime_value(&all_stayed),
            None,
            "no churn: no finite lifetime"
        );
    }

    #[test]
    fn resilience_measures_the_way_back_from_the_worst_quarter() {
        // docs/metrics.md: worst 12 % in the fourth quarter, now 6 %.
        let series = [
            Some(4.0),
            Some(3.0),
            Some(5.0),
            Some(12.0),
            Some(9.0),
            Some(4.0),
            Some(5.0),
            Some(6.0),
        ];
        let (recovery, quarters) = resilience(&series);
        // Others sorted: 3 4 4 5 5 6 9 → median 5.
        assert_eq!(recovery, Some(100.0 * (12.0 - 6.0) / (12.0 - 5.0)));
        assert_eq!(
            quarters,
            Some(2.0),
            "back at or below 5 % two quarters after the worst"
        );
    }

    #[test]
    fn resilience_needs_four_known_quarters() {
        assert_eq!(
            resilience(&[None, Some(1.0), Some(2.0), Some(3.0)]),
            (None, None)
        );
        assert_eq!(resilience(&[Some(2.0); 5]), (Some(100.0), Some(0.0)));
    }

    #[test]
    fn the_empathy_index_is_the_weighted_mean_of_its_available_parts() {
        let settings = Settings::default();
        let f = Fundamentals {
            empathy_favorability: Some(80.0),
            voluntary_turnover_rate: Some(2.5), // 10 % a year → 100 × (1 − 10/30) = 66.67
            csat: Some(90.0),
            ..crate::scoring::fundamentals(&Default::default())
        };
        let parts = empathy_parts(&f, None, ctx(&settings));
        let names: Vec<EmpathyPart> = parts.iter().map(|p| p.part).collect();
        assert_eq!(
            names,
            ["empathy_favorability", "voluntary_turnover", "csat"]
        );
        let expected = (80.0 * 30.0 + (200.0 / 3.0) * 20.0 + 90.0 * 15.0) / 65.0;
        let total: f64 = parts.iter().map(|p| p.score * p.weight).sum::<f64>()
            / parts.iter().map(|p| p.weight).sum::<f64>();
        assert!((total - expected).abs() < 1e-9);
    }

    /// The index of a quarter with these fundamentals (no eNPS), under the default weights.
    fn index_of(f: &Fundamentals) -> Option<f64> {
        let settings = Settings::default();
        let parts = empathy_parts(f, None, ctx(&settings));
        empathy_index(
            &parts,
            &settings.empathy_weights,
            f.empathy_favorability.is_some(),
        )
    }

    #[test]
    fn a_team_without_empathy_favorability_has_no_empathy_index() {
        // A roster and nothing else, with absences counted as none: the turnover and absence
        // parts score 100 each, 30 of the 100 weight, and would make an index of 100 (75 with
        // promotions at 0) from no real data.
        let f = Fundamentals {
            voluntary_turnover_rate: Some(0.0),
            absenteeism_rate: Some(0.0),
            promotion_rate: Some(0.0),
            ..crate::scoring::fundamentals(&Default::default())
        };
        assert_eq!(index_of(&f), None);
        assert_eq!(
            index_of(&Fundamentals {
                csat: Some(90.0),
                ..f.clone()
            }),
            None
        );
    }

    #[test]
    fn an_empathy_index_needs_known_parts_carrying_half_of_the_weight() {
        let favorability = Fundamentals {
            empathy_favorability: Some(80.0),
            ..crate::scoring::fundamentals(&Default::default())
        };
        // Favorability (30) and CSAT (15): 45 of 100, not enough.
        let with_csat = Fundamentals {
            csat: Some(90.0),
            ..favorability.clone()
        };
        assert_eq!(index_of(&favorability), None, "30 of 100");
        assert_eq!(index_of(&with_csat), None, "45 of 100");
        // Favorability (30) and voluntary turnover (20): exactly half, enough.
        let with_turnover = Fundamentals {
            voluntary_turnover_rate: Some(2.5), // 10 % a year → 66.67
            ..favorability.clone()
        };
        let expected = (80.0 * 30.0 + (200.0 / 3.0) * 20.0) / 50.0;
        let index = index_of(&with_turnover).expect("half of the weight is enough");
        assert!((index - expected).abs() < 1e-9, "{index}");
    }

    #[test]
    fn a_part_weighted_zero_counts_neither_for_nor_against_the_index() {
        let settings = Settings {
            empathy_weights: EmpathyWeights {
                enps: 0.0,
                csat: 0.0,
                absenteeism: 0.0,
                promotion: 0.0,
                ..EmpathyWeights::default()
            },
            ..Settings::default()
        };
        // Favorability alone carries 30 of the 50 weight left.
        let f = Fundamentals {
            empathy_favorability: Some(80.0),
            csat: Some(10.0),
            ..crate::scoring::fundamentals(&Default::default())
        };
        let parts = empathy_parts(&f, None, ctx(&settings));
        assert_eq!(
            empathy_index(&parts, &settings.empathy_weights, true),
            Some(80.0)
        );
    }

    #[test]
    fn resilience_takes_the_mean_of_two_middle_quarters_and_counts_an_unknown_quarter() {
        /// Turnover by quarter (oldest first), recovery, quarters to recover.
        type Case<'a> = (&'a [Option<f64>], f64, Option<f64>);
        let cases: [Case; 2] = [
            // docs/metrics.md: the fifth quarter had nobody employed. Others: 3 4 4 5 5 6, an
            // even count, so the usual level is (4 + 5) / 2 = 4.5; now 5; back at 4 % two
            // calendar quarters after the worst, the unknown one included.
            (
                &[
                    Some(4.0),
                    Some(3.0),
                    Some(5.0),
                    Some(12.0),
                    None,
                    Some(4.0),
                    Some(6.0),
                    Some(5.0),
                ],
                100.0 * (12.0 - 5.0) / (12.0 - 4.5),
                Some(2.0),
            ),
            // Others 2 3 4 6: usual (3 + 4) / 2 = 3.5; 4 is not back, 3 is, three quarters on.
            (
                &[Some(2.0), Some(10.0), Some(6.0), Some(4.0), Some(3.0)],
                100.0,
                Some(3.0),
            ),
        ];
        for (series, recovery, quarters) in cases {
            assert_eq!(resilience(series), (Some(recovery), quarters), "{series:?}");
        }
    }
}
