//! Absences: one row per absence of an employee, classified planned or unplanned on import.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::staging::{Line, Stage};

/// One absence as an import delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAbsence {
    pub employee_id: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub days: Option<f64>,
    pub absence_type: String,
    pub planned: bool,
}

/// Where absences are staged, and the upsert from there: employees are matched by their HR
/// ids, and an absence already recorded for the same employee, days and type is updated
/// instead of duplicated.
pub static STAGE: Stage = Stage {
    table: "absence_stage",
    columns: "employee_id text, start_date date, end_date date, days float8, absence_type text, planned bool",
    insert: "insert into absence (employee_id, start_date, end_date, days, absence_type, planned, import_id)
         select e.employee_id, x.start_date, x.end_date, x.days::numeric(8, 2), x.absence_type, x.planned, $1
         from absence_stage x
         join employee e on e.external_id = x.employee_id
         on conflict (employee_id, start_date, end_date, lower(absence_type)) do update set
             days = excluded.days, planned = excluded.planned,
             import_id = excluded.import_id, updated_at = now()",
};

/// An absence as a row of [`STAGE`].
pub fn encode(a: &NewAbsence, line: &mut Line<'_>) {
    line.text(&a.employee_id)
        .value(a.start_date)
        .value(a.end_date)
        .optional(a.days)
        .text(&a.absence_type)
        .value(a.planned);
}

/// Insert absences (see [`STAGE`]). Must run inside a transaction.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewAbsence],
) -> Result<u64, sqlx::Error> {
    STAGE.write(conn, import_id, rows, encode).await
}

/// HR's own absence type names: (lowercase name, planned).
pub async fn custom_types(conn: &mut PgConnection) -> Result<Vec<(String, bool)>, sqlx::Error> {
    sqlx::query_as("select name, planned from absence_type order by name")
        .fetch_all(conn)
        .await
}

/// Record how an absence type name counts (for types the built-in mapping does not know).
pub async fn set_custom_type(
    conn: &mut PgConnection,
    name: &str,
    planned: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into absence_type (name, planned) values (lower(btrim($1)), $2)
         on conflict (name) do update set planned = excluded.planned",
    )
    .bind(name)
    .bind(planned)
    .execute(conn)
    .await?;
    Ok(())
}
