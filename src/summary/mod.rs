//! The executive's quarterly summary: one quarter of the whole organization, readable in two
//! minutes — the empathy index and its parts, the fundamentals with their eight-quarter trends,
//! the strongest and most improved teams, what turnover cost, the outcome links and the teams
//! that need attention, in plain sentences.
//!
//! `build` computes it once from the reports (`report::build_many`); the web page, the PDF
//! (`pdf`), the CSV export (`csv`) and `attune report --format html` all show this one value,
//! so every format says the same thing.

pub mod csv;
pub mod pdf;

use sqlx::PgConnection;

use crate::db;
use crate::period::{Granularity, Period};
use crate::present::chart::{self, BarList, LineChart, Scale};
use crate::present::{self, Missing, labels};
use crate::report::{self, Comparison, Report, ReportError, Scope};
use crate::scoring::{self, Metric, Scored, Unit};

/// How many quarters the trends cover.
pub const TREND_QUARTERS: usize = 8;
/// How many teams the "strongest" and "most improved" lists name.
const PODIUM: usize = 3;
/// A team needs attention when its empathy index fell by at least this many points…
const INDEX_DROP: f64 = 10.0;
/// …or when its favorability is this many points or more below the organization's…
const FAVORABILITY_GAP: f64 = 10.0;
/// …or when its voluntary turnover is at least this many times the organization's…
const VOLUNTARY_MULTIPLE: f64 = 2.0;
/// …with at least this many voluntary leavers (one leaver in a small team is not a pattern).
const VOLUNTARY_LEAVERS: f64 = 2.0;

/// What puts a team on the attention list, in the order its reasons are given: the first
/// reason's metric gives the suggested next step (`present::playbook::next_step`).
pub const ATTENTION_METRICS: [Metric; 3] = [
    Metric::EmpathyIndex,
    Metric::VoluntaryTurnoverRate,
    Metric::EmpathyFavorability,
];

/// The fundamentals the summary shows, in order.
const FUNDAMENTALS: [Metric; 7] = [
    Metric::HeadcountEnd,
    Metric::TurnoverRate,
    Metric::VoluntaryTurnoverRate,
    Metric::AbsenteeismRate,
    Metric::PromotionRate,
    Metric::Csat,
    Metric::EmpathyFavorability,
];

/// Why there is no summary.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("the quarterly summary covers a quarter such as 2025-Q1, not \"{0}\"")]
    NotAQuarter(String),
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// The summary of one quarter, every figure ready to show.
#[derive(Debug, Clone)]
pub struct Summary {
    pub period: Period,
    /// "1 Jan 2025 – 31 Mar 2025".
    pub dates: String,
    pub previous_period: Period,
    pub year_earlier_period: Period,
    /// Whether any employee data exists (otherwise: say what to import).
    pub has_data: bool,
    /// The organization's currency (an ISO code such as `EUR`).
    pub currency: String,
    pub min_group_size: i64,
    /// The plain sentences at the top: the two-minute read.
    pub headlines: Vec<String>,
    pub index: IndexFigure,
    pub fundamentals: Vec<Figure>,
    /// Every team, strongest first (by empathy index; teams without one last, by name).
    pub teams: Vec<TeamRow>,
    /// The teams with an index, as bars.
    pub team_chart: Option<BarList>,
    /// The strongest teams (by empathy index) and the most improved, at most three each.
    pub strongest: Vec<Podium>,
    pub most_improved: Vec<Podium>,
    pub cost: Cost,
    pub links: Links,
    pub attention: Vec<Attention>,
    /// The labels of the trend quarters, oldest first.
    pub quarters: Vec<String>,
    /// The report of the quarter itself, for the CSV export.
    pub report: Report,
    /// Whether team names link to their pages: on the web page, not in a file or an e-mail.
    pub team_links: bool,
}

/// The organization's empathy index with its parts and trend.
#[derive(Debug, Clone)]
pub struct IndexFigure {
    pub value: String,
    pub raw: Option<f64>,
    /// "+1.8 points vs 2024-Q4", or why there is no comparison.
    pub vs_previous: String,
    pub vs_year_earlier: String,
    pub parts: Vec<IndexPart>,
    pub trend: Vec<String>,
    pub chart: LineChart,
}

/// One part of the index: its label, score and share of the weight.
#[derive(Debug, Clone)]
pub struct IndexPart {
    pub label: &'static str,
    pub score: String,
    pub weight: String,
}

/// One fundamental of the organization, with its comparisons and trend.
#[derive(Debug, Clone)]
pub struct Figure {
    pub key: &'static str,
    pub label: &'static str,
    pub definition: &'static str,
    pub value: String,
    pub previous: String,
    pub year_earlier: String,
    /// "better", "worse", "same" or "" (no direction or no comparison).
    pub change_class: &'static str,
    /// "+0.4 points vs 2024-Q4 (worse)".
    pub change: String,
    /// The same under a heading that names the comparison: "+0.4 points, worse"; "–" when
    /// there is nothing to compare.
    pub change_short: String,
    pub trend: Vec<String>,
    pub chart: LineChart,
}

/// One team in the summary's table.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub name: String,
    pub index: String,
    pub index_raw: Option<f64>,
    pub index_change: String,
    pub index_change_raw: Option<f64>,
    pub headcount: String,
    pub leavers: String,
    pub turnover: String,
    pub voluntary: String,
    pub favorability: String,
    pub turnover_cost: String,
}

/// What turnover cost.
#[derive(Debug, Clone)]
pub struct Cost {
    pub total: String,
    /// None where withheld from the reader.
    pub raw: Option<f64>,
    pub leavers: i64,
    pub unpriced: i64,
    pub previous: String,
    pub factor: String,
    pub sentence: String,
    pub unpriced_sentence: Option<String>,
}

/// The outcome links: a sentence for each outcome with evidence, every link in a table.
#[derive(Debug, Clone)]
pub struct Links {
    /// One sentence per outcome with evidence (at its shortest lag with evidence), or one
    /// sentence saying there is none yet.
    pub findings: Vec<String>,
    /// Every outcome at every lag, lag by lag.
    pub rows: Vec<LinkRow>,
    /// What a team-quarter is, what counts and what an association is not.
    pub caveats: String,
}

/// One outcome at one lag, ready to show.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub outcome: &'static str,
    pub lag: u32,
    /// "Voluntary turnover".
    pub label: String,
    /// "the next quarter", "two quarters later"…
    pub when: String,
    /// The association across teams, with its interval.
    pub across: String,
    /// The within-team association, with its interval.
    pub within: String,
    /// "46 (7 teams)".
    pub basis: String,
    pub evidence: bool,
    /// "Evidence" or "Not enough evidence yet".
    pub evidence_label: &'static str,
    /// The verdict in full.
    pub verdict: String,
}

/// A team named among the strongest or most improved: its name (for its page's link) and how
/// it reads, e.g. "Beta (75.0)".
#[derive(Debug, Clone)]
pub struct Podium {
    pub team: String,
    pub label: String,
}

/// The labels of a podium, joined with commas.
pub fn podium_text(podium: &[Podium]) -> String {
    podium
        .iter()
        .map(|p| p.label.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A team that needs attention, why, and what to do next.
#[derive(Debug, Clone)]
pub struct Attention {
    pub team: String,
    pub reasons: Vec<String>,
    /// The playbook's next step for executives, for the first reason.
    pub next_step: &'static str,
}

/// The summary of `period` (a quarter), with trends over the eight quarters up to it, as HR
/// sees it (every figure).
pub async fn build(conn: &mut PgConnection, period: Period) -> Result<Summary, SummaryError> {
    build_for(conn, period, |_| {}).await
}

/// The summary of `period` with `redact` applied to every report first (what its reader may
/// see: `web::redact`).
pub async fn build_for(
    conn: &mut PgConnection,
    period: Period,
    redact: impl FnOnce(&mut [Report]),
) -> Result<Summary, SummaryError> {
    let quarters = trend_quarters(period)?;
    let mut reports = report::build_many(conn, &quarters, None).await?;
    redact(&mut reports);
    complete(conn, period, reports).await
}

/// The quarters whose reports the summary of `period` is made from, oldest first.
pub fn trend_quarters(period: Period) -> Result<Vec<Period>, SummaryError> {
    if period.granularity() != Granularity::Quarter {
        return Err(SummaryError::NotAQuarter(period.to_string()));
    }
    Ok(period.trailing(TREND_QUARTERS))
}

/// The summary of `period` from the (redacted) reports of its `trend_quarters`, in the
/// organization's currency.
pub async fn complete(
    conn: &mut PgConnection,
    period: Period,
    reports: Vec<Report>,
) -> Result<Summary, SummaryError> {
    let currency = db::settings::currency(conn)
        .await
        .map_err(ReportError::from)?;
    Ok(assemble(period, reports, currency))
}

/// The summary from the reports of the trend quarters (oldest first, the quarter itself last).
pub fn assemble(period: Period, reports: Vec<Report>, currency: String) -> Summary {
    let current = reports
        .last()
        .expect("the trend includes the quarter")
        .clone();
    let cost_factor = current.settings.turnover_cost_factor;
    let labels: Vec<String> = reports.iter().map(|r| r.period.to_string()).collect();
    let org = &current.org;
    let has_data = !current.teams.is_empty();

    let index = index_figure(&reports, org);
    let fundamentals: Vec<Figure> = FUNDAMENTALS
        .iter()
        .map(|&metric| figure(metric, &reports, &labels))
        .collect();

    let mut teams: Vec<TeamRow> = current
        .teams
        .iter()
        .filter(|(_, scope)| scope.fundamentals.headcount_avg > 0.0)
        .map(|(name, scope)| team_row(name, scope, &currency))
        .collect();
    teams.sort_by(|a, b| {
        b.index_raw
            .partial_cmp(&a.index_raw)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    let with_index: Vec<(String, f64)> = teams
        .iter()
        .filter_map(|t| t.index_raw.map(|v| (t.name.clone(), v)))
        .collect();
    let team_chart = (!with_index.is_empty()).then(|| chart::bar_list(&with_index));
    let strongest: Vec<Podium> = with_index
        .iter()
        .take(PODIUM)
        .map(|(name, value)| Podium {
            team: name.clone(),
            label: format!("{name} ({value:.1})"),
        })
        .collect();
    let mut risers: Vec<&TeamRow> = teams
        .iter()
        .filter(|t| t.index_change_raw.is_some_and(|c| c > 0.05))
        .collect();
    risers.sort_by(|a, b| {
        b.index_change_raw
            .partial_cmp(&a.index_change_raw)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let most_improved: Vec<Podium> = risers
        .iter()
        .take(PODIUM)
        .map(|t| Podium {
            team: t.name.clone(),
            label: format!("{} ({} points)", t.name, t.index_change),
        })
        .collect();

    let cost = cost(org, &currency, cost_factor, period);
    let links = links(&current.outcome_links);
    let attention = attention(&current);
    let headlines = headlines(
        period,
        org,
        &index,
        &cost,
        &strongest,
        &most_improved,
        &attention,
    );

    Summary {
        period,
        dates: format!(
            "{} – {}",
            present::day(current.start),
            present::day(current.end)
        ),
        previous_period: period.previous(),
        year_earlier_period: period.year_earlier(),
        has_data,
        currency,
        min_group_size: current.min_group_size,
        headlines,
        index,
        fundamentals,
        teams,
        team_chart,
        strongest,
        most_improved,
        cost,
        links,
        attention,
        quarters: labels,
        report: current,
        team_links: false,
    }
}

fn index_figure(reports: &[Report], org: &Scope) -> IndexFigure {
    let raw = org.advanced.empathy_index;
    let series: Vec<Option<f64>> = reports
        .iter()
        .map(|r| r.org.advanced.empathy_index)
        .collect();
    let labels: Vec<String> = reports.iter().map(|r| r.period.to_string()).collect();
    let total_weight: f64 = org.empathy_index_parts.iter().map(|p| p.weight).sum();
    let info = Metric::EmpathyIndex.info();
    IndexFigure {
        value: present::show(org, info, ""),
        raw,
        vs_previous: points_change(raw, &org.previous),
        vs_year_earlier: points_change(raw, &org.year_earlier),
        parts: org
            .empathy_index_parts
            .iter()
            .map(|p| IndexPart {
                label: labels::empathy_part(p.part),
                score: present::score(Some(p.score)),
                weight: format!("{:.0} %", 100.0 * p.weight / total_weight),
            })
            .collect(),
        trend: reports
            .iter()
            .map(|r| present::show(&r.org, info, ""))
            .collect(),
        chart: chart::line_chart(&chart::SUMMARY, &labels, Scale::Hundred, &series, None),
    }
}

fn points_change(now: Option<f64>, then: &Comparison) -> String {
    match (now, then.advanced.empathy_index) {
        (Some(now), Some(before)) => {
            format!(
                "{} points vs {}",
                present::signed(now - before),
                then.period
            )
        }
        _ => format!("no index for {} to compare with", then.period),
    }
}

fn figure(metric: Metric, reports: &[Report], labels: &[String]) -> Figure {
    let info = metric.info();
    let org = &reports.last().expect("one report at least").org;
    let now = org.get(metric);
    let previous = org.previous.get(metric);
    let series: Vec<Option<f64>> = reports.iter().map(|r| r.org.get(metric)).collect();
    let trend = reports
        .iter()
        .map(|r| present::show(&r.org, info, ""))
        .collect();
    let (change, change_short, change_class) = match (now, previous) {
        (Some(now), Some(before)) => {
            let delta = now - before;
            let unit = match info.unit {
                Unit::Percent => " points",
                _ => "",
            };
            let class = if delta.abs() < 0.05 {
                "same"
            } else {
                match (info.direction, delta > 0.0) {
                    (scoring::Direction::HigherIsBetter, true)
                    | (scoring::Direction::LowerIsBetter, false) => "better",
                    (scoring::Direction::Neutral, _) => "",
                    _ => "worse",
                }
            };
            let verdict = match class {
                "better" => "better",
                "worse" => "worse",
                _ => "",
            };
            let amount = if info.unit == Unit::Count {
                let d = delta.round();
                if d > 0.0 {
                    format!("+{}", present::number(d, 0))
                } else {
                    present::number(d, 0)
                }
            } else {
                present::signed(delta)
            };
            let (long, short) = if verdict.is_empty() {
                (String::new(), String::new())
            } else {
                (format!(" ({verdict})"), format!(", {verdict}"))
            };
            (
                format!("{amount}{unit} vs {}{long}", org.previous.period),
                format!("{amount}{unit}{short}"),
                class,
            )
        }
        _ => (
            format!("no figure for {} to compare", org.previous.period),
            Missing::NoFigure.words().to_string(),
            "",
        ),
    };
    let scale = match info.unit {
        Unit::Percent => Scale::Auto(" %"),
        _ => Scale::Auto(""),
    };
    Figure {
        key: metric.key(),
        label: info.label,
        definition: info.definition,
        value: present::show(org, info, ""),
        previous: present::show(&org.previous, info, ""),
        year_earlier: present::show(&org.year_earlier, info, ""),
        change_class,
        change,
        change_short,
        trend,
        chart: chart::line_chart(&chart::SUMMARY, labels, scale, &series, None),
    }
}

fn team_row(name: &str, scope: &Scope, currency: &str) -> TeamRow {
    let f = &scope.fundamentals;
    let index = scope.advanced.empathy_index;
    let change = index
        .zip(scope.previous.advanced.empathy_index)
        .map(|(now, before)| now - before);
    TeamRow {
        name: name.to_string(),
        index: present::show(scope, Metric::EmpathyIndex.info(), ""),
        index_raw: index,
        index_change: change.map_or(Missing::NoFigure.words().to_string(), present::signed),
        index_change_raw: change,
        headcount: present::number(f.headcount_end as f64, 0),
        leavers: present::number(f.separations as f64, 0),
        turnover: present::show(scope, Metric::TurnoverRate.info(), ""),
        voluntary: present::show(scope, Metric::VoluntaryTurnoverRate.info(), ""),
        favorability: present::show(scope, Metric::EmpathyFavorability.info(), ""),
        turnover_cost: present::show(scope, Metric::TurnoverCost.info(), currency),
    }
}

fn cost(org: &Scope, currency: &str, factor: f64, period: Period) -> Cost {
    let i = &org.intermediate;
    let leavers = org.fundamentals.separations;
    let cost_info = Metric::TurnoverCost.info();
    let total = present::show(org, cost_info, currency);
    let previous = present::show(&org.previous, cost_info, currency);
    let people = |n: i64| if n == 1 { "person" } else { "people" };
    let sentence = if leavers == 0 {
        format!("Nobody left in {period}, so turnover cost nothing.")
    } else if i.turnover_cost.is_none() {
        format!(
            "{} {} left in {period}; what replacing them costs is not shown ({total}).",
            present::number(leavers as f64, 0),
            people(leavers),
        )
    } else {
        format!(
            "Replacing the {} {} who left in {period} costs an estimated {total} \
             ({factor} × their annual salaries; {previous} in {}).",
            present::number(leavers as f64, 0),
            people(leavers),
            org.previous.period,
        )
    };
    let unpriced = i.turnover_cost_unpriced;
    Cost {
        total,
        raw: i.turnover_cost,
        leavers,
        unpriced,
        previous,
        factor: format!("{factor}"),
        sentence,
        unpriced_sentence: (unpriced > 0).then(|| {
            format!(
                "{} {} without a salary on record {} not counted: the real cost is higher.",
                present::number(unpriced as f64, 0),
                if unpriced == 1 { "leaver" } else { "leavers" },
                if unpriced == 1 { "is" } else { "are" },
            )
        }),
    }
}

/// The outcome links as the summary shows them.
pub fn links(links: &[scoring::OutcomeLink]) -> Links {
    let mut findings: Vec<String> = scoring::Outcome::ALL
        .iter()
        .filter_map(|&outcome| {
            links
                .iter()
                .filter(|l| l.outcome() == outcome && l.evidence)
                .min_by_key(|l| l.lag)
                .map(present::links::verdict)
        })
        .collect();
    if findings.is_empty() {
        findings.push(
            "No outcome link shows evidence yet: the table says what each one would need."
                .to_string(),
        );
    }
    let rows = links
        .iter()
        .map(|l| {
            let label = present::links::outcome_label(l.outcome());
            let mut chars = label.chars();
            LinkRow {
                outcome: l.outcome,
                lag: l.lag,
                label: chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default(),
                when: present::links::when(l.lag),
                across: present::links::across_teams(l),
                within: present::links::within_teams(l),
                basis: format!(
                    "{} ({} {})",
                    present::number(l.n as f64, 0),
                    present::number(l.teams as f64, 0),
                    if l.teams == 1 { "team" } else { "teams" }
                ),
                evidence: l.evidence,
                evidence_label: present::links::evidence(l),
                verdict: present::links::verdict(l),
            }
        })
        .collect();
    Links {
        findings,
        rows,
        caveats: present::links::caveats(),
    }
}

fn attention(report: &Report) -> Vec<Attention> {
    let org = &report.org.fundamentals;
    let org_favorability = if report.org.is_suppressed(Metric::EmpathyFavorability) {
        None
    } else {
        org.empathy_favorability
    };
    report
        .teams
        .iter()
        .filter(|(_, scope)| scope.fundamentals.headcount_avg > 0.0)
        .filter_map(|(name, scope)| {
            let f = &scope.fundamentals;
            let mut reasons = Vec::new();
            let mut first = None;
            if let (Some(now), Some(before)) = (
                scope.advanced.empathy_index,
                scope.previous.advanced.empathy_index,
            ) && before - now >= INDEX_DROP
            {
                first.get_or_insert(Metric::EmpathyIndex);
                reasons.push(format!(
                    "its empathy index fell {:.1} points, from {:.1} to {:.1}",
                    before - now,
                    before,
                    now
                ));
            }
            if let (Some(team), Some(all)) =
                (f.voluntary_turnover_rate, org.voluntary_turnover_rate)
                && team * f.headcount_avg / 100.0 >= VOLUNTARY_LEAVERS - 0.01
                && team >= VOLUNTARY_MULTIPLE * all
            {
                first.get_or_insert(Metric::VoluntaryTurnoverRate);
                reasons.push(format!(
                    "voluntary turnover was {} against {} for the organization",
                    present::percent(Some(team)),
                    present::percent(Some(all))
                ));
            }
            if !scope.is_suppressed(Metric::EmpathyFavorability)
                && let (Some(team), Some(all)) = (f.empathy_favorability, org_favorability)
                && all - team >= FAVORABILITY_GAP
            {
                first.get_or_insert(Metric::EmpathyFavorability);
                reasons.push(format!(
                    "empathy favorability was {} against {} for the organization",
                    present::percent(Some(team)),
                    present::percent(Some(all))
                ));
            }
            // No reason, no attention. Every reason has a next step (a unit test checks).
            let first = first?;
            Some(Attention {
                team: name.clone(),
                reasons,
                next_step: present::playbook::next_step(first).unwrap_or_default(),
            })
        })
        .collect()
}

/// The rule the attention list follows, as the page explains it.
pub fn attention_rule() -> String {
    format!(
        "A team is listed when its empathy index fell by {INDEX_DROP:.0} points or more since the \
         previous quarter, its voluntary turnover was at least {VOLUNTARY_MULTIPLE:.0} times the \
         organization's (with {VOLUNTARY_LEAVERS:.0} voluntary leavers or more), or its empathy favorability was {FAVORABILITY_GAP:.0} points or more \
         below the organization's."
    )
}

fn headlines(
    period: Period,
    org: &Scope,
    index: &IndexFigure,
    cost: &Cost,
    strongest: &[Podium],
    most_improved: &[Podium],
    attention: &[Attention],
) -> Vec<String> {
    let f = &org.fundamentals;
    let mut out = Vec::new();
    out.push(match index.raw {
        Some(v) => format!(
            "In {period} the organization's empathy index was {v:.1} out of 100: {}, and {}.",
            index.vs_previous, index.vs_year_earlier
        ),
        None if index.parts.is_empty() => format!(
            "The empathy index cannot be computed for {period}: it is made of pulse survey, \
             absence, promotion and customer satisfaction figures, and HR has imported none of \
             them for the quarter."
        ),
        None => format!(
            "The organization's empathy index for {period}: {}. It is computed only when \
             empathy favorability is known and the parts known carry at least half of its \
             weight.",
            index.value
        ),
    });
    out.push(format!(
        "{} people worked here at the end of the quarter; {} left, a turnover of {} ({} voluntary).",
        present::number(f.headcount_end as f64, 0),
        present::number(f.separations as f64, 0),
        present::percent(f.turnover_rate),
        present::percent(f.voluntary_turnover_rate),
    ));
    out.push(cost.sentence.clone());
    if !strongest.is_empty() {
        let mut line = format!("Strongest teams: {}.", podium_text(strongest));
        if !most_improved.is_empty() {
            line.push_str(&format!(" Most improved: {}.", podium_text(most_improved)));
        }
        out.push(line);
    }
    out.push(match attention.len() {
        0 => "No team needs particular attention this quarter.".to_string(),
        1 => format!("1 team needs attention: {}.", attention[0].team),
        n => format!(
            "{n} teams need attention: {}.",
            attention
                .iter()
                .map(|a| a.team.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome_link(outcome: &str, lag: u32) -> scoring::OutcomeLink {
        let outcome = scoring::Outcome::from_key(outcome).unwrap();
        scoring::link(&scoring::Sample::default(), lag, outcome)
    }

    #[test]
    fn without_evidence_the_summary_says_so_and_lists_every_link() {
        let all: Vec<scoring::OutcomeLink> = scoring::LAGS
            .iter()
            .flat_map(|&lag| {
                ["voluntary_turnover_rate", "absenteeism_rate", "csat"]
                    .map(|o| outcome_link(o, lag))
            })
            .collect();
        let links = links(&all);
        assert_eq!(
            links.findings,
            ["No outcome link shows evidence yet: the table says what each one would need."]
        );
        assert_eq!(links.rows.len(), 9);
        let first = &links.rows[0];
        assert_eq!(
            (
                first.label.as_str(),
                first.when.as_str(),
                first.basis.as_str()
            ),
            ("Voluntary turnover", "the next quarter", "0 (0 teams)")
        );
        assert_eq!(first.evidence_label, "Not enough evidence yet");
        assert_eq!(
            first.verdict,
            "Favorability and voluntary turnover the next quarter: not enough evidence yet. 0 \
             team-quarters have both figures; nothing is estimated from fewer than 20."
        );
    }

    #[test]
    fn each_outcome_with_evidence_gets_one_sentence_at_its_shortest_lag() {
        let mut all: Vec<scoring::OutcomeLink> = scoring::LAGS
            .iter()
            .flat_map(|&lag| {
                ["voluntary_turnover_rate", "absenteeism_rate", "csat"]
                    .map(|o| outcome_link(o, lag))
            })
            .collect();
        // Absenteeism at lags 2 and 3.
        for l in all
            .iter_mut()
            .filter(|l| l.outcome == "absenteeism_rate" && l.lag > 1)
        {
            l.n = 40;
            l.teams = 7;
            l.correlation = Some(-0.45 - 0.1 * l.lag as f64);
            l.ci_low = Some(-0.7);
            l.ci_high = Some(-0.2);
            l.evidence = true;
        }
        let links = links(&all);
        assert_eq!(
            links.findings,
            [
                "Teams with higher favorability had lower absenteeism two quarters later: a strong \
              association (r = −0.65, 95 % interval −0.70 to −0.20; 40 team-quarters, 7 teams) \
              — an association, not proof of cause."
            ]
        );
        assert_eq!(links.rows[4].across, "r = −0.65 (−0.70 to −0.20)");
        assert!(links.rows[4].evidence);
    }
}
