//! Dates as HR exports write them: ISO 8601 dates and date-times, d/m/y and m/d/y (decided per
//! column from the data), dd.mm.yyyy, two-digit years and Excel serial numbers.
//!
//! Two-digit years follow the POSIX pivot: 00–68 are 2000–2068, 69–99 are 1969–1999.

use chrono::{Days, NaiveDate};

/// The order of day and month in slash or dash dates such as 03/04/2024.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// d/m/y (most of the world).
    DayFirst,
    /// m/d/y (the United States).
    MonthFirst,
}

impl DateOrder {
    pub fn label(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "day/month/year",
            DateOrder::MonthFirst => "month/day/year",
        }
    }
}

/// What a column's values say about their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// No value of the form a/b/year: the order does not matter.
    NotNeeded,
    /// Values of the form a/b/year, none of which tells the order (both parts ≤ 12).
    Ambiguous,
    /// The data decides.
    Decided(DateOrder),
    /// Some values are only valid day-first, others only month-first.
    Conflicting,
}

/// Look at every value of one column.
pub fn evidence<'a>(values: impl IntoIterator<Item = &'a str>) -> Evidence {
    let (mut day_first, mut month_first, mut any) = (false, false, false);
    for value in values {
        if let Some((a, b, _)) = numeric_parts(value) {
            any = true;
            day_first |= a > 12 && b <= 12;
            month_first |= b > 12 && a <= 12;
        }
    }
    match (any, day_first, month_first) {
        (false, _, _) => Evidence::NotNeeded,
        (true, true, true) => Evidence::Conflicting,
        (true, true, false) => Evidence::Decided(DateOrder::DayFirst),
        (true, false, true) => Evidence::Decided(DateOrder::MonthFirst),
        (true, false, false) => Evidence::Ambiguous,
    }
}

/// `a/b/y` or `a-b-y` with a 2- or 4-digit year: (a, b, year).
fn numeric_parts(value: &str) -> Option<(u32, u32, i32)> {
    let value = value.trim();
    let separator = if value.contains('/') { '/' } else { '-' };
    let mut parts = value.split(separator);
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || a.len() > 2 || b.len() > 2 || !(y.len() == 2 || y.len() == 4) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    Some((a.parse().ok()?, b.parse().ok()?, expand_year(year, y.len())))
}

fn expand_year(year: i32, digits: usize) -> i32 {
    match (digits, year) {
        (2, 0..=68) => 2000 + year,
        (2, _) => 1900 + year,
        _ => year,
    }
}

/// Parse one date. `order` is needed only for a/b/y values; where it is None they are read
/// only when unambiguous.
pub fn parse(value: &str, order: Option<DateOrder>) -> Option<NaiveDate> {
    let value = value.trim();
    if let Some(date) = excel_serial(value) {
        return Some(date);
    }
    // ISO 8601 date, or the date part of a date-time.
    let date_part = value.split(['T', ' ']).next().unwrap_or(value);
    let year_first =
        date_part.len() >= 8 && date_part.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if year_first && date_part.as_bytes()[4] == b'-' {
        return NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok();
    }
    if year_first && date_part.as_bytes()[4] == b'/' {
        return NaiveDate::parse_from_str(date_part, "%Y/%m/%d").ok();
    }
    if date_part.contains('.') {
        let mut parts = date_part.split('.');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !(y.len() == 2 || y.len() == 4) {
            return None;
        }
        return NaiveDate::from_ymd_opt(
            expand_year(y.parse().ok()?, y.len()),
            m.parse().ok()?,
            d.parse().ok()?,
        );
    }
    if let Some((a, b, year)) = numeric_parts(date_part) {
        let order = order.or(match (a > 12, b > 12) {
            (true, false) => Some(DateOrder::DayFirst),
            (false, true) => Some(DateOrder::MonthFirst),
            _ if a == b => Some(DateOrder::DayFirst),
            _ => None,
        })?;
        let (day, month) = match order {
            DateOrder::DayFirst => (a, b),
            DateOrder::MonthFirst => (b, a),
        };
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    None
}

/// Excel stores dates as days since 1899-12-30; serials from 10000 (1927) to 99999 (2173) are
/// read as dates, smaller numbers are not (they are more likely a mistake than a date).
fn excel_serial(value: &str) -> Option<NaiveDate> {
    let whole = value.strip_suffix(".0").unwrap_or(value);
    if whole.len() != 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let serial: u64 = whole.parse().ok()?;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn every_documented_form_is_read() {
        let cases = [
            ("2024-03-05", None, day(2024, 3, 5)),
            ("2024-03-05T14:30:00Z", None, day(2024, 3, 5)),
            ("2024-03-05 14:30", None, day(2024, 3, 5)),
            ("2024/03/05", None, day(2024, 3, 5)),
            ("05.03.2024", None, day(2024, 3, 5)),
            ("5.3.24", None, day(2024, 3, 5)),
            ("3/5/2024", Some(DateOrder::MonthFirst), day(2024, 3, 5)),
            ("3/5/2024", Some(DateOrder::DayFirst), day(2024, 5, 3)),
            ("25/12/2023", None, day(2023, 12, 25)),
            ("12/25/99", None, day(1999, 12, 25)),
            ("12/5/2024", Some(DateOrder::MonthFirst), day(2024, 12, 5)),
            ("01/02/68", Some(DateOrder::DayFirst), day(2068, 2, 1)),
            ("01/02/69", Some(DateOrder::DayFirst), day(1969, 2, 1)),
            ("45292", None, day(2024, 1, 1)),
            ("45292.0", None, day(2024, 1, 1)),
        ];
        for (text, order, expected) in cases {
            assert_eq!(parse(text, order), expected, "{text}");
        }
    }

    #[test]
    fn impossible_or_ambiguous_dates_are_not_guessed() {
        for text in [
            "2019-02-30",
            "3/5/2024",
            "31/31/2020",
            "yesterday",
            "2024",
            "13.13.2024",
        ] {
            assert_eq!(parse(text, None), None, "{text}");
        }
    }

    #[test]
    fn a_column_decides_its_order_from_its_values() {
        assert_eq!(evidence(["2024-01-01"]), Evidence::NotNeeded);
        assert_eq!(evidence(["01/02/2024", "03/04/2024"]), Evidence::Ambiguous);
        assert_eq!(
            evidence(["01/02/2024", "13/04/2024"]),
            Evidence::Decided(DateOrder::DayFirst)
        );
        assert_eq!(
            evidence(["01/02/2024", "4/30/2024"]),
            Evidence::Decided(DateOrder::MonthFirst)
        );
        assert_eq!(evidence(["13/01/2024", "4/30/2024"]), Evidence::Conflicting);
    }
}
