//! Importing CSV exports: read the file, map its columns, validate every row, then write it all
//! in one transaction — or nothing at all.
//!
//! The flow is the same for the CLI, the web page and the API: [`prepare`] reads and validates
//! (that is the dry run's preview); [`commit`] writes a prepared file.

pub mod columns;
pub mod dates;
pub mod employees;
pub mod reader;

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::db;
use crate::db::employees::NewEmployee;
use columns::{Column, Mapping};
use dates::{DateOrder, Evidence};
use reader::{Row, Table};

/// The kinds of data Attune imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The roster: one row per employee (HRIS export).
    Employees,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Employees => "employees",
        }
    }

    fn columns(self) -> &'static [Column] {
        match self {
            Kind::Employees => employees::COLUMNS,
        }
    }

    /// The columns holding dates.
    fn date_columns(self) -> &'static [&'static str] {
        match self {
            Kind::Employees => &["hire_date", "termination_date"],
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Import the valid rows and report the rest, instead of rejecting the whole file.
    pub skip_invalid: bool,
    /// The order of day and month in a/b/y dates, when the data does not tell.
    pub date_order: Option<DateOrder>,
}

/// A problem with one row: its line (header = line 1), the column and value, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.column, &self.value) {
            (Some(column), Some(value)) => {
                write!(
                    f,
                    "line {}, {column} \"{value}\": {}",
                    self.line, self.message
                )
            }
            (Some(column), None) => write!(f, "line {}, {column}: {}", self.line, self.message),
            _ => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why a whole file cannot be imported, before any row is looked at.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Unreadable(#[from] reader::ReadError),
    #[error("line 1: missing required column{} {} (the header has: {found})",
        if .missing.len() == 1 { "" } else { "s" }, .missing.join(", "))]
    MissingColumns {
        missing: Vec<&'static str>,
        found: String,
    },
    #[error("the dates in column{} {} could be day/month/year or month/day/year; \
             say which with --date-format dmy or --date-format mdy",
        if .columns.len() == 1 { "" } else { "s" }, .columns.join(", "))]
    AmbiguousDates { columns: Vec<String> },
    #[error(
        "column {column} mixes day/month/year and month/day/year dates \
             (e.g. line {day_first_line} and line {month_first_line}); use one form"
    )]
    MixedDates {
        column: String,
        day_first_line: u64,
        month_first_line: u64,
    },
}

/// At most this many row errors are listed; the total is always given.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// A read and validated file: what a dry run shows, and what [`commit`] writes.
#[derive(Debug, Clone, Serialize)]
pub struct Prepared {
    pub kind: Kind,
    pub file_name: String,
    pub content_hash: String,
    pub encoding: &'static str,
    pub delimiter: &'static str,
    /// (canonical column, header as written in the file).
    pub columns: Vec<(&'static str, String)>,
    pub ignored_columns: Vec<String>,
    /// The order used for a/b/y dates, per column where it mattered.
    pub date_orders: Vec<(&'static str, &'static str)>,
    pub rows_total: usize,
    pub rows_valid: usize,
    /// The first rows as they will be stored.
    pub sample: Vec<Vec<(&'static str, String)>>,
    /// The first [`MAX_LISTED_ERRORS`] row errors, in line order.
    pub errors: Vec<RowError>,
    pub errors_total: usize,
    #[serde(skip)]
    records: Records,
}

#[derive(Debug, Clone)]
enum Records {
    Employees(Vec<NewEmployee>),
}

/// What happened to a file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Written; `rows_written` counts rows that changed something.
    Imported {
        import_id: i64,
        rows_imported: usize,
        rows_skipped: usize,
        rows_written: u64,
    },
    /// The same content was imported before: nothing changed.
    AlreadyImported { import_id: i64 },
    /// The file had invalid rows and --skip-invalid was not given: nothing was written.
    Rejected,
}

/// Read and validate a file; write nothing.
pub fn prepare(
    kind: Kind,
    file_name: &str,
    bytes: &[u8],
    options: Options,
) -> Result<Prepared, FileError> {
    let content_hash = hex::encode(Sha256::digest(bytes));
    let table = reader::read(bytes)?;
    let mapping = columns::map(kind.columns(), &table.headers).map_err(|missing| {
        FileError::MissingColumns {
            missing,
            found: table.headers.join(", "),
        }
    })?;
    let orders = date_orders(kind, &table, &mapping, options.date_order)?;
    let decimal_comma = table.delimiter != b',';

    let mut errors = Vec::new();
    let mut records = match kind {
        Kind::Employees => Records::Employees(Vec::new()),
    };
    let mut seen = HashMap::new();
    for row in &table.rows {
        let mut cells = Cells {
            row,
            mapping: &mapping,
            orders: &orders,
            decimal_comma,
            errors: Vec::new(),
        };
        match &mut records {
            Records::Employees(list) => {
                if let Some(employee) = employees::read_row(&mut cells, &mut seen) {
                    list.push(employee);
                }
            }
        }
        errors.extend(cells.errors);
    }
    let (rows_valid, sample) = match &records {
        Records::Employees(list) => (
            list.len(),
            list.iter()
                .take(10)
                .map(employees::preview_fields)
                .collect(),
        ),
    };
    let errors_total = errors.len();
    errors.truncate(MAX_LISTED_ERRORS);
    Ok(Prepared {
        kind,
        file_name: file_name.to_string(),
        content_hash,
        encoding: table.encoding,
        delimiter: reader::delimiter_name(table.delimiter),
        columns: mapping
            .columns
            .iter()
            .map(|(c, _, h)| (*c, h.clone()))
            .collect(),
        ignored_columns: mapping.ignored.clone(),
        date_orders: orders.iter().map(|(c, o)| (*c, o.label())).collect(),
        rows_total: table.rows.len(),
        rows_valid,
        sample,
        errors,
        errors_total,
        records,
    })
}

/// Decide the day/month order of each date column: from its own values, else from the other
/// date columns of the same file (one export writes one date form), else from `choice`.
fn date_orders(
    kind: Kind,
    table: &Table,
    mapping: &Mapping,
    choice: Option<DateOrder>,
) -> Result<Vec<(&'static str, DateOrder)>, FileError> {
    let mut decided = Vec::new();
    let mut ambiguous = Vec::new();
    for &column in kind.date_columns() {
        let Some(index) = mapping.index(column) else {
            continue;
        };
        let values = table.rows.iter().map(|row| row.get(index));
        match (choice, dates::evidence(values)) {
            (_, Evidence::NotNeeded) => {}
            (Some(order), _) => decided.push((column, order)),
            (None, Evidence::Decided(order)) => decided.push((column, order)),
            (None, Evidence::Ambiguous) => ambiguous.push(column),
            (None, Evidence::Conflicting) => {
                let line_where = |wanted: DateOrder| {
                    table
                        .rows
                        .iter()
                        .find(|row| dates::evidence([row.get(index)]) == Evidence::Decided(wanted))
                        .map_or(0, |row| row.line)
                };
                return Err(FileError::MixedDates {
                    column: column.to_string(),
                    day_first_line: line_where(DateOrder::DayFirst),
                    month_first_line: line_where(DateOrder::MonthFirst),
                });
            }
        }
    }
    if !ambiguous.is_empty() {
        let first = decided.first().map(|(_, order)| *order);
        let consistent = decided.iter().all(|(_, order)| Some(*order) == first);
        match first {
            Some(order) if consistent => decided.extend(ambiguous.iter().map(|c| (*c, order))),
            _ => {
                return Err(FileError::AmbiguousDates {
                    columns: ambiguous.iter().map(|c| c.to_string()).collect(),
                });
            }
        }
    }
    Ok(decided)
}

/// Write a prepared file in one transaction. A file with invalid rows is written only with
/// `skip_invalid`; the same content twice is written once.
pub async fn commit(
    pool: &PgPool,
    prepared: &Prepared,
    options: Options,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One import at a time: two identical files arriving together must not both be written.
    sqlx::query("select pg_advisory_xact_lock(7261)")
        .execute(&mut *tx)
        .await?;
    if let Some(previous) =
        db::imports::find_succeeded(&mut tx, prepared.kind.name(), &prepared.content_hash).await?
    {
        return Ok(Outcome::AlreadyImported {
            import_id: previous.import_id,
        });
    }
    if prepared.errors_total > 0 && !options.skip_invalid {
        return Ok(Outcome::Rejected);
    }
    let import_id = db::imports::start(
        &mut tx,
        prepared.kind.name(),
        &prepared.file_name,
        &prepared.content_hash,
    )
    .await?;
    let rows_written = match &prepared.records {
        Records::Employees(list) => {
            let teams: Vec<String> = list.iter().map(|e| e.team.clone()).collect();
            db::teams::ensure(&mut tx, &teams).await?;
            let present: Vec<&str> = prepared.columns.iter().map(|(c, _)| *c).collect();
            db::employees::upsert(&mut tx, Some(import_id), list, &present).await?
        }
    };
    db::imports::finish(&mut tx, import_id, prepared.rows_total, prepared.rows_valid).await?;
    tx.commit().await?;
    Ok(Outcome::Imported {
        import_id,
        rows_imported: prepared.rows_valid,
        rows_skipped: prepared.rows_total - prepared.rows_valid,
        rows_written,
    })
}

/// One row's cells by canonical column, collecting the row's errors as they are read.
pub(crate) struct Cells<'a> {
    row: &'a Row,
    mapping: &'a Mapping,
    orders: &'a [(&'static str, DateOrder)],
    decimal_comma: bool,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn line(&self) -> u64 {
        self.row.line
    }

    /// The trimmed cell, or None when the column is absent or the cell empty.
    fn text(&self, column: &str) -> Option<&str> {
        let value = self.row.get(self.mapping.index(column)?);
        (!value.is_empty()).then_some(value)
    }

    fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    fn error(&mut self, column: &str, value: Option<&str>, message: String) {
        self.errors.push(RowError {
            line: self.row.line,
            column: Some(column.to_string()),
            value: value.map(str::to_string),
            message,
        });
    }

    fn row_error(&mut self, message: String) {
        self.errors.push(RowError {
            line: self.row.line,
            column: None,
            value: None,
            message,
        });
    }

    fn required(&mut self, column: &str) -> Option<String> {
        let value = self.text(column).map(str::to_string);
        if value.is_none() {
            self.error(column, None, "is empty; it is required".into());
        }
        value
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let value = self.text(column)?.to_string();
        let order = self
            .orders
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, order)| *order);
        let date = dates::parse(&value, order);
        if date.is_none() {
            self.error(column, Some(&value), "not a date".into());
        }
        date
    }

    fn required_date(&mut self, column: &str) -> Option<NaiveDate> {
        if self.text(column).is_none() {
            self.error(column, None, "is empty; it is required".into());
            return None;
        }
        self.date(column)
    }

    fn yes_no(&mut self, column: &str) -> Option<bool> {
        let value = self.text(column)?.to_string();
        match columns::normalize(&value).as_str() {
            "yes" | "y" | "true" | "1" | "regretted" | "regrettable" => Some(true),
            "no" | "n" | "false" | "0" | "nonregretted" | "notregretted" | "unregretted" => {
                Some(false)
            }
            _ => {
                self.error(column, Some(&value), "not yes or no".into());
                None
            }
        }
    }

    /// A money amount: currency symbols and codes and thousands separators are dropped; the
    /// decimal separator is a comma in files whose delimiter is not a comma.
    fn amount(&mut self, column: &str) -> Option<f64> {
        let value = self.text(column)?.to_string();
        let parsed = parse_amount(&value, self.decimal_comma);
        match parsed {
            Some(amount) if amount >= 0.0 => Some(amount),
            Some(_) => {
                self.error(column, Some(&value), "is negative".into());
                None
            }
            None => {
                self.error(column, Some(&value), "not a number".into());
                None
            }
        }
    }
}

fn parse_amount(value: &str, decimal_comma: bool) -> Option<f64> {
    let digits: String = value
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    let has_letters_inside = value
        .trim()
        .trim_start_matches(|c: char| !c.is_ascii_digit() && c != '-')
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .any(|c| c.is_alphabetic());
    if digits.is_empty() || has_letters_inside {
        return None;
    }
    let normalized = if decimal_comma {
        digits.replace('.', "").replace(',', ".")
    } else {
        digits.replace(',', "")
    };
    normalized.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_drop_currency_and_thousands_separators() {
        assert_eq!(parse_amount("$62,506.50", false), Some(62506.5));
        assert_eq!(parse_amount("EUR 48.000,25", true), Some(48000.25));
        assert_eq!(parse_amount("48000 €", true), Some(48000.0));
        assert_eq!(parse_amount("12abc34", false), None);
        assert_eq!(parse_amount("n/a", false), None);
    }
}
