//! Privacy: no survey figure of a small group is shown, and none may be recovered by
//! subtraction; the same for money figures computed from the salaries of fewer than three
//! people ([`decide_salary`], applied to everyone but HR).
//!
//! [`decide`] makes every decision of a report at once, from the facts of every period it
//! needs: each scope's own small groups ([`base_suppression`]), every survey figure of a month
//! and of an unfinished period, and then the subtraction rule ([`complementary_suppression`])
//! over groups of teams and over a year's quarters, until nothing changes. When exactly one
//! member of a group (a team among the organization's or a parent's teams, or a quarter of a
//! year) is suppressed for a figure while the group's total is shown, its value could be
//! computed from the total and the others; so the next-smallest member is suppressed too.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::{Facts, Metric, PeriodFacts, Reason, Responses};
use crate::period::{Granularity, Period};

/// The figures hidden for one scope, each with why, in the order they were hidden.
type HiddenFigures = Vec<(Metric, Reason)>;

/// What privacy hides in every period of a report: by period and scope, the figures withheld,
/// each with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hiding {
    /// Per period: scope (None = the organization) → hidden figures and why, in the order
    /// they were hidden.
    hidden: HashMap<Period, HashMap<Option<String>, HiddenFigures>>,
}

impl Hiding {
    /// The figures hidden for `team` (None: the organization) in `period`; none for a period
    /// that was not decided.
    pub fn of(&self, period: Period, team: Option<&str>) -> Vec<Metric> {
        self.why_of(period, team)
            .into_iter()
            .map(|(figure, _)| figure)
            .collect()
    }

    /// The figures hidden for `team` in `period`, each with why it is hidden.
    pub fn why_of(&self, period: Period, team: Option<&str>) -> Vec<(Metric, Reason)> {
        self.hidden
            .get(&period)
            .and_then(|h| h.get(&team.map(str::to_string)))
            .cloned()
            .unwrap_or_default()
    }

    fn is_hidden(&self, period: Period, team: Option<&str>, figure: Metric) -> bool {
        self.hidden
            .get(&period)
            .and_then(|h| h.get(&team.map(str::to_string)))
            .is_some_and(|figures| figures.iter().any(|(f, _)| *f == figure))
    }

    /// Hide `figure` of `team` in `period` for `reason`; whether it was shown until now.
    fn hide(
        &mut self,
        period: Period,
        team: Option<String>,
        figure: Metric,
        reason: Reason,
    ) -> bool {
        let figures = self
            .hidden
            .entry(period)
            .or_default()
            .entry(team)
            .or_default();
        if figures.iter().any(|(f, _)| *f == figure) {
            false
        } else {
            figures.push((figure, reason));
            true
        }
    }
}

/// Decide what privacy hides in every period of `facts` (the periods a report needs, with
/// `parents` giving each team's parent team):
/// 1. each scope's own small groups (below `min_group_size`);
/// 2. every survey figure of a month, and of a period that has not ended by `today`: months
///    could be subtracted from their quarter, and a period still filling up would reveal each
///    new response as it arrives;
/// 3. then, until nothing changes, the subtraction rule over each group of teams in a period
///    (all teams, whose total is the organization; the teams under one parent) and over each
///    scope's quarters within a year (when the year and its four quarters are all in `facts`).
///
/// Each hidden figure says why ([`Hiding::why_of`], see [`own_reason`]); a figure hidden by the
/// subtraction rule has too few responses as a group.
pub fn decide(
    facts: &HashMap<Period, PeriodFacts>,
    parents: &HashMap<String, Option<String>>,
    min_group_size: i64,
    today: NaiveDate,
) -> Hiding {
    // In a fixed order, so that the same facts always give the same decisions.
    let mut periods: Vec<Period> = facts.keys().copied().collect();
    periods.sort_by_key(|p| (p.start(), p.end()));
    let mut hiding = Hiding::default();
    for &period in &periods {
        let unreported = unreported(period, today);
        let pf = &facts[&period];
        let scopes = std::iter::once((None, &pf.org))
            .chain(pf.teams.iter().map(|(name, f)| (Some(name.clone()), f)));
        for (scope, scope_facts) in scopes {
            let own = Metric::surveyed()
                .filter_map(|(figure, responses)| {
                    own_reason(figure, responses, scope_facts, unreported, min_group_size)
                        .map(|reason| (figure, reason))
                })
                .collect();
            hiding.hidden.entry(period).or_default().insert(scope, own);
        }
    }
    let rules: Vec<(Metric, Count)> = Metric::surveyed()
        .map(|(figure, responses)| (figure, Count::Responses(responses)))
        .collect();
    subtraction_rule(
        &mut hiding,
        facts,
        &periods,
        parents,
        &rules,
        (min_group_size, Reason::TooFewResponses),
    );
    hiding
}

/// Why no survey figure of `period` is reported as of `today`, if none is: a month's could be
/// subtracted from its quarter's, and a period still under way would reveal each new response
/// as it arrives.
fn unreported(period: Period, today: NaiveDate) -> Option<Reason> {
    if period.granularity() == Granularity::Month {
        Some(Reason::NotReportedForMonths)
    } else if period.end() >= today {
        Some(Reason::PeriodNotFinished)
    } else {
        None
    }
}

/// Why a scope's own facts hide a survey figure (counted in `responses`), or None when they
/// show it. With no responses at all there is nothing to hide and nothing to count: `no_data`,
/// whatever the period. Otherwise a month's or an unfinished period's figure is never reported
/// (`unreported`), and a finished period's is hidden below the minimum group size
/// ([`base_suppression`]).
pub fn own_reason(
    figure: Metric,
    responses: Responses,
    facts: &Facts,
    unreported: Option<Reason>,
    min_group_size: i64,
) -> Option<Reason> {
    if responses.count(facts) == 0 {
        Some(Reason::NoData)
    } else if unreported.is_some() {
        unreported
    } else {
        base_suppression(facts, min_group_size)
            .contains(&figure)
            .then_some(Reason::TooFewResponses)
    }
}

/// The fewest priced people a salary-based figure may be computed from to be shown to anyone
/// but HR.
pub const MIN_PRICED_PEOPLE: i64 = 3;

/// Decide which salary-based figures (turnover and absence cost) are too few people's salaries
/// to show to anyone but HR, in every period of `facts`: each scope's own figures over one or
/// two priced people (none reveals nothing: the figure is 0), then the same subtraction rule
/// as for survey figures, over groups of teams and a year's quarters, with
/// [`MIN_PRICED_PEOPLE`] as the group size.
pub fn decide_salary(
    facts: &HashMap<Period, PeriodFacts>,
    parents: &HashMap<String, Option<String>>,
) -> Hiding {
    let mut periods: Vec<Period> = facts.keys().copied().collect();
    periods.sort_by_key(|p| (p.start(), p.end()));
    let rules = [
        (Metric::TurnoverCost, Count::PricedLeavers),
        (Metric::AbsenceCost, Count::PricedAbsentees),
    ];
    let mut hiding = Hiding::default();
    for &period in &periods {
        let pf = &facts[&period];
        let scopes = std::iter::once((None, &pf.org))
            .chain(pf.teams.iter().map(|(name, f)| (Some(name.clone()), f)));
        for (scope, scope_facts) in scopes {
            let own = rules
                .iter()
                .filter(|(_, count)| (1..MIN_PRICED_PEOPLE).contains(&count.of(scope_facts)))
                .map(|(figure, _)| (*figure, Reason::TooFewPeople))
                .collect();
            hiding.hidden.entry(period).or_default().insert(scope, own);
        }
    }
    subtraction_rule(
        &mut hiding,
        facts,
        &periods,
        parents,
        &rules,
        (MIN_PRICED_PEOPLE, Reason::TooFewPeople),
    );
    hiding
}

/// What a figure's group size is counted in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Count {
    Responses(Responses),
    /// Leavers with a salary (turnover cost).
    PricedLeavers,
    /// Absent people with a salary (absence cost).
    PricedAbsentees,
}

impl Count {
    fn of(self, facts: &Facts) -> i64 {
        match self {
            Count::Responses(responses) => responses.count(facts),
            Count::PricedLeavers => facts.priced_leavers(),
            Count::PricedAbsentees => facts.absence_priced_people,
        }
    }
}

/// The subtraction rule over teams and over a year's quarters, repeated until nothing changes
/// (each round only hides more, and there are finitely many figures: this ends). `min` is the
/// group size and the reason for what it hides.
fn subtraction_rule(
    hiding: &mut Hiding,
    facts: &HashMap<Period, PeriodFacts>,
    periods: &[Period],
    parents: &HashMap<String, Option<String>>,
    rules: &[(Metric, Count)],
    min: (i64, Reason),
) {
    loop {
        let across_teams = hide_across_teams(hiding, facts, periods, parents, rules, min);
        let across_quarters = hide_across_quarters(hiding, facts, periods, rules, min);
        if !across_teams && !across_quarters {
            return;
        }
    }
}

/// The subtraction rule over teams: the organization (or a parent) minus the shown teams.
fn hide_across_teams(
    hiding: &mut Hiding,
    facts: &HashMap<Period, PeriodFacts>,
    periods: &[Period],
    parents: &HashMap<String, Option<String>>,
    rules: &[(Metric, Count)],
    (min_group_size, reason): (i64, Reason),
) -> bool {
    let mut changed = false;
    for &period in periods {
        let pf = &facts[&period];
        let mut groups: BTreeMap<Option<&String>, Vec<&String>> = BTreeMap::new();
        for name in pf.teams.keys() {
            groups.entry(None).or_default().push(name);
            if let Some(Some(parent)) = parents.get(name) {
                groups.entry(Some(parent)).or_default().push(name);
            }
        }
        for &(figure, count) in rules {
            for members in groups.values() {
                let candidates: Vec<SuppressionCandidate> = members
                    .iter()
                    .map(|name| SuppressionCandidate {
                        team: (*name).clone(),
                        responses: count.of(&pf.teams[*name]),
                        suppressed: hiding.is_hidden(period, Some(name), figure),
                    })
                    .collect();
                for extra in complementary_suppression(&candidates, min_group_size) {
                    changed |= hiding.hide(period, Some(extra), figure, reason);
                }
            }
        }
    }
    changed
}

/// The subtraction rule over time: a year minus its shown quarters, for every scope.
fn hide_across_quarters(
    hiding: &mut Hiding,
    facts: &HashMap<Period, PeriodFacts>,
    periods: &[Period],
    rules: &[(Metric, Count)],
    (min_group_size, reason): (i64, Reason),
) -> bool {
    let mut changed = false;
    for &year in periods
        .iter()
        .filter(|p| p.granularity() == Granularity::Year)
    {
        let quarters = Period::quarter(year.start().year(), 4)
            .expect("a real year has a fourth quarter")
            .trailing(4);
        if quarters.iter().any(|q| !facts.contains_key(q)) {
            continue;
        }
        let scopes =
            std::iter::once(None).chain(facts[&year].teams.keys().map(|n| Some(n.as_str())));
        for scope in scopes {
            for &(figure, count) in rules {
                if hiding.is_hidden(year, scope, figure) {
                    continue;
                }
                let candidates: Vec<SuppressionCandidate> = quarters
                    .iter()
                    .map(|&q| SuppressionCandidate {
                        team: q.to_string(),
                        responses: facts[&q].of(scope).map_or(0, |f| count.of(f)),
                        suppressed: hiding.is_hidden(q, scope, figure),
                    })
                    .collect();
                for extra in complementary_suppression(&candidates, min_group_size) {
                    let quarter: Period = extra.parse().expect("a quarter label");
                    changed |= hiding.hide(quarter, scope.map(str::to_string), figure, reason);
                }
            }
        }
    }
    changed
}

/// The survey figures a scope's own response counts hide: empathy_favorability below the
/// minimum group size of pulse responses (or of responses answering an empathy item), enps
/// below it in eNPS answers.
pub fn base_suppression(facts: &Facts, min_group_size: i64) -> Vec<Metric> {
    let mut hidden = Vec::new();
    // Counted both ways: the period's responses (the documented rule) and those that answered
    // an empathy item (so that eNPS-only responses never make one person's answers visible).
    if facts.pulse.responses < min_group_size || facts.pulse.empathy_respondents < min_group_size {
        hidden.push(Metric::EmpathyFavorability);
    }
    if facts.pulse.enps_answers < min_group_size {
        hidden.push(Metric::Enps);
    }
    hidden
}

impl Responses {
    /// How many of these responses the facts hold.
    pub fn count(self, facts: &Facts) -> i64 {
        match self {
            Responses::EmpathyRespondents => facts.pulse.empathy_respondents,
            Responses::EnpsAnswers => facts.pulse.enps_answers,
        }
    }
}

/// A team of one group, for one figure.
#[derive(Debug, Clone, PartialEq)]
pub struct SuppressionCandidate {
    pub team: String,
    /// The responses behind the figure (pulse responses, or eNPS answers).
    pub responses: i64,
    pub suppressed: bool,
}

/// The teams that must also be suppressed, smallest first.
///
/// Teams without responses have nothing to reveal and hide nothing, so they are left out. While
/// exactly one team is hidden, or the hidden teams together have fewer responses than the
/// minimum group size (their sum could be recovered and would still be too small), the
/// next-smallest shown team is hidden too.
pub fn complementary_suppression(
    group: &[SuppressionCandidate],
    min_group_size: i64,
) -> Vec<String> {
    let members: Vec<&SuppressionCandidate> = group.iter().filter(|c| c.responses > 0).collect();
    let (mut hidden_count, mut hidden_sum) = members
        .iter()
        .filter(|c| c.suppressed)
        .fold((0usize, 0i64), |(n, sum), c| (n + 1, sum + c.responses));
    if hidden_count == 0 {
        return Vec::new();
    }
    let mut shown: Vec<&SuppressionCandidate> =
        members.into_iter().filter(|c| !c.suppressed).collect();
    shown.sort_by(|a, b| {
        a.responses
            .cmp(&b.responses)
            .then_with(|| a.team.cmp(&b.team))
    });
    let mut extra = Vec::new();
    for next in shown {
        if hidden_count != 1 && hidden_sum >= min_group_size {
            break;
        }
        extra.push(next.team.clone());
        hidden_count += 1;
        hidden_sum += next.responses;
    }
    extra
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(name: &str, responses: i64, suppressed: bool) -> SuppressionCandidate {
        SuppressionCandidate {
            team: name.into(),
            responses,
            suppressed,
        }
    }

    #[test]
    fn one_suppressed_team_takes_the_next_smallest_with_it() {
        let group = [
            team("A", 3, true),
            team("B", 40, false),
            team("C", 7, false),
            team("D", 9, false),
        ];
        assert_eq!(complementary_suppression(&group, 5), ["C"]);
    }

    #[test]
    fn two_suppressed_teams_with_enough_responses_together_protect_each_other() {
        let group = [team("A", 3, true), team("B", 4, true), team("C", 7, false)];
        assert_eq!(complementary_suppression(&group, 5), Vec::<String>::new());
    }

    #[test]
    fn two_suppressed_teams_too_small_even_together_take_another_with_them() {
        let group = [
            team("A", 1, true),
            team("B", 2, true),
            team("C", 7, false),
            team("D", 9, false),
        ];
        assert_eq!(complementary_suppression(&group, 5), ["C"]);
    }

    #[test]
    fn a_team_without_responses_does_not_protect_a_small_one() {
        let group = [
            team("Empty", 0, true),
            team("Small", 3, true),
            team("Big", 40, false),
            team("Mid", 12, false),
        ];
        assert_eq!(complementary_suppression(&group, 5), ["Mid"]);
    }

    #[test]
    fn nothing_suppressed_means_nothing_more_to_hide() {
        let group = [team("A", 9, false), team("B", 8, false)];
        assert_eq!(complementary_suppression(&group, 5), Vec::<String>::new());
    }

    #[test]
    fn the_rule_runs_on_the_members_alone_and_breaks_ties_by_the_earliest_quarter() {
        // The group's total is no input: the rule is the same whether or not it is shown. Over
        // time the members are quarters, named so that the first by name is the earliest.
        let cases: [(&[SuppressionCandidate], &[&str]); 2] = [
            (
                &[
                    team("2025-Q1", 3, true),
                    team("2025-Q3", 9, false),
                    team("2025-Q2", 9, false),
                    team("2025-Q4", 20, false),
                ],
                &["2025-Q2"],
            ),
            (
                &[
                    team("2024-Q4", 2, true),
                    team("2024-Q1", 6, false),
                    team("2024-Q2", 6, false),
                    team("2024-Q3", 6, false),
                ],
                &["2024-Q1"],
            ),
        ];
        for (group, extra) in cases {
            assert_eq!(complementary_suppression(group, 5), extra, "{group:?}");
        }
    }

    #[test]
    fn a_team_whose_responses_all_skipped_the_enps_question_protects_no_one_for_enps() {
        // docs/metrics.md, counting eNPS answers: A has 8 (hidden by another group's rule), B
        // 12 responses none of which answered eNPS (0: hidden, but revealing nothing), C 7, D 9.
        // Counted as a second hidden team, B would leave A = total − C − D exposed.
        let b = Facts {
            pulse: crate::scoring::PulseFacts {
                responses: 12,
                empathy_respondents: 12,
                enps_answers: 0,
                ..Default::default()
            },
            ..Facts::default()
        };
        let counted = |metric: Metric| match metric.info().privacy {
            crate::scoring::Privacy::Survey(responses) => responses.count(&b),
            other => panic!("{metric:?} is {other:?}"),
        };
        assert_eq!(counted(Metric::Enps), 0);
        assert_eq!(
            counted(Metric::EmpathyFavorability),
            12,
            "B counts for favorability"
        );
        assert_eq!(base_suppression(&b, 5), [Metric::Enps]);
        let group = [
            team("A", 8, true),
            team("B", counted(Metric::Enps), true),
            team("C", 7, false),
            team("D", 9, false),
        ];
        assert_eq!(complementary_suppression(&group, 5), ["C"]);
    }

    // The whole decision, as a report makes it (`decide`).

    const MIN: i64 = 5;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
    }

    fn period(text: &str) -> Period {
        text.parse().unwrap()
    }

    /// A scope with `responses` pulse responses, each answering every question.
    fn answered(responses: i64) -> Facts {
        Facts {
            pulse: crate::scoring::PulseFacts {
                responses,
                empathy_respondents: responses,
                favorable_answers: responses,
                answers: 3 * responses,
                enps_answers: responses,
                enps_promoters: responses,
                enps_detractors: 0,
            },
            ..Facts::default()
        }
    }

    /// A period whose teams have these responses; the organization has them all.
    fn teams(responses: &[(&str, i64)]) -> PeriodFacts {
        PeriodFacts {
            org: answered(responses.iter().map(|(_, n)| n).sum()),
            teams: responses
                .iter()
                .map(|(name, n)| (name.to_string(), answered(*n)))
                .collect(),
        }
    }

    /// The scopes whose `figure` is hidden in `period`, by name ("org" for the organization).
    fn hidden_in(hiding: &Hiding, facts: &HashMap<Period, PeriodFacts>, at: &str) -> Vec<String> {
        let at = period(at);
        let mut names: Vec<String> = std::iter::once(None)
            .chain(facts[&at].teams.keys().map(|n| Some(n.as_str())))
            .filter(|scope| {
                let hidden = hiding.of(at, *scope);
                assert_eq!(
                    hidden.contains(&Metric::EmpathyFavorability),
                    hidden.contains(&Metric::Enps),
                    "both figures have the same counts here"
                );
                hidden.contains(&Metric::EmpathyFavorability)
            })
            .map(|scope| scope.unwrap_or("org").to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_examples_of_the_documentation_hide_what_they_say() {
        // Each team's responses, and the teams hidden.
        type Case = (&'static [(&'static str, i64)], &'static [&'static str]);
        let cases: [Case; 4] = [
            (&[("A", 3), ("B", 40), ("C", 7), ("D", 9)], &["A", "C"]),
            (&[("A", 3), ("B", 4), ("C", 7)], &["A", "B"]),
            (&[("A", 1), ("B", 2), ("C", 7), ("D", 9)], &["A", "B", "C"]),
            (
                &[("Empty", 0), ("Small", 3), ("Big", 40), ("Mid", 12)],
                &["Empty", "Mid", "Small"],
            ),
        ];
        for (responses, expected) in cases {
            let facts = HashMap::from([(period("2025-Q1"), teams(responses))]);
            let hiding = decide(&facts, &HashMap::new(), MIN, today());
            assert_eq!(
                hidden_in(&hiding, &facts, "2025-Q1"),
                expected,
                "{responses:?}"
            );
        }
    }

    #[test]
    fn each_hidden_survey_figure_says_why_it_is_hidden() {
        // Finished quarter 2025-Q3 (today is 2025-11-20), 2025-Q4 under way, and a month.
        let today = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
        let why = |at: &str, responses: &[(&str, i64)], scope: Option<&str>| {
            let facts = HashMap::from([(period(at), teams(responses))]);
            let hiding = decide(&facts, &HashMap::new(), MIN, today);
            hiding.why_of(period(at), scope)
        };
        let big_and_small = [("Big", 26), ("Small", 3), ("Mid", 9), ("None", 0)];
        type Case<'a> = (&'a str, Option<&'a str>, &'a [(Metric, Reason)]);
        let cases: [Case; 9] = [
            ("2025-Q3", Some("Big"), &[]),
            (
                "2025-Q3",
                Some("Small"),
                &[
                    (Metric::EmpathyFavorability, Reason::TooFewResponses),
                    (Metric::Enps, Reason::TooFewResponses),
                ],
            ),
            // Hidden with Small, so that Small is not the organization minus the others.
            (
                "2025-Q3",
                Some("Mid"),
                &[
                    (Metric::EmpathyFavorability, Reason::TooFewResponses),
                    (Metric::Enps, Reason::TooFewResponses),
                ],
            ),
            (
                "2025-Q3",
                Some("None"),
                &[
                    (Metric::EmpathyFavorability, Reason::NoData),
                    (Metric::Enps, Reason::NoData),
                ],
            ),
            ("2025-Q3", None, &[]),
            (
                "2025-Q4",
                Some("Big"),
                &[
                    (Metric::EmpathyFavorability, Reason::PeriodNotFinished),
                    (Metric::Enps, Reason::PeriodNotFinished),
                ],
            ),
            (
                "2025-Q4",
                Some("None"),
                &[
                    (Metric::EmpathyFavorability, Reason::NoData),
                    (Metric::Enps, Reason::NoData),
                ],
            ),
            (
                "2025-09",
                Some("Big"),
                &[
                    (Metric::EmpathyFavorability, Reason::NotReportedForMonths),
                    (Metric::Enps, Reason::NotReportedForMonths),
                ],
            ),
            (
                "2025-09",
                None,
                &[
                    (Metric::EmpathyFavorability, Reason::NotReportedForMonths),
                    (Metric::Enps, Reason::NotReportedForMonths),
                ],
            ),
        ];
        for (at, scope, expected) in cases {
            assert_eq!(why(at, &big_and_small, scope), expected, "{at} {scope:?}");
        }
    }

    #[test]
    fn responses_that_skipped_the_enps_question_leave_enps_without_data() {
        let facts = Facts {
            pulse: crate::scoring::PulseFacts {
                responses: 12,
                empathy_respondents: 12,
                ..Default::default()
            },
            ..Facts::default()
        };
        let own = |figure, responses| own_reason(figure, responses, &facts, None, MIN);
        assert_eq!(
            own(Metric::EmpathyFavorability, Responses::EmpathyRespondents),
            None
        );
        assert_eq!(
            own(Metric::Enps, Responses::EnpsAnswers),
            Some(Reason::NoData)
        );
    }

    #[test]
    fn the_teams_under_one_parent_are_a_group_of_their_own() {
        // Across all teams, X (3) takes Z (6) with it; under P, X would be P minus Y.
        let facts = HashMap::from([(
            period("2025-Q1"),
            teams(&[("W", 9), ("X", 3), ("Y", 20), ("Z", 6)]),
        )]);
        let parents = HashMap::from([
            ("X".to_string(), Some("P".to_string())),
            ("Y".to_string(), Some("P".to_string())),
            ("Z".to_string(), None),
        ]);
        let hiding = decide(&facts, &parents, MIN, today());
        assert_eq!(hidden_in(&hiding, &facts, "2025-Q1"), ["X", "Y", "Z"]);
    }

    #[test]
    fn survey_figures_of_months_and_unfinished_periods_are_never_shown() {
        let today = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
        let cases = [
            ("2025-03", vec!["A", "B", "org"]),
            ("2025-Q4", vec!["A", "B", "org"]),
            ("2025", vec!["A", "B", "org"]),
            ("2025-Q3", vec![]),
        ];
        for (at, expected) in cases {
            let facts = HashMap::from([(period(at), teams(&[("A", 40), ("B", 40)]))]);
            let hiding = decide(&facts, &HashMap::new(), MIN, today);
            assert_eq!(hidden_in(&hiding, &facts, at), expected, "{at}");
        }
    }

    /// A year and its four quarters, each quarter's teams with these responses.
    fn year_of_quarters(quarters: [&[(&str, i64)]; 4]) -> HashMap<Period, PeriodFacts> {
        let mut facts: HashMap<Period, PeriodFacts> = quarters
            .iter()
            .enumerate()
            .map(|(i, responses)| (period(&format!("2024-Q{}", i + 1)), teams(responses)))
            .collect();
        let mut year: BTreeMap<&str, i64> = BTreeMap::new();
        for responses in quarters {
            for (name, n) in responses {
                *year.entry(name).or_default() += n;
            }
        }
        let year: Vec<(&str, i64)> = year.into_iter().collect();
        facts.insert(period("2024"), teams(&year));
        facts
    }

    #[test]
    fn a_quarter_hidden_alone_in_a_shown_year_takes_the_next_smallest_with_it() {
        // The year (41 responses) minus three shown quarters would give away the first.
        let facts = year_of_quarters([&[("T", 3)], &[("T", 10)], &[("T", 8)], &[("T", 20)]]);
        let hiding = decide(&facts, &HashMap::new(), MIN, today());
        let expected: [(&str, &[&str]); 5] = [
            ("2024", &[]),
            ("2024-Q1", &["T", "org"]),
            ("2024-Q2", &[]),
            ("2024-Q3", &["T", "org"]),
            ("2024-Q4", &[]),
        ];
        for (at, hidden) in expected {
            assert_eq!(hidden_in(&hiding, &facts, at), hidden, "{at}");
        }
    }

    #[test]
    fn a_year_is_not_weighed_against_its_quarters_unless_all_four_are_known() {
        let mut facts = year_of_quarters([&[("T", 3)], &[("T", 10)], &[("T", 8)], &[("T", 20)]]);
        facts.remove(&period("2024-Q4"));
        let hiding = decide(&facts, &HashMap::new(), MIN, today());
        assert_eq!(hidden_in(&hiding, &facts, "2024-Q3"), Vec::<String>::new());
    }

    #[test]
    fn hiding_across_teams_and_across_quarters_repeats_until_nothing_is_recoverable() {
        let facts = year_of_quarters([
            &[("A", 3), ("B", 30)],
            &[("A", 10), ("B", 30)],
            &[("A", 8), ("B", 30)],
            &[("A", 20), ("B", 30)],
        ]);
        let hiding = decide(&facts, &HashMap::new(), MIN, today());
        assert!(hidden_in(&hiding, &facts, "2024-Q1").contains(&"A".to_string()));
        assert!(hidden_in(&hiding, &facts, "2024").is_empty());
        // No group leaves exactly one member hidden, or hidden members too few together.
        let safe = |members: Vec<(i64, bool)>| {
            let hidden: Vec<i64> = members
                .iter()
                .filter(|(n, hidden)| *n > 0 && *hidden)
                .map(|(n, _)| *n)
                .collect();
            let shown = members
                .iter()
                .filter(|(n, hidden)| *n > 0 && !hidden)
                .count();
            hidden.is_empty()
                || shown == 0
                || (hidden.len() >= 2 && hidden.iter().sum::<i64>() >= MIN)
        };
        let quarters = period("2024-Q4").trailing(4);
        for q in &quarters {
            let members = ["A", "B"]
                .map(|t| {
                    (
                        facts[q].teams[t].pulse.responses,
                        hiding
                            .of(*q, Some(t))
                            .contains(&Metric::EmpathyFavorability),
                    )
                })
                .to_vec();
            assert!(safe(members), "teams in {q}");
        }
        for scope in [None, Some("A"), Some("B")] {
            let members = quarters
                .iter()
                .map(|q| {
                    (
                        facts[q].of(scope).unwrap().pulse.responses,
                        hiding.of(*q, scope).contains(&Metric::EmpathyFavorability),
                    )
                })
                .collect();
            assert!(safe(members), "quarters of {scope:?}");
        }
    }

    // Salary-based figures (`decide_salary`).

    /// A scope with `priced` leavers who have a salary, and one more without.
    fn leavers(priced: i64) -> Facts {
        Facts {
            roster: crate::scoring::RosterFacts {
                headcount_start: 20,
                headcount_end: 20,
                separations: priced + 1,
                ..Default::default()
            },
            separation_salaries: 50_000.0 * priced as f64,
            separations_unpriced: 1,
            ..Facts::default()
        }
    }

    fn leavers_by_team(per_team: &[(&str, i64)]) -> PeriodFacts {
        PeriodFacts {
            org: leavers(per_team.iter().map(|(_, n)| n).sum()),
            teams: per_team
                .iter()
                .map(|(name, n)| (name.to_string(), leavers(*n)))
                .collect(),
        }
    }

    fn cost_hidden_in(
        hiding: &Hiding,
        facts: &HashMap<Period, PeriodFacts>,
        at: &str,
    ) -> Vec<String> {
        let at = period(at);
        let mut names: Vec<String> = std::iter::once(None)
            .chain(facts[&at].teams.keys().map(|n| Some(n.as_str())))
            .filter(|scope| hiding.of(at, *scope).contains(&Metric::TurnoverCost))
            .map(|scope| scope.unwrap_or("org").to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_cost_of_one_or_two_priced_people_is_hidden_with_whatever_would_reveal_it() {
        // Each team's leavers with a salary, and the scopes whose turnover cost is hidden.
        type Case = (&'static [(&'static str, i64)], &'static [&'static str]);
        let cases: [Case; 5] = [
            (&[("A", 1), ("B", 5), ("C", 4)], &["A", "C"]),
            (&[("A", 0), ("B", 5), ("C", 4)], &[]),
            (&[("A", 2), ("B", 0)], &["A", "org"]),
            (&[("A", 1), ("B", 1), ("C", 9)], &["A", "B", "C"]),
            (&[("A", 3), ("B", 3)], &[]),
        ];
        for (per_team, expected) in cases {
            let facts = HashMap::from([(period("2025-Q1"), leavers_by_team(per_team))]);
            let hiding = decide_salary(&facts, &HashMap::new());
            assert_eq!(
                cost_hidden_in(&hiding, &facts, "2025-Q1"),
                expected,
                "{per_team:?}"
            );
            // Absence cost counts absent people, of whom there are none here.
            assert!(
                !hiding
                    .of(period("2025-Q1"), None)
                    .contains(&Metric::AbsenceCost)
            );
        }
    }

    #[test]
    fn a_quarter_cost_of_one_leaver_in_a_shown_year_takes_another_quarter_with_it() {
        let mut facts: HashMap<Period, PeriodFacts> = [1, 4, 4, 5]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    period(&format!("2024-Q{}", i + 1)),
                    leavers_by_team(&[("T", *n)]),
                )
            })
            .collect();
        facts.insert(period("2024"), leavers_by_team(&[("T", 14)]));
        let hiding = decide_salary(&facts, &HashMap::new());
        let expected: [(&str, &[&str]); 5] = [
            ("2024", &[]),
            ("2024-Q1", &["T", "org"]),
            ("2024-Q2", &["T", "org"]),
            ("2024-Q3", &[]),
            ("2024-Q4", &[]),
        ];
        for (at, hidden) in expected {
            assert_eq!(cost_hidden_in(&hiding, &facts, at), hidden, "{at}");
        }
    }
}
