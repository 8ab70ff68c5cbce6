//! The summary's figures as CSV: one row per scope (the organization, then each team) and
//! metric, with the value, the previous quarter's and the same quarter a year earlier, unrounded.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some read a leading tab
//! or carriage return the same way) as a formula. Team names come from imported files, so every
//! text cell starting with one of those is prefixed with a single quote; numbers we wrote
//! ourselves (such as `-2.5`) are left as numbers.

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

/// What a withheld survey figure says in the CSV.
const WITHHELD: &str = "not enough responses";

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

fn cell(scope: &impl Scored, metric: Metric) -> String {
    if scope.is_suppressed(metric) {
        return WITHHELD.to_string();
    }
    number(scope.get(metric))
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// A cell a spreadsheet will show as text, never run: formula starters get a leading `'`.
pub fn escape(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_quoted() {
        assert_eq!(escape("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape("+cmd"), "'+cmd");
        assert_eq!(escape("-1+2"), "'-1+2");
        assert_eq!(escape("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape("\tTab"), "'\tTab");
        assert_eq!(escape("\rCR"), "'\rCR");
    }

    #[test]
    fn plain_text_and_negative_numbers_are_left_alone() {
        assert_eq!(escape("Engineering"), "Engineering");
        assert_eq!(escape("-2.5"), "-2.5");
        assert_eq!(escape("a=b"), "a=b");
        assert_eq!(escape(""), "");
    }
}
