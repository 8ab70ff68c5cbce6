//! The summary's figures as CSV: one row per scope (the organization, then each team) and
//! metric, with the value, the previous quarter's and the same quarter a year earlier, unrounded.
//! Team names come from imported files: every cell is escaped for spreadsheets
//! (`present::spreadsheet`).

use crate::present::Missing;
use crate::present::spreadsheet::escape;
use crate::report::Report;
use crate::scoring::{self, Metric, Scored};

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
    writer.into_inner().unwrap_or_default()
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
