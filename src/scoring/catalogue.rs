//! The catalogue: every metric as a type ([`Metric`]) and, once per metric, its key, label,
//! unit, tier, which direction is good, how privacy treats it, and its definition in one
//! sentence — what the product shows under "how calculated". The full definitions with worked
//! examples are in docs/metrics.md.

use std::borrow::Cow;

use serde::Serialize;

use super::coverage::{DataKind, Needs};

/// A metric. Its JSON name ([`Metric::key`]) is the key of the report's tier objects and of
/// `suppressed`, a contract; everything else about it is in its catalogue entry
/// ([`Metric::info`]). The variants are in catalogue order: fundamentals first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    HeadcountStart,
    HeadcountEnd,
    HeadcountAvg,
    Separations,
    TurnoverRate,
    VoluntaryTurnoverRate,
    InvoluntaryTurnoverRate,
    AbsenceDays,
    ScheduledDays,
    AbsenteeismRate,
    Promotions,
    PromotionRate,
    CsatResponses,
    Csat,
    PulseResponses,
    EmpathyFavorability,
    TurnoverCost,
    TurnoverCostUnpriced,
    AbsenceCost,
    AbsenceCostUnpricedDays,
    RegrettedTurnoverRate,
    FirstYearTurnover,
    CustomerRetentionRate,
    CustomerChurnRate,
    Productivity,
    RevenuePerEmployee,
    ReviewRating,
    ReviewCount,
    IdeasPer100Employees,
    IdeaImplementationRate,
    LaunchesPer100Employees,
    Enps,
    EnpsChange,
    CustomerLifetimeValue,
    CustomerLifetimeValueGrowth,
    ResilienceRecovery,
    ResilienceQuarters,
    PartnershipsPer100Employees,
    VolunteerHoursPerEmployee,
    Co2eTonnesPerEmployee,
    EmpathyIndex,
}

impl Metric {
    /// The metric's catalogue entry.
    pub fn info(self) -> &'static MetricInfo {
        &CATALOGUE[self as usize]
    }

    /// The JSON name: `"voluntary_turnover_rate"`.
    pub fn key(self) -> &'static str {
        self.info().key
    }

    /// The metric named `key` in the JSON.
    pub fn from_key(key: &str) -> Option<Metric> {
        CATALOGUE.iter().find(|m| m.key == key).map(|m| m.metric)
    }

    /// Every metric, in catalogue order.
    pub fn all() -> impl Iterator<Item = Metric> {
        CATALOGUE.iter().map(|m| m.metric)
    }

    /// The survey figures that privacy decides on from the responses behind them.
    pub fn surveyed() -> impl Iterator<Item = (Metric, Responses)> {
        CATALOGUE.iter().filter_map(|m| match m.privacy {
            Privacy::Survey(responses) => Some((m.metric, responses)),
            _ => None,
        })
    }

    /// The metrics computed from individual salaries.
    pub fn salary_based() -> impl Iterator<Item = Metric> {
        Metric::all().filter(|m| m.info().privacy == Privacy::SalaryBased)
    }

    /// The data a metric is computed from: it is known only where these kinds cover the
    /// scope's whole period (and the previous period, for those comparing with it). The
    /// empathy index and resilience need nothing of their own: they are made of other metrics,
    /// each null where its data is not covered.
    pub fn needs(self) -> Needs {
        use DataKind::{Absences, Csat, Customers, Employees, Measures, Promotions, Pulse};
        let (kinds, previous_period): (&'static [DataKind], bool) = match self {
            Metric::HeadcountStart
            | Metric::HeadcountEnd
            | Metric::HeadcountAvg
            | Metric::Separations
            | Metric::TurnoverRate
            | Metric::VoluntaryTurnoverRate
            | Metric::InvoluntaryTurnoverRate
            | Metric::TurnoverCost
            | Metric::TurnoverCostUnpriced
            | Metric::RegrettedTurnoverRate
            | Metric::FirstYearTurnover => (&[Employees], false),
            Metric::AbsenceDays
            | Metric::ScheduledDays
            | Metric::AbsenteeismRate
            | Metric::AbsenceCost
            | Metric::AbsenceCostUnpricedDays => (&[Employees, Absences], false),
            Metric::Promotions | Metric::PromotionRate => (&[Employees, Promotions], false),
            Metric::CsatResponses | Metric::Csat => (&[Csat], false),
            Metric::PulseResponses | Metric::EmpathyFavorability | Metric::Enps => {
                (&[Pulse], false)
            }
            Metric::EnpsChange => (&[Pulse], true),
            Metric::CustomerRetentionRate
            | Metric::CustomerChurnRate
            | Metric::CustomerLifetimeValue
            | Metric::CustomerLifetimeValueGrowth => (&[Customers], true),
            Metric::RevenuePerEmployee => (&[Employees, Customers], false),
            Metric::ReviewRating | Metric::ReviewCount | Metric::IdeaImplementationRate => {
                (&[Measures], false)
            }
            Metric::Productivity
            | Metric::IdeasPer100Employees
            | Metric::LaunchesPer100Employees
            | Metric::PartnershipsPer100Employees
            | Metric::VolunteerHoursPerEmployee
            | Metric::Co2eTonnesPerEmployee => (&[Employees, Measures], false),
            Metric::ResilienceRecovery | Metric::ResilienceQuarters | Metric::EmpathyIndex => {
                (&[], false)
            }
        };
        Needs {
            kinds,
            previous_period,
        }
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl schemars::JsonSchema for Metric {
    fn schema_name() -> Cow<'static, str> {
        "Metric".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys: Vec<&str> = Metric::all().map(Metric::key).collect();
        schemars::json_schema!({
            "type": "string",
            "enum": keys,
            "description": "A metric's key (definitions: docs/metrics.md)",
        })
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Unit tests compare lists of metrics with their JSON names.
#[cfg(test)]
impl PartialEq<&str> for Metric {
    fn eq(&self, key: &&str) -> bool {
        self.key() == *key
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Fundamentals,
    Intermediate,
    Advanced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 0–100 (a rate or share).
    Percent,
    /// A whole number of people, events or responses.
    Count,
    /// Working days.
    Days,
    /// Money in the organization's currency.
    Money,
    /// A plain number (a ratio, a score, a mean).
    Number,
    /// Quarters.
    Quarters,
}

/// Whether a higher value is better, worse, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    Neutral,
}

/// What privacy withholds of a metric, and from whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Shown to everyone who may see the scope.
    Open,
    /// A survey figure: hidden below the minimum group size of these responses, and by the
    /// subtraction rule (see `privacy`).
    Survey(Responses),
    /// Computed from survey figures: hidden whenever one of them is.
    FromSurvey,
    /// Computed from individual salaries: withheld from managers.
    SalaryBased,
}

/// The responses a survey figure's group size is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Responses {
    /// Pulse responses that answered at least one empathy item.
    EmpathyRespondents,
    /// Answers to the eNPS question.
    EnpsAnswers,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricInfo {
    pub metric: Metric,
    /// The JSON name.
    pub key: &'static str,
    pub tier: Tier,
    pub label: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    pub definition: &'static str,
    pub privacy: Privacy,
}

const fn m(
    metric: Metric,
    key: &'static str,
    tier: Tier,
    label: &'static str,
    unit: Unit,
    direction: Direction,
    definition: &'static str,
) -> MetricInfo {
    MetricInfo {
        metric,
        key,
        tier,
        label,
        unit,
        direction,
        definition,
        privacy: Privacy::Open,
    }
}

use Direction::{HigherIsBetter as Up, LowerIsBetter as Down, Neutral};
use Tier::{Advanced as A, Fundamentals as F, Intermediate as I};

/// One entry per metric, in the order of [`Metric`]'s variants (checked when compiling).
const CATALOGUE: [MetricInfo; 41] = [
    m(
        Metric::HeadcountStart,
        "headcount_start",
        F,
        "Headcount at start",
        Unit::Count,
        Neutral,
        "Employees active on the period's first day.",
    ),
    m(
        Metric::HeadcountEnd,
        "headcount_end",
        F,
        "Headcount at end",
        Unit::Count,
        Neutral,
        "Employees active on the period's last day (a termination date is the last day worked).",
    ),
    m(
        Metric::HeadcountAvg,
        "headcount_avg",
        F,
        "Average headcount",
        Unit::Number,
        Neutral,
        "(headcount at start + headcount at end) ÷ 2.",
    ),
    m(
        Metric::Separations,
        "separations",
        F,
        "Leavers",
        Unit::Count,
        Down,
        "Employees whose termination date falls inside the period.",
    ),
    m(
        Metric::TurnoverRate,
        "turnover_rate",
        F,
        "Turnover",
        Unit::Percent,
        Down,
        "100 × leavers ÷ average headcount.",
    ),
    m(
        Metric::VoluntaryTurnoverRate,
        "voluntary_turnover_rate",
        F,
        "Voluntary turnover",
        Unit::Percent,
        Down,
        "100 × voluntary leavers ÷ average headcount.",
    ),
    m(
        Metric::InvoluntaryTurnoverRate,
        "involuntary_turnover_rate",
        F,
        "Involuntary turnover",
        Unit::Percent,
        Down,
        "100 × involuntary leavers ÷ average headcount.",
    ),
    m(
        Metric::AbsenceDays,
        "absence_days",
        F,
        "Unplanned absence days",
        Unit::Days,
        Down,
        "Working days (Mon–Fri) of unplanned absence inside the period; a row's `days` is spread evenly over its working days.",
    ),
    m(
        Metric::ScheduledDays,
        "scheduled_days",
        F,
        "Scheduled days",
        Unit::Days,
        Neutral,
        "Σ over employees of the Mon–Fri days in the period on which they were employed.",
    ),
    m(
        Metric::AbsenteeismRate,
        "absenteeism_rate",
        F,
        "Absenteeism",
        Unit::Percent,
        Down,
        "100 × unplanned absence days ÷ scheduled days.",
    ),
    m(
        Metric::Promotions,
        "promotions",
        F,
        "Promotions",
        Unit::Count,
        Up,
        "Promotions effective inside the period.",
    ),
    m(
        Metric::PromotionRate,
        "promotion_rate",
        F,
        "Promotion rate",
        Unit::Percent,
        Up,
        "100 × promotions ÷ average headcount.",
    ),
    m(
        Metric::CsatResponses,
        "csat_responses",
        F,
        "CSAT responses",
        Unit::Count,
        Neutral,
        "Customer satisfaction responses dated inside the period.",
    ),
    m(
        Metric::Csat,
        "csat",
        F,
        "Customer satisfaction",
        Unit::Percent,
        Up,
        "100 × responses scoring 4 or 5 ÷ all responses.",
    ),
    m(
        Metric::PulseResponses,
        "pulse_responses",
        F,
        "Pulse responses",
        Unit::Count,
        Neutral,
        "Pulse survey responses dated inside the period.",
    ),
    MetricInfo {
        privacy: Privacy::Survey(Responses::EmpathyRespondents),
        ..m(
            Metric::EmpathyFavorability,
            "empathy_favorability",
            F,
            "Empathy favorability",
            Unit::Percent,
            Up,
            "100 × answers of 4–5 to “I feel heard / supported / valued by my manager” ÷ all answers to them; hidden below the minimum group size.",
        )
    },
    MetricInfo {
        privacy: Privacy::SalaryBased,
        ..m(
            Metric::TurnoverCost,
            "turnover_cost",
            I,
            "Turnover cost",
            Unit::Money,
            Down,
            "Turnover cost factor (default 0.21) × the annual salaries of the period's leavers.",
        )
    },
    m(
        Metric::TurnoverCostUnpriced,
        "turnover_cost_unpriced",
        I,
        "Leavers without salary",
        Unit::Count,
        Down,
        "Leavers with no salary on record, so not in the turnover cost.",
    ),
    MetricInfo {
        privacy: Privacy::SalaryBased,
        ..m(
            Metric::AbsenceCost,
            "absence_cost",
            I,
            "Absence cost",
            Unit::Money,
            Down,
            "Σ unplanned absence days × annual salary ÷ 260, per person.",
        )
    },
    m(
        Metric::AbsenceCostUnpricedDays,
        "absence_cost_unpriced_days",
        I,
        "Absence days without salary",
        Unit::Days,
        Down,
        "Unplanned absence days of people with no salary on record, so not in the absence cost.",
    ),
    m(
        Metric::RegrettedTurnoverRate,
        "regretted_turnover_rate",
        I,
        "Regretted turnover",
        Unit::Percent,
        Down,
        "100 × leavers marked regretted ÷ average headcount.",
    ),
    m(
        Metric::FirstYearTurnover,
        "first_year_turnover",
        I,
        "First-year turnover",
        Unit::Percent,
        Down,
        "100 × leavers with under 365 days of tenure ÷ all leavers.",
    ),
    m(
        Metric::CustomerRetentionRate,
        "customer_retention_rate",
        I,
        "Customer retention",
        Unit::Percent,
        Up,
        "100 × customers active in both the previous period and this one ÷ customers active in the previous period.",
    ),
    m(
        Metric::CustomerChurnRate,
        "customer_churn_rate",
        I,
        "Customer churn",
        Unit::Percent,
        Down,
        "100 − customer retention.",
    ),
    m(
        Metric::Productivity,
        "productivity",
        I,
        "Output per head",
        Unit::Number,
        Up,
        "Σ output_units measures ÷ average headcount.",
    ),
    m(
        Metric::RevenuePerEmployee,
        "revenue_per_employee",
        I,
        "Revenue per employee",
        Unit::Money,
        Up,
        "Customer revenue in the period ÷ average headcount.",
    ),
    m(
        Metric::ReviewRating,
        "review_rating",
        I,
        "Review rating",
        Unit::Number,
        Up,
        "Mean of the review_rating measures.",
    ),
    m(
        Metric::ReviewCount,
        "review_count",
        I,
        "Reviews",
        Unit::Count,
        Up,
        "Σ review_count measures.",
    ),
    m(
        Metric::IdeasPer100Employees,
        "ideas_per_100_employees",
        I,
        "Ideas per 100 employees",
        Unit::Number,
        Up,
        "100 × ideas_submitted ÷ average headcount.",
    ),
    m(
        Metric::IdeaImplementationRate,
        "idea_implementation_rate",
        I,
        "Ideas implemented",
        Unit::Percent,
        Up,
        "100 × ideas_implemented ÷ ideas_submitted.",
    ),
    m(
        Metric::LaunchesPer100Employees,
        "launches_per_100_employees",
        I,
        "Launches per 100 employees",
        Unit::Number,
        Up,
        "100 × launches ÷ average headcount.",
    ),
    MetricInfo {
        privacy: Privacy::Survey(Responses::EnpsAnswers),
        ..m(
            Metric::Enps,
            "enps",
            A,
            "eNPS",
            Unit::Number,
            Up,
            "100 × (answers 9–10 − answers 0–6) ÷ all answers to “How likely are you to recommend working here?”; hidden below the minimum group size.",
        )
    },
    MetricInfo {
        privacy: Privacy::FromSurvey,
        ..m(
            Metric::EnpsChange,
            "enps_change",
            A,
            "Employee advocacy trend",
            Unit::Number,
            Up,
            "eNPS − the previous period's eNPS.",
        )
    },
    m(
        Metric::CustomerLifetimeValue,
        "customer_lifetime_value",
        A,
        "Customer lifetime value",
        Unit::Money,
        Up,
        "Revenue per active customer ÷ churn (as a fraction).",
    ),
    m(
        Metric::CustomerLifetimeValueGrowth,
        "customer_lifetime_value_growth",
        A,
        "Lifetime value growth",
        Unit::Percent,
        Up,
        "100 × (lifetime value − previous period's) ÷ previous period's.",
    ),
    m(
        Metric::ResilienceRecovery,
        "resilience_recovery",
        A,
        "Resilience: recovery",
        Unit::Percent,
        Up,
        "How far turnover has come back from its worst quarter of the last eight to its usual (median) level.",
    ),
    m(
        Metric::ResilienceQuarters,
        "resilience_quarters",
        A,
        "Resilience: quarters to recover",
        Unit::Quarters,
        Down,
        "Quarters from the worst quarter until turnover was back at its usual level.",
    ),
    m(
        Metric::PartnershipsPer100Employees,
        "partnerships_per_100_employees",
        A,
        "Partnerships per 100 employees",
        Unit::Number,
        Up,
        "100 × partnerships ÷ average headcount (innovation-ecosystem participation).",
    ),
    m(
        Metric::VolunteerHoursPerEmployee,
        "volunteer_hours_per_employee",
        A,
        "Volunteer hours per employee",
        Unit::Number,
        Up,
        "Σ volunteer_hours ÷ average headcount (social impact).",
    ),
    m(
        Metric::Co2eTonnesPerEmployee,
        "co2e_tonnes_per_employee",
        A,
        "CO₂e tonnes per employee",
        Unit::Number,
        Down,
        "Σ co2e_tonnes ÷ average headcount (environmental impact).",
    ),
    m(
        Metric::EmpathyIndex,
        "empathy_index",
        A,
        "Empathy index",
        Unit::Number,
        Up,
        "Weighted mean (0–100) of favorability, eNPS, voluntary turnover, absenteeism, promotion and CSAT scores; weights set by HR.",
    ),
];

// Entry `i` describes the metric whose discriminant is `i`, so `Metric::info` is an index.
const _: () = {
    let mut i = 0;
    while i < CATALOGUE.len() {
        assert!(CATALOGUE[i].metric as usize == i);
        i += 1;
    }
};

/// Every metric, fundamentals first.
pub fn catalogue() -> &'static [MetricInfo] {
    &CATALOGUE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{
        Advanced, Context, Facts, Fundamentals, Hidden, Intermediate, ScopeMetrics, Scored,
        Settings, score,
    };

    #[test]
    fn a_metric_is_written_in_json_by_its_key() {
        for metric in Metric::all() {
            assert_eq!(serde_json::to_value(metric).unwrap(), metric.key());
            assert_eq!(Metric::from_key(metric.key()), Some(metric));
            assert_eq!(metric.to_string(), metric.key());
        }
        assert_eq!(Metric::from_key("turnover"), None);
        assert_eq!(Metric::all().count(), catalogue().len());
    }

    #[test]
    fn get_reads_each_metric_from_its_own_field() {
        // Every field a different value, through the JSON names: get must find each one.
        let mut tiers = serde_json::Map::new();
        for (n, metric) in Metric::all().enumerate() {
            let tier = serde_json::to_value(metric.info().tier).unwrap();
            tiers
                .entry(tier.as_str().unwrap())
                .or_insert_with(|| serde_json::json!({}))
                .as_object_mut()
                .unwrap()
                .insert(metric.key().to_string(), (n + 1).into());
        }
        let scope = ScopeMetrics {
            fundamentals: serde_json::from_value::<Fundamentals>(tiers["fundamentals"].clone())
                .unwrap(),
            intermediate: serde_json::from_value::<Intermediate>(tiers["intermediate"].clone())
                .unwrap(),
            advanced: serde_json::from_value::<Advanced>(tiers["advanced"].clone()).unwrap(),
            suppressed: vec![Metric::Enps],
            no_data: Vec::new(),
            empathy_index_parts: Vec::new(),
        };
        for (n, metric) in Metric::all().enumerate() {
            assert_eq!(scope.get(metric), Some((n + 1) as f64), "{metric}");
        }
        // Each nullable figure's slot (what coverage clears) is its own field; counts have none.
        let mut scope = scope;
        let counts = [
            Metric::HeadcountStart,
            Metric::HeadcountEnd,
            Metric::HeadcountAvg,
            Metric::Separations,
            Metric::AbsenceDays,
            Metric::ScheduledDays,
            Metric::Promotions,
            Metric::CsatResponses,
            Metric::PulseResponses,
            Metric::TurnoverCostUnpriced,
            Metric::AbsenceCostUnpricedDays,
        ];
        for (n, metric) in Metric::all().enumerate() {
            let slot = scope
                .fundamentals
                .slot(metric)
                .or_else(|| scope.intermediate.slot(metric))
                .or_else(|| scope.advanced.slot(metric))
                .copied();
            let expected = (!counts.contains(&metric)).then_some(Some((n + 1) as f64));
            assert_eq!(slot, expected, "{metric}");
        }
        assert!(scope.is_suppressed(Metric::Enps));
        assert!(!scope.is_suppressed(Metric::Csat));
    }

    #[test]
    fn the_privacy_lists_come_from_the_catalogue() {
        let surveyed: Vec<Metric> = Metric::surveyed().map(|(m, _)| m).collect();
        assert_eq!(surveyed, [Metric::EmpathyFavorability, Metric::Enps]);
        assert_eq!(Metric::EnpsChange.info().privacy, Privacy::FromSurvey);
        let salary: Vec<Metric> = Metric::salary_based().collect();
        assert_eq!(salary, [Metric::TurnoverCost, Metric::AbsenceCost]);
    }

    #[test]
    fn every_reported_key_is_in_the_catalogue_and_keys_are_unique() {
        let settings = Settings::default();
        let ctx = Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        let metrics = score(&Facts::default(), None, &[], ctx, &Hidden::default());
        let json = serde_json::to_value(&metrics).unwrap();
        let mut keys = Vec::new();
        for tier in ["fundamentals", "intermediate", "advanced"] {
            keys.extend(json[tier].as_object().unwrap().keys().cloned());
        }
        let catalogue: Vec<&str> = catalogue().iter().map(|m| m.key).collect();
        assert_eq!(keys.len(), catalogue.len());
        for key in &keys {
            assert!(
                catalogue.contains(&key.as_str()),
                "{key} is not in the catalogue"
            );
        }
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            keys.len(),
            "metric keys are unique across tiers"
        );
    }
}
