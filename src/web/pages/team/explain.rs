//! The words of the team page: each number's "how calculated" (the catalogue's definition and
//! the report's own counts behind it) and the "what changed" paragraph. Pure: a report's scope
//! in, sentences out.

use chrono::NaiveDate;

use crate::period::Period;
use crate::present::{self, Missing, Verdict, labels};
use crate::report::Scope;
use crate::scoring::{Metric, MetricInfo, Scored};

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
             it, so it could give them away; HR and executives see it.",
            Missing::SalaryBased.words()
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
                "No customer satisfaction responses for this team in {span}: import CSAT \
                     responses to see this figure."
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
                "No answers to the empathy items for this team in {span}: import pulse \
                     survey responses to see this figure."
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
        Metric::EmpathyIndex if !scope.empathy_index_parts.is_empty() => format!(
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
            withheld.push(metric.label);
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
    for label in withheld {
        sentences.push(format!(
            "{label} is not shown for {}: {}.",
            context.period,
            Missing::TooFewResponses.words()
        ));
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_people_behind_a_rate_are_recovered_by_rounding() {
        assert_eq!(people_behind(Some(100.0 * 3.0 / 42.5), 42.5), Some(3));
        assert_eq!(people_behind(None, 42.5), None);
    }
}
