//! People by name, for a manager's drill-down into their own team: who left and who was
//! promoted in a period. Only what a manager may know about their team is selected — names,
//! job titles and dates — never salaries, leaving reasons, absence types or survey answers.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// Someone whose last day worked falls in the period.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Leaver {
    /// `None` once the person has been erased.
    pub full_name: Option<String>,
    pub job_title: Option<String>,
    pub termination_date: NaiveDate,
}

/// A promotion that took effect in the period.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Promoted {
    pub full_name: Option<String>,
    pub from_title: Option<String>,
    pub to_title: Option<String>,
    pub effective_date: NaiveDate,
}

/// The team's leavers from `start` to `end` (both inclusive), by date then name.
pub async fn leavers(
    conn: &mut PgConnection,
    team_id: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<Leaver>, sqlx::Error> {
    sqlx::query_as(
        "select full_name, job_title, termination_date
         from employee
         where team_id = $1 and termination_date between $2 and $3
         order by termination_date, lower(full_name), employee_id",
    )
    .bind(team_id)
    .bind(start)
    .bind(end)
    .fetch_all(conn)
    .await
}

/// The promotions of the team's people effective from `start` to `end`, by date then name.
pub async fn promotions(
    conn: &mut PgConnection,
    team_id: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<Promoted>, sqlx::Error> {
    sqlx::query_as(
        "select e.full_name, p.from_title, p.to_title, p.effective_date
         from promotion p join employee e using (employee_id)
         where e.team_id = $1 and p.effective_date between $2 and $3
         order by p.effective_date, lower(e.full_name), p.promotion_id",
    )
    .bind(team_id)
    .bind(start)
    .bind(end)
    .fetch_all(conn)
    .await
}
