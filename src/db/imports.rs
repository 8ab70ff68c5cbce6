//! The import record: one row per file imported, with its content hash, so that the same file
//! imported twice is recognised.

use std::fmt;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The advisory lock that imports and undos take for their transaction, so that they happen one
/// at a time (two copies of one file arriving together must not both be written). Its value
/// only needs to differ from any other advisory lock taken on the database.
const IMPORT_LOCK: i64 = 7261;

/// Wait for the import lock; it is held until the transaction ends.
pub async fn lock(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(IMPORT_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// Where an import stands (the `import_status_known` constraint lists the same four).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    /// Being written: visible to nobody until its transaction commits.
    Running,
    Succeeded,
    Failed,
    Undone,
}

impl ImportStatus {
    pub fn name(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Succeeded => "succeeded",
            ImportStatus::Failed => "failed",
            ImportStatus::Undone => "undone",
        }
    }
}

impl TryFrom<String> for ImportStatus {
    type Error = String;

    fn try_from(name: String) -> Result<ImportStatus, String> {
        [
            ImportStatus::Running,
            ImportStatus::Succeeded,
            ImportStatus::Failed,
            ImportStatus::Undone,
        ]
        .into_iter()
        .find(|status| status.name() == name)
        .ok_or_else(|| format!("unknown import status \"{name}\""))
    }
}

impl fmt::Display for ImportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that the CLI's table can align it.
        f.pad(self.name())
    }
}

/// One import as listed in the history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Import {
    pub import_id: i64,
    pub kind: String,
    pub file_name: String,
    pub content_hash: String,
    #[sqlx(try_from = "String")]
    pub status: ImportStatus,
    pub rows_total: i32,
    pub rows_accepted: i32,
    pub rows_rejected: i32,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The columns of an [`Import`], for every query that reads one.
macro_rules! select_import {
    () => {
        "select import_id, kind, file_name, content_hash, status, rows_total, rows_accepted,
                rows_rejected, created_by, created_at
         from import "
    };
}

/// The complete import of exactly this content, if there is one. An import that skipped
/// invalid rows does not count: the same file may import more rows later (once the roster has
/// the employees they name, say).
pub async fn find_succeeded(
    conn: &mut PgConnection,
    kind: &str,
    content_hash: &str,
) -> Result<Option<Import>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_import!(),
        "where kind = $1 and content_hash = $2 and status = 'succeeded'
               and rows_rejected = 0
         order by import_id desc limit 1"
    ))
    .bind(kind)
    .bind(content_hash)
    .fetch_optional(conn)
    .await
}

/// Record a new import as running; it becomes visible only when its transaction commits.
pub async fn start(
    conn: &mut PgConnection,
    kind: &str,
    file_name: &str,
    content_hash: &str,
    created_by: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into import (kind, file_name, content_hash, created_by) values ($1, $2, $3, $4)
         returning import_id",
    )
    .bind(kind)
    .bind(file_name)
    .bind(content_hash)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// Mark an import succeeded with its row counts.
pub async fn finish(
    conn: &mut PgConnection,
    import_id: i64,
    rows_total: usize,
    rows_accepted: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update import set status = 'succeeded', rows_total = $2, rows_accepted = $3,
                rows_rejected = $2 - $3, finished_at = now()
         where import_id = $1",
    )
    .bind(import_id)
    .bind(rows_total as i32)
    .bind(rows_accepted as i32)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest imports first.
pub async fn list(conn: &mut PgConnection, limit: i64) -> Result<Vec<Import>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_import!(),
        "order by import_id desc limit $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// One import.
pub async fn find(conn: &mut PgConnection, import_id: i64) -> Result<Option<Import>, sqlx::Error> {
    sqlx::query_as(concat!(select_import!(), "where import_id = $1"))
        .bind(import_id)
        .fetch_optional(conn)
        .await
}

/// Later succeeded imports that changed employees this one changed too.
pub async fn later_employee_imports(
    conn: &mut PgConnection,
    import_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "select distinct later.import_id
         from employee_change mine
         join employee_change later on later.employee_id = mine.employee_id
              and later.import_id > mine.import_id
         join import i on i.import_id = later.import_id and i.status = 'succeeded'
         where mine.import_id = $1
         order by later.import_id",
    )
    .bind(import_id)
    .fetch_all(conn)
    .await
}

/// Employees an import created that other data (absences, promotions) now refers to.
pub async fn created_employees_in_use(
    conn: &mut PgConnection,
    import_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from employee_change c
         where c.import_id = $1 and c.previous is null
           and (exists (select from absence a where a.employee_id = c.employee_id)
                or exists (select from promotion p where p.employee_id = c.employee_id))",
    )
    .bind(import_id)
    .fetch_one(conn)
    .await
}

/// Put back the employees an import changed, and remove those it created.
pub async fn revert_employees(conn: &mut PgConnection, import_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update employee e set
             team_id = r.team_id, hire_date = r.hire_date, termination_date = r.termination_date,
             termination_type = r.termination_type, termination_reason = r.termination_reason,
             regretted = r.regretted, manager_external_id = r.manager_external_id,
             job_title = r.job_title, job_level = r.job_level, annual_salary = r.annual_salary,
             full_name = r.full_name, email = r.email, last_import_id = r.last_import_id,
             updated_at = now()
         from employee_change c
         cross join lateral jsonb_populate_record(null::employee, c.previous) r
         where c.import_id = $1 and c.previous is not null and e.employee_id = c.employee_id",
    )
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "delete from employee where employee_id in
             (select employee_id from employee_change where import_id = $1 and previous is null)",
    )
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Remove the fact rows an import last wrote.
pub async fn delete_facts(conn: &mut PgConnection, import_id: i64) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for statement in [
        "delete from absence where import_id = $1",
        "delete from promotion where import_id = $1",
        "delete from csat_response where import_id = $1",
        "delete from pulse_response where import_id = $1",
        "delete from customer_activity where import_id = $1",
        "delete from measure where import_id = $1",
    ] {
        removed += sqlx::query(statement)
            .bind(import_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(removed)
}

/// Mark an import undone.
pub async fn mark_undone(conn: &mut PgConnection, import_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update import set status = 'undone', finished_at = now() where import_id = $1")
        .bind(import_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ImportStatus;

    #[test]
    fn every_status_reads_back_from_its_name_and_nothing_else_does() {
        for status in [
            ImportStatus::Running,
            ImportStatus::Succeeded,
            ImportStatus::Failed,
            ImportStatus::Undone,
        ] {
            assert_eq!(ImportStatus::try_from(status.to_string()), Ok(status));
        }
        assert!(ImportStatus::try_from("Succeeded".to_string()).is_err());
        assert_eq!(format!("{:<10}|", ImportStatus::Undone), "undone    |");
    }
}
