//! "What stands out": the one to three figures of a team's period that differ most from the
//! organization's or from the team's own previous four periods, each in a plain sentence with
//! the playbook's suggestion. One pure function, [`what_stands_out`], so that the team page and
//! the managers' digest choose exactly the same figures; docs/playbook.md explains the rule to
//! readers (keep the two in step) and holds the suggestions.

use super::{Verdict, judge, labels, number, per_year, playbook, precision, value};
use crate::period::Period;
use crate::report::{Report, Scope};
use crate::scoring::{Metric, Scored};

/// The metrics that can stand out: rates a manager can act on. Ties are broken in this order.
pub const CANDIDATES: [Metric; 9] = [
    Metric::VoluntaryTurnoverRate,
    Metric::FirstYearTurnover,
    Metric::RegrettedTurnoverRate,
    Metric::InvoluntaryTurnoverRate,
    Metric::TurnoverRate,
    Metric::AbsenteeismRate,
    Metric::EmpathyFavorability,
    Metric::Csat,
    Metric::PromotionRate,
];

/// Rates of the same leavers: at most one of them is shown.
const TURNOVER: [Metric; 4] = [
    Metric::TurnoverRate,
    Metric::VoluntaryTurnoverRate,
    Metric::InvoluntaryTurnoverRate,
    Metric::RegrettedTurnoverRate,
];

/// How many earlier periods make the team's usual level…
pub const HISTORY: usize = 4;
/// …and how many of them need a figure for there to be one.
const HISTORY_NEEDED: usize = 2;
/// At most this many figures are shown.
pub const MOST: usize = 3;
/// A figure stands out when it differs from its reference by at least this share of it…
const RATIO: f64 = 0.5;
/// …a reference under this many points counting as this many…
const REFERENCE_FLOOR: f64 = 1.0;
/// …when at least this many people, responses or days are behind the difference…
const BEHIND: f64 = 2.0;
/// …and, for absenteeism, the rate differs by at least this many points.
const ABSENTEEISM_POINTS: f64 = 0.5;

/// What a figure stands out against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The organization's figure for the same period.
    Organization,
    /// The average of the team's figures in the previous periods (`periods` of them had one).
    Usual { periods: usize },
}

/// A figure that stands out.
#[derive(Debug, Clone, PartialEq)]
pub struct Standout {
    pub metric: Metric,
    /// Better or worse than the reference, by the metric's direction.
    pub verdict: Verdict,
    pub against: Against,
    /// The figure as shown: "75.0 %".
    pub value: String,
    /// The reference as shown: "22.2 %".
    pub reference: String,
    /// The plain sentence: "First-year turnover was 75.0 % in 2025-Q1 (3 of 4 leavers had been
    /// here under a year), against 22.2 % for the organization."
    pub sentence: String,
    /// The playbook's suggested conversation or action.
    pub suggestion: &'static str,
}

/// What stands out for `team` in the last of `reports` (oldest first, the period itself last;
/// the [`HISTORY`] reports before it give the team's usual level). Figures withheld from the
/// reader (already redacted from the reports) never stand out. Empty when nothing does, or the
/// team is not in the last report.
pub fn what_stands_out(reports: &[Report], team: &str) -> Vec<Standout> {
    let Some((current, earlier)) = reports.split_last() else {
        return Vec::new();
    };
    let Some(scope) = current.teams.get(team) else {
        return Vec::new();
    };
    let history: Vec<&Scope> = earlier
        .iter()
        .rev()
        .take(HISTORY)
        .filter_map(|r| r.teams.get(team))
        .collect();
    let mut found: Vec<(f64, usize, Standout)> = Vec::new();
    for (order, metric) in CANDIDATES.into_iter().enumerate() {
        let Some(now) = shown(scope, metric) else {
            continue;
        };
        let past: Vec<f64> = history.iter().filter_map(|s| shown(*s, metric)).collect();
        let usual =
            (past.len() >= HISTORY_NEEDED).then(|| past.iter().sum::<f64>() / past.len() as f64);
        let references = [
            shown(&current.org, metric).map(|r| (Against::Organization, r)),
            usual.map(|r| {
                (
                    Against::Usual {
                        periods: past.len(),
                    },
                    r,
                )
            }),
        ];
        let best = references
            .into_iter()
            .flatten()
            .filter_map(|(against, reference)| {
                stands_out(metric, scope, now, reference).map(|ratio| (ratio, against, reference))
            })
            // On a tie the later, the team's own usual level, is kept.
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((ratio, against, reference)) = best else {
            continue;
        };
        let info = metric.info();
        let verdict = judge(
            info.direction,
            Some(reference),
            Some(now),
            precision(info.unit),
        );
        let Some(suggestion) = playbook::suggestion(metric, verdict) else {
            continue;
        };
        let shown_now = value(info.unit, Some(now), "");
        let shown_reference = value(info.unit, Some(reference), "");
        let annual = per_year(metric, now, current.period.granularity())
            .map(|a| format!(", {a}"))
            .unwrap_or_default();
        let sentence = format!(
            "{} was {shown_now} in {}{annual} ({}), against {shown_reference} {}.",
            info.label,
            current.period,
            behind(metric, scope),
            reference_words(against, current.period),
        );
        found.push((
            ratio,
            order,
            Standout {
                metric,
                verdict,
                against,
                value: shown_now,
                reference: shown_reference,
                sentence,
                suggestion,
            },
        ));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<Standout> = Vec::new();
    for (_, _, standout) in found {
        let same_leavers =
            TURNOVER.contains(&standout.metric) && out.iter().any(|s| TURNOVER.contains(&s.metric));
        if !same_leavers && out.len() < MOST {
            out.push(standout);
        }
    }
    out
}

/// A metric's value when the reader may see it.
fn shown(scope: &impl Scored, metric: Metric) -> Option<f64> {
    if scope.is_suppressed(metric) {
        return None;
    }
    scope.get(metric)
}

/// How far `now` stands out from `reference` (the ratio of the difference to the reference), or
/// None when it does not (see docs/playbook.md, "How a figure is chosen").
fn stands_out(metric: Metric, scope: &Scope, now: f64, reference: f64) -> Option<f64> {
    // Shares of positive answers are compared by the share of the other answers.
    let (a, r) = match metric {
        Metric::Csat | Metric::EmpathyFavorability => (100.0 - now, 100.0 - reference),
        _ => (now, reference),
    };
    let ratio = (a - r).abs() / r.max(REFERENCE_FLOOR);
    let base = scope.get(base_of(metric))?;
    let people = (now - reference).abs() * base / 100.0;
    let enough_points =
        metric != Metric::AbsenteeismRate || (now - reference).abs() >= ABSENTEEISM_POINTS;
    // A hair's tolerance: rates are ratios of whole numbers, so 2 people can compute as 1.999….
    (ratio >= RATIO && people >= BEHIND - 1e-9 && enough_points).then_some(ratio)
}

/// The count a rate is per hundred of: the people, leavers, days or responses behind it.
fn base_of(metric: Metric) -> Metric {
    match metric {
        Metric::FirstYearTurnover => Metric::Separations,
        Metric::AbsenteeismRate => Metric::ScheduledDays,
        Metric::Csat => Metric::CsatResponses,
        Metric::EmpathyFavorability => Metric::PulseResponses,
        _ => Metric::HeadcountAvg,
    }
}

/// "4 people left by choice", "1 person left by choice", "nobody left by choice".
fn people(n: i64, rest: &str) -> String {
    match n {
        0 => format!("nobody {rest}"),
        1 => format!("1 person {rest}"),
        n => format!("{} people {rest}", number(n as f64, 0)),
    }
}

/// A count with its noun: "1 leaver", "4 leavers".
fn count(n: i64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        number(n as f64, 0),
        if n == 1 { one } else { many }
    )
}

/// The people, answers or days behind a team's figure, in words.
fn behind(metric: Metric, scope: &Scope) -> String {
    let get = |m: Metric| scope.get(m).unwrap_or_default();
    // Rates are exact ratios of whole numbers, so rounding recovers the count behind them.
    let of = |m: Metric, base: f64| (get(m) * base / 100.0).round() as i64;
    let avg = get(Metric::HeadcountAvg);
    let leavers = get(Metric::Separations) as i64;
    match metric {
        Metric::TurnoverRate => people(leavers, "left"),
        Metric::VoluntaryTurnoverRate => people(of(metric, avg), "left by choice"),
        Metric::InvoluntaryTurnoverRate => {
            people(of(metric, avg), "left at the organization's decision")
        }
        Metric::RegrettedTurnoverRate => people(of(metric, avg), "the team wanted to keep left"),
        Metric::FirstYearTurnover => format!(
            "{} of {} had been here under a year",
            number(of(metric, leavers as f64) as f64, 0),
            count(leavers, "leaver", "leavers")
        ),
        Metric::AbsenteeismRate => format!(
            "{} days of unplanned absence in {} scheduled working days",
            number(get(Metric::AbsenceDays), 1),
            number(get(Metric::ScheduledDays), 1)
        ),
        Metric::PromotionRate => match of(metric, avg) {
            0 => "nobody was promoted".to_string(),
            1 => "1 person was promoted".to_string(),
            n => format!("{} people were promoted", number(n as f64, 0)),
        },
        Metric::Csat => {
            let responses = get(Metric::CsatResponses);
            format!(
                "{} of {} scored 4 or 5",
                number(of(metric, responses) as f64, 0),
                count(responses as i64, "customer response", "customer responses")
            )
        }
        Metric::EmpathyFavorability => format!(
            "from {}",
            count(
                get(Metric::PulseResponses) as i64,
                "pulse response",
                "pulse responses"
            )
        ),
        _ => String::new(),
    }
}

/// "for the organization", "on average over the previous four quarters".
fn reference_words(against: Against, period: Period) -> String {
    let unit = labels::period_unit(period.granularity());
    match against {
        Against::Organization => "for the organization".to_string(),
        Against::Usual { periods } if periods == HISTORY => {
            format!("on average over the previous four {unit}s")
        }
        Against::Usual { periods } => {
            format!("on average over the {periods} of the previous four {unit}s with a figure")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::Comparison;
    use crate::scoring::{self, Facts, Hidden, PulseFacts, RosterFacts, Settings, Unit};

    /// A team's or the organization's facts for a quarter.
    fn facts(start: i64, end: i64, leavers: i64, voluntary: i64, first_year: i64) -> Facts {
        Facts {
            roster: RosterFacts {
                headcount_start: start,
                headcount_end: end,
                separations: leavers,
                voluntary_separations: voluntary,
                involuntary_separations: leavers - voluntary,
            },
            first_year_separations: first_year,
            scheduled_days: 62.0 * ((start + end) as f64 / 2.0),
            ..Facts::default()
        }
    }

    fn scope(facts: &Facts, period: Period) -> Scope {
        let settings = Settings::default();
        let ctx = scoring::Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        let hidden = Hidden::own(facts, None, &settings);
        let m = scoring::score(facts, None, &[], ctx, &hidden);
        let comparison = |p: Period| Comparison {
            period: p,
            fundamentals: m.fundamentals.clone(),
            intermediate: m.intermediate.clone(),
            advanced: m.advanced.clone(),
            suppressed: m.suppressed.clone(),
            reasons: Default::default(),
            coverage: Default::default(),
            salary_protected: Vec::new(),
        };
        Scope {
            fundamentals: m.fundamentals.clone(),
            intermediate: m.intermediate.clone(),
            advanced: m.advanced.clone(),
            suppressed: m.suppressed.clone(),
            reasons: Default::default(),
            coverage: Default::default(),
            salary_protected: Vec::new(),
            empathy_index_parts: m.empathy_index_parts.clone(),
            previous: comparison(period.previous()),
            year_earlier: comparison(period.year_earlier()),
        }
    }

    fn report(period: &str, org: &Facts, team: Option<&Facts>) -> Report {
        let period: Period = period.parse().unwrap();
        let mut teams = BTreeMap::new();
        if let Some(team) = team {
            teams.insert("Alpha".to_string(), scope(team, period));
        }
        Report {
            period,
            start: period.start(),
            end: period.end(),
            org: scope(org, period),
            teams,
            outcome_links: Vec::new(),
            min_group_size: 5,
            settings: Settings::default(),
        }
    }

    /// The organization loses 5 of 100 each quarter (5 %): 3 by choice (3 %), 1 of them in
    /// their first year (20 % of leavers).
    fn org() -> Facts {
        facts(100, 100, 5, 3, 1)
    }

    /// Four quiet quarters (one voluntary leaver each, 5 %; a new joiner in two of them, 50 %),
    /// then `last`.
    fn year(last: Facts) -> Vec<Report> {
        let mut reports: Vec<Report> = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
            .into_iter()
            .enumerate()
            .map(|(i, p)| report(p, &org(), Some(&facts(20, 20, 1, 1, (i % 2) as i64))))
            .collect();
        reports.push(report("2025-Q1", &org(), Some(&last)));
        reports
    }

    #[test]
    fn first_year_leavers_stand_out_with_the_counts_behind_them_and_a_suggestion() {
        // 4 leavers of 20, all voluntary, 3 of them in their first year.
        let reports = year(facts(20, 18, 4, 4, 3));
        let out = what_stands_out(&reports, "Alpha");
        let sentences: Vec<&str> = out.iter().map(|s| s.sentence.as_str()).collect();
        assert_eq!(
            sentences,
            [
                // 4 ÷ 19 = 21.1 % against the organization's 3 % (a ratio of 6.0) rather than
                // the usual 5 % (3.2).
                "Voluntary turnover was 21.1 % in 2025-Q1, ≈ 84 % a year (4 people left by \
                 choice), against 3.0 % for the organization.",
                // 75 % against 20 % (2.75, 2.2 people); against the usual 50 % it is one person.
                "First-year turnover was 75.0 % in 2025-Q1 (3 of 4 leavers had been here under \
                 a year), against 20.0 % for the organization.",
            ]
        );
        assert!(out.iter().all(|s| s.verdict == Verdict::Worse));
        assert!(out.iter().all(|s| s.against == Against::Organization));
        assert_eq!(out[1].value, "75.0 %");
        assert_eq!(out[1].reference, "20.0 %");
        assert_eq!(
            out[1].suggestion,
            playbook::suggestion(Metric::FirstYearTurnover, Verdict::Worse).unwrap()
        );
        assert!(
            out[1]
                .suggestion
                .starts_with("Many leavers had been here under a year.")
        );
        // Turnover, involuntary and regretted turnover describe the same leavers: only one.
        assert!(out.iter().all(|s| s.metric != Metric::TurnoverRate));
    }

    #[test]
    fn one_person_more_is_not_a_pattern() {
        // 2 voluntary leavers against 1 usually: twice as many, but one person's difference.
        let out = what_stands_out(&year(facts(20, 19, 2, 2, 0)), "Alpha");
        assert_eq!(out, []);
    }

    #[test]
    fn a_better_figure_stands_out_too_with_its_own_suggestion() {
        // A big team that usually loses 6 a quarter, and lost nobody.
        let busy = facts(100, 100, 6, 6, 0);
        let mut reports: Vec<Report> = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
            .into_iter()
            .map(|p| report(p, &facts(200, 200, 6, 6, 0), Some(&busy)))
            .collect();
        reports.push(report(
            "2025-Q1",
            &facts(200, 200, 6, 6, 0),
            Some(&facts(100, 100, 0, 0, 0)),
        ));
        let out = what_stands_out(&reports, "Alpha");
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].metric, Metric::VoluntaryTurnoverRate);
        assert_eq!(out[0].verdict, Verdict::Better);
        assert_eq!(
            out[0].sentence,
            "Voluntary turnover was 0.0 % in 2025-Q1, ≈ 0 % a year (nobody left by choice), \
             against 6.0 % on average over the previous four quarters."
        );
        assert!(out[0].suggestion.starts_with("Fewer people chose to leave"));
    }

    #[test]
    fn a_withheld_figure_never_stands_out() {
        let mut last = facts(20, 20, 0, 0, 0);
        // Six pulse responses, all unfavorable: 0 % against the organization's 100 %.
        last.pulse = PulseFacts {
            responses: 6,
            empathy_respondents: 6,
            favorable_answers: 0,
            answers: 18,
            ..PulseFacts::default()
        };
        let mut org = org();
        org.pulse = PulseFacts {
            responses: 50,
            empathy_respondents: 50,
            favorable_answers: 120,
            answers: 150,
            ..PulseFacts::default()
        };
        let mut reports = vec![report("2025-Q1", &org, Some(&last))];
        let out = what_stands_out(&reports, "Alpha");
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(
            out[0].sentence,
            "Empathy favorability was 0.0 % in 2025-Q1 (from 6 pulse responses), against \
             80.0 % for the organization."
        );
        // The same figure, withheld (as for a group under the minimum size): nothing.
        let alpha = reports[0].teams.get_mut("Alpha").unwrap();
        alpha.fundamentals.empathy_favorability = None;
        alpha.suppressed.push(Metric::EmpathyFavorability);
        assert_eq!(what_stands_out(&reports, "Alpha"), []);
    }

    #[test]
    fn at_most_three_and_the_largest_differences_first() {
        // Everything goes wrong at once: turnover, first-year leavers, absence, customers.
        let mut last = facts(20, 14, 6, 3, 4);
        last.absence_days = 120.0;
        last.csat_responses = 20;
        last.csat_positive = 8;
        let mut org = org();
        org.absence_days = 124.0;
        org.csat_responses = 200;
        org.csat_positive = 180;
        let reports = vec![report("2025-Q1", &org, Some(&last))];
        let out = what_stands_out(&reports, "Alpha");
        let metrics: Vec<Metric> = out.iter().map(|s| s.metric).collect();
        // Against the organization: involuntary turnover 17.6 % against 2 % (a ratio of 7.8);
        // turnover 35.3 % against 5 % (6.1) and voluntary 17.6 % against 3 % (4.9) are the
        // same leavers; customers not satisfied 60 % against 10 % (5.0); absenteeism 11.4 %
        // against 2.0 % (4.7); first-year turnover 66.7 % against 20 % (2.3) comes fourth.
        assert_eq!(
            metrics,
            [
                Metric::InvoluntaryTurnoverRate,
                Metric::Csat,
                Metric::AbsenteeismRate
            ]
        );
        assert!(out.iter().all(|s| s.verdict == Verdict::Worse));
        assert_eq!(
            out[2].sentence,
            "Absenteeism was 11.4 % in 2025-Q1, ≈ 29.6 days a year per person (120.0 days of \
             unplanned absence in 1,054.0 scheduled working days), against 2.0 % for the \
             organization."
        );
    }

    #[test]
    fn no_history_and_no_team_mean_nothing_to_say() {
        assert_eq!(what_stands_out(&[], "Alpha"), []);
        let reports = vec![report("2025-Q1", &org(), None)];
        assert_eq!(what_stands_out(&reports, "Alpha"), []);
        // One earlier quarter is not a usual level; the organization is the same as the team.
        let reports = vec![
            report("2024-Q4", &org(), Some(&facts(20, 20, 0, 0, 0))),
            report("2025-Q1", &org(), Some(&facts(100, 100, 5, 3, 1))),
        ];
        assert_eq!(what_stands_out(&reports, "Alpha"), []);
    }

    #[test]
    fn every_candidate_is_a_percentage_with_a_direction() {
        for metric in CANDIDATES {
            assert_eq!(metric.info().unit, Unit::Percent, "{metric}");
            assert_ne!(
                metric.info().direction,
                crate::scoring::Direction::Neutral,
                "{metric}"
            );
        }
    }
}
