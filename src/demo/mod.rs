//! The demo company: a fictional business of about 150 people in seven teams over three years,
//! generated deterministically (seeded) so that `attune demo` always loads the same company and
//! loading it twice changes nothing.

pub mod accounts;
pub mod surveys;

use chrono::{Local, NaiveDate};
use sqlx::PgPool;

use crate::db;
use crate::db::coverage::Range;
use crate::db::employees::NewEmployee;
use crate::generate::{Activity, Company, History};
use crate::period::Period;
use crate::scoring::DataKind;

/// What was loaded, for the start-up banner.
#[derive(Debug, Clone)]
pub struct Summary {
    pub employees: usize,
    /// The demo's open survey round (its links are on HR's round page).
    pub open_survey: Option<i64>,
    pub teams: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The demo roster as of `today`: three years of history up to the current quarter.
pub fn roster(today: NaiveDate) -> Vec<NewEmployee> {
    Company::demo(today).roster()
}

/// Load the demo company. Idempotent: every row is upserted by its natural key.
pub async fn load(pool: &PgPool) -> anyhow::Result<Summary> {
    load_as_of(pool, Local::now().date_naive()).await
}

/// Load the demo company as it is on `today`: three years of history up to that quarter (tests
/// load it as of a fixed day, to know exactly what it holds).
pub async fn load_as_of(pool: &PgPool, today: NaiveDate) -> anyhow::Result<Summary> {
    let company = Company::demo(today);
    let employees = company.roster();
    let mut activity = Activity::default();
    for (_, month) in History::new(&company, &employees) {
        activity.extend(month);
    }
    let mut tx = pool.begin().await?;
    let teams: Vec<String> = company.teams.iter().map(|t| t.name.clone()).collect();
    db::teams::ensure(&mut tx, &teams).await?;
    db::employees::upsert(&mut tx, None, &employees, db::employees::ALL_COLUMNS).await?;
    db::absences::upsert(&mut tx, None, &activity.absences).await?;
    db::promotions::upsert(&mut tx, None, &activity.promotions).await?;
    db::csat::upsert(&mut tx, None, &activity.csat).await?;
    db::pulse::upsert(&mut tx, None, &activity.pulse).await?;
    db::customers::upsert(&mut tx, None, &activity.customers).await?;
    db::measures::upsert(&mut tx, None, &activity.measures).await?;
    db::coverage::record(&mut tx, None, &coverage(&company)).await?;
    tx.commit().await?;
    surveys::ensure(pool, today).await?;
    let open_survey = {
        let mut conn = pool.acquire().await?;
        db::surveys::list(&mut conn)
            .await?
            .into_iter()
            .find(|r| r.status == "open")
            .map(|r| r.survey_round_id)
    };
    Ok(Summary {
        open_survey,
        employees: employees
            .iter()
            .filter(|e| e.termination_date.is_none())
            .count(),
        teams: company.teams.len(),
        from: company.start,
        to: company.until,
    })
}

/// What the demo's data covers: its own teams, from the first day of its history to the end of
/// the quarter it was loaded in, for the roster, absences, promotions, CSAT and pulse — so
/// that a team imported later is not taken as having none of those —, and the whole
/// organization for customers and measures, whose files hold organization-wide rows. The
/// roster's coverage starts with the history, not with the earliest hire date: nothing is
/// known about who left before it.
fn coverage(company: &Company) -> Vec<Range> {
    let first = company.start;
    let last = Some(Period::quarter_of(company.until).end());
    let per_team = [
        DataKind::Employees,
        DataKind::Absences,
        DataKind::Promotions,
        DataKind::Csat,
        DataKind::Pulse,
    ]
    .into_iter()
    .flat_map(|kind| {
        company.teams.iter().map(move |team| Range {
            kind,
            team: Some(team.name.clone()),
            first,
            last,
        })
    });
    let whole = [DataKind::Customers, DataKind::Measures]
        .into_iter()
        .map(|kind| Range {
            kind,
            team: None,
            first,
            last,
        });
    per_team.chain(whole).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_company_is_the_same_every_time() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(roster(today), roster(today));
    }

    #[test]
    fn the_demo_company_has_about_150_people_and_both_kinds_of_leavers() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let people = roster(today);
        let active = people
            .iter()
            .filter(|e| e.termination_date.is_none())
            .count();
        assert!((120..=190).contains(&active), "{active} active employees");
        for kind in ["voluntary", "involuntary"] {
            assert!(
                people
                    .iter()
                    .any(|e| e.termination_type.as_deref() == Some(kind)),
                "{kind}"
            );
        }
        assert!(people.iter().all(|e| {
            e.termination_date
                .is_none_or(|d| d >= e.hire_date && d <= today)
        }));
    }
}
