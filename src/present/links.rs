//! How the outcome links read for people: the verdict of each link in plain words, the cells of
//! the summary's table, and the team page's "teams like yours" (the within-team estimate). The
//! summary (page, PDF, CSV and one-file HTML) and the team page use these, so every format says
//! the same thing.
//!
//! A verdict says there is evidence only where the 95 % interval excludes "no association";
//! otherwise "not enough evidence yet", with how many more team-quarters would typically be
//! needed. Every statement of evidence ends by calling it an association, not proof of cause.

use crate::scoring::{MIN_TEAM_QUARTERS, Outcome, OutcomeLink, WithinTeam};

use super::number;

/// What every sentence of evidence ends with.
pub const NOT_PROOF: &str = "an association, not proof of cause";

/// Beyond this many more team-quarters, "how many more" stops being a useful number.
const FAR_TOO_MANY: u64 = 1_000;

/// What an outcome is called in a sentence.
pub fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::VoluntaryTurnover => "voluntary turnover",
        Outcome::Absenteeism => "absenteeism",
        Outcome::Csat => "customer satisfaction",
    }
}

/// When the outcome is, after the favorability: "the next quarter", "two quarters later"…
pub fn when(lag: u32) -> String {
    match lag {
        1 => "the next quarter".to_string(),
        2 => "two quarters later".to_string(),
        3 => "three quarters later".to_string(),
        n => format!("{n} quarters later"),
    }
}

/// "Favorability and absenteeism two quarters later".
pub fn title(link: &OutcomeLink) -> String {
    format!(
        "Favorability and {} {}",
        outcome_label(link.outcome()),
        when(link.lag)
    )
}

/// The verdict of a link in one or two sentences: the association found, with its interval and
/// what it rests on, or "not enough evidence yet" and what would be needed.
pub fn verdict(link: &OutcomeLink) -> String {
    let outcome = link.outcome();
    let basis = basis(link.n, link.teams);
    if link.evidence {
        if let (Outcome::VoluntaryTurnover, Some(rr), Some(low), Some(high)) = (
            outcome,
            link.rate_ratio_per_10_points,
            link.rate_ratio_ci_low,
            link.rate_ratio_ci_high,
        ) {
            return format!(
                "Teams whose favorability was 10 points higher had {} voluntary leavers {} \
                 (95 % interval {}; {basis}) — {NOT_PROOF}.",
                more_or_fewer(rr),
                when(link.lag),
                interval_of_ratio(low, high),
            );
        }
        if let (Some(r), Some(low), Some(high)) = (link.correlation, link.ci_low, link.ci_high) {
            return format!(
                "Teams with higher favorability had {} {} {}: {} association (r = {}, 95 % \
                 interval {} to {}; {basis}) — {NOT_PROOF}.",
                higher_or_lower(r),
                outcome_label(outcome),
                when(link.lag),
                strength(r),
                signed2(r),
                signed2(low),
                signed2(high),
            );
        }
    }
    let so_far = match (
        outcome,
        link.rate_ratio_per_10_points,
        link.rate_ratio_ci_low,
        link.rate_ratio_ci_high,
        link.correlation,
        link.ci_low,
        link.ci_high,
    ) {
        (Outcome::VoluntaryTurnover, Some(rr), Some(low), Some(high), ..) => format!(
            " (10 points more favorability went with {} voluntary leavers, but anywhere from \
             {}; {basis})",
            more_or_fewer(rr),
            range_of_ratio(low, high)
        ),
        (.., Some(r), Some(low), Some(high)) => format!(
            " (r = {}, 95 % interval {} to {}; {basis})",
            signed2(r),
            signed2(low),
            signed2(high)
        ),
        _ => String::new(),
    };
    let needed = if link.n < MIN_TEAM_QUARTERS {
        format!(
            "{} {} both figures; nothing is estimated from fewer than {MIN_TEAM_QUARTERS}.",
            count(link.n, "team-quarter", "team-quarters"),
            if link.n == 1 { "has" } else { "have" },
        )
    } else if so_far.is_empty() {
        format!(
            "The figures of the {} do not vary enough to estimate anything.",
            count(link.n, "team-quarter", "team-quarters")
        )
    } else {
        more_needed(link.more_team_quarters_needed)
    };
    format!("{}: not enough evidence yet{so_far}. {needed}", title(link))
}

/// How many more team-quarters, in words.
fn more_needed(more: Option<u64>) -> String {
    match more {
        Some(more) if more > FAR_TOO_MANY => format!(
            "Even {} more team-quarters would typically not be enough: there may be little or \
             nothing to find.",
            number(FAR_TOO_MANY as f64, 0)
        ),
        Some(more) => format!(
            "About {} more {} would typically be needed to tell an association this strong \
             from chance.",
            number(more as f64, 0),
            if more == 1 {
                "team-quarter"
            } else {
                "team-quarters"
            }
        ),
        None => "No association shows so far.".to_string(),
    }
}

/// The association across teams, for a table cell: for voluntary turnover the Poisson model's
/// change in leavers per 10 points, otherwise the correlation; each with its interval.
pub fn across_teams(link: &OutcomeLink) -> String {
    if let (Some(rr), Some(low), Some(high)) = (
        link.rate_ratio_per_10_points,
        link.rate_ratio_ci_low,
        link.rate_ratio_ci_high,
    ) {
        return format!(
            "{} leavers per 10 points ({} to {})",
            percent_change(rr),
            percent_change(low),
            percent_change(high)
        );
    }
    correlation_cell(link.correlation, link.ci_low, link.ci_high)
}

/// The within-team association, for a table cell.
pub fn within_teams(link: &OutcomeLink) -> String {
    let w = &link.within_team;
    correlation_cell(w.correlation, w.ci_low, w.ci_high)
}

/// "Evidence" or "Not enough evidence yet", for a table cell.
pub fn evidence(link: &OutcomeLink) -> &'static str {
    if link.evidence {
        "Evidence"
    } else {
        "Not enough evidence yet"
    }
}

fn correlation_cell(r: Option<f64>, low: Option<f64>, high: Option<f64>) -> String {
    match (r, low, high) {
        (Some(r), Some(low), Some(high)) => {
            format!("r = {} ({} to {})", signed2(r), signed2(low), signed2(high))
        }
        _ => "not estimated".to_string(),
    }
}

/// What the team page says about one link, from the within-team estimate: whether a team's
/// favorability rising above its usual level went with its outcome moving, and how sure that
/// is.
pub fn within_team_verdict(link: &OutcomeLink) -> String {
    let w: &WithinTeam = &link.within_team;
    let outcome = outcome_label(link.outcome());
    let basis = basis(w.n, w.teams);
    let (Some(r), Some(low), Some(high)) = (w.correlation, w.ci_low, w.ci_high) else {
        let why = if w.n < MIN_TEAM_QUARTERS {
            format!(
                "{} of teams with two or more; nothing is estimated from fewer than \
                 {MIN_TEAM_QUARTERS}.",
                count(w.n, "team-quarter", "team-quarters"),
            )
        } else {
            "the figures do not vary enough inside teams to estimate anything.".to_string()
        };
        return format!(
            "Within teams, favorability and {outcome} {}: not enough evidence yet — {why}",
            when(link.lag)
        );
    };
    if w.evidence {
        format!(
            "When a team's favorability was above its own usual level, its {outcome} {} tended \
             to be {} than usual: {} association within teams (r = {}, 95 % interval {} to {}; \
             {basis}) — {NOT_PROOF}.",
            when(link.lag),
            higher_or_lower(r),
            strength(r),
            signed2(r),
            signed2(low),
            signed2(high),
        )
    } else {
        format!(
            "Within teams, favorability and {outcome} {}: not enough evidence yet (r = {}, 95 % \
             interval {} to {}; {basis}). {}",
            when(link.lag),
            signed2(r),
            signed2(low),
            signed2(high),
            more_needed(w.more_team_quarters_needed),
        )
    }
}

/// The team page's "teams like yours": the team's own favorability and how it moved, and what
/// change inside teams has gone with across the organization.
#[derive(Debug, Clone, PartialEq)]
pub struct LikeYours {
    /// The team's favorability this period and its change, or why it is not shown.
    pub trend: String,
    /// One sentence per outcome with within-team evidence (at its shortest lag).
    pub findings: Vec<String>,
    /// What the team's own change may mean, when its favorability moved and there is evidence.
    pub implication: Option<String>,
    /// The outcomes without within-team evidence, at the next quarter.
    pub pending: Vec<String>,
}

/// The team's favorability as shown, and the one before it: None where it is not shown (too
/// few responses, hidden, no survey).
pub struct Favorability<'a> {
    pub team: &'a str,
    pub period: &'a str,
    pub previous_period: &'a str,
    /// The figure, or the words for why there is none.
    pub now: Result<f64, &'static str>,
    pub before: Result<f64, &'static str>,
}

/// "Teams like yours" for one team.
pub fn like_yours(favorability: &Favorability<'_>, links: &[OutcomeLink]) -> LikeYours {
    let Favorability {
        team,
        period,
        previous_period,
        now,
        before,
    } = favorability;
    let (trend, change) = match (now, before) {
        (Ok(now), Ok(before)) => {
            let change = now - before;
            let moved = if change.abs() < 0.05 {
                format!("the same as in {previous_period}")
            } else {
                format!(
                    "{} {} points on {previous_period}",
                    if change > 0.0 { "up" } else { "down" },
                    number(change.abs(), 1)
                )
            };
            (
                format!(
                    "{team}'s empathy favorability was {} in {period}, {moved}.",
                    super::percent(Some(*now))
                ),
                Some(change),
            )
        }
        (Ok(now), Err(why)) => (
            format!(
                "{team}'s empathy favorability was {} in {period} ({previous_period}: {why}).",
                super::percent(Some(*now))
            ),
            None,
        ),
        (Err(why), _) => (
            format!("{team}'s empathy favorability is not shown for {period}: {why}."),
            None,
        ),
    };
    let with_evidence: Vec<&OutcomeLink> = Outcome::ALL
        .iter()
        .filter_map(|&outcome| {
            links
                .iter()
                .filter(|l| l.outcome() == outcome && l.within_team.evidence)
                .min_by_key(|l| l.lag)
        })
        .collect();
    let implication = change
        .filter(|c| c.abs() >= 1.0 && !with_evidence.is_empty())
        .map(|change| {
            let what: Vec<String> = with_evidence
                .iter()
                .filter_map(|l| {
                    let r = l.within_team.correlation?;
                    let up = (r > 0.0) == (change > 0.0);
                    Some(format!(
                        "{} {} {}",
                        if up { "higher" } else { "lower" },
                        outcome_label(l.outcome()),
                        when(l.lag)
                    ))
                })
                .collect();
            format!(
                "In teams here, a {} like {team}'s has tended to come before {} — a tendency \
                 across teams, not a forecast for {team}.",
                if change > 0.0 { "rise" } else { "fall" },
                what.join(" and ")
            )
        });
    let pending = links
        .iter()
        .filter(|l| l.lag == 1 && !with_evidence.iter().any(|e| e.outcome == l.outcome))
        .map(within_team_verdict)
        .collect();
    LikeYours {
        trend,
        findings: with_evidence.into_iter().map(within_team_verdict).collect(),
        implication,
        pending,
    }
}

/// What the page means by a team-quarter, and the caveats every view of the links carries.
pub fn caveats() -> String {
    format!(
        "A team-quarter is one team in one quarter. Across every team and the last eight quarters, \
         each team's empathy favorability is set against its voluntary turnover, absenteeism and \
         customer satisfaction one, two and three quarters later. Evidence is claimed only where \
         the 95 % interval excludes no association, and nothing is estimated from fewer than \
         {MIN_TEAM_QUARTERS} team-quarters. Only favorability shown to everyone counts: figures \
         hidden for privacy never enter. Each is {NOT_PROOF}: other things may explain both, \
         and with nine links looked at, one may show by chance."
    )
}

/// "52 team-quarters, 7 teams".
fn basis(n: usize, teams: usize) -> String {
    format!(
        "{}, {}",
        count(n, "team-quarter", "team-quarters"),
        count(teams, "team", "teams")
    )
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        number(n as f64, 0),
        if n == 1 { one } else { many }
    )
}

/// "23 % fewer" for a rate ratio of 0.77, "15 % more" for 1.15.
fn more_or_fewer(ratio: f64) -> String {
    let change = 100.0 * (ratio - 1.0);
    if change.round() == 0.0 {
        "about as many".to_string()
    } else if change < 0.0 {
        format!("{:.0} % fewer", -change)
    } else {
        format!("{change:.0} % more")
    }
}

/// A rate ratio as a signed change: "−23 %" for 0.77, "+9 %" for 1.09.
fn percent_change(ratio: f64) -> String {
    let change = (100.0 * (ratio - 1.0)).round();
    if change < 0.0 {
        format!("−{:.0} %", -change)
    } else if change > 0.0 {
        format!("+{change:.0} %")
    } else {
        "0 %".to_string()
    }
}

/// The interval of a rate ratio on one side of 1: "8 %–35 %" (of fewer, or of more).
fn interval_of_ratio(low: f64, high: f64) -> String {
    let (a, b) = if high < 1.0 {
        (100.0 * (1.0 - high), 100.0 * (1.0 - low))
    } else {
        (100.0 * (low - 1.0), 100.0 * (high - 1.0))
    };
    format!("{a:.0} %–{b:.0} %")
}

/// Any interval of a rate ratio in words: "30 % fewer to 9 % more".
fn range_of_ratio(low: f64, high: f64) -> String {
    format!("{} to {}", more_or_fewer(low), more_or_fewer(high))
}

fn higher_or_lower(r: f64) -> &'static str {
    if r < 0.0 { "lower" } else { "higher" }
}

/// "a strong", "a moderate", "a weak" or "a very weak".
fn strength(r: f64) -> &'static str {
    match r.abs() {
        a if a >= 0.5 => "a strong",
        a if a >= 0.3 => "a moderate",
        a if a >= 0.1 => "a weak",
        _ => "a very weak",
    }
}

/// A correlation with two decimals and a true minus.
pub fn signed2(r: f64) -> String {
    if r < 0.0 && format!("{:.2}", r.abs()) != "0.00" {
        format!("−{:.2}", r.abs())
    } else {
        format!("{:.2}", r.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{Sample, link};

    /// A link at `lag` with nothing estimated, to fill in.
    fn blank(outcome: Outcome, lag: u32) -> OutcomeLink {
        link(&Sample::default(), lag, outcome)
    }

    fn turnover(rr: f64, low: f64, high: f64, evidence: bool) -> OutcomeLink {
        let mut l = blank(Outcome::VoluntaryTurnover, 1);
        l.n = 52;
        l.teams = 7;
        l.correlation = Some(-0.3);
        l.ci_low = Some(-0.52);
        l.ci_high = Some(-0.03);
        l.rate_ratio_per_10_points = Some(rr);
        l.rate_ratio_ci_low = Some(low);
        l.rate_ratio_ci_high = Some(high);
        l.evidence = evidence;
        l.more_team_quarters_needed = (!evidence).then_some(64);
        l
    }

    #[test]
    fn evidence_about_leavers_reads_as_more_or_fewer_leavers_per_10_points() {
        // The example: 23 % fewer, interval 8 %–35 %.
        assert_eq!(
            verdict(&turnover(0.77, 0.65, 0.92, true)),
            "Teams whose favorability was 10 points higher had 23 % fewer voluntary leavers the \
             next quarter (95 % interval 8 %–35 %; 52 team-quarters, 7 teams) — an association, \
             not proof of cause."
        );
        let mut more = turnover(1.15, 1.03, 1.28, true);
        more.lag = 3;
        assert_eq!(
            verdict(&more),
            "Teams whose favorability was 10 points higher had 15 % more voluntary leavers three \
             quarters later (95 % interval 3 %–28 %; 52 team-quarters, 7 teams) — an \
             association, not proof of cause."
        );
        assert_eq!(
            across_teams(&turnover(0.77, 0.65, 0.92, true)),
            "−23 % leavers per 10 points (−35 % to −8 %)"
        );
    }

    #[test]
    fn without_evidence_a_link_says_so_and_what_would_be_needed() {
        assert_eq!(
            verdict(&turnover(0.88, 0.70, 1.09, false)),
            "Favorability and voluntary turnover the next quarter: not enough evidence yet (10 \
             points more favorability went with 12 % fewer voluntary leavers, but anywhere from \
             30 % fewer to 9 % more; 52 team-quarters, 7 teams). About 64 more team-quarters \
             would typically be needed to tell an association this strong from chance."
        );
        let mut absence = blank(Outcome::Absenteeism, 2);
        absence.n = 44;
        absence.teams = 7;
        absence.correlation = Some(-0.12);
        absence.ci_low = Some(-0.40);
        absence.ci_high = Some(0.18);
        absence.more_team_quarters_needed = Some(1_200);
        assert_eq!(
            verdict(&absence),
            "Favorability and absenteeism two quarters later: not enough evidence yet (r = \
             −0.12, 95 % interval −0.40 to 0.18; 44 team-quarters, 7 teams). Even 1,000 more \
             team-quarters would typically not be enough: there may be little or nothing to find."
        );
        let mut few = blank(Outcome::Csat, 1);
        few.n = 1;
        assert_eq!(
            verdict(&few),
            "Favorability and customer satisfaction the next quarter: not enough evidence yet. 1 \
             team-quarter has both figures; nothing is estimated from fewer than 20."
        );
        few.n = 30;
        assert_eq!(
            verdict(&few),
            "Favorability and customer satisfaction the next quarter: not enough evidence yet. \
             The figures of the 30 team-quarters do not vary enough to estimate anything."
        );
        assert_eq!(evidence(&few), "Not enough evidence yet");
        assert_eq!(across_teams(&few), "not estimated");
    }

    #[test]
    fn evidence_from_a_correlation_names_its_direction_and_strength() {
        let mut csat = blank(Outcome::Csat, 1);
        csat.n = 24;
        csat.teams = 3;
        csat.correlation = Some(0.42);
        csat.ci_low = Some(0.02);
        csat.ci_high = Some(0.71);
        csat.evidence = true;
        assert_eq!(
            verdict(&csat),
            "Teams with higher favorability had higher customer satisfaction the next quarter: \
             a moderate association (r = 0.42, 95 % interval 0.02 to 0.71; 24 team-quarters, 3 \
             teams) — an association, not proof of cause."
        );
        assert_eq!(across_teams(&csat), "r = 0.42 (0.02 to 0.71)");
    }

    fn absence_within(r: f64, low: f64, high: f64, evidence: bool, lag: u32) -> OutcomeLink {
        let mut l = blank(Outcome::Absenteeism, lag);
        l.within_team = WithinTeam {
            correlation: Some(r),
            ci_low: Some(low),
            ci_high: Some(high),
            n: 45,
            teams: 6,
            evidence,
            more_team_quarters_needed: (!evidence).then_some(30),
        };
        l
    }

    #[test]
    fn teams_like_yours_uses_the_within_team_estimate_and_the_teams_own_change() {
        let links = vec![
            blank(Outcome::VoluntaryTurnover, 1),
            absence_within(-0.1, -0.4, 0.2, false, 1),
            blank(Outcome::Csat, 1),
            absence_within(-0.37, -0.61, -0.07, true, 2),
        ];
        let favorability = Favorability {
            team: "Support",
            period: "2024-Q4",
            previous_period: "2024-Q3",
            now: Ok(68.0),
            before: Ok(64.0),
        };
        let like = like_yours(&favorability, &links);
        assert_eq!(
            like.trend,
            "Support's empathy favorability was 68.0 % in 2024-Q4, up 4.0 points on 2024-Q3."
        );
        assert_eq!(
            like.findings,
            [
                "When a team's favorability was above its own usual level, its absenteeism two \
              quarters later tended to be lower than usual: a moderate association within teams \
              (r = −0.37, 95 % interval −0.61 to −0.07; 45 team-quarters, 6 teams) — an \
              association, not proof of cause."
            ]
        );
        assert_eq!(
            like.implication.as_deref(),
            Some(
                "In teams here, a rise like Support's has tended to come before lower \
                 absenteeism two quarters later — a tendency across teams, not a forecast for \
                 Support."
            )
        );
        assert_eq!(
            like.pending,
            [
                "Within teams, favorability and voluntary turnover the next quarter: not enough \
                 evidence yet — 0 team-quarters of teams with two or more; nothing is estimated \
                 from fewer than 20.",
                "Within teams, favorability and customer satisfaction the next quarter: not \
                 enough evidence yet — 0 team-quarters of teams with two or more; nothing is \
                 estimated from fewer than 20.",
            ]
        );
    }

    #[test]
    fn a_hidden_favorability_is_never_shown_or_used_by_teams_like_yours() {
        let links = vec![absence_within(-0.37, -0.61, -0.07, true, 1)];
        let favorability = Favorability {
            team: "Support",
            period: "2024-Q4",
            previous_period: "2024-Q3",
            now: Err("not enough responses"),
            before: Ok(64.0),
        };
        let like = like_yours(&favorability, &links);
        assert_eq!(
            like.trend,
            "Support's empathy favorability is not shown for 2024-Q4: not enough responses."
        );
        assert_eq!(like.implication, None, "no change to speak of");
        assert_eq!(
            like.findings.len(),
            1,
            "the organization's pattern still shows"
        );
        assert!(!like.trend.contains("64"));
    }
}
