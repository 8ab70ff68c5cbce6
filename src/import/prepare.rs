//! Reading and checking a file without writing anything: what a dry run shows, and what
//! `commit` writes. A file is read twice, row by row: the first pass maps its header and decides
//! how to read its dates and numbers (its [`Layout`]); the second checks every row.

use serde::Serialize;
use std::sync::Arc;

use super::cells::{self, Cells, RowState};
use super::columns::{self, Mapping};
use super::covers::{self, Covers};
use super::dates::{self, DateOrder, Evidence};
use super::effect::{Effect, Tally};
use super::kinds::{Batch, Kind, Spec};
use super::reader::{self, Row, Source};
use super::{FileError, FitsKind, Known, MAX_LISTED_ERRORS, Options, RowError};
use crate::db::coverage::Range;

/// How many valid rows the preview shows.
const SAMPLE_ROWS: usize = 10;

/// A read and validated file: what a dry run shows, and what `commit` writes.
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
    /// Rows imported as they are that look wrong, by line (e.g. an absence dated after the
    /// employee left): warnings, not errors.
    pub warnings: Vec<String>,
    /// What importing the valid rows will change (roster files; see `effect`).
    pub effect: Option<Effect>,
    /// What the import will record as covered (see `covers`): the figures of these kinds are
    /// known over these days.
    pub coverage: Vec<Range>,
    /// The valid rows, when the file is in memory; a file read from disk is read again, row by
    /// row, when it is written (see `commit_streaming`).
    #[serde(skip)]
    pub(super) records: Option<Arc<dyn Batch>>,
    #[serde(skip)]
    pub(super) layout: Layout,
}

impl Prepared {
    /// Nothing to write: no valid row — unless the file has no rows at all and states the range
    /// it covers ("no absences in March"), which is written as that coverage.
    pub fn has_nothing_to_write(&self) -> bool {
        let coverage_only = self.rows_total == 0 && !self.coverage.is_empty();
        self.rows_valid == 0 && !coverage_only
    }

    /// The canonical columns the file has.
    pub(super) fn present_columns(&self) -> Vec<&'static str> {
        self.columns.iter().map(|(column, _)| *column).collect()
    }
}

/// How a file is read, decided by a first pass over it: its encoding and delimiter, the column
/// mapping, and the day/month order and decimal separator of its columns.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) scan: reader::Scan,
    mapping: Mapping,
    orders: Vec<(&'static str, DateOrder)>,
    decimal_commas: Vec<(&'static str, bool)>,
    rows_total: usize,
    kind: Option<Kind>,
    /// The range HR stated: rows outside it are errors.
    covers: Option<Covers>,
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
            kind: None,
            covers: None,
        }
    }
}

/// What a date column's values say so far, and where each order first showed.
#[derive(Debug, Default, Clone, Copy)]
struct DateEvidence {
    any: bool,
    day_first_line: Option<u64>,
    month_first_line: Option<u64>,
}

fn has_date_or_period(spec: Spec, mapping: &Mapping) -> bool {
    !spec.date_or_period || mapping.index("date").is_some() || mapping.index("period").is_some()
}

/// The kind, other than `chosen`, whose columns this header has — the one that maps the most
/// of them — for files imported as the wrong kind.
pub(super) fn kind_that_fits(headers: &[String], chosen: Kind) -> Option<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|kind| *kind != chosen)
        .filter_map(|kind| {
            let spec = kind.spec();
            let mapping = columns::map(spec.columns, headers).ok()?;
            has_date_or_period(spec, &mapping).then_some((kind, mapping.columns.len()))
        })
        .max_by_key(|(_, mapped)| *mapped)
        .map(|(kind, _)| kind)
}

/// The first pass: scan the bytes, map the header, and gather what decides each column's date
/// order and decimal separator. Nothing is kept per row.
pub(super) fn layout<S: Source + ?Sized>(
    kind: Kind,
    source: &S,
    options: Options,
) -> Result<Layout, FileError> {
    let spec = kind.spec();
    let scan = reader::scan(source)?;
    let mut rows = reader::rows(source, &scan)?;
    let headers = rows.headers.clone();
    if let Some(forbidden) = spec.forbidden
        && let Some(header) = headers
            .iter()
            .find(|h| forbidden.headers.contains(&columns::normalize(h).as_str()))
    {
        return Err(FileError::ForbiddenColumn {
            column: header.clone(),
            why: forbidden.why,
        });
    }
    if let Some((first, second, header)) = columns::duplicate(&headers) {
        return Err(FileError::DuplicateColumn {
            first,
            second,
            header,
        });
    }
    let mapping =
        columns::map(spec.columns, &headers).map_err(|missing| FileError::MissingColumns {
            missing,
            found: headers.join(", "),
            fits: FitsKind(kind_that_fits(&headers, kind)),
        })?;
    if !has_date_or_period(spec, &mapping) {
        return Err(FileError::MissingDateOrPeriod {
            found: headers.join(", "),
            fits: FitsKind(kind_that_fits(&headers, kind)),
        });
    }
    let mapped = |names: &[&'static str]| -> Vec<(&'static str, usize)> {
        names
            .iter()
            .filter_map(|c| Some((*c, mapping.index(c)?)))
            .collect()
    };
    let date_columns = mapped(spec.date_columns);
    let number_columns = mapped(spec.number_columns);
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
            match cells::decimal_evidence(row.get(*index)) {
                Some(true) => *comma = true,
                Some(false) => *point = true,
                None => {}
            }
        }
    }
    // A file with no rows says something only with a stated range ("no absences in March").
    if rows_total == 0 && options.covers.is_none() {
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
        kind: Some(kind),
        covers: options.covers,
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

/// Checks rows one at a time against a layout, remembering what later rows are compared with
/// (ids already seen) and the notes for the preview.
pub(super) struct Checker<'a> {
    layout: &'a Layout,
    known: &'a Known,
    state: RowState,
}

impl<'a> Checker<'a> {
    pub(super) fn new(layout: &'a Layout, known: &'a Known) -> Checker<'a> {
        let mut state = RowState::default();
        state.expect_rows(layout.rows_total);
        Checker {
            layout,
            known,
            state,
        }
    }

    /// Check one row and add it to `batch` if it is valid (returning true); its errors either
    /// way.
    pub(super) fn check(&mut self, row: &Row, batch: &mut dyn Batch) -> (bool, Vec<RowError>) {
        let mut cells = Cells {
            row,
            mapping: &self.layout.mapping,
            orders: &self.layout.orders,
            decimal_commas: &self.layout.decimal_commas,
            known: self.known,
            errors: Vec::new(),
        };
        let mut valid = cells.storable() && batch.read(&mut cells, &mut self.state);
        if let (true, Some(covers), Some(kind), Some(dated)) = (
            valid,
            self.layout.covers,
            self.layout.kind,
            batch.last_dated(),
        ) && let Some(day) = covers::outside(kind, covers, dated)
        {
            let value = cells
                .string(dated.column)
                .unwrap_or_else(|| day.to_string());
            cells.error(
                dated.column,
                Some(&value),
                format!("is outside the range the file is stated to cover ({covers})"),
            );
            batch.drop_last();
            valid = false;
        }
        (valid, cells.errors)
    }
}

/// The checking pass over a file's rows: every row checked, and what the preview shows of
/// them gathered (counts, the first errors, the sample, the range covered, a roster's effect).
/// Each valid row is the last row of `records` until the caller writes or clears it.
pub(super) struct Pass<'a> {
    kind: Kind,
    layout: &'a Layout,
    checker: Checker<'a>,
    pub(super) records: Box<dyn Batch>,
    tally: Option<Tally<'a>>,
    sample: Vec<Vec<(&'static str, String)>>,
    errors: Vec<RowError>,
    rows_valid: usize,
    errors_total: usize,
    extent: covers::Extent,
}

impl<'a> Pass<'a> {
    pub(super) fn new(kind: Kind, layout: &'a Layout, known: &'a Known) -> Pass<'a> {
        let present: Vec<&'static str> =
            layout.mapping.columns.iter().map(|(c, _, _)| *c).collect();
        let today = chrono::Local::now().date_naive();
        let checker = Checker::new(layout, known);
        Pass {
            kind,
            layout,
            checker,
            records: kind.rules().batch(),
            tally: (kind == Kind::Employees).then(|| Tally::new(known, present, today)),
            sample: Vec::new(),
            errors: Vec::new(),
            rows_valid: 0,
            errors_total: 0,
            extent: covers::Extent::default(),
        }
    }

    /// Check one row; true when it is valid (and so the last of `records`).
    pub(super) fn row(&mut self, row: &Row) -> bool {
        let (valid, row_errors) = self.checker.check(row, self.records.as_mut());
        self.errors_total += row_errors.len();
        let room = MAX_LISTED_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(row_errors.into_iter().take(room));
        if valid {
            self.rows_valid += 1;
            if let Some(dated) = self.records.last_dated() {
                self.extent.add(dated);
            }
            if let Some(tally) = self.tally.as_mut() {
                self.records.tally_last(tally);
            }
            if self.sample.len() < SAMPLE_ROWS {
                self.sample.extend(self.records.last_preview());
            }
        }
        valid
    }

    /// What the pass found; the rows still in `records` are kept with it when `keep`.
    pub(super) fn finish(mut self, file_name: &str, options: Options, keep: bool) -> Prepared {
        let layout = self.layout;
        let notes = self.checker.state.take_notes();
        let warnings = self.checker.state.take_warnings();
        Prepared {
            kind: self.kind,
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
            rows_valid: self.rows_valid,
            sample: self.sample,
            errors: self.errors,
            errors_total: self.errors_total,
            notes,
            warnings,
            effect: self.tally.map(Tally::finish),
            coverage: covers::ranges(self.kind, options.covers, self.extent),
            records: keep.then(|| Arc::from(self.records)),
            layout: layout.clone(),
        }
    }
}

/// Read and validate a file; write nothing. `known` is what rows may refer to (see
/// [`Known::load`]). The file is read row by row (twice: once to decide how to read its
/// columns, once to check them); only a file already in memory keeps its rows for `commit`.
pub fn prepare<S: Source + ?Sized>(
    kind: Kind,
    file_name: &str,
    source: &S,
    options: Options,
    known: &Known,
) -> Result<Prepared, FileError> {
    let layout = layout(kind, source, options)?;
    let keep = source.in_memory();
    let mut pass = Pass::new(kind, &layout, known);
    for row in reader::rows(source, &layout.scan)? {
        if pass.row(&row?) && !keep {
            pass.records.clear();
        }
    }
    Ok(pass.finish(file_name, options, keep))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(in_memory.records.as_ref().map(|r| r.len()), Some(1));
        assert_eq!(in_memory.content_hash, prepared.content_hash);
    }
}
