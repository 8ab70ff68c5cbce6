//! The employee roster: upserted by employee id from employees imports.

use chrono::NaiveDate;
use sqlx::PgConnection;

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

/// Insert or update employees by their employee id, in one statement. Their teams must exist
/// (see `teams::ensure`). Returns how many rows were written.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    employees: &[NewEmployee],
) -> Result<u64, sqlx::Error> {
    fn column<T: Clone>(rows: &[NewEmployee], f: impl Fn(&NewEmployee) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
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
             team_id = excluded.team_id,
             hire_date = excluded.hire_date,
             termination_date = excluded.termination_date,
             termination_type = excluded.termination_type,
             termination_reason = excluded.termination_reason,
             regretted = excluded.regretted,
             manager_external_id = excluded.manager_external_id,
             job_title = excluded.job_title,
             job_level = excluded.job_level,
             annual_salary = excluded.annual_salary,
             full_name = excluded.full_name,
             email = excluded.email,
             last_import_id = excluded.last_import_id,
             updated_at = now()
         where (employee.team_id, employee.hire_date, employee.termination_date,
                employee.termination_type, employee.termination_reason, employee.regretted,
                employee.manager_external_id, employee.job_title, employee.job_level,
                employee.annual_salary, employee.full_name, employee.email)
               is distinct from
               (excluded.team_id, excluded.hire_date, excluded.termination_date,
                excluded.termination_type, excluded.termination_reason, excluded.regretted,
                excluded.manager_external_id, excluded.job_title, excluded.job_level,
                excluded.annual_salary, excluded.full_name, excluded.email)",
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
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}

/// How many employees the roster holds.
pub async fn count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from employee")
        .fetch_one(conn)
        .await
}
