//! The catalogue: every metric's key, label, unit, tier, which direction is good, and its
//! definition in one sentence — what the product shows under "how calculated". The full
//! definitions with worked examples are in docs/metrics.md.

use serde::Serialize;

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

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricInfo {
    pub key: &'static str,
    pub tier: Tier,
    pub label: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    pub definition: &'static str,
    /// Survey-derived: suppressed below the minimum group size.
    pub survey: bool,
}

const fn m(
    key: &'static str,
    tier: Tier,
    label: &'static str,
    unit: Unit,
    direction: Direction,
    definition: &'static str,
) -> MetricInfo {
    MetricInfo {
        key,
        tier,
        label,
        unit,
        direction,
        definition,
        survey: false,
    }
}

use Direction::{HigherIsBetter as Up, LowerIsBetter as Down, Neutral};
use Tier::{Advanced as A, Fundamentals as F, Intermediate as I};

const CATALOGUE: &[MetricInfo] = &[
    m(
        "headcount_start",
        F,
        "Headcount at start",
        Unit::Count,
        Neutral,
        "Employees active on the period's first day.",
    ),
    m(
        "headcount_end",
        F,
        "Headcount at end",
        Unit::Count,
        Neutral,
        "Employees active on the period's last day (a termination date is the last day worked).",
    ),
    m(
        "headcount_avg",
        F,
        "Average headcount",
        Unit::Number,
        Neutral,
        "(headcount at start + headcount at end) ÷ 2.",
    ),
    m(
        "separations",
        F,
        "Leavers",
        Unit::Count,
        Down,
        "Employees whose termination date falls inside the period.",
    ),
    m(
        "turnover_rate",
        F,
        "Turnover",
        Unit::Percent,
        Down,
        "100 × leavers ÷ average headcount.",
    ),
    m(
        "voluntary_turnover_rate",
        F,
        "Voluntary turnover",
        Unit::Percent,
        Down,
        "100 × voluntary leavers ÷ average headcount.",
    ),
    m(
        "involuntary_turnover_rate",
        F,
        "Involuntary turnover",
        Unit::Percent,
        Down,
        "100 × involuntary leavers ÷ average headcount.",
    ),
    m(
        "absence_days",
        F,
        "Unplanned absence days",
        Unit::Days,
        Down,
        "Working days (Mon–Fri) of unplanned absence inside the period; a row's `days` is spread evenly over its working days.",
    ),
    m(
        "scheduled_days",
        F,
        "Scheduled days",
        Unit::Days,
        Neutral,
        "Σ over employees of the Mon–Fri days in the period on which they were employed.",
    ),
    m(
        "absenteeism_rate",
        F,
        "Absenteeism",
        Unit::Percent,
        Down,
        "100 × unplanned absence days ÷ scheduled days.",
    ),
    m(
        "promotions",
        F,
        "Promotions",
        Unit::Count,
        Up,
        "Promotions effective inside the period.",
    ),
    m(
        "promotion_rate",
        F,
        "Promotion rate",
        Unit::Percent,
        Up,
        "100 × promotions ÷ average headcount.",
    ),
    m(
        "csat_responses",
        F,
        "CSAT responses",
        Unit::Count,
        Neutral,
        "Customer satisfaction responses dated inside the period.",
    ),
    m(
        "csat",
        F,
        "Customer satisfaction",
        Unit::Percent,
        Up,
        "100 × responses scoring 4 or 5 ÷ all responses.",
    ),
    m(
        "pulse_responses",
        F,
        "Pulse responses",
        Unit::Count,
        Neutral,
        "Pulse survey responses dated inside the period.",
    ),
    MetricInfo {
        survey: true,
        ..m(
            "empathy_favorability",
            F,
            "Empathy favorability",
            Unit::Percent,
            Up,
            "100 × answers of 4–5 to “I feel heard / supported / valued by my manager” ÷ all answers to them; hidden below the minimum group size.",
        )
    },
    m(
        "turnover_cost",
        I,
        "Turnover cost",
        Unit::Money,
        Down,
        "Turnover cost factor (default 0.21) × the annual salaries of the period's leavers.",
    ),
    m(
        "turnover_cost_unpriced",
        I,
        "Leavers without salary",
        Unit::Count,
        Down,
        "Leavers with no salary on record, so not in the turnover cost.",
    ),
    m(
        "absence_cost",
        I,
        "Absence cost",
        Unit::Money,
        Down,
        "Σ unplanned absence days × annual salary ÷ 260, per person.",
    ),
    m(
        "absence_cost_unpriced_days",
        I,
        "Absence days without salary",
        Unit::Days,
        Down,
        "Unplanned absence days of people with no salary on record, so not in the absence cost.",
    ),
    m(
        "regretted_turnover_rate",
        I,
        "Regretted turnover",
        Unit::Percent,
        Down,
        "100 × leavers marked regretted ÷ average headcount.",
    ),
    m(
        "first_year_turnover",
        I,
        "First-year turnover",
        Unit::Percent,
        Down,
        "100 × leavers with under 365 days of tenure ÷ all leavers.",
    ),
    m(
        "customer_retention_rate",
        I,
        "Customer retention",
        Unit::Percent,
        Up,
        "100 × customers active in both the previous period and this one ÷ customers active in the previous period.",
    ),
    m(
        "customer_churn_rate",
        I,
        "Customer churn",
        Unit::Percent,
        Down,
        "100 − customer retention.",
    ),
    m(
        "productivity",
        I,
        "Output per head",
        Unit::Number,
        Up,
        "Σ output_units measures ÷ average headcount.",
    ),
    m(
        "revenue_per_employee",
        I,
        "Revenue per employee",
        Unit::Money,
        Up,
        "Customer revenue in the period ÷ average headcount.",
    ),
    m(
        "review_rating",
        I,
        "Review rating",
        Unit::Number,
        Up,
        "Mean of the review_rating measures.",
    ),
    m(
        "review_count",
        I,
        "Reviews",
        Unit::Count,
        Up,
        "Σ review_count measures.",
    ),
    m(
        "ideas_per_100_employees",
        I,
        "Ideas per 100 employees",
        Unit::Number,
        Up,
        "100 × ideas_submitted ÷ average headcount.",
    ),
    m(
        "idea_implementation_rate",
        I,
        "Ideas implemented",
        Unit::Percent,
        Up,
        "100 × ideas_implemented ÷ ideas_submitted.",
    ),
    m(
        "launches_per_100_employees",
        I,
        "Launches per 100 employees",
        Unit::Number,
        Up,
        "100 × launches ÷ average headcount.",
    ),
    MetricInfo {
        survey: true,
        ..m(
            "enps",
            A,
            "eNPS",
            Unit::Number,
            Up,
            "100 × (answers 9–10 − answers 0–6) ÷ all answers to “How likely are you to recommend working here?”; hidden below the minimum group size.",
        )
    },
    MetricInfo {
        survey: true,
        ..m(
            "enps_change",
            A,
            "Employee advocacy trend",
            Unit::Number,
            Up,
            "eNPS − the previous period's eNPS.",
        )
    },
    m(
        "customer_lifetime_value",
        A,
        "Customer lifetime value",
        Unit::Money,
        Up,
        "Revenue per active customer ÷ churn (as a fraction).",
    ),
    m(
        "customer_lifetime_value_growth",
        A,
        "Lifetime value growth",
        Unit::Percent,
        Up,
        "100 × (lifetime value − previous period's) ÷ previous period's.",
    ),
    m(
        "resilience_recovery",
        A,
        "Resilience: recovery",
        Unit::Percent,
        Up,
        "How far turnover has come back from its worst quarter of the last eight to its usual (median) level.",
    ),
    m(
        "resilience_quarters",
        A,
        "Resilience: quarters to recover",
        Unit::Quarters,
        Down,
        "Quarters from the worst quarter until turnover was back at its usual level.",
    ),
    m(
        "partnerships_per_100_employees",
        A,
        "Partnerships per 100 employees",
        Unit::Number,
        Up,
        "100 × partnerships ÷ average headcount (innovation-ecosystem participation).",
    ),
    m(
        "volunteer_hours_per_employee",
        A,
        "Volunteer hours per employee",
        Unit::Number,
        Up,
        "Σ volunteer_hours ÷ average headcount (social impact).",
    ),
    m(
        "co2e_tonnes_per_employee",
        A,
        "CO₂e tonnes per employee",
        Unit::Number,
        Down,
        "Σ co2e_tonnes ÷ average headcount (environmental impact).",
    ),
    m(
        "empathy_index",
        A,
        "Empathy index",
        Unit::Number,
        Up,
        "Weighted mean (0–100) of favorability, eNPS, voluntary turnover, absenteeism, promotion and CSAT scores; weights set by HR.",
    ),
];

/// Every metric, fundamentals first.
pub fn catalogue() -> &'static [MetricInfo] {
    CATALOGUE
}

/// The metric with this key.
pub fn info(key: &str) -> Option<&'static MetricInfo> {
    CATALOGUE.iter().find(|m| m.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{Context, Facts, Hidden, Settings, score};

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
