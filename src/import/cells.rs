//! Reading the cells of one row: text, dates, numbers, yes/no, scores, and references to the
//! roster's employees and teams. Each reader records what is wrong with its cell (line, column,
//! value and why) and returns None, so that a row reports all its problems at once.

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use chrono::NaiveDate;

use super::columns::{self, Mapping};
use super::dates::{self, DateOrder};
use super::reader::Row;
use super::{Known, RowError};
use crate::period::Period;

/// The largest number a cell may hold (money is stored with two decimals in 14 digits).
const MAX_NUMBER: f64 = 1e12;

/// The longest text a cell may hold.
const MAX_CELL_CHARS: usize = 1000;

/// One row's cells by canonical column, collecting the row's errors as they are read.
pub(crate) struct Cells<'a> {
    pub(super) row: &'a Row,
    pub(super) mapping: &'a Mapping,
    pub(super) orders: &'a [(&'static str, DateOrder)],
    /// Per number column: whether its decimal separator is a comma.
    pub(super) decimal_commas: &'a [(&'static str, bool)],
    pub(super) known: &'a Known,
    pub(super) errors: Vec<RowError>,
}

impl Cells<'_> {
    pub(crate) fn line(&self) -> u64 {
        self.row.line
    }

    /// What the database knows that rows refer to.
    pub(crate) fn known(&self) -> &Known {
        self.known
    }

    /// The trimmed cell, or None when the column is absent or the cell empty.
    pub(crate) fn text(&self, column: &str) -> Option<&str> {
        let value = self.row.get(self.mapping.index(column)?);
        (!value.is_empty()).then_some(value)
    }

    /// The trimmed cell as an owned string, or None when absent or empty.
    pub(crate) fn string(&self, column: &str) -> Option<String> {
        self.text(column).map(str::to_string)
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub(crate) fn error(&mut self, column: &str, value: Option<&str>, message: String) {
        self.errors.push(RowError {
            line: self.row.line,
            column: Some(column.to_string()),
            value: value.map(shown),
            message,
        });
    }

    pub(crate) fn row_error(&mut self, message: String) {
        self.errors.push(RowError {
            line: self.row.line,
            column: None,
            value: None,
            message,
        });
    }

    /// The cell's text; an empty cell of a `required` column is an error.
    fn present(&mut self, column: &str, required: bool) -> Option<String> {
        let value = self.string(column);
        if value.is_none() && required {
            self.error(column, None, "is empty; it is required".into());
        }
        value
    }

    pub(crate) fn required(&mut self, column: &str) -> Option<String> {
        self.present(column, true)
    }

    pub(crate) fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let value = self.string(column)?;
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

    pub(crate) fn required_date(&mut self, column: &str) -> Option<NaiveDate> {
        self.required(column)?;
        self.date(column)
    }

    pub(crate) fn yes_no(&mut self, column: &str) -> Option<bool> {
        let value = self.string(column)?;
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
    /// separator is the one decided for the column (see `prepare`).
    pub(crate) fn number(&mut self, column: &str) -> Option<f64> {
        let value = self.string(column)?;
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

    /// A number that must be given.
    pub(crate) fn required_number(&mut self, column: &str) -> Option<f64> {
        self.required(column)?;
        self.number(column)
    }

    /// A number that cannot be negative (a salary).
    pub(crate) fn amount(&mut self, column: &str) -> Option<f64> {
        let amount = self.number(column)?;
        if amount < 0.0 {
            let value = self.string(column).unwrap_or_default();
            self.error(column, Some(&value), "is negative".into());
            return None;
        }
        Some(amount)
    }

    /// A whole number from `min` to `max`.
    pub(crate) fn integer(
        &mut self,
        column: &str,
        min: i64,
        max: i64,
        required: bool,
    ) -> Option<i64> {
        let value = self.present(column, required)?;
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
    pub(crate) fn team(&mut self, column: &str, required: bool) -> Option<String> {
        let value = self.present(column, required)?;
        let found = self.known.teams.get(&value.to_lowercase()).cloned();
        if found.is_none() {
            self.error(
                column,
                Some(&value),
                "no such team in the roster (import employees first)".into(),
            );
        }
        found
    }

    /// An employee id of the roster.
    pub(crate) fn employee(&mut self, column: &str) -> Option<String> {
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

    /// The span of a `date` (that one day) or `period` (2025, 2025-Q1, 2025-03) column. When a
    /// row has both, the date wins.
    pub(crate) fn date_or_period(&mut self) -> Option<(NaiveDate, NaiveDate)> {
        if self.text("date").is_some() {
            let day = self.date("date")?;
            return Some((day, day));
        }
        let Some(text) = self.string("period") else {
            self.row_error("has neither a date nor a period".into());
            return None;
        };
        match text.parse::<Period>() {
            Ok(period) => Some((period.start(), period.end())),
            Err(_) => {
                self.error(
                    "period",
                    Some(&text),
                    "not a period (use 2025, 2025-Q1 or 2025-03)".into(),
                );
                None
            }
        }
    }

    /// Every mapped cell can be stored: no control characters (a NUL cannot be stored at all)
    /// and no more than [`MAX_CELL_CHARS`] characters. Records the errors; false if any.
    pub(super) fn storable(&mut self) -> bool {
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
                let start: String = value.chars().take(40).collect();
                self.error(column, Some(&start), message);
                storable = false;
            }
        }
        storable
    }
}

/// A cell's value as messages show it: on one line (tabs and line breaks become spaces), without
/// other control characters, which could move a terminal's cursor or change its colours.
pub(crate) fn shown(value: &str) -> String {
    value
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// What reading rows accumulates: ids and keys seen so far (for duplicates) and notes for the
/// preview.
#[derive(Debug, Default)]
pub(crate) struct RowState {
    seen: Seen,
    notes: BTreeSet<String>,
    /// Rows that are valid but look wrong: the first [`MAX_LISTED_WARNINGS`], and how many.
    warnings: Vec<String>,
    warnings_total: usize,
}

/// The keys (ids, a row's natural key) seen so far, and the line each was first seen on.
///
/// A file of two million CSAT responses has two million ids: kept as strings they took more
/// memory than everything else of an import. A key is kept as a 96-bit fingerprint instead
/// (SipHash, two ways): two different keys of a file share one with a chance of about n²/2⁹⁷,
/// less than 10⁻¹⁶ for ten million rows, while 16 bytes a key stay.
#[derive(Debug, Default)]
struct Seen {
    /// A fingerprint's first 64 bits → its last 32 bits and the first line.
    near: HashMap<u64, (u32, u32), BuildHasherDefault<Passthrough>>,
    /// The keys whose first 64 bits are already another key's, or first seen past line
    /// u32::MAX: full fingerprint → first line.
    far: HashMap<(u64, u32), u64>,
    /// How many rows the file has: room for that many keys is made at the first key.
    expected: usize,
}

impl Seen {
    /// The line the key made of `parts` was first seen on, or None (remembering `line`) if this
    /// is the first time.
    fn first(&mut self, parts: &[&str], line: u64) -> Option<u64> {
        use std::collections::hash_map::Entry;
        let (high, low) = fingerprint(parts);
        if let Some(first) = self.far.get(&(high, low)) {
            return Some(*first);
        }
        if self.near.capacity() == 0 {
            self.near.reserve(self.expected);
        }
        match self.near.entry(high) {
            Entry::Occupied(seen) if seen.get().0 == low => Some(u64::from(seen.get().1)),
            Entry::Vacant(slot) if line <= u64::from(u32::MAX) => {
                slot.insert((low, line as u32));
                None
            }
            _ => {
                self.far.insert((high, low), line);
                None
            }
        }
    }
}

/// A key's 96-bit fingerprint: SipHash of its parts, and SipHash of them after a salt.
fn fingerprint(parts: &[&str]) -> (u64, u32) {
    use std::hash::{DefaultHasher, Hasher};
    let (mut first, mut second) = (DefaultHasher::new(), DefaultHasher::new());
    second.write_u64(0x9e37_79b9_7f4a_7c15);
    for part in parts {
        first.write(part.as_bytes());
        second.write(part.as_bytes());
    }
    (first.finish(), second.finish() as u32)
}

/// Hashes a fingerprint by itself: it is a hash already.
#[derive(Debug, Default)]
struct Passthrough(u64);

impl std::hash::Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// The most row warnings a preview lists (the rest are counted).
pub const MAX_LISTED_WARNINGS: usize = 20;

impl RowState {
    /// An id column whose values must not repeat within the file.
    pub(crate) fn check_unique(
        &mut self,
        cells: &mut Cells<'_>,
        column: &str,
        value: Option<&str>,
    ) {
        let Some(value) = value else { return };
        if let Some(first) = self.seen.first(&[column, "\u{0}", value], cells.line()) {
            cells.error(
                column,
                Some(value),
                format!("appears again (first on line {first})"),
            );
        }
    }

    /// A row whose natural key (e.g. employee and dates) repeats an earlier row of the file.
    pub(crate) fn check_duplicate(&mut self, cells: &mut Cells<'_>, key: String, what: &str) {
        if let Some(first) = self
            .seen
            .first(&["row\u{0}", &key.to_lowercase()], cells.line())
        {
            cells.row_error(format!("repeats line {first} (the same {what})"));
        }
    }

    /// Make room for the keys of `rows` rows at once, when the first key is remembered.
    pub(crate) fn expect_rows(&mut self, rows: usize) {
        self.seen.expected = rows;
    }

    /// Something worth knowing about the file that is not an error; each is shown once (as
    /// [`shown`]: it may quote a cell).
    pub(crate) fn note(&mut self, note: String) {
        self.notes.insert(shown(&note));
    }

    /// The notes, in order.
    pub(super) fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes).into_iter().collect()
    }

    /// A row that is imported but looks wrong (a warning, not an error): "line 7: …".
    pub(crate) fn warn(&mut self, cells: &Cells<'_>, message: String) {
        self.warnings_total += 1;
        if self.warnings.len() < MAX_LISTED_WARNINGS {
            self.warnings
                .push(format!("line {}: {message}", cells.line()));
        }
    }

    /// The warnings, in line order, with a last one counting those not listed.
    pub(super) fn take_warnings(&mut self) -> Vec<String> {
        let mut warnings = std::mem::take(&mut self.warnings);
        let more = self.warnings_total - warnings.len();
        if more > 0 {
            warnings.push(format!("… and {more} more rows like these"));
        }
        warnings
    }
}

/// Some(true) when a value can only have a decimal comma, Some(false) only a decimal point,
/// None when it does not tell ("1,234", "12").
pub(super) fn decimal_evidence(value: &str) -> Option<bool> {
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
    use chrono::NaiveDate;

    use super::{Cells, Seen, decimal_evidence, parse_amount};
    use crate::import::Known;
    use crate::import::columns::Mapping;
    use crate::import::reader::Row;

    #[test]
    fn a_key_seen_again_gives_the_line_it_was_first_seen_on_however_far_back() {
        let mut seen = Seen {
            expected: 4,
            ..Seen::default()
        };
        let far = u64::from(u32::MAX) + 10;
        assert_eq!(seen.first(&["id\u{0}", "a"], 2), None);
        assert_eq!(seen.first(&["id\u{0}", "b"], 3), None);
        assert_eq!(seen.first(&["id\u{0}", "c"], far), None);
        assert_eq!(seen.first(&["id\u{0}", "a"], 9), Some(2));
        assert_eq!(seen.first(&["id\u{0}a"], 10), Some(2), "parts are one key");
        assert_eq!(seen.first(&["id\u{0}", "c"], far + 1), Some(far));
        assert_eq!(seen.first(&["id\u{0}", "B"], 11), None, "case counts");
        assert_eq!(seen.first(&["id\u{0}", "b"], 12), Some(3));
        // A key whose first 64 bits are taken by another key is kept apart, not confused.
        let (high, low) = super::fingerprint(&["id\u{0}", "d"]);
        seen.near.insert(high, (low.wrapping_add(1), 5));
        assert_eq!(seen.first(&["id\u{0}", "d"], 13), None);
        assert_eq!(seen.first(&["id\u{0}", "d"], 14), Some(13));
    }

    #[test]
    fn a_row_with_both_a_date_and_a_period_counts_on_its_date() {
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let mapping = Mapping {
            columns: vec![("date", 0, "date".into()), ("period", 1, "period".into())],
            ignored: Vec::new(),
        };
        let known = Known::default();
        // (date cell, period cell) → the row's first and last day, or its error.
        let cases = [
            (
                "2025-02-10",
                "2025-Q2",
                Ok((day("2025-02-10"), day("2025-02-10"))),
            ),
            ("", "2025-Q2", Ok((day("2025-04-01"), day("2025-06-30")))),
            ("2025-02-10", "", Ok((day("2025-02-10"), day("2025-02-10")))),
            (
                "2025-02-30",
                "2025-Q2",
                Err("line 2, date \"2025-02-30\": not a date"),
            ),
            ("", "", Err("line 2: has neither a date nor a period")),
        ];
        for (date, period, expected) in cases {
            let row = Row {
                line: 2,
                fields: vec![date.to_string(), period.to_string()],
            };
            let mut cells = Cells {
                row: &row,
                mapping: &mapping,
                orders: &[],
                decimal_commas: &[],
                known: &known,
                errors: Vec::new(),
            };
            let span = cells.date_or_period();
            let got = match span {
                Some(span) if cells.errors.is_empty() => Ok(span),
                _ => Err(cells.errors[0].to_string()),
            };
            assert_eq!(
                got,
                expected.map_err(str::to_string),
                "{date:?}, {period:?}"
            );
        }
    }

    #[test]
    fn a_value_tells_its_decimal_separator_when_it_can() {
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
