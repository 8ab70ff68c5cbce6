//! What data Attune has: the ranges each kind covers (what the figures are known over, see
//! `scoring::coverage`), and for HR's data page, the rows month by month and what looks
//! incomplete.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;

use crate::scoring::coverage::{Coverage, DataKind, Span};

/// A range to record: `kind`'s data covers `team` (None: the whole organization) from `first`
/// to `last` (None: open-ended), inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Range {
    pub kind: DataKind,
    /// The team's name; None (null) for the whole organization.
    pub team: Option<String>,
    pub first: NaiveDate,
    /// None (null): open-ended.
    pub last: Option<NaiveDate>,
}

/// As the preview and the history say it: "absences of the whole organization from 2025-02-01
/// to 2025-04-30".
impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of ", self.kind)?;
        match &self.team {
            Some(team) => write!(f, "team {team}")?,
            None => f.write_str("the whole organization")?,
        }
        match self.last {
            Some(last) => write!(f, " from {} to {last}", self.first),
            None => write!(f, " from {} on", self.first),
        }
    }
}

/// Record ranges, for an import (`import_id`) or for the demo's own data (None). A range
/// recorded already for the same import is not recorded twice; a team is matched by name,
/// ignoring case, and a range of a team that does not exist is left out.
pub async fn record(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    ranges: &[Range],
) -> Result<(), sqlx::Error> {
    let kinds: Vec<&str> = ranges.iter().map(|r| r.kind.key()).collect();
    let teams: Vec<Option<&str>> = ranges.iter().map(|r| r.team.as_deref()).collect();
    let firsts: Vec<NaiveDate> = ranges.iter().map(|r| r.first).collect();
    let lasts: Vec<Option<NaiveDate>> = ranges.iter().map(|r| r.last).collect();
    sqlx::query(
        "insert into coverage (import_id, kind, team_id, first_day, last_day)
         select $1, r.kind, t.team_id, r.first_day, r.last_day
         from unnest($2::text[], $3::text[], $4::date[], $5::date[])
              as r(kind, team, first_day, last_day)
         left join team t on lower(t.name) = lower(trim(r.team))
         where (r.team is null or t.team_id is not null)
           and not exists (
               select from coverage c
               where c.import_id is not distinct from $1 and c.kind = r.kind
                 and c.team_id is not distinct from t.team_id and c.first_day = r.first_day
                 and c.last_day is not distinct from r.last_day)",
    )
    .bind(import_id)
    .bind(&kinds)
    .bind(&teams)
    .bind(&firsts)
    .bind(&lasts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Remove the ranges an import recorded (when it is undone).
pub async fn delete_of_import(conn: &mut PgConnection, import_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("delete from coverage where import_id = $1")
        .bind(import_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The ranges each of `imports` recorded, by import id.
pub async fn of_imports(
    conn: &mut PgConnection,
    imports: &[i64],
) -> Result<Vec<(i64, Range)>, sqlx::Error> {
    type Row = (i64, String, Option<String>, NaiveDate, Option<NaiveDate>);
    let rows: Vec<Row> = sqlx::query_as(
        "select c.import_id, c.kind, t.name, c.first_day, c.last_day
         from coverage c left join team t using (team_id)
         where c.import_id = any($1)
         order by c.import_id, c.kind, t.name nulls first, c.first_day",
    )
    .bind(imports)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, team, first, last)| {
            Some((
                id,
                Range {
                    kind: DataKind::from_key(&kind)?,
                    team,
                    first,
                    last,
                },
            ))
        })
        .collect())
}

/// Everything the data covers, as scoring reads it: the recorded ranges, and the pulse of the
/// survey rounds Attune ran. A round that has opened covers pulse for each team it invited,
/// over the whole quarter of its opening day — its answers are dated on that day, and survey
/// figures are reported by quarter (docs/metrics.md, "Coverage").
pub async fn load(conn: &mut PgConnection) -> Result<Coverage, sqlx::Error> {
    let rows: Vec<(String, Option<String>, NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
        "select c.kind, t.name, c.first_day, c.last_day
         from coverage c left join team t using (team_id)
         union
         select 'pulse', t.name, date_trunc('quarter', r.opens_on)::date,
                (date_trunc('quarter', r.opens_on) + interval '3 months' - interval '1 day')::date
         from survey_round r
         join survey_invitation i using (survey_round_id)
         join team t on t.team_id = i.team_id
         where r.status in ('open', 'closed')",
    )
    .fetch_all(conn)
    .await?;
    Ok(Coverage::new(rows.into_iter().filter_map(
        |(kind, team, first, last)| {
            Some(Span {
                kind: DataKind::from_key(&kind)?,
                team,
                first,
                last,
            })
        },
    )))
}

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

/// A team with people employed on `today` that a data kind's coverage leaves out.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TeamWithoutKind {
    pub team: String,
    /// As in [`MonthCount::kind`].
    pub kind: String,
}

/// The ranges the data covers, as [`load`] reads them (recorded ranges, and the pulse of the
/// survey rounds Attune ran), as SQL: `(kind, team_id, first_day, last_day)`, a null team for
/// the whole organization and a null last day for open-ended.
const COVERED: &str = "
    select kind, team_id, first_day, last_day from coverage
    union
    select 'pulse', i.team_id, date_trunc('quarter', r.opens_on)::date,
           (date_trunc('quarter', r.opens_on) + interval '3 months' - interval '1 day')::date
    from survey_round r join survey_invitation i using (survey_round_id)
    where r.status in ('open', 'closed')";

/// Per team with people employed on `today`, each data kind (but the roster) whose coverage
/// includes some team or the organization but never this team: its figures of that kind are
/// `no_data` in every period. Kinds covered nowhere are left out (the coverage table shows
/// them).
pub async fn teams_without_kind(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Vec<TeamWithoutKind>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "with covered as ({COVERED}),
         kind as (select distinct kind from covered where kind <> 'employees')
         select t.name as team, k.kind
         from team t cross join kind k
         where exists (
                 select from employee e
                 where e.team_id = t.team_id and e.hire_date <= $1
                   and (e.termination_date is null or e.termination_date >= $1))
           and not exists (
                 select from covered c
                 where c.kind = k.kind and (c.team_id is null or c.team_id = t.team_id))
         order by lower(t.name), k.kind"
    )))
    .bind(today)
    .fetch_all(conn)
    .await
}

/// An absence dated after its employee left.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsenceAfterLeaving {
    pub employee_id: String,
    pub team: String,
    pub left_on: NaiveDate,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// The absences whose last day is after their employee's termination date (the last day
/// worked), earliest first: at most `limit` of them, and how many there are.
pub async fn absences_after_leaving(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<(Vec<AbsenceAfterLeaving>, i64), sqlx::Error> {
    type Row = (String, String, NaiveDate, NaiveDate, NaiveDate, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "select e.external_id, t.name, e.termination_date, a.start_date, a.end_date,
                count(*) over ()
         from absence a join employee e using (employee_id) join team t using (team_id)
         where a.end_date > e.termination_date
         order by a.start_date, e.external_id
         limit $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.5);
    let listed = rows
        .into_iter()
        .map(
            |(employee_id, team, left_on, start_date, end_date, _)| AbsenceAfterLeaving {
                employee_id,
                team,
                left_on,
                start_date,
                end_date,
            },
        )
        .collect();
    Ok((listed, total))
}

/// The last day a data kind's coverage reaches, for any team or the organization.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CoveredUntil {
    /// As in [`MonthCount::kind`].
    pub kind: String,
    pub day: NaiveDate,
}

/// Each data kind whose coverage ends (no open-ended range), with the last day it covers.
pub async fn covered_until(conn: &mut PgConnection) -> Result<Vec<CoveredUntil>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "with covered as ({COVERED})
         select kind, max(last_day) as day from covered
         group by kind
         having bool_and(last_day is not null)"
    )))
    .fetch_all(conn)
    .await
}
