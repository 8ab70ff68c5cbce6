//! Promotions: one row per promotion of an employee.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// One promotion as an import delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPromotion {
    pub employee_id: String,
    pub effective_date: NaiveDate,
    pub from_title: Option<String>,
    pub to_title: Option<String>,
    pub from_level: Option<String>,
    pub to_level: Option<String>,
}

/// Insert promotions; the same employee and effective date again is an update.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewPromotion],
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "insert into promotion (employee_id, effective_date, from_title, to_title, from_level, to_level, import_id)
         select e.employee_id, x.effective_date, x.from_title, x.to_title, x.from_level, x.to_level, $7
         from unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[])
              as x(employee_id, effective_date, from_title, to_title, from_level, to_level)
         join employee e on e.external_id = x.employee_id
         on conflict on constraint promotion_natural_key do update set
             from_title = excluded.from_title, to_title = excluded.to_title,
             from_level = excluded.from_level, to_level = excluded.to_level,
             import_id = excluded.import_id, updated_at = now()",
    )
    .bind(rows.iter().map(|r| r.employee_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.effective_date).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.from_title.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.to_title.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.from_level.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.to_level.clone()).collect::<Vec<_>>())
    .bind(import_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
