//! The words of the team page: each number's "how calculated" (the catalogue's definition and
//! the report's own counts behind it) and the "what changed" paragraph. Pure: a report's scope
//! in, sentences out.

use chrono::NaiveDate;

use crate::period::Period;
use crate::present::{self, Missing, Verdict, labels};
use crate::report::Scope;
use crate::scoring::{Metric, MetricInfo, Scored, privacy};

/// The "how calculated" of one number: the catalogue's definition and, where the report has
/// them, the actual figures it was computed from.
pub struct How {
    pub definition: &'static str,
    pub computation: String,
}

/// What every explanation of the page needs.
pub(super) struct Context<'a> {
    pub(super) period: Period,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) currency: &'a str,
    pub(super) min_group_size: i64,
    pub(super) turnover_cost_factor: f64,
}

/// A count with its noun: "1 leaver", "3 leavers".
fn count(n: i64, one: &str, many: &str) -> String {
    let noun = if n == 1 { one } else { many };
    format!("{} {noun}", present::number(n as f64, 0))
}

/// The number of people behind a rate over the average headcount (rates are exact ratios of
/// whole numbers, so rounding recovers the count).
fn people_behind(rate: Option<f64>, base: f64) -> Option<i64> {
    rate.map(|r| (r * base / 100.0).round() as i64)
}

/// The "how calculated" of a metric for this scope and period.
pub(super) fn how(context: &Context, metric: &MetricInfo, scope: &Scope) -> How {
    let f = &scope.fundamentals;
    let computation = match Missing::of(scope, metric.metric) {
        Some(Missing::SalaryBased) => format!(
            "Not shown: {}. This figure is computed from the salaries of the few people behind \
             it, so it could give them away; HR sees it, and executives where at least {} \
             people are behind it.",
            Missing::SalaryBased.words(),
            privacy::MIN_PRICED_PEOPLE
        ),
        Some(Missing::TooFewPeople) => format!(
            "Not shown: {}. This figure is computed from the salaries of fewer than {} people, \
             or could be worked out as such from the other figures, so it could give their \
             salaries away; HR sees it.",
            Missing::TooFewPeople.words(),
            privacy::MIN_PRICED_PEOPLE
        ),
        Some(Missing::NoData) => format!(
            "Not shown: {}. The imports do not cover this scope for the whole period, or there \
             is nothing to count.",
            Missing::NoData.words()
        ),
        Some(Missing::NotEnoughData) => format!(
            "Not shown: {}. The index is computed only when empathy favorability is known and \
             the parts known carry at least half of the total weight. {}",
            Missing::NotEnoughData.words(),
            known_parts(scope, context.period)
        ),
        Some(Missing::NotReportedForMonths) => format!(
            "Not shown: {}. A month's survey figures could be worked out from its quarter's, so \
             they are reported for quarters and years.",
            Missing::NotReportedForMonths.words()
        ),
        Some(Missing::PeriodNotFinished) => format!(
            "Not shown: {}. While a period is under way, each change of a survey figure would \
             reveal the latest answers.",
            Missing::PeriodNotFinished.words()
        ),
        Some(Missing::TooFewResponses) => format!(
            "Not shown: {}. Survey figures need at least {} responses (and a small team can \
             also be hidden so that it cannot be worked out from the others), so that no answer \
             can be traced to a person. This team had {} in the period.",
            Missing::TooFewResponses.words(),
            context.min_group_size,
            count(f.pulse_responses, "pulse response", "pulse responses")
        ),
        Some(Missing::NoFigure) | None => computed(context, metric, scope),
    };
    How {
        definition: metric.definition,
        computation,
    }
}

/// The empathy index's parts known in `period`, with their weights.
fn known_parts(scope: &Scope, period: Period) -> String {
    if scope.empathy_index_parts.is_empty() {
        return format!("No part is known for {period}.");
    }
    format!(
        "Known for {period}: {}.",
        scope
            .empathy_index_parts
            .iter()
            .map(|p| format!(
                "{} (weight {})",
                labels::empathy_part(p.part),
                present::number(p.weight, 0)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// How a metric that is not withheld was computed (or why it could not be).
fn computed(context: &Context, metric: &MetricInfo, scope: &Scope) -> String {
    let f = &scope.fundamentals;
    let i = &scope.intermediate;
    let span = present::span(context.start, context.end);
    let avg = present::number(f.headcount_avg, 1);
    let no_headcount =
        "Nobody was employed on the period's first or last day, so there is no rate.".to_string();
    let over_headcount = |people: Option<i64>, one: &str, many: &str| match people {
        Some(n) => format!(
            "{} ÷ {avg} average headcount × 100, {span}.",
            count(n, one, many)
        ),
        None => no_headcount.clone(),
    };
    match metric.metric {
        Metric::HeadcountStart => format!(
            "{} active on {}.",
            count(f.headcount_start, "employee", "employees"),
            present::day(context.start)
        ),
        Metric::HeadcountEnd => format!(
            "{} active on {} (a termination date is the last day worked).",
            count(f.headcount_end, "employee", "employees"),
            present::day(context.end)
        ),
        Metric::HeadcountAvg => format!(
            "({} at the start + {} at the end) ÷ 2 = {avg}.",
            f.headcount_start, f.headcount_end
        ),
        Metric::Separations => format!(
            "{} whose last day worked fell in {span}.",
            count(f.separations, "leaver", "leavers")
        ),
        Metric::TurnoverRate => {
            over_headcount(f.turnover_rate.map(|_| f.separations), "leaver", "leavers")
        }
        Metric::VoluntaryTurnoverRate => over_headcount(
            people_behind(f.voluntary_turnover_rate, f.headcount_avg),
            "voluntary leaver",
            "voluntary leavers",
        ),
        Metric::InvoluntaryTurnoverRate => over_headcount(
            people_behind(f.involuntary_turnover_rate, f.headcount_avg),
            "involuntary leaver",
            "involuntary leavers",
        ),
        Metric::AbsenceDays => format!(
            "{} unplanned absence days on working days (Monday to Friday) in {span}.",
            present::number(f.absence_days, 1)
        ),
        Metric::ScheduledDays => format!(
            "{} working days (Monday to Friday) on which the team's people were employed, {span}.",
            present::number(f.scheduled_days, 1)
        ),
        Metric::AbsenteeismRate => match f.absenteeism_rate {
            Some(_) => format!(
                "{} unplanned absence days ÷ {} scheduled days × 100, {span}.",
                present::number(f.absence_days, 1),
                present::number(f.scheduled_days, 1)
            ),
            None => "Nobody was scheduled to work in the period, so there is no rate.".to_string(),
        },
        Metric::Promotions => format!(
            "{} effective in {span}.",
            count(f.promotions, "promotion", "promotions")
        ),
        Metric::PromotionRate => over_headcount(
            f.promotion_rate.map(|_| f.promotions),
            "promotion",
            "promotions",
        ),
        Metric::CsatResponses => format!(
            "{} dated in {span}.",
            count(f.csat_responses, "customer response", "customer responses")
        ),
        Metric::Csat => match people_behind(f.csat, f.csat_responses as f64) {
            Some(positive) => format!(
                "{} of {} scored 4 or 5, {span}.",
                present::number(positive as f64, 0),
                count(f.csat_responses, "customer response", "customer responses")
            ),
            None => format!(
                "No customer satisfaction responses for this team in {span}: the figure \
                     appears once HR imports them."
            ),
        },
        Metric::PulseResponses => format!(
            "{} submitted in {span}.",
            count(f.pulse_responses, "pulse response", "pulse responses")
        ),
        Metric::EmpathyFavorability => match f.empathy_favorability {
            Some(_) => format!(
                "From {} in {span}: answers of 4 or 5 ÷ all answers to the three empathy \
                     items × 100.",
                count(f.pulse_responses, "pulse response", "pulse responses")
            ),
            None => format!(
                "No answers to the empathy items for this team in {span}: the figure appears \
                     once HR imports pulse survey responses."
            ),
        },
        Metric::TurnoverCost if f.separations == 0 => {
            format!("No leavers in {span}, so there is nothing to cost.")
        }
        Metric::TurnoverCost => {
            // Never the sum of salaries: with one leaver it is their salary.
            let priced = f.separations - i.turnover_cost_unpriced;
            format!(
                "Turnover cost factor {} × the annual salaries of the {} with a salary on \
                     record, {span}.{}",
                present::number(context.turnover_cost_factor, 2),
                count(priced, "leaver", "leavers"),
                if i.turnover_cost_unpriced > 0 {
                    format!(
                        " {} without a salary on record could not be priced.",
                        count(i.turnover_cost_unpriced, "leaver", "leavers")
                    )
                } else {
                    String::new()
                }
            )
        }
        Metric::AbsenceCost => format!(
            "{} unplanned absence days priced at each absent person's annual salary ÷ 260, \
                 {span}.{}",
            present::number(f.absence_days - i.absence_cost_unpriced_days, 1),
            if i.absence_cost_unpriced_days > 0.0 {
                format!(
                    " {} absence days of people without a salary on record are not priced.",
                    present::number(i.absence_cost_unpriced_days, 1)
                )
            } else {
                String::new()
            }
        ),
        Metric::RegrettedTurnoverRate => over_headcount(
            people_behind(i.regretted_turnover_rate, f.headcount_avg),
            "regretted leaver",
            "regretted leavers",
        ),
        Metric::FirstYearTurnover => {
            match people_behind(i.first_year_turnover, f.separations as f64) {
                Some(n) => format!(
                    "{} of {} had under a year of tenure, {span}.",
                    present::number(n as f64, 0),
                    count(f.separations, "leaver", "leavers")
                ),
                None => format!("No leavers in {span}, so there is no share."),
            }
        }
        Metric::RevenuePerEmployee => match i.revenue_per_employee {
            Some(v) => format!(
                "{} of customer revenue ÷ {avg} average headcount, {span}.",
                present::money(v * f.headcount_avg, context.currency)
            ),
            None => format!("No customer revenue for this team in {span}."),
        },
        Metric::EmpathyIndex if scope.advanced.empathy_index.is_some() => format!(
            "Weighted mean of the parts available in {span}: {}.",
            scope
                .empathy_index_parts
                .iter()
                .map(|p| format!(
                    "{} scores {} (weight {})",
                    labels::empathy_part(p.part),
                    present::number(p.score, 1),
                    present::number(p.weight, 0)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Metric::TurnoverCostUnpriced
        | Metric::AbsenceCostUnpricedDays
        | Metric::CustomerRetentionRate
        | Metric::CustomerChurnRate
        | Metric::Productivity
        | Metric::ReviewRating
        | Metric::ReviewCount
        | Metric::IdeasPer100Employees
        | Metric::IdeaImplementationRate
        | Metric::LaunchesPer100Employees
        | Metric::Enps
        | Metric::EnpsChange
        | Metric::CustomerLifetimeValue
        | Metric::CustomerLifetimeValueGrowth
        | Metric::ResilienceRecovery
        | Metric::ResilienceQuarters
        | Metric::PartnershipsPer100Employees
        | Metric::VolunteerHoursPerEmployee
        | Metric::Co2eTonnesPerEmployee
        | Metric::EmpathyIndex => {
            if scope.get(metric.metric).is_some() {
                format!("Computed over {span}.")
            } else {
                format!(
                    "Not known for {span}: the data it needs has not been imported for this \
                         team, or a divisor is zero."
                )
            }
        }
    }
}

/// A few plain sentences about the period: headcount, the largest changes of the headline rates
/// against the previous period (better or worse), and what privacy withheld.
pub(super) fn what_changed(context: &Context, scope: &Scope) -> Vec<String> {
    let f = &scope.fundamentals;
    let mut sentences = Vec::new();
    let previous_period = scope.previous.period;
    if f.headcount_start == f.headcount_end {
        sentences.push(format!(
            "Headcount stayed at {} during {}.",
            present::number(f.headcount_end as f64, 0),
            context.period
        ));
    } else {
        sentences.push(format!(
            "Headcount went from {} to {} during {}, with {}.",
            present::number(f.headcount_start as f64, 0),
            present::number(f.headcount_end as f64, 0),
            context.period,
            count(f.separations, "leaver", "leavers")
        ));
    }
    let before = &scope.previous;
    let mut changes: Vec<(f64, usize, String)> = Vec::new();
    let mut withheld = Vec::new();
    for (order, told) in present::HEADLINE_RATES.into_iter().enumerate() {
        let metric = told.info();
        if scope.is_suppressed(told) {
            let why = Missing::of(scope, told).unwrap_or(Missing::withheld(told));
            withheld.push((metric.label, why));
            continue;
        }
        if before.is_suppressed(told) {
            continue;
        }
        let (Some(b), Some(a)) = (before.get(told), scope.get(told)) else {
            continue;
        };
        let verdict = present::judge(metric.direction, Some(b), Some(a), 0.05);
        if matches!(verdict, Verdict::Same | Verdict::Unknown) {
            continue;
        }
        let verb = if a > b { "rose" } else { "fell" };
        let judgement = match verdict {
            Verdict::Better => " — better",
            Verdict::Worse => " — worse",
            _ => "",
        };
        let (shown_b, shown_a) = (
            present::value(metric.unit, Some(b), context.currency),
            present::value(metric.unit, Some(a), context.currency),
        );
        let text = format!(
            "{} {verb} from {shown_b} in {previous_period} to {shown_a}{judgement}.",
            metric.label
        );
        // The rates told are all percentages: the largest swings in points come first.
        changes.push(((a - b).abs(), order, text));
    }
    if changes.is_empty() {
        sentences.push(format!(
            "No rate changed noticeably against {previous_period}, or there is no earlier \
             figure to compare with."
        ));
    } else {
        changes.sort_by(|x, y| y.0.total_cmp(&x.0));
        changes.truncate(4);
        changes.sort_by_key(|c| c.1);
        sentences.extend(changes.into_iter().map(|c| c.2));
    }
    for (label, why) in withheld {
        sentences.push(format!(
            "{label} is not shown for {}: {}.",
            context.period,
            why.words()
        ));
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Comparison;
    use crate::scoring::{
        self, CustomerFacts, Facts, Hidden, MeasureFacts, PulseFacts, Reason, RosterFacts,
        ScopeMetrics, Settings,
    };

    const SPAN: &str = "1 Jan – 31 Mar 2025";

    fn context() -> Context<'static> {
        let period: Period = "2025-Q1".parse().unwrap();
        Context {
            period,
            start: period.start(),
            end: period.end(),
            currency: "USD",
            min_group_size: 5,
            turnover_cost_factor: 0.21,
        }
    }

    /// The quarter of docs/metrics.md's worked example, more or less: 48 → 52 people, 5 leavers.
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
            scheduled_days: 1_000.0,
            absence_days: 20.0,
            absence_cost: 1_500.0,
            absence_days_unpriced: 2.0,
            promotions: 3,
            csat_responses: 20,
            csat_positive: 17,
            pulse: PulseFacts {
                responses: 6,
                empathy_respondents: 6,
                favorable_answers: 12,
                answers: 18,
                enps_answers: 6,
                enps_promoters: 3,
                enps_detractors: 1,
            },
            customers: CustomerFacts {
                active_previous: 40,
                retained: 36,
                active: 44,
                revenue: 220_000.0,
            },
            ..Facts::default()
        };
        facts.measures.insert(
            "output_units".into(),
            MeasureFacts {
                sum: 5_000.0,
                count: 3,
            },
        );
        facts
    }

    fn scored(facts: &Facts, previous: Option<&Facts>) -> ScopeMetrics {
        let settings = Settings::default();
        let ctx = scoring::Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        let hidden = Hidden::own(facts, previous, &settings);
        scoring::score(facts, previous, &[], ctx, &hidden)
    }

    /// A team's scope in 2025-Q1, compared with `previous` (2024-Q4, and a year earlier).
    fn scope(facts: &Facts, previous: &Facts) -> Scope {
        let now = scored(facts, Some(previous));
        let comparison = |period: &str| {
            let before = scored(previous, None);
            Comparison {
                period: period.parse().unwrap(),
                fundamentals: before.fundamentals,
                intermediate: before.intermediate,
                advanced: before.advanced,
                suppressed: before.suppressed,
                reasons: Default::default(),
                coverage: Default::default(),
                salary_protected: Vec::new(),
            }
        };
        Scope {
            fundamentals: now.fundamentals,
            intermediate: now.intermediate,
            advanced: now.advanced,
            suppressed: now.suppressed,
            reasons: Default::default(),
            coverage: Default::default(),
            salary_protected: Vec::new(),
            empathy_index_parts: now.empathy_index_parts,
            previous: comparison("2024-Q4"),
            year_earlier: comparison("2024-Q1"),
        }
    }

    fn explained(metric: Metric, scope: &Scope) -> String {
        let how = how(&context(), metric.info(), scope);
        assert_eq!(how.definition, metric.info().definition);
        how.computation
    }

    #[test]
    fn each_figure_is_explained_from_the_counts_behind_it() {
        let scope = scope(&company(), &company());
        let cases = [
            (
                Metric::HeadcountStart,
                "48 employees active on 1 Jan 2025.".to_string(),
            ),
            (
                Metric::HeadcountEnd,
                "52 employees active on 31 Mar 2025 (a termination date is the last day worked)."
                    .to_string(),
            ),
            (
                Metric::HeadcountAvg,
                "(48 at the start + 52 at the end) ÷ 2 = 50.0.".to_string(),
            ),
            (
                Metric::Separations,
                format!("5 leavers whose last day worked fell in {SPAN}."),
            ),
            (
                Metric::TurnoverRate,
                format!("5 leavers ÷ 50.0 average headcount × 100, {SPAN}."),
            ),
            (
                Metric::VoluntaryTurnoverRate,
                format!("3 voluntary leavers ÷ 50.0 average headcount × 100, {SPAN}."),
            ),
            (
                Metric::InvoluntaryTurnoverRate,
                format!("1 involuntary leaver ÷ 50.0 average headcount × 100, {SPAN}."),
            ),
            (
                Metric::AbsenceDays,
                format!(
                    "20.0 unplanned absence days on working days (Monday to Friday) in {SPAN}."
                ),
            ),
            (
                Metric::ScheduledDays,
                format!(
                    "1,000.0 working days (Monday to Friday) on which the team's people were \
                     employed, {SPAN}."
                ),
            ),
            (
                Metric::AbsenteeismRate,
                format!("20.0 unplanned absence days ÷ 1,000.0 scheduled days × 100, {SPAN}."),
            ),
            (
                Metric::Promotions,
                format!("3 promotions effective in {SPAN}."),
            ),
            (
                Metric::PromotionRate,
                format!("3 promotions ÷ 50.0 average headcount × 100, {SPAN}."),
            ),
            (
                Metric::CsatResponses,
                format!("20 customer responses dated in {SPAN}."),
            ),
            (
                Metric::Csat,
                format!("17 of 20 customer responses scored 4 or 5, {SPAN}."),
            ),
            (
                Metric::PulseResponses,
                format!("6 pulse responses submitted in {SPAN}."),
            ),
            (
                Metric::EmpathyFavorability,
                format!(
                    "From 6 pulse responses in {SPAN}: answers of 4 or 5 ÷ all answers to the \
                     three empathy items × 100."
                ),
            ),
            (
                Metric::TurnoverCost,
                format!(
                    "Turnover cost factor 0.21 × the annual salaries of the 4 leavers with a \
                     salary on record, {SPAN}. 1 leaver without a salary on record could not be \
                     priced."
                ),
            ),
            (
                Metric::AbsenceCost,
                format!(
                    "18.0 unplanned absence days priced at each absent person's annual salary ÷ \
                     260, {SPAN}. 2.0 absence days of people without a salary on record are not \
                     priced."
                ),
            ),
            (
                Metric::RegrettedTurnoverRate,
                format!("2 regretted leavers ÷ 50.0 average headcount × 100, {SPAN}."),
            ),
            (
                Metric::FirstYearTurnover,
                format!("1 of 5 leavers had under a year of tenure, {SPAN}."),
            ),
            (
                Metric::RevenuePerEmployee,
                format!("$220,000 of customer revenue ÷ 50.0 average headcount, {SPAN}."),
            ),
            (
                Metric::EmpathyIndex,
                format!(
                    "Weighted mean of the parts available in {SPAN}: Empathy favorability \
                     scores 66.7 (weight 30), eNPS (put on a 0–100 scale) scores 66.7 (weight \
                     15), Voluntary turnover (over a year; less scores higher) scores 20.0 \
                     (weight 20), Absenteeism (less scores higher) scores 66.7 (weight 10), \
                     Promotions (over a year) \
                     scores 100.0 (weight 10), Customer satisfaction scores 85.0 (weight 15)."
                ),
            ),
            // The metrics without an explanation of their own say whether they were computed.
            (Metric::Productivity, format!("Computed over {SPAN}.")),
            (
                Metric::TurnoverCostUnpriced,
                format!("Computed over {SPAN}."),
            ),
            (
                Metric::ReviewRating,
                format!(
                    "Not known for {SPAN}: the data it needs has not been imported for this \
                     team, or a divisor is zero."
                ),
            ),
        ];
        for (metric, expected) in cases {
            assert_eq!(explained(metric, &scope), expected, "{metric}");
        }
    }

    #[test]
    fn figures_without_data_say_why_there_is_none() {
        let empty = Facts {
            // Enough pulse responses for favorability not to be withheld, none of them about
            // the empathy items.
            pulse: PulseFacts {
                responses: 6,
                empathy_respondents: 6,
                ..PulseFacts::default()
            },
            ..Facts::default()
        };
        let scope = scope(&empty, &empty);
        let no_headcount = "Nobody was employed on the period's first or last day, so there is no \
                            rate."
            .to_string();
        let cases = [
            (Metric::TurnoverRate, no_headcount.clone()),
            (Metric::VoluntaryTurnoverRate, no_headcount.clone()),
            (Metric::InvoluntaryTurnoverRate, no_headcount.clone()),
            (Metric::PromotionRate, no_headcount.clone()),
            (Metric::RegrettedTurnoverRate, no_headcount),
            (
                Metric::AbsenteeismRate,
                "Nobody was scheduled to work in the period, so there is no rate.".to_string(),
            ),
            (
                Metric::Csat,
                format!(
                    "No customer satisfaction responses for this team in {SPAN}: the figure \
                     appears once HR imports them."
                ),
            ),
            (
                Metric::EmpathyFavorability,
                format!(
                    "No answers to the empathy items for this team in {SPAN}: the figure \
                     appears once HR imports pulse survey responses."
                ),
            ),
            (
                Metric::TurnoverCost,
                format!("No leavers in {SPAN}, so there is nothing to cost."),
            ),
            (
                Metric::AbsenceCost,
                format!(
                    "0.0 unplanned absence days priced at each absent person's annual salary ÷ \
                     260, {SPAN}."
                ),
            ),
            (
                Metric::FirstYearTurnover,
                format!("No leavers in {SPAN}, so there is no share."),
            ),
            (
                Metric::RevenuePerEmployee,
                format!("No customer revenue for this team in {SPAN}."),
            ),
            (
                Metric::EmpathyIndex,
                format!(
                    "Not known for {SPAN}: the data it needs has not been imported for this \
                     team, or a divisor is zero."
                ),
            ),
        ];
        for (metric, expected) in cases {
            assert_eq!(explained(metric, &scope), expected, "{metric}");
        }
    }

    #[test]
    fn a_turnover_cost_with_every_salary_on_record_names_no_unpriced_leaver() {
        let facts = Facts {
            separations_unpriced: 0,
            ..company()
        };
        assert_eq!(
            explained(Metric::TurnoverCost, &scope(&facts, &facts)),
            format!(
                "Turnover cost factor 0.21 × the annual salaries of the 5 leavers with a salary \
                 on record, {SPAN}."
            )
        );
    }

    #[test]
    fn a_withheld_figure_says_why_instead_of_how() {
        let small = Facts {
            pulse: PulseFacts {
                responses: 3,
                empathy_respondents: 3,
                favorable_answers: 6,
                answers: 9,
                ..PulseFacts::default()
            },
            ..company()
        };
        let mut scope = scope(&small, &small);
        assert_eq!(
            explained(Metric::EmpathyFavorability, &scope),
            "Not shown: not enough responses. Survey figures need at least 5 responses (and a \
             small team can also be hidden so that it cannot be worked out from the others), so \
             that no answer can be traced to a person. This team had 3 pulse responses in the \
             period."
        );
        // As a manager sees it (web::redact).
        scope.intermediate.turnover_cost = None;
        scope.suppressed.push(Metric::TurnoverCost);
        assert_eq!(
            explained(Metric::TurnoverCost, &scope),
            "Not shown: withheld: salary-based. This figure is computed from the salaries of \
             the few people behind it, so it could give them away; HR sees it, and executives \
             where at least 3 people are behind it."
        );
    }

    #[test]
    fn what_changed_tells_the_largest_changes_better_or_worse_and_what_is_withheld() {
        let before = company();
        let now = Facts {
            roster: RosterFacts {
                headcount_start: 52,
                headcount_end: 50,
                separations: 2,
                voluntary_separations: 2,
                involuntary_separations: 0,
            },
            // Favorability withheld this quarter.
            pulse: PulseFacts {
                responses: 2,
                empathy_respondents: 2,
                favorable_answers: 6,
                answers: 6,
                ..PulseFacts::default()
            },
            ..company()
        };
        let sentences = what_changed(&context(), &scope(&now, &before));
        assert_eq!(
            sentences,
            [
                "Headcount went from 52 to 50 during 2025-Q1, with 2 leavers.",
                "Turnover fell from 10.0 % in 2024-Q4 to 3.9 % — better.",
                "Voluntary turnover fell from 6.0 % in 2024-Q4 to 3.9 % — better.",
                "Involuntary turnover fell from 2.0 % in 2024-Q4 to 0.0 % — better.",
                "Promotion rate fell from 6.0 % in 2024-Q4 to 5.9 % — worse.",
                "Empathy favorability is not shown for 2025-Q1: not enough responses.",
            ]
        );
    }

    #[test]
    fn what_changed_says_why_a_figure_is_withheld() {
        let now = Facts {
            pulse: PulseFacts {
                responses: 2,
                empathy_respondents: 2,
                favorable_answers: 6,
                answers: 6,
                ..PulseFacts::default()
            },
            ..company()
        };
        let mut scope = scope(&now, &company());
        let cases = [
            (
                Reason::PeriodNotFinished,
                "reported once the period has ended",
            ),
            (Reason::NoData, "no data"),
            (Reason::TooFewResponses, "not enough responses"),
        ];
        for (reason, words) in cases {
            scope.reasons.insert(Metric::EmpathyFavorability, reason);
            let sentences = what_changed(&context(), &scope);
            assert_eq!(
                sentences.last().unwrap(),
                &format!("Empathy favorability is not shown for 2025-Q1: {words}."),
            );
        }
    }

    #[test]
    fn a_quiet_period_says_nothing_changed() {
        let facts = company();
        let sentences = what_changed(&context(), &scope(&facts, &facts));
        assert_eq!(
            sentences,
            [
                "Headcount went from 48 to 52 during 2025-Q1, with 5 leavers.",
                "No rate changed noticeably against 2024-Q4, or there is no earlier figure to \
                 compare with.",
            ]
        );
        let steady = Facts {
            roster: RosterFacts {
                headcount_start: 50,
                headcount_end: 50,
                ..RosterFacts::default()
            },
            ..Facts::default()
        };
        assert_eq!(
            what_changed(&context(), &scope(&steady, &steady))[0],
            "Headcount stayed at 50 during 2025-Q1."
        );
    }

    #[test]
    fn the_people_behind_a_rate_are_recovered_by_rounding() {
        assert_eq!(people_behind(Some(100.0 * 3.0 / 42.5), 42.5), Some(3));
        assert_eq!(people_behind(None, 42.5), None);
    }
}
