//! HR's data page at `/admin/data`: how many rows of each kind Attune holds per month over the
//! last twelve months (months without CSAT or pulse data stand out), and warnings about what
//! makes figures incomplete — teams without a manager, responses for teams with nobody in
//! them, and employees without a salary (whose costs cannot be priced).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};

use crate::accounts::Role;
use crate::db;
use crate::period::Period;
use crate::present;
use crate::web::auth::{CurrentUser, Nav};
use crate::web::{AppError, AppState};

/// How many months the coverage table shows, up to the current one.
const MONTHS: usize = 12;

/// The kinds of data, as the coverage table lists them: (key, label, what a row is, whether a
/// month without rows is worth a warning).
const KINDS: [(&str, &str, &str, bool); 7] = [
    (
        "employees",
        "Employees",
        "employed on the month's last day",
        false,
    ),
    (
        "absences",
        "Absences",
        "absences starting in the month",
        false,
    ),
    (
        "promotions",
        "Promotions",
        "promotions effective in the month",
        false,
    ),
    (
        "csat",
        "CSAT responses",
        "customer responses dated in the month",
        true,
    ),
    (
        "pulse",
        "Pulse responses",
        "pulse survey responses dated in the month",
        true,
    ),
    (
        "customers",
        "Customer activity",
        "rows starting in the month",
        false,
    ),
    ("measures", "Measures", "rows starting in the month", false),
];

pub struct CoverageCell {
    pub rows: String,
    /// A month without CSAT or pulse data: its figures will be missing.
    pub missing: bool,
}

pub struct CoverageRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub what: &'static str,
    pub cells: Vec<CoverageCell>,
}

pub struct ResponsesWarning {
    pub team: String,
    pub pulse: String,
    pub csat: String,
}

pub struct SalaryWarning {
    pub team: String,
    pub current: String,
    pub former: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/data.html")]
pub struct DataPage {
    pub nav: Nav,
    pub months: Vec<String>,
    pub coverage: Vec<CoverageRow>,
    /// "CSAT responses: none in Feb 2025, Mar 2025." — one sentence per survey kind with gaps.
    pub gaps: Vec<String>,
    pub has_data: bool,
    pub teams_without_manager: Vec<String>,
    pub responses_without_employees: Vec<ResponsesWarning>,
    pub without_salary: Vec<SalaryWarning>,
    pub without_salary_total: String,
}

/// `GET /admin/data`
pub async fn show(State(state): State<AppState>, user: CurrentUser) -> Result<DataPage, AppError> {
    user.require(Role::Hr)?;
    let today = chrono::Local::now().date_naive();
    let months = last_months(today);
    let (first, last) = (months[0].start(), months[MONTHS - 1].start());
    let mut conn = state.pool.acquire().await?;
    let counts = db::coverage::monthly(&mut conn, first, last).await?;
    let by: HashMap<(&str, NaiveDate), i64> = counts
        .iter()
        .map(|c| ((c.kind.as_str(), c.month), c.rows))
        .collect();
    let has_data = !counts.is_empty();
    let mut gaps = Vec::new();
    let coverage = KINDS
        .iter()
        .map(|&(kind, label, what, warn)| {
            let cells: Vec<CoverageCell> = months
                .iter()
                .map(|m| {
                    let rows = by.get(&(kind, m.start())).copied().unwrap_or(0);
                    CoverageCell {
                        rows: if rows == 0 && warn {
                            "none".to_string()
                        } else {
                            present::number(rows as f64, 0)
                        },
                        missing: rows == 0 && warn,
                    }
                })
                .collect();
            let missing: Vec<String> = months
                .iter()
                .zip(&cells)
                .filter(|(_, c)| c.missing)
                .map(|(m, _)| month_label(*m))
                .collect();
            if warn && has_data && !missing.is_empty() {
                gaps.push(format!("{label}: none in {}.", missing.join(", ")));
            }
            CoverageRow {
                kind,
                label,
                what,
                cells,
            }
        })
        .collect();
    let without_salary = db::coverage::employees_without_salary(&mut conn, today).await?;
    let total: i64 = without_salary.iter().map(|w| w.current + w.former).sum();
    Ok(DataPage {
        nav: user.nav(),
        months: months.iter().map(|m| month_label(*m)).collect(),
        coverage,
        gaps,
        has_data,
        teams_without_manager: db::coverage::teams_without_manager(&mut conn).await?,
        responses_without_employees: db::coverage::responses_without_employees(&mut conn, today)
            .await?
            .into_iter()
            .map(|r| ResponsesWarning {
                team: r.team,
                pulse: present::number(r.pulse_responses as f64, 0),
                csat: present::number(r.csat_responses as f64, 0),
            })
            .collect(),
        without_salary: without_salary
            .into_iter()
            .map(|w| SalaryWarning {
                team: w.team,
                current: present::number(w.current as f64, 0),
                former: present::number(w.former as f64, 0),
            })
            .collect(),
        without_salary_total: present::number(total as f64, 0),
    })
}

/// The last twelve months, up to and including the current one, oldest first.
fn last_months(today: NaiveDate) -> Vec<Period> {
    Period::month(today.year(), today.month())
        .expect("today is in a month")
        .trailing(MONTHS)
}

fn month_label(month: Period) -> String {
    month.start().format("%b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_covers_the_twelve_months_up_to_this_one() {
        let months = last_months(NaiveDate::from_ymd_opt(2025, 3, 15).unwrap());
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].to_string(), "2024-04");
        assert_eq!(month_label(months[11]), "Mar 2025");
    }
}
