//! Why a figure is null: the report's `reasons`, one per metric left without a value, decided
//! in one place ([`reasons`]) for every scope and comparison of a report.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Facts, Metric, Privacy, Scored};

/// Why a metric of a scope has no value (its JSON name is the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No data: the imports do not cover the period for this scope, or there is nothing to
    /// count (no responses at all, nobody employed).
    NoData,
    /// A survey figure over fewer responses than the minimum group size, or hidden with a
    /// small group so that it cannot be worked out by subtraction.
    TooFewResponses,
    /// A survey figure of a month: survey figures are reported for finished quarters (and
    /// years) only.
    NotReportedForMonths,
    /// A survey figure of a period not finished yet: a period still filling up would reveal
    /// each new response as it arrives.
    PeriodNotFinished,
    /// Computed from salaries: withheld from this reader (managers).
    SalaryBased,
    /// Computed from the salaries of fewer than three people, or recoverable by subtraction
    /// as such: withheld from everyone but HR.
    TooFewPeople,
}

impl Reason {
    /// The JSON name: `"too_few_people"`.
    pub fn key(self) -> &'static str {
        match self {
            Reason::NoData => "no_data",
            Reason::TooFewResponses => "too_few_responses",
            Reason::NotReportedForMonths => "not_reported_for_months",
            Reason::PeriodNotFinished => "period_not_finished",
            Reason::SalaryBased => "salary_based",
            Reason::TooFewPeople => "too_few_people",
        }
    }
}

/// What privacy hid of one scope: each hidden survey figure with why, in the period scored
/// and in the one before (`scoring::privacy::Hiding::why_of`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HiddenWhy<'a> {
    pub current: &'a [(Metric, Reason)],
    pub previous: &'a [(Metric, Reason)],
}

impl HiddenWhy<'_> {
    fn now(&self, metric: Metric) -> Option<Reason> {
        why(self.current, metric)
    }

    fn before(&self, metric: Metric) -> Option<Reason> {
        why(self.previous, metric)
    }
}

fn why(hidden: &[(Metric, Reason)], metric: Metric) -> Option<Reason> {
    hidden.iter().find(|(m, _)| *m == metric).map(|(_, r)| *r)
}

/// Why each metric of a scored scope that has no value has none:
/// - a survey figure hidden by privacy says why privacy hid it (`no_data` without responses,
///   `too_few_responses`, `not_reported_for_months`, `period_not_finished`);
/// - a figure computed from survey figures (eNPS change) says why the one it lacks is hidden,
///   this period's first;
/// - every other null has nothing to count or is not covered: `no_data` (for the empathy index,
///   its parts are not enough: see docs/metrics.md).
///
/// Two nulls are no lack of data and have no reason: the quarters to recover while turnover
/// has not recovered yet, and a customer lifetime value (or its growth) while no customer was
/// lost, for which the lifetime is endless. Salary-based figures are always computed here;
/// `web::redact` adds their reasons where a reader may not see them.
pub fn reasons(
    scored: &impl Scored,
    hidden: HiddenWhy<'_>,
    facts: &Facts,
    previous: Option<&Facts>,
) -> BTreeMap<Metric, Reason> {
    Metric::all()
        .filter(|&metric| scored.get(metric).is_none())
        .filter_map(|metric| {
            let reason = match (metric, metric.info().privacy) {
                (_, Privacy::Survey(_)) => hidden.now(metric).unwrap_or(Reason::NoData),
                (_, Privacy::FromSurvey) => hidden
                    .now(Metric::Enps)
                    .or_else(|| hidden.before(Metric::Enps))
                    .unwrap_or(Reason::NoData),
                (Metric::ResilienceQuarters, _)
                    if scored.get(Metric::ResilienceRecovery).is_some() =>
                {
                    return None;
                }
                (Metric::CustomerLifetimeValue, _) => lifetime_value_why(facts)?,
                (Metric::CustomerLifetimeValueGrowth, _) => {
                    if scored.get(Metric::CustomerLifetimeValue).is_none() {
                        lifetime_value_why(facts)?
                    } else {
                        previous.map_or(Some(Reason::NoData), lifetime_value_why)?
                    }
                }
                _ => Reason::NoData,
            };
            Some((metric, reason))
        })
        .collect()
}

/// Why a scope has no customer lifetime value: `no_data` without active customers in the
/// period or the one before; None when it has customers and lost none (an endless lifetime).
fn lifetime_value_why(facts: &Facts) -> Option<Reason> {
    let c = &facts.customers;
    (c.active == 0 || c.active_previous == 0).then_some(Reason::NoData)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::scoring::{self, Context, CustomerFacts, Hidden, PulseFacts, RosterFacts, Settings};

    fn scored(facts: &Facts, hidden: &Hidden, series: &[Option<f64>]) -> scoring::ScopeMetrics {
        let settings = Settings::default();
        let ctx = Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        scoring::score(facts, None, series, ctx, hidden)
    }

    /// A team of 20 with 26 pulse responses that answered everything, and nothing else.
    fn surveyed() -> Facts {
        Facts {
            roster: RosterFacts {
                headcount_start: 20,
                headcount_end: 20,
                ..RosterFacts::default()
            },
            pulse: PulseFacts {
                responses: 26,
                empathy_respondents: 26,
                favorable_answers: 60,
                answers: 78,
                enps_answers: 26,
                enps_promoters: 10,
                enps_detractors: 4,
            },
            ..Facts::default()
        }
    }

    #[test]
    fn a_survey_figure_hidden_by_privacy_says_why_and_so_does_its_change() {
        let facts = surveyed();
        let why = [
            (Metric::EmpathyFavorability, Reason::PeriodNotFinished),
            (Metric::Enps, Reason::PeriodNotFinished),
        ];
        let hidden = Hidden {
            current: why.iter().map(|(m, _)| *m).collect(),
            previous: Vec::new(),
        };
        let m = scored(&facts, &hidden, &[]);
        let reasons = reasons(
            &m,
            HiddenWhy {
                current: &why,
                previous: &[],
            },
            &facts,
            None,
        );
        for metric in [
            Metric::EmpathyFavorability,
            Metric::Enps,
            Metric::EnpsChange,
        ] {
            assert_eq!(reasons[&metric], Reason::PeriodNotFinished, "{metric}");
        }
        // Favorability unknown: the index has no_data (its parts are not enough).
        assert_eq!(reasons[&Metric::EmpathyIndex], Reason::NoData);
        assert!(
            !reasons.contains_key(&Metric::TurnoverRate),
            "a known figure"
        );
    }

    #[test]
    fn an_enps_change_says_why_the_earlier_enps_is_hidden() {
        let facts = surveyed();
        let before = [(Metric::Enps, Reason::TooFewResponses)];
        let hidden = Hidden {
            current: Vec::new(),
            previous: vec![Metric::Enps],
        };
        let m = scored(&facts, &hidden, &[]);
        let hidden = HiddenWhy {
            current: &[],
            previous: &before,
        };
        let reasons = reasons(&m, hidden, &facts, None);
        assert_eq!(reasons.get(&Metric::Enps), None);
        assert_eq!(reasons[&Metric::EnpsChange], Reason::TooFewResponses);
    }

    #[test]
    fn a_figure_with_nothing_to_count_has_no_data() {
        let nothing = Facts::default();
        let m = scored(&nothing, &Hidden::default(), &[]);
        let reasons = reasons(&m, HiddenWhy::default(), &nothing, None);
        for metric in [
            Metric::TurnoverRate,
            Metric::AbsenteeismRate,
            Metric::PromotionRate,
            Metric::Csat,
            Metric::FirstYearTurnover,
            Metric::CustomerRetentionRate,
            Metric::CustomerLifetimeValue,
            Metric::Productivity,
            Metric::ResilienceRecovery,
            Metric::ResilienceQuarters,
            Metric::EmpathyIndex,
        ] {
            assert_eq!(reasons.get(&metric), Some(&Reason::NoData), "{metric}");
        }
        // Every null has its reason here, and no figure with a value has one.
        for metric in Metric::all() {
            assert_eq!(
                reasons.contains_key(&metric),
                m.get(metric).is_none(),
                "{metric}"
            );
        }
    }

    #[test]
    fn a_null_that_is_no_lack_of_data_has_no_reason() {
        // Customers, none lost: an endless lifetime. Turnover at its worst this quarter: not
        // recovered yet.
        let facts = Facts {
            customers: CustomerFacts {
                active_previous: 10,
                retained: 10,
                active: 10,
                revenue: 50_000.0,
            },
            ..surveyed()
        };
        let series = [Some(2.0), Some(3.0), Some(2.0), Some(9.0)];
        let m = scored(&facts, &Hidden::default(), &series);
        assert_eq!(m.get(Metric::ResilienceRecovery), Some(0.0));
        assert_eq!(m.get(Metric::ResilienceQuarters), None);
        assert_eq!(m.get(Metric::CustomerLifetimeValue), None);
        let reasons = reasons(&m, HiddenWhy::default(), &facts, Some(&facts));
        assert_eq!(reasons.get(&Metric::ResilienceQuarters), None);
        assert_eq!(reasons.get(&Metric::CustomerLifetimeValue), None);
        assert_eq!(reasons.get(&Metric::CustomerLifetimeValueGrowth), None);
    }

    #[test]
    fn each_reason_serializes_as_its_key() {
        for reason in [
            Reason::NoData,
            Reason::TooFewResponses,
            Reason::NotReportedForMonths,
            Reason::PeriodNotFinished,
            Reason::SalaryBased,
            Reason::TooFewPeople,
        ] {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.key());
        }
    }
}
