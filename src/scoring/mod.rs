//! Scoring: turns facts about a scope (a team or the organization) and a period into the metrics
//! of the three tiers.
//!
//! Pure by design: plain structs in, plain structs out, no database, web or I/O. The database
//! layer counts (see `db::facts`); this module divides, weighs and suppresses. Thresholds and
//! weights come in as values ([`Settings`]). Every formula is defined, with a worked example, in
//! docs/metrics.md, and each metric's one-line definition is in [`catalogue`].

mod advanced;
mod catalogue;
pub mod coverage;
mod facts;
mod fundamentals;
mod intermediate;
mod links;
pub mod privacy;
#[cfg(test)]
mod properties;
mod reason;

use serde::Serialize;

pub use advanced::{Advanced, EmpathyIndexPart, EmpathyPart, EmpathyWeights, resilience};
pub use catalogue::{Direction, Metric, MetricInfo, Privacy, Responses, Tier, Unit, catalogue};
pub use coverage::{Coverage, Covered, DataKind};
pub use facts::{CustomerFacts, Facts, MeasureFacts, PeriodFacts, PulseFacts};
#[cfg(test)]
pub(crate) use fundamentals::fundamentals_of_for_tests;
pub use fundamentals::{Fundamentals, RosterFacts, fundamentals};
pub use intermediate::Intermediate;
pub use links::{
    LAGS, MIN_TEAM_QUARTERS, NOTE, OUTCOME_QUARTERS, Outcome, OutcomeLink, QUARTERS_NEEDED,
    QuarterFigures, Sample, WithinTeam, estimate, link, links, sample,
};
pub use privacy::{SuppressionCandidate, base_suppression, complementary_suppression};
pub use reason::{HiddenWhy, Reason, reasons};

/// What HR can set that changes the figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Survey figures over fewer responses than this are suppressed (never below 3).
    pub min_group_size: i64,
    /// The share of a leaver's annual salary that replacing them costs.
    pub turnover_cost_factor: f64,
    pub empathy_weights: EmpathyWeights,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            min_group_size: 5,
            turnover_cost_factor: 0.21,
            empathy_weights: EmpathyWeights::default(),
        }
    }
}

/// Everything about the period that scoring needs besides the facts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Context<'a> {
    pub settings: &'a Settings,
    /// 4 for quarters, 12 for months, 1 for years: to annualize rates in the empathy index.
    pub periods_per_year: f64,
}

/// All metrics of one scope and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeMetrics {
    pub fundamentals: Fundamentals,
    pub intermediate: Intermediate,
    pub advanced: Advanced,
    /// Metrics withheld for privacy; their values are null.
    pub suppressed: Vec<Metric>,
    /// Metrics null because their data does not cover the period (reason `no_data`).
    pub no_data: Vec<Metric>,
    /// The empathy index's parts: each component's 0–100 score and weight.
    pub empathy_index_parts: Vec<EmpathyIndexPart>,
}

/// The metrics of one scope and period, read by [`Metric`]: a scored scope, a report's scope and
/// its comparisons all hold the three tiers and the metrics privacy withheld.
pub trait Scored {
    /// The three tiers.
    fn tiers(&self) -> (&Fundamentals, &Intermediate, &Advanced);

    /// The metrics withheld for privacy (their values are None).
    fn withheld(&self) -> &[Metric];

    /// The value of `metric`: None when it cannot be computed or was withheld.
    fn get(&self, metric: Metric) -> Option<f64> {
        let (f, i, a) = self.tiers();
        match metric {
            Metric::HeadcountStart => Some(f.headcount_start as f64),
            Metric::HeadcountEnd => Some(f.headcount_end as f64),
            Metric::HeadcountAvg => Some(f.headcount_avg),
            Metric::Separations => Some(f.separations as f64),
            Metric::TurnoverRate => f.turnover_rate,
            Metric::VoluntaryTurnoverRate => f.voluntary_turnover_rate,
            Metric::InvoluntaryTurnoverRate => f.involuntary_turnover_rate,
            Metric::AbsenceDays => Some(f.absence_days),
            Metric::ScheduledDays => Some(f.scheduled_days),
            Metric::AbsenteeismRate => f.absenteeism_rate,
            Metric::Promotions => Some(f.promotions as f64),
            Metric::PromotionRate => f.promotion_rate,
            Metric::CsatResponses => Some(f.csat_responses as f64),
            Metric::Csat => f.csat,
            Metric::PulseResponses => Some(f.pulse_responses as f64),
            Metric::EmpathyFavorability => f.empathy_favorability,
            Metric::TurnoverCost => i.turnover_cost,
            Metric::TurnoverCostUnpriced => Some(i.turnover_cost_unpriced as f64),
            Metric::AbsenceCost => i.absence_cost,
            Metric::AbsenceCostUnpricedDays => Some(i.absence_cost_unpriced_days),
            Metric::RegrettedTurnoverRate => i.regretted_turnover_rate,
            Metric::FirstYearTurnover => i.first_year_turnover,
            Metric::CustomerRetentionRate => i.customer_retention_rate,
            Metric::CustomerChurnRate => i.customer_churn_rate,
            Metric::Productivity => i.productivity,
            Metric::RevenuePerEmployee => i.revenue_per_employee,
            Metric::ReviewRating => i.review_rating,
            Metric::ReviewCount => i.review_count,
            Metric::IdeasPer100Employees => i.ideas_per_100_employees,
            Metric::IdeaImplementationRate => i.idea_implementation_rate,
            Metric::LaunchesPer100Employees => i.launches_per_100_employees,
            Metric::Enps => a.enps,
            Metric::EnpsChange => a.enps_change,
            Metric::CustomerLifetimeValue => a.customer_lifetime_value,
            Metric::CustomerLifetimeValueGrowth => a.customer_lifetime_value_growth,
            Metric::ResilienceRecovery => a.resilience_recovery,
            Metric::ResilienceQuarters => a.resilience_quarters,
            Metric::PartnershipsPer100Employees => a.partnerships_per_100_employees,
            Metric::VolunteerHoursPerEmployee => a.volunteer_hours_per_employee,
            Metric::Co2eTonnesPerEmployee => a.co2e_tonnes_per_employee,
            Metric::EmpathyIndex => a.empathy_index,
        }
    }

    /// Why `metric` has no value, where the scope says (the report's `reasons`).
    fn reason(&self, _metric: Metric) -> Option<Reason> {
        None
    }

    /// Whether privacy withheld `metric`.
    fn is_suppressed(&self, metric: Metric) -> bool {
        self.withheld().contains(&metric)
    }
}

impl Scored for ScopeMetrics {
    fn tiers(&self) -> (&Fundamentals, &Intermediate, &Advanced) {
        (&self.fundamentals, &self.intermediate, &self.advanced)
    }

    fn withheld(&self) -> &[Metric] {
        &self.suppressed
    }
}

/// Which survey figures are hidden for privacy, this period and the previous one (decided by
/// [`base_suppression`] and [`complementary_suppression`] before scoring).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hidden {
    pub current: Vec<Metric>,
    pub previous: Vec<Metric>,
}

impl Hidden {
    /// The hiding that the scope's own response counts call for (no complementary hiding).
    pub fn own(facts: &Facts, previous: Option<&Facts>, settings: &Settings) -> Hidden {
        Hidden {
            current: base_suppression(facts, settings.min_group_size),
            previous: previous
                .map_or_else(Vec::new, |p| base_suppression(p, settings.min_group_size)),
        }
    }
}

/// Score one scope. `previous` is the same scope's facts for the previous period (for eNPS
/// change and lifetime value growth); `turnover_series` its turnover rates over the trailing
/// eight quarters, oldest first (for resilience).
pub fn score(
    facts: &Facts,
    previous: Option<&Facts>,
    turnover_series: &[Option<f64>],
    ctx: Context<'_>,
    hidden: &Hidden,
) -> ScopeMetrics {
    let mut suppressed = Vec::new();
    let mut no_data = Vec::new();
    let uncovered: Vec<Metric> = Metric::all().filter(|m| !facts.covered.knows(*m)).collect();
    let mut fundamentals = fundamentals::fundamentals_of(facts, &hidden.current, &mut suppressed);
    // Cleared before the advanced tier reads them: the empathy index has no part without data.
    for metric in &uncovered {
        if let Some(value) = fundamentals.slot(*metric) {
            *value = None;
            no_data.push(*metric);
        }
    }
    let mut intermediate = intermediate::intermediate(facts, previous, &fundamentals, ctx.settings);
    let (mut advanced, parts) = advanced::advanced(
        facts,
        previous,
        &fundamentals,
        turnover_series,
        ctx,
        hidden,
        &mut suppressed,
    );
    for metric in &uncovered {
        if let Some(value) = intermediate
            .slot(*metric)
            .or_else(|| advanced.slot(*metric))
        {
            *value = None;
            no_data.push(*metric);
        }
    }
    ScopeMetrics {
        fundamentals,
        intermediate,
        advanced,
        suppressed,
        no_data,
        empathy_index_parts: parts,
    }
}

impl ScopeMetrics {
    /// Make the empathy index again from the fundamentals and eNPS as they are now (the
    /// organization's, once its figures of partly covered kinds are counted over the covered
    /// teams).
    pub fn recompute_empathy_index(&mut self, ctx: Context<'_>) {
        let (index, parts) = advanced::index(&self.fundamentals, self.advanced.enps, ctx);
        self.advanced.empathy_index = index;
        self.empathy_index_parts = parts;
    }
}

impl Fundamentals {
    /// The field of `metric`, if it is one of this tier's nullable figures (to clear it).
    pub fn slot(&mut self, metric: Metric) -> Option<&mut Option<f64>> {
        Some(match metric {
            Metric::TurnoverRate => &mut self.turnover_rate,
            Metric::VoluntaryTurnoverRate => &mut self.voluntary_turnover_rate,
            Metric::InvoluntaryTurnoverRate => &mut self.involuntary_turnover_rate,
            Metric::AbsenteeismRate => &mut self.absenteeism_rate,
            Metric::PromotionRate => &mut self.promotion_rate,
            Metric::Csat => &mut self.csat,
            Metric::EmpathyFavorability => &mut self.empathy_favorability,
            _ => return None,
        })
    }
}

impl Intermediate {
    /// The field of `metric`, if it is one of this tier's nullable figures (to clear it).
    pub fn slot(&mut self, metric: Metric) -> Option<&mut Option<f64>> {
        Some(match metric {
            Metric::TurnoverCost => &mut self.turnover_cost,
            Metric::AbsenceCost => &mut self.absence_cost,
            Metric::RegrettedTurnoverRate => &mut self.regretted_turnover_rate,
            Metric::FirstYearTurnover => &mut self.first_year_turnover,
            Metric::CustomerRetentionRate => &mut self.customer_retention_rate,
            Metric::CustomerChurnRate => &mut self.customer_churn_rate,
            Metric::Productivity => &mut self.productivity,
            Metric::RevenuePerEmployee => &mut self.revenue_per_employee,
            Metric::ReviewRating => &mut self.review_rating,
            Metric::ReviewCount => &mut self.review_count,
            Metric::IdeasPer100Employees => &mut self.ideas_per_100_employees,
            Metric::IdeaImplementationRate => &mut self.idea_implementation_rate,
            Metric::LaunchesPer100Employees => &mut self.launches_per_100_employees,
            _ => return None,
        })
    }
}

impl Advanced {
    /// The field of `metric`, if it is one of this tier's nullable figures (to clear it).
    pub fn slot(&mut self, metric: Metric) -> Option<&mut Option<f64>> {
        Some(match metric {
            Metric::Enps => &mut self.enps,
            Metric::EnpsChange => &mut self.enps_change,
            Metric::CustomerLifetimeValue => &mut self.customer_lifetime_value,
            Metric::CustomerLifetimeValueGrowth => &mut self.customer_lifetime_value_growth,
            Metric::ResilienceRecovery => &mut self.resilience_recovery,
            Metric::ResilienceQuarters => &mut self.resilience_quarters,
            Metric::PartnershipsPer100Employees => &mut self.partnerships_per_100_employees,
            Metric::VolunteerHoursPerEmployee => &mut self.volunteer_hours_per_employee,
            Metric::Co2eTonnesPerEmployee => &mut self.co2e_tonnes_per_employee,
            Metric::EmpathyIndex => &mut self.empathy_index,
            _ => return None,
        })
    }
}

/// `100 × numerator / denominator`, or `None` when the denominator is zero: a rate over nobody
/// is unknown, never 0.
pub fn rate(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| 100.0 * numerator / denominator)
}

/// `numerator / denominator`, or `None` when the denominator is zero.
pub fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| numerator / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_over_a_zero_denominator_is_unknown() {
        assert_eq!(rate(3.0, 0.0), None);
        assert_eq!(ratio(3.0, 0.0), None);
    }

    #[test]
    fn a_rate_is_on_a_zero_to_hundred_scale() {
        assert_eq!(rate(1.0, 4.0), Some(25.0));
    }
}
