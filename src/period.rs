//! Reporting periods: a year (`2025`), a quarter (`2025-Q1`) or a month (`2025-03`), with
//! inclusive start and end dates.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    Year,
    Quarter,
    Month,
}

/// A calendar period whose start and end days are both inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    granularity: Granularity,
    start: NaiveDate,
}

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a period: use YYYY (2025), YYYY-Qn (2025-Q1) or YYYY-MM (2025-03)")]
pub struct PeriodError(String);

impl Period {
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            granularity: Granularity::Year,
            start: NaiveDate::from_ymd_opt(year, 1, 1)?,
        })
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        Some(Period {
            granularity: Granularity::Quarter,
            start: NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?,
        })
    }

    pub fn month(year: i32, month: u32) -> Option<Period> {
        Some(Period {
            granularity: Granularity::Month,
            start: NaiveDate::from_ymd_opt(year, month, 1)?,
        })
    }

    /// The quarter containing `day`.
    pub fn quarter_of(day: NaiveDate) -> Period {
        Period::quarter(day.year(), day.month0() / 3 + 1).expect("a real day is in a quarter")
    }

    /// The latest quarter that has fully ended before `today`.
    pub fn latest_complete_quarter(today: NaiveDate) -> Period {
        Period::quarter_of(today).previous()
    }

    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.next().start - chrono::Days::new(1)
    }

    /// How many months long the period is.
    fn length_in_months(&self) -> u32 {
        match self.granularity {
            Granularity::Year => 12,
            Granularity::Quarter => 3,
            Granularity::Month => 1,
        }
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        Period {
            start: self.start - Months::new(self.length_in_months()),
            ..*self
        }
    }

    /// The period of the same length just after this one.
    pub fn next(&self) -> Period {
        Period {
            start: self.start + Months::new(self.length_in_months()),
            ..*self
        }
    }

    /// The same period a year earlier.
    pub fn year_earlier(&self) -> Period {
        Period {
            start: self.start - Months::new(12),
            ..*self
        }
    }

    /// This period and the `count - 1` before it, oldest first.
    pub fn trailing(&self, count: usize) -> Vec<Period> {
        let mut periods = Vec::with_capacity(count);
        let mut p = *self;
        for _ in 0..count {
            periods.push(p);
            p = p.previous();
        }
        periods.reverse();
        periods
    }

    /// The months of the period, oldest first.
    pub fn months(&self) -> Vec<Period> {
        let first = Period {
            granularity: Granularity::Month,
            start: self.start,
        };
        std::iter::successors(Some(first), |m| Some(m.next()))
            .take(self.length_in_months() as usize)
            .collect()
    }

    /// Whether `day` lies inside the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.start.year();
        match self.granularity {
            Granularity::Year => write!(f, "{year}"),
            Granularity::Quarter => write!(f, "{year}-Q{}", self.start.month0() / 3 + 1),
            Granularity::Month => write!(f, "{year}-{:02}", self.start.month()),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError(text.to_string());
        let trimmed = text.trim();
        let (year, rest) = match trimmed.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (trimmed, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let number = |digits: &str| -> Result<u32, PeriodError> {
            if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(err());
            }
            digits.parse().map_err(|_| err())
        };
        match rest {
            None => Period::year(year),
            Some(q) if q.starts_with(['Q', 'q']) => Period::quarter(year, number(&q[1..])?),
            Some(m) if m.len() == 2 => Period::month(year, number(m)?),
            Some(_) => None,
        }
        .ok_or_else(err)
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl schemars::JsonSchema for Period {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
            "description": "A year (2025), a quarter (2025-Q1) or a month (2025-03)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_parse_with_inclusive_bounds() {
        let cases = [
            ("2025", day(2025, 1, 1), day(2025, 12, 31)),
            ("2025-Q1", day(2025, 1, 1), day(2025, 3, 31)),
            ("2024-q4", day(2024, 10, 1), day(2024, 12, 31)),
            ("2024-02", day(2024, 2, 1), day(2024, 2, 29)),
            ("2025-12", day(2025, 12, 1), day(2025, 12, 31)),
        ];
        for (text, start, end) in cases {
            let p: Period = text.parse().unwrap();
            assert_eq!((p.start(), p.end()), (start, end), "{text}");
        }
    }

    #[test]
    fn malformed_periods_are_refused() {
        for text in [
            "", "25", "2025-Q5", "2025-Q0", "2025-13", "2025-00", "2025-1", "Q1-2025", "2025-H1",
        ] {
            assert!(text.parse::<Period>().is_err(), "{text}");
        }
    }

    #[test]
    fn periods_print_as_they_parse() {
        for text in ["2025", "2025-Q3", "2025-07"] {
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn previous_and_year_earlier_keep_the_granularity() {
        let q1: Period = "2025-Q1".parse().unwrap();
        assert_eq!(q1.previous().to_string(), "2024-Q4");
        assert_eq!(q1.year_earlier().to_string(), "2024-Q1");
        let jan: Period = "2025-01".parse().unwrap();
        assert_eq!(jan.previous().to_string(), "2024-12");
    }

    #[test]
    fn the_latest_complete_quarter_is_the_one_before_today() {
        assert_eq!(
            Period::latest_complete_quarter(day(2026, 11, 26)).to_string(),
            "2026-Q3"
        );
        assert_eq!(
            Period::latest_complete_quarter(day(2026, 1, 1)).to_string(),
            "2025-Q4"
        );
    }

    #[test]
    fn trailing_lists_oldest_first() {
        let q: Period = "2025-Q2".parse().unwrap();
        let labels: Vec<String> = q.trailing(3).iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["2024-Q4", "2025-Q1", "2025-Q2"]);
    }

    #[test]
    fn a_year_has_twelve_months_and_a_quarter_three() {
        let year: Period = "2025".parse().unwrap();
        let months: Vec<String> = year.months().iter().map(Period::to_string).collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2025-01");
        assert_eq!(months[11], "2025-12");
        let quarter: Period = "2025-Q2".parse().unwrap();
        let months: Vec<String> = quarter.months().iter().map(Period::to_string).collect();
        assert_eq!(months, ["2025-04", "2025-05", "2025-06"]);
        let month: Period = "2024-02".parse().unwrap();
        assert_eq!(month.months(), [month]);
    }
}
