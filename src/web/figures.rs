//! Numbers for people, shared by the team, organization and data pages: one decimal for
//! percentages, thousands separators, money in the organization's currency, "–" for unknown;
//! and whether a change is good or bad, from the catalogue's direction.

use chrono::NaiveDate;

use super::redact;
use crate::scoring::{Direction, Metric, MetricInfo, Scored, Unit};

/// What a suppressed survey figure shows instead of a number.
pub const NOT_ENOUGH_RESPONSES: &str = "not enough responses";

/// Why a withheld figure is not shown: "withheld: salary-based" for a manager's money figures
/// computed from salaries, else "not enough responses".
pub fn withheld_because(metric: Metric) -> &'static str {
    if redact::is_salary_based(metric) {
        redact::WITHHELD_SALARY_BASED
    } else {
        NOT_ENOUGH_RESPONSES
    }
}

/// A metric of a scope as shown: its value, why it is withheld, or "–".
pub fn show(scope: &impl Scored, metric: &MetricInfo, currency: &str) -> String {
    if scope.is_suppressed(metric.metric) {
        withheld_because(metric.metric).to_string()
    } else {
        value(metric.unit, scope.get(metric.metric), currency)
    }
}

/// A value in its unit: "12.3 %", "1,234", "$12,345", "4.5"; "–" when unknown.
pub fn value(unit: Unit, value: Option<f64>, currency: &str) -> String {
    let Some(v) = value else {
        return "–".to_string();
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

/// A number with `decimals` decimals and thousands separators: 12,345.6. Minus is "−".
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

/// Money without decimals in `currency`: "$12,345", "€12,345", "£12,345", "12,345 CHF".
pub fn money(value: f64, currency: &str) -> String {
    let amount = number(value, 0);
    let (sign, digits) = match amount.strip_prefix('−') {
        Some(rest) => ("−", rest.to_string()),
        None => ("", amount),
    };
    match currency {
        "USD" => format!("{sign}${digits}"),
        "EUR" => format!("{sign}€{digits}"),
        "GBP" => format!("{sign}£{digits}"),
        "JPY" => format!("{sign}¥{digits}"),
        other => format!("{sign}{digits} {other}"),
    }
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

/// Whether a change, or a difference from the organization, is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    /// No change worth showing (the same at the precision shown), or within the tolerance.
    Same,
    /// A change in a metric that is neither good nor bad (headcount).
    Neutral,
    /// One side is unknown or withheld.
    Unknown,
}

impl Verdict {
    /// The CSS class: colour is never the only signal (see `word` and `symbol`).
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "same",
            Verdict::Neutral => "neutral",
            Verdict::Unknown => "unknown",
        }
    }

    /// The judgement in words.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "similar",
            Verdict::Neutral => "",
            Verdict::Unknown => "",
        }
    }
}

/// Whether going from `before` to `after` is good, given the metric's direction. `tolerance`
/// is the smallest difference that counts (half the last digit shown, for a change).
pub fn judge(
    direction: Direction,
    before: Option<f64>,
    after: Option<f64>,
    tolerance: f64,
) -> Verdict {
    let (Some(before), Some(after)) = (before, after) else {
        return Verdict::Unknown;
    };
    let delta = after - before;
    if delta.abs() < tolerance {
        return Verdict::Same;
    }
    match direction {
        Direction::Neutral => Verdict::Neutral,
        Direction::HigherIsBetter if delta > 0.0 => Verdict::Better,
        Direction::LowerIsBetter if delta < 0.0 => Verdict::Better,
        _ => Verdict::Worse,
    }
}

/// The smallest change that shows at a unit's precision.
pub fn precision(unit: Unit) -> f64 {
    match unit {
        Unit::Count | Unit::Money | Unit::Quarters => 0.5,
        Unit::Percent | Unit::Days | Unit::Number => 0.05,
    }
}

/// A change as shown: "▲ 2.1 pts", "▼ 3", "no change"; percentages change in points.
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

/// A path segment with everything but unreserved characters percent-encoded (team names in
/// URLs: "Customer Support" → "Customer%20Support").
pub fn path_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
    fn values_are_shown_in_their_unit() {
        assert_eq!(value(Unit::Percent, Some(7.0588), "USD"), "7.1 %");
        assert_eq!(value(Unit::Count, Some(1200.0), "USD"), "1,200");
        assert_eq!(value(Unit::Money, Some(50400.0), "EUR"), "€50,400");
        assert_eq!(value(Unit::Money, Some(50400.0), "CHF"), "50,400 CHF");
        assert_eq!(value(Unit::Quarters, Some(1.0), "USD"), "1 quarter");
        assert_eq!(value(Unit::Percent, None, "USD"), "–");
    }

    #[test]
    fn lower_turnover_is_better_and_a_tiny_change_is_no_change() {
        let down = Direction::LowerIsBetter;
        assert_eq!(judge(down, Some(8.0), Some(3.1), 0.05), Verdict::Better);
        assert_eq!(judge(down, Some(3.1), Some(8.0), 0.05), Verdict::Worse);
        assert_eq!(judge(down, Some(3.1), Some(3.12), 0.05), Verdict::Same);
        assert_eq!(judge(down, None, Some(3.1), 0.05), Verdict::Unknown);
        assert_eq!(
            judge(Direction::Neutral, Some(40.0), Some(42.0), 0.5),
            Verdict::Neutral
        );
        assert_eq!(
            judge(Direction::HigherIsBetter, Some(80.0), Some(85.0), 0.05),
            Verdict::Better
        );
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
    }

    #[test]
    fn team_names_are_encoded_for_paths() {
        assert_eq!(path_segment("Customer Support"), "Customer%20Support");
        assert_eq!(path_segment("R&D/Ops"), "R%26D%2FOps");
    }
}
