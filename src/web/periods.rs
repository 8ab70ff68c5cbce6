//! Periods on the web: reading `?period=` (every page and the API, with one rule and one error),
//! and the period picker of the team, people and organization pages (recent quarters, months
//! and years), which works without JavaScript.

use chrono::{Datelike, NaiveDate};

use super::AppError;
use crate::period::{Granularity, Period};

/// The period asked for, or the latest complete quarter; a malformed one is a 400 that says
/// what is expected.
pub fn chosen(param: Option<&str>, today: NaiveDate) -> Result<Period, AppError> {
    match param.map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => text
            .parse::<Period>()
            .map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(Period::latest_complete_quarter(today)),
    }
}

/// The period picker of a page: where it sends its choice, the neighbouring periods and the
/// options (templates/partials/period_picker.html draws it).
#[derive(Debug, Clone)]
pub struct PeriodPicker {
    pub action: String,
    pub previous: String,
    pub next: String,
    pub groups: Vec<ChoiceGroup>,
}

impl PeriodPicker {
    /// The picker of the page at `action`, showing `period`.
    pub fn new(action: String, period: Period, today: NaiveDate) -> PeriodPicker {
        PeriodPicker {
            action,
            previous: period.previous().to_string(),
            next: period.next().to_string(),
            groups: choices(period, today),
        }
    }
}

/// One option of the picker.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of one kind of period, newest first.
#[derive(Debug, Clone)]
pub struct ChoiceGroup {
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

/// The picker's options: the last 12 complete quarters, 24 complete months and 5 years (the
/// current one "to date"), with `selected` marked and added if it is not among them.
pub fn choices(selected: Period, today: NaiveDate) -> Vec<ChoiceGroup> {
    let quarter = Period::latest_complete_quarter(today);
    let month = Period::month(today.year(), today.month())
        .expect("today is in a month")
        .previous();
    let year = Period::year(today.year()).expect("today is in a year");
    let group = |label: &'static str, granularity: Granularity, newest: Period, count: usize| {
        let mut periods: Vec<Period> = newest.trailing(count).into_iter().rev().collect();
        if selected.granularity() == granularity && !periods.contains(&selected) {
            periods.insert(0, selected);
        }
        ChoiceGroup {
            label,
            choices: periods
                .into_iter()
                .map(|p| Choice {
                    value: p.to_string(),
                    label: if p.end() >= today {
                        format!("{p} (to date)")
                    } else {
                        p.to_string()
                    },
                    selected: p == selected,
                })
                .collect(),
        }
    };
    vec![
        group("Quarters", Granularity::Quarter, quarter, 12),
        group("Months", Granularity::Month, month, 24),
        group("Years", Granularity::Year, year, 5),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picker_offers_recent_periods_newest_first_and_marks_the_chosen_one() {
        let today = NaiveDate::from_ymd_opt(2025, 5, 10).unwrap();
        let groups = choices("2025-Q1".parse().unwrap(), today);
        assert_eq!(groups[0].choices[0].value, "2025-Q1");
        assert!(groups[0].choices[0].selected);
        assert_eq!(groups[0].choices.len(), 12);
        assert_eq!(groups[1].choices[0].value, "2025-04");
        assert_eq!(groups[2].choices[0].label, "2025 (to date)");
        let old = choices("2001-Q3".parse().unwrap(), today);
        assert_eq!(old[0].choices[0].value, "2001-Q3");
        assert_eq!(old[0].choices.len(), 13);
    }

    #[test]
    fn without_a_period_the_latest_complete_quarter_is_shown() {
        let today = NaiveDate::from_ymd_opt(2025, 5, 10).unwrap();
        assert_eq!(chosen(None, today).unwrap().to_string(), "2025-Q1");
        assert_eq!(chosen(Some(" "), today).unwrap().to_string(), "2025-Q1");
        assert!(chosen(Some("2025-Q9"), today).is_err());
    }
}
