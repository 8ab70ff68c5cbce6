//! Privacy: no survey figure may be recovered by subtraction.
//!
//! When exactly one team of a group (the teams under one parent, or all teams under the
//! organization) is suppressed for a figure while the group's total is shown, its value could be
//! computed from the total and the others. So the next-smallest team of the group (by the
//! number of responses) is suppressed too.

use super::Facts;

/// The survey figures a scope's own response counts hide: empathy_favorability below the
/// minimum group size of pulse responses, enps below it in eNPS answers.
pub fn base_suppression(facts: &Facts, min_group_size: i64) -> Vec<&'static str> {
    let mut hidden = Vec::new();
    if facts.pulse.responses < min_group_size {
        hidden.push("empathy_favorability");
    }
    if facts.pulse.enps_answers < min_group_size {
        hidden.push("enps");
    }
    hidden
}

/// A team of one group, for one figure.
#[derive(Debug, Clone, PartialEq)]
pub struct SuppressionCandidate {
    pub team: String,
    /// The responses behind the figure (pulse responses, or eNPS answers).
    pub responses: i64,
    pub suppressed: bool,
}

/// The team that must also be suppressed, if any.
pub fn complementary_suppression(group: &[SuppressionCandidate]) -> Option<String> {
    let suppressed = group.iter().filter(|c| c.suppressed).count();
    if suppressed != 1 {
        return None;
    }
    group
        .iter()
        .filter(|c| !c.suppressed)
        .min_by(|a, b| {
            a.responses
                .cmp(&b.responses)
                .then_with(|| a.team.cmp(&b.team))
        })
        .map(|c| c.team.clone())
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
        assert_eq!(complementary_suppression(&group), Some("C".into()));
    }

    #[test]
    fn two_suppressed_teams_already_protect_each_other() {
        let group = [team("A", 3, true), team("B", 2, true), team("C", 7, false)];
        assert_eq!(complementary_suppression(&group), None);
    }

    #[test]
    fn nothing_suppressed_means_nothing_more_to_hide() {
        assert_eq!(
            complementary_suppression(&[team("A", 9, false), team("B", 8, false)]),
            None
        );
    }
}
