//! The summary's figures as CSV: one row per scope (the organization, then each team) and
//! metric, with the value, the previous quarter's and the same quarter a year earlier, unrounded;
//! then the outcome links, one row per estimate (scope `Outcome links`, metric
//! `<outcome>.lag<n>.<key>` as in the report's JSON, the comparison columns empty).
//! Team names come from imported files: every cell is escaped for spreadsheets
//! (`present::spreadsheet`).

use crate::present::spreadsheet::escape;
use crate::present::{self, Missing};
use crate::report::Report;
use crate::scoring::{self, Metric, Outcome, OutcomeLink, Scored};

/// The scope column of the outcome links' rows.
pub const LINKS_SCOPE: &str = "Outcome links";

/// The header row.
pub const HEADER: [&str; 6] = [
    "scope",
    "metric",
    "label",
    "value",
    "previous",
    "year_earlier",
];

/// The report as CSV bytes.
pub fn render(report: &Report) -> Vec<u8> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    write_row(&mut writer, HEADER.map(String::from));
    let scopes = std::iter::once(("Organization", &report.org)).chain(
        report
            .teams
            .iter()
            .map(|(name, scope)| (name.as_str(), scope)),
    );
    for (name, scope) in scopes {
        for metric in scoring::catalogue() {
            write_row(
                &mut writer,
                [
                    name.to_string(),
                    metric.key.to_string(),
                    metric.label.to_string(),
                    cell(scope, metric.metric),
                    cell(&scope.previous, metric.metric),
                    cell(&scope.year_earlier, metric.metric),
                ],
            );
        }
    }
    for link in &report.outcome_links {
        let title = present::links::title(link);
        for (key, label, value) in link_cells(link) {
            write_row(
                &mut writer,
                [
                    LINKS_SCOPE.to_string(),
                    format!("{}.lag{}.{key}", link.outcome, link.lag),
                    format!("{title}: {label}"),
                    value,
                    String::new(),
                    String::new(),
                ],
            );
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// The estimates of one link: key, label and value (empty when not estimated).
fn link_cells(link: &OutcomeLink) -> Vec<(&'static str, &'static str, String)> {
    let number = |value: Option<f64>| value.map_or_else(String::new, |v| v.to_string());
    let w = &link.within_team;
    let mut cells = vec![
        (
            "correlation",
            "correlation across teams (r)",
            number(link.correlation),
        ),
        ("ci_low", "its 95 % interval, from", number(link.ci_low)),
        ("ci_high", "its 95 % interval, to", number(link.ci_high)),
        ("n", "team-quarters", link.n.to_string()),
        ("teams", "teams", link.teams.to_string()),
        (
            "within_team.correlation",
            "correlation within teams (r)",
            number(w.correlation),
        ),
        (
            "within_team.ci_low",
            "its 95 % interval, from",
            number(w.ci_low),
        ),
        (
            "within_team.ci_high",
            "its 95 % interval, to",
            number(w.ci_high),
        ),
        (
            "within_team.n",
            "team-quarters within teams",
            w.n.to_string(),
        ),
    ];
    if link.outcome() == Outcome::VoluntaryTurnover {
        cells.extend([
            (
                "rate_ratio_per_10_points",
                "voluntary leavers for 10 points more favorability (rate ratio)",
                number(link.rate_ratio_per_10_points),
            ),
            (
                "rate_ratio_ci_low",
                "its 95 % interval, from",
                number(link.rate_ratio_ci_low),
            ),
            (
                "rate_ratio_ci_high",
                "its 95 % interval, to",
                number(link.rate_ratio_ci_high),
            ),
        ]);
    }
    cells.extend([
        ("evidence", "evidence", link.evidence.to_string()),
        (
            "more_team_quarters_needed",
            "more team-quarters typically needed",
            link.more_team_quarters_needed
                .map_or_else(String::new, |m| m.to_string()),
        ),
        ("verdict", "verdict", present::links::verdict(link)),
    ]);
    cells
}

fn write_row(writer: &mut ::csv::Writer<Vec<u8>>, cells: [String; 6]) {
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(cells.iter().map(|cell| escape(cell)));
}

/// The value unrounded, or why there is none.
fn cell(scope: &impl Scored, metric: Metric) -> String {
    match (Missing::of(scope, metric), scope.get(metric)) {
        (None, Some(value)) => value.to_string(),
        (missing, _) => missing.unwrap_or(Missing::NoFigure).cell().to_string(),
    }
}
