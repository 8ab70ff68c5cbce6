//! What an import covers (docs/importing.md, "Coverage"): by default, the whole months from its
//! earliest to its latest date for the whole organization (the roster: from its earliest hire
//! date on); or the range HR states (`--covers FROM..TO`, `?covers=FROM..TO`, the preview's
//! field), which every row must then lie in.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};

use super::kinds::{Dated, Kind};
use crate::db::coverage::Range;

/// A range HR states that a file covers, both days included (`last` None: open-ended, as a
/// roster's default, written `FROM..`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covers {
    pub first: NaiveDate,
    pub last: Option<NaiveDate>,
}

/// Why a stated range cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoversError {
    #[error(
        "\"{0}\" is not a range: write FROM..TO, with days (2025-01-01..2025-03-31) or months (2025-01..2025-03)"
    )]
    NotARange(String),
    #[error("\"{0}\" is not a day (YYYY-MM-DD) or a month (YYYY-MM)")]
    NotADate(String),
    #[error("the range starts ({first}) after it ends ({last})")]
    Backwards { first: NaiveDate, last: NaiveDate },
}

impl FromStr for Covers {
    type Err = CoversError;

    /// `FROM..TO`: days (`2025-01-01..2025-03-31`) or months (`2025-01..2025-03`, whole
    /// months), or one of each; `FROM..` is open-ended.
    fn from_str(text: &str) -> Result<Covers, CoversError> {
        let text = text.trim();
        let (from, to) = text
            .split_once("..")
            .ok_or_else(|| CoversError::NotARange(text.to_string()))?;
        let first = bound(from, false)?;
        if to.trim().is_empty() {
            return Ok(Covers { first, last: None });
        }
        let last = bound(to, true)?;
        if first > last {
            return Err(CoversError::Backwards { first, last });
        }
        Ok(Covers {
            first,
            last: Some(last),
        })
    }
}

/// A day, or a month's first (`end` false) or last (`end` true) day.
fn bound(text: &str, end: bool) -> Result<NaiveDate, CoversError> {
    let text = text.trim();
    let not_a_date = || CoversError::NotADate(text.to_string());
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day);
    }
    let (year, month) = text.split_once('-').ok_or_else(not_a_date)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(not_a_date());
    }
    let first = NaiveDate::from_ymd_opt(
        year.parse().map_err(|_| not_a_date())?,
        month.parse().map_err(|_| not_a_date())?,
        1,
    )
    .ok_or_else(not_a_date)?;
    Ok(if end { month_end(first) } else { first })
}

fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

fn month_end(day: NaiveDate) -> NaiveDate {
    month_start(day) + Months::new(1) - chrono::Days::new(1)
}

impl fmt::Display for Covers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last {
            Some(last) => write!(f, "{}..{last}", self.first),
            None => write!(f, "{}..", self.first),
        }
    }
}

impl From<&Range> for Covers {
    fn from(range: &Range) -> Covers {
        Covers {
            first: range.first,
            last: range.last,
        }
    }
}

/// The earliest and latest day of a file's valid rows, gathered row by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extent(Option<(NaiveDate, NaiveDate)>);

impl Extent {
    pub(crate) fn add(&mut self, dated: Dated) {
        self.0 = Some(match self.0 {
            None => (dated.first, dated.last),
            Some((first, last)) => (first.min(dated.first), last.max(dated.last)),
        });
    }
}

/// What an import of `kind` records as covered: the stated range, or else the default from its
/// rows' dates. The roster covers headcount and turnover from its earliest hire date on
/// (open-ended); the other kinds the whole months from their earliest to their latest date. A
/// file without rows covers nothing unless a range is stated.
pub fn ranges(kind: Kind, stated: Option<Covers>, extent: Extent) -> Vec<Range> {
    let range = |first, last| Range {
        kind: kind.data(),
        team: None,
        first,
        last,
    };
    match (stated, extent.0) {
        (Some(covers), _) => vec![range(covers.first, covers.last)],
        (None, None) => Vec::new(),
        (None, Some((first, _))) if kind == Kind::Employees => vec![range(first, None)],
        (None, Some((first, last))) => vec![range(month_start(first), Some(month_end(last)))],
    }
}

/// The day of a row that lies outside the stated range, if any, with its column. A roster's row
/// is outside when the person was hired after the range ends (people hired before it are its
/// headcount); any other row when its dates are not all inside.
pub(crate) fn outside(kind: Kind, covers: Covers, dated: Dated) -> Option<NaiveDate> {
    let after = |day: NaiveDate| covers.last.is_some_and(|last| day > last);
    if kind == Kind::Employees {
        return after(dated.first).then_some(dated.first);
    }
    if dated.first < covers.first {
        Some(dated.first)
    } else if after(dated.last) {
        Some(dated.last)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_range_of_days_or_of_whole_months_reads_both_ends() {
        for (text, first, last) in [
            ("2025-01-01..2025-03-31", "2025-01-01", "2025-03-31"),
            ("2025-01..2025-03", "2025-01-01", "2025-03-31"),
            ("2024-02..2024-02", "2024-02-01", "2024-02-29"),
            (" 2025-01-15..2025-02 ", "2025-01-15", "2025-02-28"),
        ] {
            assert_eq!(
                text.parse::<Covers>(),
                Ok(Covers {
                    first: day(first),
                    last: Some(day(last))
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn a_range_without_an_end_is_open_ended_and_reads_back_as_written() {
        let open: Covers = "2011-07-05..".parse().unwrap();
        assert_eq!(open.last, None);
        assert_eq!(open.to_string(), "2011-07-05..");
        let q1: Covers = "2025-01..2025-03".parse().unwrap();
        assert_eq!(q1.to_string(), "2025-01-01..2025-03-31");
    }

    #[test]
    fn a_range_that_is_not_one_or_runs_backwards_is_refused_with_why() {
        assert!(matches!(
            "2025-01-01".parse::<Covers>(),
            Err(CoversError::NotARange(_))
        ));
        assert!(matches!(
            "2025-13..2025-14".parse::<Covers>(),
            Err(CoversError::NotADate(t)) if t == "2025-13"
        ));
        assert!(matches!(
            "2025-01-01..tomorrow".parse::<Covers>(),
            Err(CoversError::NotADate(t)) if t == "tomorrow"
        ));
        assert_eq!(
            "2025-03..2025-01".parse::<Covers>(),
            Err(CoversError::Backwards {
                first: day("2025-03-01"),
                last: day("2025-01-31")
            })
        );
    }

    #[test]
    fn by_default_an_import_covers_the_whole_months_of_its_dates_for_the_organization() {
        let mut extent = Extent::default();
        extent.add(Dated::on("start_date", day("2025-02-10")));
        extent.add(Dated::on("start_date", day("2025-04-03")));
        let ranges = ranges(Kind::Absences, None, extent);
        assert_eq!(
            ranges,
            [Range {
                kind: crate::scoring::DataKind::Absences,
                team: None,
                first: day("2025-02-01"),
                last: Some(day("2025-04-30")),
            }]
        );
    }

    #[test]
    fn a_roster_covers_from_its_earliest_hire_date_on() {
        let mut extent = Extent::default();
        extent.add(Dated::on("hire_date", day("2019-05-14")));
        extent.add(Dated::on("hire_date", day("2011-07-05")));
        let ranges = ranges(Kind::Employees, None, extent);
        assert_eq!((ranges[0].first, ranges[0].last), (day("2011-07-05"), None));
    }

    #[test]
    fn a_file_without_rows_covers_nothing_unless_a_range_is_stated() {
        assert!(ranges(Kind::Pulse, None, Extent::default()).is_empty());
        let stated: Covers = "2025-03..2025-03".parse().unwrap();
        let ranges = ranges(Kind::Pulse, Some(stated), Extent::default());
        assert_eq!(
            (ranges[0].first, ranges[0].last),
            (day("2025-03-01"), Some(day("2025-03-31")))
        );
    }

    #[test]
    fn a_row_is_outside_a_stated_range_by_its_own_dates_and_a_roster_row_by_its_hire_date() {
        let q1: Covers = "2025-01..2025-03".parse().unwrap();
        let on = |d| Dated::on("date", day(d));
        assert_eq!(outside(Kind::Csat, q1, on("2025-03-31")), None);
        assert_eq!(
            outside(Kind::Csat, q1, on("2025-04-01")),
            Some(day("2025-04-01"))
        );
        assert_eq!(
            outside(Kind::Csat, q1, on("2024-12-31")),
            Some(day("2024-12-31"))
        );
        let year = Dated::span(day("2025-01-01"), day("2025-12-31"));
        assert_eq!(outside(Kind::Measures, q1, year), Some(day("2025-12-31")));
        assert_eq!(outside(Kind::Employees, q1, on("2010-01-01")), None);
        assert_eq!(
            outside(Kind::Employees, q1, on("2025-04-01")),
            Some(day("2025-04-01"))
        );
    }
}
