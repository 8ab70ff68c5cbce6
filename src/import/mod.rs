//! Importing CSV exports: read the file, map its columns, validate every row, then write it all
//! in one transaction — or nothing at all.
//!
//! The flow is the same for the CLI, the web page and the API: [`prepare`] reads and validates
//! (that is the dry run's preview); [`commit`] writes a prepared file.

pub mod columns;
pub mod dates;
pub mod employees;
pub mod facts;
pub mod reader;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

use crate::db;
use crate::db::absences::NewAbsence;
use crate::db::audit::Actor;
use crate::db::csat::NewCsatResponse;
use crate::db::customers::NewCustomerActivity;
use crate::db::employees::NewEmployee;
use crate::db::measures::NewMeasure;
use crate::db::promotions::NewPromotion;
use crate::db::pulse::NewPulseResponse;
use crate::period::Period;
use columns::{Column, Mapping};
use dates::{DateOrder, Evidence};
use reader::Row;
pub use reader::Source;

/// The kinds of data Attune imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The roster: one row per employee (HRIS export).
    Employees,
    /// Absences: one row per absence of an employee.
    Absences,
    /// Promotions: one row per promotion.
    Promotions,
    /// Customer satisfaction responses (helpdesk export).
    Csat,
    /// Anonymous employee pulse survey responses.
    Pulse,
    /// Customer activity: revenue by customer and date or period.
    Customers,
    /// Any other team KPI by date or period.
    Measures,
}

impl Kind {
    /// Every kind, in the order HR usually imports them (the roster first).
    pub const ALL: [Kind; 7] = [
        Kind::Employees,
        Kind::Absences,
        Kind::Promotions,
        Kind::Csat,
        Kind::Pulse,
        Kind::Customers,
        Kind::Measures,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Employees => "employees",
            Kind::Absences => "absences",
            Kind::Promotions => "promotions",
            Kind::Csat => "csat",
            Kind::Pulse => "pulse",
            Kind::Customers => "customers",
            Kind::Measures => "measures",
        }
    }

    /// The kind named `name` (as in URLs and on the command line).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Employees => employees::COLUMNS,
            Kind::Absences => facts::ABSENCE_COLUMNS,
            Kind::Promotions => facts::PROMOTION_COLUMNS,
            Kind::Csat => facts::CSAT_COLUMNS,
            Kind::Pulse => facts::PULSE_COLUMNS,
            Kind::Customers => facts::CUSTOMER_COLUMNS,
            Kind::Measures => facts::MEASURE_COLUMNS,
        }
    }

    /// The columns holding dates.
    fn date_columns(self) -> &'static [&'static str] {
        match self {
            Kind::Employees => &["hire_date", "termination_date"],
            Kind::Absences => &["start_date", "end_date"],
            Kind::Promotions => &["effective_date"],
            Kind::Csat => &["responded_at"],
            Kind::Pulse => &["submitted_at"],
            Kind::Customers | Kind::Measures => &["date"],
        }
    }

    /// Headers a file of this kind must not have (normalized), and why.
    fn forbidden_columns(self) -> (&'static [&'static str], &'static str) {
        match self {
            Kind::Absences => (
                facts::ABSENCE_FORBIDDEN,
                "Attune never stores medical details or free text about absences; remove the column",
            ),
            Kind::Pulse => (
                facts::PULSE_FORBIDDEN,
                "pulse responses are anonymous; remove the column that identifies respondents",
            ),
            _ => (&[], ""),
        }
    }

    /// Read one row of this kind, recording its errors in `cells`.
    fn reads_row(self, cells: &mut Cells<'_>, state: &mut RowState) -> Option<Record> {
        match self {
            Kind::Employees => employees::read_row(cells, &mut state.seen).map(Record::Employee),
            Kind::Absences => facts::absence(cells, state),
            Kind::Promotions => facts::promotion(cells, state),
            Kind::Csat => facts::csat(cells, state),
            Kind::Pulse => facts::pulse(cells, state),
            Kind::Customers => facts::customer(cells, state),
            Kind::Measures => facts::measure(cells, state),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the database already knows that rows refer to: the roster's employee ids and teams,
/// and HR's own absence types.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub employees: HashSet<String>,
    /// lowercase name → name as stored
    pub teams: HashMap<String, String>,
    pub absence_types: Vec<(String, bool)>,
}

impl Known {
    /// Load what rows of `kind` may refer to.
    pub async fn load(pool: &PgPool, kind: Kind) -> Result<Known, sqlx::Error> {
        if kind == Kind::Employees {
            return Ok(Known::default());
        }
        let mut conn = pool.acquire().await?;
        let employees = db::employees::external_ids(&mut conn).await?;
        let teams = db::teams::list(&mut conn)
            .await?
            .into_iter()
            .map(|t| (t.name.to_lowercase(), t.name))
            .collect();
        let absence_types = db::absences::custom_types(&mut conn).await?;
        Ok(Known {
            employees: employees.into_iter().collect(),
            teams,
            absence_types,
        })
    }
}

/// What reading rows accumulates: ids seen so far (for duplicates) and notes for the preview.
#[derive(Debug, Default)]
pub(crate) struct RowState {
    seen: HashMap<String, u64>,
    notes: BTreeSet<String>,
}

impl RowState {
    /// An id column whose values must not repeat within the file.
    fn check_unique(&mut self, cells: &mut Cells<'_>, column: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let key = format!("{column}\u{0}{value}");
        if let Some(first) = self.seen.get(&key) {
            let first = *first;
            cells.error(
                column,
                Some(value),
                format!("appears again (first on line {first})"),
            );
        } else {
            self.seen.insert(key, cells.line());
        }
    }
}

impl RowState {
    /// A row whose natural key (e.g. employee and dates) repeats an earlier row of the file.
    fn check_duplicate(&mut self, cells: &mut Cells<'_>, key: String, what: &str) {
        let key = format!("row\u{0}{}", key.to_lowercase());
        if let Some(first) = self.seen.get(&key) {
            let first = *first;
            cells.row_error(format!("repeats line {first} (the same {what})"));
        } else {
            self.seen.insert(key, cells.line());
        }
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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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
    #[error("line 1, column {column}: {why}")]
    ForbiddenColumn { column: String, why: &'static str },
    #[error("line 1: missing required column date or period (the header has: {found})")]
    MissingDateOrPeriod { found: String },
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

/// The largest number a cell may hold (money is stored with two decimals in 14 digits).
const MAX_NUMBER: f64 = 1e12;

/// The longest text a cell may hold.
const MAX_CELL_CHARS: usize = 1000;

/// At most this many row errors are listed; the total is always given.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// A read and validated file: what a dry run shows, and what [`commit`] writes.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    /// Things worth knowing that are not errors (e.g. absence types counted as unplanned).
    pub notes: Vec<String>,
    /// The valid rows, when the file is in memory; a file read from disk is read again, row by
    /// row, when it is written (see [`commit_streaming`]).
    #[serde(skip)]
    records: Option<Vec<Record>>,
    #[serde(skip)]
    layout: Layout,
}

/// How a file is read, decided by a first pass over it: its encoding and delimiter, the column
/// mapping, and the day/month order and decimal separator of its columns.
#[derive(Debug, Clone)]
struct Layout {
    scan: reader::Scan,
    mapping: Mapping,
    orders: Vec<(&'static str, DateOrder)>,
    decimal_commas: Vec<(&'static str, bool)>,
    rows_total: usize,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            scan: reader::Scan {
                encoding: encoding_rs::UTF_8,
                encoding_label: "UTF-8",
                delimiter: b',',
                content_hash: String::new(),
            },
            mapping: Mapping {
                columns: Vec::new(),
                ignored: Vec::new(),
            },
            orders: Vec::new(),
            decimal_commas: Vec::new(),
            rows_total: 0,
        }
    }
}

/// One valid row, of whichever kind.
#[derive(Debug, Clone)]
pub(crate) enum Record {
    Employee(NewEmployee),
    Absence(NewAbsence),
    Promotion(NewPromotion),
    Csat(NewCsatResponse),
    Pulse(NewPulseResponse),
    Customer(NewCustomerActivity),
    Measure(NewMeasure),
}

impl Record {
    /// The row as it will be stored, for the preview.
    fn preview(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i16>| v.map(|v| v.to_string()).unwrap_or_default();
        match self {
            Record::Employee(e) => employees::preview_fields(e),
            Record::Absence(a) => vec![
                ("employee_id", a.employee_id.clone()),
                ("start_date", a.start_date.to_string()),
                ("end_date", a.end_date.to_string()),
                ("days", a.days.map(|d| d.to_string()).unwrap_or_default()),
                ("type", a.absence_type.clone()),
                (
                    "counts_as",
                    if a.planned { "planned" } else { "unplanned" }.to_string(),
                ),
            ],
            Record::Promotion(p) => vec![
                ("employee_id", p.employee_id.clone()),
                ("effective_date", p.effective_date.to_string()),
                ("from_title", opt(&p.from_title)),
                ("to_title", opt(&p.to_title)),
                ("from_level", opt(&p.from_level)),
                ("to_level", opt(&p.to_level)),
            ],
            Record::Csat(c) => vec![
                ("responded_at", c.responded_on.to_string()),
                ("team", c.team.clone()),
                ("score", c.score.to_string()),
                ("response_id", opt(&c.response_id)),
                ("customer_id", opt(&c.customer_id)),
                ("comment", opt(&c.comment)),
            ],
            Record::Pulse(p) => vec![
                ("submitted_at", p.submitted_on.to_string()),
                ("team", p.team.clone()),
                ("heard", num(p.heard)),
                ("supported", num(p.supported)),
                ("valued", num(p.valued)),
                ("enps", num(p.enps)),
            ],
            Record::Customer(c) => vec![
                ("customer_id", c.customer_id.clone()),
                ("period_start", c.period_start.to_string()),
                ("period_end", c.period_end.to_string()),
                ("revenue", format!("{:.2}", c.revenue)),
                ("team", opt(&c.team)),
            ],
            Record::Measure(m) => vec![
                ("team", opt(&m.team)),
                ("period_start", m.period_start.to_string()),
                ("period_end", m.period_end.to_string()),
                ("metric", m.metric.clone()),
                ("value", m.value.to_string()),
            ],
        }
    }
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

/// The number columns of a kind (their decimal separator is decided per column).
fn number_columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Employees => &["annual_salary"],
        Kind::Absences => &["days"],
        Kind::Customers => &["revenue"],
        Kind::Measures => &["value"],
        _ => &[],
    }
}

/// What a date column's values say so far, and where each order first showed.
#[derive(Debug, Default, Clone, Copy)]
struct DateEvidence {
    any: bool,
    day_first_line: Option<u64>,
    month_first_line: Option<u64>,
}

/// The first pass: scan the bytes, map the header, and gather what decides each column's date
/// order and decimal separator. Nothing is kept per row.
fn layout<S: Source + ?Sized>(
    kind: Kind,
    source: &S,
    options: Options,
) -> Result<Layout, FileError> {
    let scan = reader::scan(source)?;
    let mut rows = reader::rows(source, &scan)?;
    let headers = rows.headers.clone();
    let (forbidden, why) = kind.forbidden_columns();
    if let Some(header) = headers
        .iter()
        .find(|h| forbidden.contains(&columns::normalize(h).as_str()))
    {
        return Err(FileError::ForbiddenColumn {
            column: header.clone(),
            why,
        });
    }
    let mapping =
        columns::map(kind.columns(), &headers).map_err(|missing| FileError::MissingColumns {
            missing,
            found: headers.join(", "),
        })?;
    if matches!(kind, Kind::Customers | Kind::Measures)
        && mapping.index("date").is_none()
        && mapping.index("period").is_none()
    {
        return Err(FileError::MissingDateOrPeriod {
            found: headers.join(", "),
        });
    }
    let date_columns: Vec<(&'static str, usize)> = kind
        .date_columns()
        .iter()
        .filter_map(|c| Some((*c, mapping.index(c)?)))
        .collect();
    let number_columns: Vec<(&'static str, usize)> = number_columns(kind)
        .iter()
        .filter_map(|c| Some((*c, mapping.index(c)?)))
        .collect();
    let mut date_evidence = vec![DateEvidence::default(); date_columns.len()];
    let mut decimal_evidence = vec![(false, false); number_columns.len()];
    let mut rows_total = 0;
    for row in rows.by_ref() {
        let row = row?;
        rows_total += 1;
        for ((_, index), seen) in date_columns.iter().zip(date_evidence.iter_mut()) {
            match dates::evidence([row.get(*index)]) {
                Evidence::NotNeeded => {}
                Evidence::Decided(DateOrder::DayFirst) => {
                    seen.any = true;
                    seen.day_first_line.get_or_insert(row.line);
                }
                Evidence::Decided(DateOrder::MonthFirst) => {
                    seen.any = true;
                    seen.month_first_line.get_or_insert(row.line);
                }
                Evidence::Ambiguous | Evidence::Conflicting => seen.any = true,
            }
        }
        for ((_, index), (comma, point)) in number_columns.iter().zip(decimal_evidence.iter_mut()) {
            match decimal_evidence_of(row.get(*index)) {
                Some(true) => *comma = true,
                Some(false) => *point = true,
                None => {}
            }
        }
    }
    if rows_total == 0 {
        return Err(reader::ReadError::NoRows.into());
    }
    let orders = date_orders(&date_columns, &date_evidence, options.date_order)?;
    let default_comma = scan.delimiter != b',';
    let decimal_commas = number_columns
        .iter()
        .zip(&decimal_evidence)
        .map(|((column, _), evidence)| {
            let comma = match *evidence {
                (true, false) => true,
                (false, true) => false,
                _ => default_comma,
            };
            (*column, comma)
        })
        .collect();
    Ok(Layout {
        scan,
        mapping,
        orders,
        decimal_commas,
        rows_total,
    })
}

/// Checks rows one at a time against a layout, remembering what later rows are compared with
/// (ids already seen) and the notes for the preview.
struct Checker<'a> {
    kind: Kind,
    layout: &'a Layout,
    known: &'a Known,
    state: RowState,
}

impl<'a> Checker<'a> {
    fn new(kind: Kind, layout: &'a Layout, known: &'a Known) -> Checker<'a> {
        Checker {
            kind,
            layout,
            known,
            state: RowState::default(),
        }
    }

    /// The row as it will be stored, or its errors.
    fn check(&mut self, row: &Row) -> (Option<Record>, Vec<RowError>) {
        let mut cells = Cells {
            row,
            mapping: &self.layout.mapping,
            orders: &self.layout.orders,
            decimal_commas: &self.layout.decimal_commas,
            known: self.known,
            errors: Vec::new(),
        };
        let record = if cells.cells_storable() {
            self.kind.reads_row(&mut cells, &mut self.state)
        } else {
            None
        };
        (record, cells.errors)
    }
}

/// Read and validate a file; write nothing. `known` is what rows may refer to (see
/// [`Known::load`]). The file is read row by row (twice: once to decide how to read its
/// columns, once to check them); only a file already in memory keeps its rows for [`commit`].
pub fn prepare<S: Source + ?Sized>(
    kind: Kind,
    file_name: &str,
    source: &S,
    options: Options,
    known: &Known,
) -> Result<Prepared, FileError> {
    let layout = layout(kind, source, options)?;
    let keep = source.in_memory();
    let mut checker = Checker::new(kind, &layout, known);
    let (mut records, mut sample, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rows_valid, mut errors_total) = (0, 0);
    for row in reader::rows(source, &layout.scan)? {
        let (record, row_errors) = checker.check(&row?);
        errors_total += row_errors.len();
        let room = MAX_LISTED_ERRORS.saturating_sub(errors.len());
        errors.extend(row_errors.into_iter().take(room));
        if let Some(record) = record {
            rows_valid += 1;
            if sample.len() < 10 {
                sample.push(record.preview());
            }
            if keep {
                records.push(record);
            }
        }
    }
    let notes = std::mem::take(&mut checker.state.notes)
        .into_iter()
        .collect();
    Ok(Prepared {
        kind,
        file_name: file_name.to_string(),
        content_hash: layout.scan.content_hash.clone(),
        encoding: layout.scan.encoding_label,
        delimiter: reader::delimiter_name(layout.scan.delimiter),
        columns: layout
            .mapping
            .columns
            .iter()
            .map(|(c, _, h)| (*c, h.clone()))
            .collect(),
        ignored_columns: layout.mapping.ignored.clone(),
        date_orders: layout.orders.iter().map(|(c, o)| (*c, o.label())).collect(),
        rows_total: layout.rows_total,
        rows_valid,
        sample,
        errors,
        errors_total,
        notes,
        records: keep.then_some(records),
        layout,
    })
}

/// Decide the day/month order of each date column: from its own values, else from the other
/// date columns of the same file (one export writes one date form), else from `choice`.
fn date_orders(
    columns: &[(&'static str, usize)],
    evidence: &[DateEvidence],
    choice: Option<DateOrder>,
) -> Result<Vec<(&'static str, DateOrder)>, FileError> {
    let mut decided = Vec::new();
    let mut ambiguous = Vec::new();
    for ((column, _), seen) in columns.iter().zip(evidence) {
        let column = *column;
        let found = match (seen.any, seen.day_first_line, seen.month_first_line) {
            (false, _, _) => Evidence::NotNeeded,
            (true, Some(_), Some(_)) => Evidence::Conflicting,
            (true, Some(_), None) => Evidence::Decided(DateOrder::DayFirst),
            (true, None, Some(_)) => Evidence::Decided(DateOrder::MonthFirst),
            (true, None, None) => Evidence::Ambiguous,
        };
        match (choice, found) {
            (_, Evidence::NotNeeded) => {}
            (Some(order), _) => decided.push((column, order)),
            (None, Evidence::Decided(order)) => decided.push((column, order)),
            (None, Evidence::Ambiguous) => ambiguous.push(column),
            (None, Evidence::Conflicting) => {
                return Err(FileError::MixedDates {
                    column: column.to_string(),
                    day_first_line: seen.day_first_line.unwrap_or(0),
                    month_first_line: seen.month_first_line.unwrap_or(0),
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

/// Write a prepared file that is in memory, in one transaction. A file with invalid rows is
/// written only with `skip_invalid`; the same content twice is written once.
pub async fn commit(
    pool: &PgPool,
    prepared: &Prepared,
    options: Options,
    actor: &Actor,
) -> Result<Outcome, sqlx::Error> {
    let Some(records) = &prepared.records else {
        return Err(sqlx::Error::Protocol(
            "a file read from disk is written with commit_streaming".into(),
        ));
    };
    let (mut tx, import_id) = match begin(pool, prepared, options, actor).await? {
        Ok(started) => started,
        Err(outcome) => return Ok(outcome),
    };
    let rows_written = write_batch(&mut tx, import_id, prepared, records).await?;
    finish(tx, prepared, import_id, rows_written, actor).await
}

/// How many rows a streamed file writes per statement.
const BATCH_ROWS: usize = 5_000;

/// Write a prepared file from its source, reading it again row by row and writing it in
/// batches — all in one transaction, so memory stays bounded whatever the file size and a
/// failure (or a killed process) leaves nothing behind. `known` must be what `prepare` used.
pub async fn commit_streaming<S: Source + ?Sized>(
    pool: &PgPool,
    prepared: &Prepared,
    source: &S,
    known: &Known,
    options: Options,
    actor: &Actor,
) -> Result<Outcome, sqlx::Error> {
    if prepared.records.is_some() {
        return commit(pool, prepared, options, actor).await;
    }
    let (mut tx, import_id) = match begin(pool, prepared, options, actor).await? {
        Ok(started) => started,
        Err(outcome) => return Ok(outcome),
    };
    let reread = |e: reader::ReadError| {
        sqlx::Error::Protocol(format!(
            "{} changed while it was imported: {e}",
            prepared.file_name
        ))
    };
    let mut checker = Checker::new(prepared.kind, &prepared.layout, known);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut rows_written = 0;
    let mut rows_valid = 0;
    for row in reader::rows(source, &prepared.layout.scan).map_err(reread)? {
        if let (Some(record), _) = checker.check(&row.map_err(reread)?) {
            batch.push(record);
            rows_valid += 1;
        }
        if batch.len() == BATCH_ROWS {
            rows_written += write_batch(&mut tx, import_id, prepared, &batch).await?;
            batch.clear();
        }
    }
    rows_written += write_batch(&mut tx, import_id, prepared, &batch).await?;
    if rows_valid != prepared.rows_valid {
        return Err(sqlx::Error::Protocol(format!(
            "{} changed while it was imported; nothing was imported",
            prepared.file_name
        )));
    }
    finish(tx, prepared, import_id, rows_written, actor).await
}

/// Open the import's transaction: one import at a time, the same content only once, and only a
/// file that may be written. `Err(outcome)` when nothing is to be written.
async fn begin(
    pool: &PgPool,
    prepared: &Prepared,
    options: Options,
    actor: &Actor,
) -> Result<Result<(sqlx::Transaction<'static, sqlx::Postgres>, i64), Outcome>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One import at a time: two identical files arriving together must not both be written.
    sqlx::query("select pg_advisory_xact_lock(7261)")
        .execute(&mut *tx)
        .await?;
    if let Some(previous) =
        db::imports::find_succeeded(&mut tx, prepared.kind.name(), &prepared.content_hash).await?
    {
        return Ok(Err(Outcome::AlreadyImported {
            import_id: previous.import_id,
        }));
    }
    if (prepared.errors_total > 0 && !options.skip_invalid) || prepared.rows_valid == 0 {
        return Ok(Err(Outcome::Rejected));
    }
    let import_id = db::imports::start(
        &mut tx,
        prepared.kind.name(),
        &prepared.file_name,
        &prepared.content_hash,
        &actor.name,
    )
    .await?;
    Ok(Ok((tx, import_id)))
}

/// Audit the import, record its counts and commit.
async fn finish(
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    prepared: &Prepared,
    import_id: i64,
    rows_written: u64,
    actor: &Actor,
) -> Result<Outcome, sqlx::Error> {
    db::audit::record(
        &mut tx,
        actor,
        "import.commit",
        serde_json::json!({
            "import_id": import_id,
            "kind": prepared.kind.name(),
            "file_name": prepared.file_name,
            "rows_imported": prepared.rows_valid,
            "rows_skipped": prepared.rows_total - prepared.rows_valid,
        }),
    )
    .await?;
    db::imports::finish(&mut tx, import_id, prepared.rows_total, prepared.rows_valid).await?;
    tx.commit().await?;
    Ok(Outcome::Imported {
        import_id,
        rows_imported: prepared.rows_valid,
        rows_skipped: prepared.rows_total - prepared.rows_valid,
        rows_written,
    })
}

/// Why an import cannot be undone.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("there is no import #{0}")]
    NotFound(i64),
    #[error("import #{0} is {1}, so there is nothing to undo")]
    NotUndoable(i64, String),
    #[error("later imports ({}) changed the same employees; undo them first",
        .1.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", "))]
    LaterImports(i64, Vec<i64>),
    #[error(
        "{1} employees that import #{0} created have absences or promotions now; undo those imports first"
    )]
    InUse(i64, i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Undo a succeeded import in one transaction: remove what it wrote (for employees: restore each
/// employee as it was before and remove those it created), mark it undone, and audit it.
pub async fn undo(
    pool: &PgPool,
    import_id: i64,
    actor: &Actor,
) -> Result<db::imports::Import, UndoError> {
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(7261)")
        .execute(&mut *tx)
        .await?;
    let import = db::imports::find_for_update(&mut tx, import_id)
        .await?
        .ok_or(UndoError::NotFound(import_id))?;
    if import.status != "succeeded" {
        return Err(UndoError::NotUndoable(import_id, import.status));
    }
    if import.kind == Kind::Employees.name() {
        let later = db::imports::later_employee_imports(&mut tx, import_id).await?;
        if !later.is_empty() {
            return Err(UndoError::LaterImports(import_id, later));
        }
        let in_use = db::imports::created_employees_in_use(&mut tx, import_id).await?;
        if in_use > 0 {
            return Err(UndoError::InUse(import_id, in_use));
        }
        db::imports::revert_employees(&mut tx, import_id).await?;
    } else {
        db::imports::delete_facts(&mut tx, import_id).await?;
    }
    db::imports::mark_undone(&mut tx, import_id).await?;
    db::audit::record(
        &mut tx,
        actor,
        "import.undo",
        serde_json::json!({"import_id": import_id, "kind": import.kind, "file_name": import.file_name}),
    )
    .await?;
    tx.commit().await?;
    Ok(import)
}

/// Write rows of a prepared file (all of its kind) in one statement.
async fn write_batch(
    conn: &mut sqlx::PgConnection,
    import_id: i64,
    prepared: &Prepared,
    records: &[Record],
) -> Result<u64, sqlx::Error> {
    if records.is_empty() {
        return Ok(0);
    }
    macro_rules! rows {
        ($variant:ident) => {
            records
                .iter()
                .filter_map(|r| match r {
                    Record::$variant(row) => Some(row.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
    }
    let id = Some(import_id);
    let expected = records.len();
    match prepared.kind {
        Kind::Employees => {
            let list = rows!(Employee);
            let teams: Vec<String> = list.iter().map(|e| e.team.clone()).collect();
            db::teams::ensure(conn, &teams).await?;
            let present: Vec<&str> = prepared.columns.iter().map(|(c, _)| *c).collect();
            db::employees::upsert(conn, id, &list, &present).await
        }
        Kind::Absences => all_written(
            db::absences::upsert(conn, id, &rows!(Absence)).await,
            expected,
            prepared,
        ),
        Kind::Promotions => all_written(
            db::promotions::upsert(conn, id, &rows!(Promotion)).await,
            expected,
            prepared,
        ),
        Kind::Csat => all_written(
            db::csat::upsert(conn, id, &rows!(Csat)).await,
            expected,
            prepared,
        ),
        Kind::Pulse => all_written(
            db::pulse::upsert(conn, id, &rows!(Pulse)).await,
            expected,
            prepared,
        ),
        Kind::Customers => db::customers::upsert(conn, id, &rows!(Customer)).await,
        Kind::Measures => all_written(
            db::measures::upsert(conn, id, &rows!(Measure)).await,
            expected,
            prepared,
        ),
    }
}

/// Every valid row must have been written: a row whose employee or team disappeared between
/// checking and writing (an undo or an erasure meanwhile) would otherwise be dropped silently.
/// The error rolls the whole import back.
fn all_written(
    written: Result<u64, sqlx::Error>,
    expected: usize,
    prepared: &Prepared,
) -> Result<u64, sqlx::Error> {
    let written = written?;
    if written != expected as u64 {
        return Err(sqlx::Error::Protocol(format!(
            "the roster changed while {} was being imported ({written} of {expected} rows \
             could be matched); nothing was imported, please try again",
            prepared.file_name
        )));
    }
    Ok(written)
}

/// One row's cells by canonical column, collecting the row's errors as they are read.
pub(crate) struct Cells<'a> {
    row: &'a Row,
    mapping: &'a Mapping,
    orders: &'a [(&'static str, DateOrder)],
    /// Per number column: whether its decimal separator is a comma.
    decimal_commas: &'a [(&'static str, bool)],
    known: &'a Known,
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

    /// A number: currency symbols and codes and thousands separators are dropped; the decimal
    /// separator is a comma in files whose delimiter is not a comma.
    fn number(&mut self, column: &str) -> Option<f64> {
        let value = self.text(column)?.to_string();
        let decimal_comma = self
            .decimal_commas
            .iter()
            .find(|(c, _)| *c == column)
            .is_some_and(|(_, comma)| *comma);
        let parsed = parse_amount(&value, decimal_comma).filter(|v| v.is_finite());
        match parsed {
            None => self.error(column, Some(&value), "not a number".into()),
            Some(v) if v.abs() >= MAX_NUMBER => self.error(
                column,
                Some(&value),
                "is too large (at most 999,999,999,999)".into(),
            ),
            Some(_) => return parsed,
        }
        None
    }

    /// Every mapped cell can be stored: no control characters (a NUL cannot be stored at all)
    /// and no more than [`MAX_CELL_CHARS`] characters. Records the errors; false if any.
    fn cells_storable(&mut self) -> bool {
        let mut storable = true;
        for (column, index, _) in &self.mapping.columns {
            let value = self.row.get(*index);
            let problem = if value
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                Some("contains a control character (such as NUL) that cannot be stored".to_string())
            } else if value.chars().count() > MAX_CELL_CHARS {
                Some(format!("is longer than {MAX_CELL_CHARS} characters"))
            } else {
                None
            };
            if let Some(message) = problem {
                let shown: String = value.chars().filter(|c| !c.is_control()).take(40).collect();
                self.error(column, Some(&shown), message);
                storable = false;
            }
        }
        storable
    }

    /// A number that cannot be negative (a salary).
    fn amount(&mut self, column: &str) -> Option<f64> {
        let amount = self.number(column)?;
        if amount < 0.0 {
            let value = self.text(column).unwrap_or_default().to_string();
            self.error(column, Some(&value), "is negative".into());
            return None;
        }
        Some(amount)
    }

    /// A whole number from `min` to `max`.
    fn integer(&mut self, column: &str, min: i64, max: i64, required: bool) -> Option<i64> {
        let Some(value) = self.text(column).map(str::to_string) else {
            if required {
                self.error(column, None, "is empty; it is required".into());
            }
            return None;
        };
        let whole = value.strip_suffix(".0").unwrap_or(&value);
        match whole.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.error(
                    column,
                    Some(&value),
                    format!("not a whole number from {min} to {max}"),
                );
                None
            }
        }
    }

    /// A team of the roster, as stored (case-insensitive, trimmed).
    fn team(&mut self, column: &str, required: bool) -> Option<String> {
        let Some(value) = self.text(column).map(str::to_string) else {
            if required {
                self.error(column, None, "is empty; it is required".into());
            }
            return None;
        };
        match self.known.teams.get(&value.to_lowercase()) {
            Some(name) => Some(name.clone()),
            None => {
                self.error(
                    column,
                    Some(&value),
                    "no such team in the roster (import employees first)".into(),
                );
                None
            }
        }
    }

    /// An employee id of the roster.
    fn employee(&mut self, column: &str) -> Option<String> {
        let value = self.required(column)?;
        if self.known.employees.contains(&value) {
            Some(value)
        } else {
            self.error(
                column,
                Some(&value),
                "no such employee in the roster (import employees first)".into(),
            );
            None
        }
    }

    /// The span of a `date` (that one day) or `period` (2025, 2025-Q1, 2025-03) column.
    fn date_or_period(&mut self) -> Option<(NaiveDate, NaiveDate)> {
        if self.text("date").is_some() {
            let day = self.date("date")?;
            return Some((day, day));
        }
        match self.text("period").map(str::to_string) {
            Some(text) => match text.parse::<Period>() {
                Ok(period) => Some((period.start(), period.end())),
                Err(_) => {
                    self.error(
                        "period",
                        Some(&text),
                        "not a period (use 2025, 2025-Q1 or 2025-03)".into(),
                    );
                    None
                }
            },
            None => {
                self.row_error("has neither a date nor a period".into());
                None
            }
        }
    }
}

/// Some(true) when a value can only have a decimal comma, Some(false) only a decimal point,
/// None when it does not tell ("1,234", "12").
fn decimal_evidence_of(value: &str) -> Option<bool> {
    let separators: Vec<(usize, char)> = value
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    let (last_at, last) = *separators.last()?;
    let digits_after = value[last_at + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .count();
    let kinds = separators.iter().filter(|(_, c)| *c != last).count();
    if kinds > 0 {
        // "1.234,5" or "1,234.5": the last separator is the decimal one.
        return Some(last == ',');
    }
    if separators.len() > 1 {
        // "1,234,567" or "1.234.567": repeated, so thousands separators.
        return Some(last == '.');
    }
    (digits_after != 3).then_some(last == ',')
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
    fn a_file_on_disk_is_checked_without_keeping_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.csv");
        std::fs::write(
            &path,
            "employee_id,team,hire_date\nE1,A,2020-01-01\nE2,A,2020-13-01\n",
        )
        .unwrap();
        let known = super::Known::default();
        let options = super::Options::default();
        let prepared = super::prepare(
            super::Kind::Employees,
            "roster.csv",
            path.as_path(),
            options,
            &known,
        )
        .unwrap();
        assert!(
            prepared.records.is_none(),
            "rows are read again when written, not kept"
        );
        assert_eq!(
            (
                prepared.rows_total,
                prepared.rows_valid,
                prepared.errors_total
            ),
            (2, 1, 1)
        );
        assert_eq!(prepared.sample.len(), 1);
        let in_memory = super::prepare(
            super::Kind::Employees,
            "roster.csv",
            &std::fs::read(&path).unwrap(),
            options,
            &known,
        )
        .unwrap();
        assert_eq!(in_memory.records.as_ref().map(Vec::len), Some(1));
        assert_eq!(in_memory.content_hash, prepared.content_hash);
    }

    #[test]
    fn a_value_tells_its_decimal_separator_when_it_can() {
        use super::decimal_evidence_of as decimal_evidence;
        assert_eq!(decimal_evidence("1,5"), Some(true));
        assert_eq!(decimal_evidence("62506.50"), Some(false));
        assert_eq!(decimal_evidence("1.234,56"), Some(true));
        assert_eq!(decimal_evidence("$1,234.56"), Some(false));
        assert_eq!(decimal_evidence("1,234,567"), Some(false));
        assert_eq!(decimal_evidence("1.234.567"), Some(true));
        assert_eq!(decimal_evidence("1,234"), None);
        assert_eq!(decimal_evidence("48000"), None);
    }

    #[test]
    fn amounts_drop_currency_and_thousands_separators() {
        assert_eq!(parse_amount("$62,506.50", false), Some(62506.5));
        assert_eq!(parse_amount("EUR 48.000,25", true), Some(48000.25));
        assert_eq!(parse_amount("48000 €", true), Some(48000.0));
        assert_eq!(parse_amount("12abc34", false), None);
        assert_eq!(parse_amount("n/a", false), None);
    }
}
