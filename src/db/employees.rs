//! The employee roster: upserted by employee id from employees imports.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// Every column an employees file can carry, by canonical name.
pub const ALL_COLUMNS: &[&str] = &[
    "employee_id",
    "team",
    "hire_date",
    "termination_date",
    "termination_type",
    "termination_reason",
    "regretted",
    "manager_id",
    "job_title",
    "job_level",
    "annual_salary",
    "full_name",
    "email",
];

/// One employee as an import delivers it (already validated).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmployee {
    pub external_id: String,
    pub team: String,
    pub hire_date: NaiveDate,
    pub termination_date: Option<NaiveDate>,
    pub termination_type: Option<String>,
    pub termination_reason: Option<String>,
    pub regretted: Option<bool>,
    pub manager_external_id: Option<String>,
    pub job_title: Option<String>,
    pub job_level: Option<String>,
    pub annual_salary: Option<f64>,
    pub full_name: Option<String>,
    pub email: Option<String>,
}

/// Insert or update employees by their employee id, in one statement. A file without
/// termination columns that gives a leaver a hire date after their termination date rehires
/// them: the old termination is cleared. Their teams must exist
/// (see `teams::ensure`). An existing employee's fields are updated only for the canonical
/// columns in `present` (the file's columns): a file without a salary column keeps salaries.
/// Returns how many rows were written.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    employees: &[NewEmployee],
    present: &[&str],
) -> Result<u64, sqlx::Error> {
    fn column<T: Clone>(rows: &[NewEmployee], f: impl Fn(&NewEmployee) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    let ids = column(employees, |e| e.external_id.clone());
    if let Some(import_id) = import_id {
        // Remember what this import changes, so that it can be undone.
        sqlx::query(
            "insert into employee_change (import_id, employee_id, previous)
             select $1, e.employee_id, to_jsonb(e) from employee e where e.external_id = any($2)",
        )
        .bind(import_id)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    }
    let result = sqlx::query(
        "insert into employee (external_id, team_id, hire_date, termination_date, termination_type,
             termination_reason, regretted, manager_external_id, job_title, job_level,
             annual_salary, full_name, email, last_import_id)
         select x.external_id, t.team_id, x.hire_date, x.termination_date, x.termination_type,
             x.termination_reason, x.regretted, x.manager_external_id, x.job_title, x.job_level,
             x.annual_salary::numeric(14, 2), x.full_name, x.email, $14
         from unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[],
                     $7::bool[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::text[],
                     $13::text[])
              as x(external_id, team, hire_date, termination_date, termination_type,
                   termination_reason, regretted, manager_external_id, job_title, job_level,
                   annual_salary, full_name, email)
         join team t on lower(t.name) = lower(btrim(x.team))
         on conflict (external_id) do update set
             team_id = case when 'team' = any($15) then excluded.team_id else employee.team_id end,
             hire_date = case when 'hire_date' = any($15) then excluded.hire_date else employee.hire_date end,
             termination_date = case when 'termination_date' = any($15) then excluded.termination_date
                 when excluded.hire_date > employee.termination_date then null
                 else employee.termination_date end,
             termination_type = case when 'termination_type' = any($15) then excluded.termination_type
                 when excluded.hire_date > employee.termination_date then null
                 else employee.termination_type end,
             termination_reason = case when 'termination_reason' = any($15) then excluded.termination_reason
                 when excluded.hire_date > employee.termination_date then null
                 else employee.termination_reason end,
             regretted = case when 'regretted' = any($15) then excluded.regretted
                 when excluded.hire_date > employee.termination_date then null
                 else employee.regretted end,
             manager_external_id = case when 'manager_id' = any($15) then excluded.manager_external_id else employee.manager_external_id end,
             job_title = case when 'job_title' = any($15) then excluded.job_title else employee.job_title end,
             job_level = case when 'job_level' = any($15) then excluded.job_level else employee.job_level end,
             annual_salary = case when 'annual_salary' = any($15) then excluded.annual_salary else employee.annual_salary end,
             full_name = case when 'full_name' = any($15) then excluded.full_name else employee.full_name end,
             email = case when 'email' = any($15) then excluded.email else employee.email end,
             last_import_id = coalesce(excluded.last_import_id, employee.last_import_id),
             updated_at = now()",
    )
    .bind(column(employees, |e| e.external_id.clone()))
    .bind(column(employees, |e| e.team.clone()))
    .bind(column(employees, |e| e.hire_date))
    .bind(column(employees, |e| e.termination_date))
    .bind(column(employees, |e| e.termination_type.clone()))
    .bind(column(employees, |e| e.termination_reason.clone()))
    .bind(column(employees, |e| e.regretted))
    .bind(column(employees, |e| e.manager_external_id.clone()))
    .bind(column(employees, |e| e.job_title.clone()))
    .bind(column(employees, |e| e.job_level.clone()))
    .bind(column(employees, |e| e.annual_salary))
    .bind(column(employees, |e| e.full_name.clone()))
    .bind(column(employees, |e| e.email.clone()))
    .bind(import_id)
    .bind(present)
    .execute(&mut *conn)
    .await?;
    if let Some(import_id) = import_id {
        sqlx::query(
            "insert into employee_change (import_id, employee_id, previous)
             select $1, e.employee_id, null from employee e
             where e.external_id = any($2)
               and not exists (select from employee_change c
                               where c.import_id = $1 and c.employee_id = e.employee_id)",
        )
        .bind(import_id)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    }
    Ok(result.rows_affected())
}

/// How many employees the roster holds.
pub async fn count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from employee")
        .fetch_one(conn)
        .await
}

/// The whole roster as stored, each employee with their team's name (for the preview of a
/// roster file: what it will change).
pub async fn roster(conn: &mut PgConnection) -> Result<Vec<NewEmployee>, sqlx::Error> {
    let rows: Vec<EmployeeRow> = sqlx::query_as(
        "select e.external_id, t.name as team, e.hire_date, e.termination_date,
                e.termination_type, e.termination_reason, e.regretted, e.manager_external_id,
                e.job_title, e.job_level, e.annual_salary::float8 as annual_salary, e.full_name,
                e.email
         from employee e join team t using (team_id)",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(NewEmployee::from).collect())
}

#[derive(sqlx::FromRow)]
struct EmployeeRow {
    external_id: String,
    team: String,
    hire_date: NaiveDate,
    termination_date: Option<NaiveDate>,
    termination_type: Option<String>,
    termination_reason: Option<String>,
    regretted: Option<bool>,
    manager_external_id: Option<String>,
    job_title: Option<String>,
    job_level: Option<String>,
    annual_salary: Option<f64>,
    full_name: Option<String>,
    email: Option<String>,
}

impl From<EmployeeRow> for NewEmployee {
    fn from(r: EmployeeRow) -> NewEmployee {
        NewEmployee {
            external_id: r.external_id,
            team: r.team,
            hire_date: r.hire_date,
            termination_date: r.termination_date,
            termination_type: r.termination_type,
            termination_reason: r.termination_reason,
            regretted: r.regretted,
            manager_external_id: r.manager_external_id,
            job_title: r.job_title,
            job_level: r.job_level,
            annual_salary: r.annual_salary,
            full_name: r.full_name,
            email: r.email,
        }
    }
}

/// Every employee id in the roster.
/// Each employee who has left, by employee id, with their termination date (the last day worked).
pub async fn leaving_days(
    conn: &mut PgConnection,
) -> Result<Vec<(String, chrono::NaiveDate)>, sqlx::Error> {
    sqlx::query_as(
        "select external_id, termination_date from employee where termination_date is not null",
    )
    .fetch_all(conn)
    .await
}

pub async fn external_ids(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select external_id from employee")
        .fetch_all(conn)
        .await
}

/// Erase a person (by their employee id from the HR system): remove their name, e-mail,
/// salary, job title and termination reason, and replace the employee id with `new_external_id`
/// (also where others name them as manager), so that historical counts stay right but nothing
/// identifies them. Returns the internal id of the erased employee, `None` if there is no such
/// employee.
pub async fn erase(
    conn: &mut PgConnection,
    external_id: &str,
    new_external_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let erased: Option<i64> = sqlx::query_scalar(
        "with target as (
             select employee_id, external_id from employee where external_id = btrim($1)
         ), managed as (
             update employee set manager_external_id = $2, updated_at = now()
             where manager_external_id = (select external_id from target)
         )
         update employee e set
             external_id = $2, full_name = null, email = null, annual_salary = null,
             termination_reason = null, job_title = null, updated_at = now()
         from target
         where e.employee_id = target.employee_id
         returning e.employee_id",
    )
    .bind(external_id)
    .bind(new_external_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(employee_id) = erased {
        // The states kept for undoing imports must not bring the person back: scrub them too.
        sqlx::query(
            "update employee_change set previous = previous
                 || jsonb_build_object('external_id', $2::text, 'full_name', null, 'email', null,
                                       'annual_salary', null, 'termination_reason', null,
                                       'job_title', null)
             where employee_id = $1 and previous is not null",
        )
        .bind(employee_id)
        .bind(new_external_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("update employee_change set previous = previous || jsonb_build_object('manager_external_id', $2::text) where previous ->> 'manager_external_id' = $1")
            .bind(external_id.trim())
            .bind(new_external_id)
            .execute(&mut *conn)
            .await?;
        // Files uploaded but not confirmed may hold the person's name and salary: they go.
        super::uploads::discard_all(conn).await?;
    }
    Ok(erased)
}
