//! What data Attune has, month by month, and what looks incomplete: for HR's data page.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// Rows of one data kind in one month.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MonthCount {
    /// `employees`, `absences`, `promotions`, `csat`, `pulse`, `customers` or `measures`.
    pub kind: String,
    /// The month's first day.
    pub month: NaiveDate,
    pub rows: i64,
}

/// Per month from `first` to `last` (first days of months, inclusive): the employees active on
/// the month's last day, and the rows of every other kind dated in the month (absences by their
/// first day, customer activity and measures by their period's first day). Months without rows
/// are left out.
pub async fn monthly(
    conn: &mut PgConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<MonthCount>, sqlx::Error> {
    sqlx::query_as(
        "with month as (
             select m::date as month, (m + interval '1 month' - interval '1 day')::date as last_day
             from generate_series($1::date, $2::date, interval '1 month') as m
         ),
         dated (kind, day) as (
             select 'absences', start_date from absence
             union all select 'promotions', effective_date from promotion
             union all select 'csat', responded_on from csat_response
             union all select 'pulse', submitted_on from pulse_answer
             union all select 'customers', period_start from customer_activity
             union all select 'measures', period_start from measure
         )
         select 'employees' as kind, m.month, count(e.employee_id) as rows
         from month m
         join employee e on e.hire_date <= m.last_day
              and (e.termination_date is null or e.termination_date >= m.last_day)
         group by m.month
         union all
         select d.kind, m.month, count(*)
         from dated d join month m on d.day between m.month and m.last_day
         group by d.kind, m.month",
    )
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await
}

/// Teams to which no enabled manager account is assigned, by name.
pub async fn teams_without_manager(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select t.name from team t
         where not exists (
             select from user_team ut join app_user u using (user_id)
             where ut.team_id = t.team_id and u.role = 'manager' and u.disabled_at is null)
         order by lower(t.name)",
    )
    .fetch_all(conn)
    .await
}

/// A team that has survey or customer responses but nobody employed on `today`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ResponsesWithoutPeople {
    pub team: String,
    pub pulse_responses: i64,
    pub csat_responses: i64,
}

/// Teams with pulse or CSAT responses and no employee active on `today`.
pub async fn responses_without_employees(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Vec<ResponsesWithoutPeople>, sqlx::Error> {
    sqlx::query_as(
        "select t.name as team,
                (select count(*) from pulse_answer p where p.team_id = t.team_id) as pulse_responses,
                (select count(*) from csat_response c where c.team_id = t.team_id) as csat_responses
         from team t
         where not exists (
                 select from employee e
                 where e.team_id = t.team_id and e.hire_date <= $1
                   and (e.termination_date is null or e.termination_date >= $1))
           and (exists (select from pulse_answer p where p.team_id = t.team_id)
                or exists (select from csat_response c where c.team_id = t.team_id))
         order by lower(t.name)",
    )
    .bind(today)
    .fetch_all(conn)
    .await
}

/// Per team, the employees with no salary on record: still employed on `today`, and gone.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WithoutSalary {
    pub team: String,
    pub current: i64,
    pub former: i64,
}

/// Teams with employees who have no salary on record (their costs cannot be priced).
pub async fn employees_without_salary(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Vec<WithoutSalary>, sqlx::Error> {
    sqlx::query_as(
        "select t.name as team,
                count(*) filter (where e.termination_date is null or e.termination_date >= $1) as current,
                count(*) filter (where e.termination_date < $1) as former
         from employee e join team t using (team_id)
         where e.annual_salary is null
         group by t.team_id, t.name
         order by lower(t.name)",
    )
    .bind(today)
    .fetch_all(conn)
    .await
}
