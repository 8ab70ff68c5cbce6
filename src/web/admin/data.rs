//! HR's data page at `/admin/data`: how many rows of each kind Attune holds per month over the
//! last twelve months (months without CSAT or pulse data stand out), and warnings about what
//! makes figures incomplete — kinds whose coverage ends before the last finished quarter,
//! teams with people that a kind's coverage leaves out, absences dated after the person left, teams without a
//! manager, responses for teams with nobody in them, and employees without a salary (whose
//! costs cannot be priced).

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

/// How many absences dated after the person left the page lists (the rest are counted).
const LISTED_ABSENCES: i64 = 50;

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

/// A team with people and no data of some kinds.
pub struct KindsWarning {
    pub team: String,
    /// "Absences, Pulse responses".
    pub kinds: String,
}

/// An absence dated after its employee left.
pub struct AbsenceWarning {
    pub employee_id: String,
    pub team: String,
    pub left_on: String,
    pub dates: String,
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
    /// "Pulse responses: the data covers up to …" — kinds whose coverage ends before the last
    /// finished quarter.
    pub stale_kinds: Vec<String>,
    pub teams_without_kind: Vec<KindsWarning>,
    pub absences_after_leaving: Vec<AbsenceWarning>,
    /// How many there are in all (the list stops at [`LISTED_ABSENCES`]).
    pub absences_after_leaving_total: String,
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
    let last_quarter = Period::latest_complete_quarter(today);
    let stale_kinds = stale_kinds(&db::coverage::covered_until(&mut conn).await?, last_quarter);
    let teams_without_kind =
        kinds_by_team(db::coverage::teams_without_kind(&mut conn, today).await?);
    let (after_leaving, after_leaving_total) =
        db::coverage::absences_after_leaving(&mut conn, LISTED_ABSENCES).await?;
    let without_salary = db::coverage::employees_without_salary(&mut conn, today).await?;
    let total: i64 = without_salary.iter().map(|w| w.current + w.former).sum();
    Ok(DataPage {
        nav: user.nav(),
        months: months.iter().map(|m| month_label(*m)).collect(),
        coverage,
        gaps,
        has_data,
        stale_kinds,
        teams_without_kind,
        absences_after_leaving: after_leaving
            .into_iter()
            .map(|a| AbsenceWarning {
                employee_id: a.employee_id,
                team: a.team,
                left_on: present::day(a.left_on),
                dates: if a.start_date == a.end_date {
                    present::day(a.start_date)
                } else {
                    format!(
                        "{} – {}",
                        present::day(a.start_date),
                        present::day(a.end_date)
                    )
                },
            })
            .collect(),
        absences_after_leaving_total: present::number(after_leaving_total as f64, 0),
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

/// The label of a data kind, as the coverage table names it.
fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(key, ..)| *key == kind)
        .map_or(kind, |(_, label, ..)| label)
}

/// One sentence per data kind whose coverage ends before `last_quarter` (the last finished
/// quarter) begins: that quarter has none of its figures.
fn stale_kinds(until: &[db::coverage::CoveredUntil], last_quarter: Period) -> Vec<String> {
    KINDS
        .iter()
        .filter_map(|(kind, label, ..)| {
            let day = until.iter().find(|u| u.kind == *kind)?.day;
            (day < last_quarter.start()).then(|| {
                format!(
                    "{label}: the data covers up to {}, before {last_quarter}, the last \
                     finished quarter. Its figures of {last_quarter} are missing until data \
                     covering it is imported.",
                    present::day(day)
                )
            })
        })
        .collect()
}

/// The kinds each team lacks, one line per team (the rows come ordered by team).
fn kinds_by_team(rows: Vec<db::coverage::TeamWithoutKind>) -> Vec<KindsWarning> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for row in &rows {
        let label = kind_label(&row.kind);
        match out.last_mut() {
            Some((team, kinds)) if *team == row.team => kinds.push(label),
            _ => out.push((row.team.clone(), vec![label])),
        }
    }
    out.into_iter()
        .map(|(team, kinds)| KindsWarning {
            team,
            kinds: kinds.join(", "),
        })
        .collect()
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

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_kind_whose_data_ends_before_the_last_finished_quarter_is_named() {
        let latest = [
            db::coverage::CoveredUntil {
                kind: "pulse".to_string(),
                day: day("2025-05-31"),
            },
            db::coverage::CoveredUntil {
                kind: "csat".to_string(),
                day: day("2025-07-31"),
            },
        ];
        let q3: Period = "2025-Q3".parse().unwrap();
        assert_eq!(
            stale_kinds(&latest, q3),
            [
                "Pulse responses: the data covers up to 31 May 2025, before 2025-Q3, the last \
                 finished quarter. Its figures of 2025-Q3 are missing until data covering it is \
                 imported."
            ]
        );
    }

    #[test]
    fn the_kinds_a_team_lacks_read_as_one_line() {
        let row = |team: &str, kind: &str| db::coverage::TeamWithoutKind {
            team: team.to_string(),
            kind: kind.to_string(),
        };
        let lines = kinds_by_team(vec![
            row("IT/IS", "absences"),
            row("IT/IS", "pulse"),
            row("Production", "csat"),
        ]);
        let lines: Vec<(String, String)> = lines.into_iter().map(|w| (w.team, w.kinds)).collect();
        assert_eq!(
            lines,
            [
                ("IT/IS".to_string(), "Absences, Pulse responses".to_string()),
                ("Production".to_string(), "CSAT responses".to_string()),
            ]
        );
    }

    #[test]
    fn coverage_covers_the_twelve_months_up_to_this_one() {
        let months = last_months(NaiveDate::from_ymd_opt(2025, 3, 15).unwrap());
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].to_string(), "2024-04");
        assert_eq!(month_label(months[11]), "Mar 2025");
    }
}
