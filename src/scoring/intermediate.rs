//! The intermediate tier: what turnover and absence cost, and what retention and productivity
//! earn. Definitions: docs/metrics.md.

use serde::Serialize;

use super::{Facts, Fundamentals, Settings, rate, ratio};

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct Intermediate {
    /// turnover_cost_factor × Σ annual_salary of the period's leavers who have one.
    /// Always a number from scoring; None only where a reader may not see salary-based figures.
    pub turnover_cost: Option<f64>,
    /// Leavers without a salary, so not in turnover_cost.
    pub turnover_cost_unpriced: i64,
    /// Σ absence_days × annual_salary / 260 over absent people with a salary.
    /// None only where a reader may not see salary-based figures.
    pub absence_cost: Option<f64>,
    /// Unplanned absence days of people without a salary (not in absence_cost).
    pub absence_cost_unpriced_days: f64,
    /// 100 × regretted leavers / headcount_avg.
    pub regretted_turnover_rate: Option<f64>,
    /// 100 × leavers with under 365 days of tenure / all leavers.
    pub first_year_turnover: Option<f64>,
    /// 100 × customers active in the previous period and this one / customers active in the
    /// previous period.
    pub customer_retention_rate: Option<f64>,
    /// 100 − customer_retention_rate.
    pub customer_churn_rate: Option<f64>,
    /// output_units / headcount_avg.
    pub productivity: Option<f64>,
    /// Customer revenue / headcount_avg.
    pub revenue_per_employee: Option<f64>,
    /// Mean of the review_rating measures.
    pub review_rating: Option<f64>,
    /// Σ review_count measures.
    pub review_count: Option<f64>,
    /// 100 × ideas_submitted / headcount_avg.
    pub ideas_per_100_employees: Option<f64>,
    /// 100 × ideas_implemented / ideas_submitted.
    pub idea_implementation_rate: Option<f64>,
    /// 100 × launches / headcount_avg.
    pub launches_per_100_employees: Option<f64>,
}

pub fn intermediate(
    facts: &Facts,
    _previous: Option<&Facts>,
    f: &Fundamentals,
    settings: &Settings,
) -> Intermediate {
    let per_head = |value: Option<f64>| value.and_then(|v| ratio(v, f.headcount_avg));
    let per_100 = |value: Option<f64>| value.and_then(|v| rate(v, f.headcount_avg));
    let retention = rate(
        facts.customers.retained as f64,
        facts.customers.active_previous as f64,
    );
    Intermediate {
        turnover_cost: Some(settings.turnover_cost_factor * facts.separation_salaries),
        turnover_cost_unpriced: facts.separations_unpriced,
        absence_cost: Some(facts.absence_cost),
        absence_cost_unpriced_days: facts.absence_days_unpriced,
        regretted_turnover_rate: rate(facts.regretted_separations as f64, f.headcount_avg),
        first_year_turnover: rate(
            facts.first_year_separations as f64,
            facts.roster.separations as f64,
        ),
        customer_retention_rate: retention,
        customer_churn_rate: retention.map(|r| 100.0 - r),
        productivity: per_head(facts.measure_sum("output_units")),
        revenue_per_employee: per_head(
            (facts.customers.active > 0).then_some(facts.customers.revenue),
        ),
        review_rating: facts.measure_mean("review_rating"),
        review_count: facts.measure_sum("review_count"),
        ideas_per_100_employees: per_100(facts.measure_sum("ideas_submitted")),
        idea_implementation_rate: facts
            .measure_sum("ideas_implemented")
            .zip(facts.measure_sum("ideas_submitted"))
            .and_then(|(done, submitted)| rate(done, submitted)),
        launches_per_100_employees: per_100(facts.measure_sum("launches")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{CustomerFacts, MeasureFacts, RosterFacts, fundamentals};

    fn company() -> Facts {
        let mut facts = Facts {
            roster: RosterFacts {
                headcount_start: 48,
                headcount_end: 52,
                separations: 5,
                voluntary_separations: 3,
                involuntary_separations: 1,
            },
            regretted_separations: 2,
            first_year_separations: 1,
            separation_salaries: 240_000.0,
            separations_unpriced: 1,
            absence_cost: 1_500.0,
            customers: CustomerFacts {
                active_previous: 40,
                retained: 36,
                active: 44,
                revenue: 220_000.0,
            },
            ..Facts::default()
        };
        for (metric, sum, count) in [
            ("output_units", 5_000.0, 3),
            ("review_rating", 13.5, 3),
            ("review_count", 120.0, 3),
            ("ideas_submitted", 20.0, 1),
            ("ideas_implemented", 5.0, 1),
            ("launches", 2.0, 1),
        ] {
            facts
                .measures
                .insert(metric.to_string(), MeasureFacts { sum, count });
        }
        facts
    }

    #[test]
    fn the_worked_example_of_docs_metrics() {
        let facts = company();
        let i = intermediate(
            &facts,
            None,
            &fundamentals(&facts.roster),
            &Settings::default(),
        );
        assert!(
            (i.turnover_cost.unwrap() - 50_400.0).abs() < 1e-9,
            "0.21 × 240,000"
        );
        assert_eq!(i.turnover_cost_unpriced, 1);
        assert_eq!(i.regretted_turnover_rate, Some(4.0));
        assert_eq!(i.first_year_turnover, Some(20.0));
        assert_eq!(i.customer_retention_rate, Some(90.0));
        assert_eq!(i.customer_churn_rate, Some(10.0));
        assert_eq!(i.productivity, Some(100.0));
        assert_eq!(i.revenue_per_employee, Some(4_400.0));
        assert_eq!(i.review_rating, Some(4.5));
        assert_eq!(i.review_count, Some(120.0));
        assert_eq!(i.ideas_per_100_employees, Some(40.0));
        assert_eq!(i.idea_implementation_rate, Some(25.0));
        assert_eq!(i.launches_per_100_employees, Some(4.0));
    }

    #[test]
    fn the_turnover_cost_factor_is_hrs_to_set() {
        let facts = company();
        let settings = Settings {
            turnover_cost_factor: 0.5,
            ..Settings::default()
        };
        let i = intermediate(&facts, None, &fundamentals(&facts.roster), &settings);
        assert_eq!(i.turnover_cost, Some(120_000.0));
    }

    #[test]
    fn metrics_without_data_are_null_not_zero() {
        let facts = Facts::default();
        let i = intermediate(
            &facts,
            None,
            &fundamentals(&facts.roster),
            &Settings::default(),
        );
        assert_eq!(i.customer_retention_rate, None);
        assert_eq!(i.customer_churn_rate, None);
        assert_eq!(i.productivity, None);
        assert_eq!(i.review_rating, None);
        assert_eq!(i.first_year_turnover, None);
        assert_eq!(i.turnover_cost, Some(0.0));
    }

    /// The intermediate metrics of facts built by `build` (docs/metrics.md's readings).
    fn scored(build: impl FnOnce(&mut Facts)) -> Intermediate {
        let mut facts = Facts::default();
        build(&mut facts);
        intermediate(
            &facts,
            None,
            &fundamentals(&facts.roster),
            &Settings::default(),
        )
    }

    #[test]
    fn first_year_turnover_is_the_share_of_leavers_who_left_under_365_days_after_hire() {
        // docs/metrics.md: of two leavers hired on 2024-04-01, the one leaving 2025-03-31
        // (364 days) is a first-year leaver, the one leaving 2025-04-01 (365 days) is not. The
        // days are counted by db::facts (the integration test metric_readings checks them).
        for (first_year, leavers, expected) in [
            (1, 2, Some(50.0)),
            (0, 2, Some(0.0)),
            (2, 2, Some(100.0)),
            (0, 0, None),
        ] {
            let i = scored(|f| {
                f.roster.separations = leavers;
                f.first_year_separations = first_year;
            });
            assert_eq!(i.first_year_turnover, expected, "{first_year} of {leavers}");
        }
    }

    #[test]
    fn the_idea_implementation_rate_is_null_when_either_measure_has_no_row() {
        // (Σ ideas_implemented, Σ ideas_submitted), None where the period has no row of the name.
        for (implemented, submitted, expected) in [
            (Some(5.0), Some(20.0), Some(25.0)),
            (Some(5.0), None, None),
            (None, Some(20.0), None),
            (None, None, None),
            (Some(0.0), Some(20.0), Some(0.0)),
            (Some(5.0), Some(0.0), None),
        ] {
            let i = scored(|f| {
                for (name, sum) in [
                    ("ideas_implemented", implemented),
                    ("ideas_submitted", submitted),
                ] {
                    if let Some(sum) = sum {
                        f.measures
                            .insert(name.to_string(), MeasureFacts { sum, count: 1 });
                    }
                }
            });
            assert_eq!(
                i.idea_implementation_rate, expected,
                "{implemented:?} of {submitted:?}"
            );
        }
    }

    #[test]
    fn the_organizations_customer_retention_counts_each_customer_once_retained_within_a_team() {
        // docs/metrics.md's five customers: (scope, active before, retained) → retention. The
        // counting is db::facts' (the integration test metric_readings checks it).
        for (scope, active_previous, retained, expected) in [
            ("organization", 5, 3, 60.0),
            ("Alpha", 3, 2, 200.0 / 3.0),
            ("Beta", 2, 1, 50.0),
        ] {
            let i = scored(|f| {
                f.customers = CustomerFacts {
                    active_previous,
                    retained,
                    active: retained,
                    revenue: 100.0,
                };
            });
            assert_eq!(i.customer_retention_rate, Some(expected), "{scope}");
            assert_eq!(i.customer_churn_rate, Some(100.0 - expected), "{scope}");
        }
    }

    #[test]
    fn a_salary_of_zero_is_priced_at_zero_and_only_an_empty_salary_is_unpriced() {
        // docs/metrics.md: leavers earning 60,000, 0 and nothing on record. The salaries are
        // summed by db::facts (the integration test metric_readings checks them, and absences).
        let i = scored(|f| {
            f.roster.separations = 3;
            f.separation_salaries = 60_000.0 + 0.0;
            f.separations_unpriced = 1;
        });
        let cost = i.turnover_cost.unwrap();
        assert!((cost - 12_600.0).abs() < 1e-6, "0.21 × 60,000: {cost}");
        assert_eq!(i.turnover_cost_unpriced, 1, "the empty salary, not the 0");
    }

    #[test]
    fn customer_rows_of_one_key_are_added_up_before_the_revenue_test() {
        // docs/metrics.md: C1 +100 and −30 on one day is one active row of 70; C2 +50 and −50 is
        // a row of 0, not active. Both were active the quarter before; two employees.
        let i = scored(|f| {
            f.roster.headcount_start = 2;
            f.roster.headcount_end = 2;
            f.customers = CustomerFacts {
                active_previous: 2,
                retained: 1,
                active: 1,
                revenue: 100.0 - 30.0,
            };
        });
        assert_eq!(i.customer_retention_rate, Some(50.0));
        assert_eq!(i.revenue_per_employee, Some(35.0));
    }
}
