//! Privacy: no survey figure may be recovered by subtraction.
//!
//! When exactly one team of a group (the teams under one parent, or all teams under the
//! organization) is suppressed for a figure while the group's total is shown, its value could be
//! computed from the total and the others. So the next-smallest team of the group (by the
//! number of responses) is suppressed too.

use super::{Facts, Metric, Responses};

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
}
