//! Numbers for people: thousands separators, a true minus sign (−), one decimal for percentages,
//! scores and days, none for counts and money, money in the organization's currency, and "–"
//! for a value that cannot be computed.

use chrono::NaiveDate;

use super::Missing;
use crate::scoring::Unit;

/// A number with `decimals` decimals and thousands separators: 12,345.6. Minus is "−", and a
/// value that rounds to zero has no sign.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (text.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "−" } else { "" };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A rate on the 0–100 scale: "6.0 %"; "–" when unknown.
pub fn percent(value: Option<f64>) -> String {
    self::value(Unit::Percent, value, "")
}

/// A score or plain number with one decimal: "62.3"; "–" when unknown.
pub fn score(value: Option<f64>) -> String {
    self::value(Unit::Number, value, "")
}

/// Money without decimals in `currency` (an ISO code): "$12,345", "€12,345", "£12,345",
/// "¥12,345", "12,345 CHF"; just the amount when no currency is given.
pub fn money(value: f64, currency: &str) -> String {
    let amount = number(value, 0);
    let (sign, digits) = match amount.strip_prefix('−') {
        Some(rest) => ("−", rest.to_string()),
        None => ("", amount),
    };
    match currency.trim() {
        "USD" => format!("{sign}${digits}"),
        "EUR" => format!("{sign}€{digits}"),
        "GBP" => format!("{sign}£{digits}"),
        "JPY" => format!("{sign}¥{digits}"),
        "" => format!("{sign}{digits}"),
        other => format!("{sign}{digits} {other}"),
    }
}

/// A change with its sign and one decimal: "+1.8", "−0.5", "0.0".
pub fn signed(value: f64) -> String {
    let text = number(value, 1);
    if value > 0.0 && text != "0.0" {
        format!("+{text}")
    } else {
        text
    }
}

/// A value in its unit: "12.3 %", "1,234", "$12,345", "2 quarters", "4.5"; "–" when unknown.
pub fn value(unit: Unit, value: Option<f64>, currency: &str) -> String {
    let Some(v) = value else {
        return Missing::NoFigure.words().to_string();
    };
    match unit {
        Unit::Percent => format!("{} %", number(v, 1)),
        Unit::Count => number(v, 0),
        Unit::Money => money(v, currency),
        Unit::Quarters => {
            let n = number(v, 0);
            if n == "1" {
                "1 quarter".to_string()
            } else {
                format!("{n} quarters")
            }
        }
        Unit::Days | Unit::Number => number(v, 1),
    }
}

/// The smallest change that shows at a unit's precision.
pub fn precision(unit: Unit) -> f64 {
    match unit {
        Unit::Count | Unit::Money | Unit::Quarters => 0.5,
        Unit::Percent | Unit::Days | Unit::Number => 0.05,
    }
}

/// A change as shown: "▲ +2.1 pts", "▼ −3", "no change"; percentages change in points.
pub fn delta(unit: Unit, before: f64, after: f64, currency: &str) -> String {
    let d = after - before;
    if d.abs() < precision(unit) {
        return "no change".to_string();
    }
    let arrow = if d > 0.0 { "▲ +" } else { "▼ −" };
    let size = match unit {
        Unit::Percent => format!("{} pts", number(d.abs(), 1)),
        Unit::Money => money(d.abs(), currency),
        other => value(other, Some(d.abs()), currency),
    };
    format!("{arrow}{size}")
}

/// A day as people read it: "1 Jan 2025".
pub fn day(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// A span of days: "1 Jan – 31 Mar 2025" (the year once when both days share it).
pub fn span(start: NaiveDate, end: NaiveDate) -> String {
    if start.format("%Y").to_string() == end.format("%Y").to_string() {
        format!("{} – {}", start.format("%-d %b"), day(end))
    } else {
        format!("{} – {}", day(start), day(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators_and_a_real_minus() {
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-1234.0, 0), "−1,234");
        assert_eq!(number(-0.01, 1), "0.0");
    }

    #[test]
    fn whole_numbers_get_thousands_separators() {
        assert_eq!(number(0.0, 0), "0");
        assert_eq!(number(999.4, 0), "999");
        assert_eq!(number(1000.0, 0), "1,000");
        assert_eq!(number(1_234_567.8, 0), "1,234,568");
        assert_eq!(number(-25_000.0, 0), "−25,000");
    }

    #[test]
    fn values_are_shown_in_their_unit() {
        assert_eq!(value(Unit::Percent, Some(7.0588), "USD"), "7.1 %");
        assert_eq!(value(Unit::Count, Some(1200.0), "USD"), "1,200");
        assert_eq!(value(Unit::Money, Some(50400.0), "EUR"), "€50,400");
        assert_eq!(value(Unit::Money, Some(50400.0), "CHF"), "50,400 CHF");
        assert_eq!(value(Unit::Quarters, Some(1.0), "USD"), "1 quarter");
        assert_eq!(value(Unit::Percent, None, "USD"), "–");
        assert_eq!(percent(Some(-2.0)), "−2.0 %");
        assert_eq!(value(Unit::Number, None, ""), "–");
    }

    #[test]
    fn money_is_shown_in_the_organizations_currency() {
        assert_eq!(money(50_400.0, "EUR"), "€50,400");
        assert_eq!(money(50_400.0, "USD"), "$50,400");
        assert_eq!(money(-1_200.0, "GBP"), "−£1,200");
        assert_eq!(money(50_400.0, "CHF"), "50,400 CHF");
        assert_eq!(money(50_400.0, ""), "50,400");
    }

    #[test]
    fn changes_carry_their_sign_and_a_true_minus() {
        assert_eq!(signed(1.84), "+1.8");
        assert_eq!(signed(-0.5), "−0.5");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(0.04), "0.0");
        assert_eq!(signed(1234.5), "+1,234.5");
    }

    #[test]
    fn changes_of_percentages_are_in_points() {
        assert_eq!(delta(Unit::Percent, 8.0, 3.1, "USD"), "▼ −4.9 pts");
        assert_eq!(delta(Unit::Count, 40.0, 42.0, "USD"), "▲ +2");
        assert_eq!(delta(Unit::Count, 40.0, 40.0, "USD"), "no change");
    }

    #[test]
    fn spans_name_the_year_once_when_they_can() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(span(d(2025, 1, 1), d(2025, 3, 31)), "1 Jan – 31 Mar 2025");
        assert_eq!(
            span(d(2024, 12, 1), d(2025, 1, 31)),
            "1 Dec 2024 – 31 Jan 2025"
        );
        assert_eq!(day(d(2025, 3, 1)), "1 Mar 2025");
    }
}
