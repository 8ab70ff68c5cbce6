//! Team measures: any other KPI by team (or the whole organization) and period.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// One measured value (team None = the whole organization).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMeasure {
    pub team: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub metric: String,
    pub value: f64,
}

/// Insert measures; the same team, metric and period again is an update.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewMeasure],
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "insert into measure (team_id, period_start, period_end, metric, value, import_id)
         select t.team_id, x.period_start, x.period_end, x.metric, x.value, $6
         from unnest($1::text[], $2::date[], $3::date[], $4::text[], $5::float8[])
              as x(team, period_start, period_end, metric, value)
         left join team t on lower(t.name) = lower(btrim(x.team))
         on conflict (coalesce(team_id, 0), metric, period_start, period_end) do update set
             value = excluded.value, import_id = excluded.import_id, updated_at = now()",
    )
    .bind(rows.iter().map(|r| r.team.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.period_start).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.period_end).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.metric.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.value).collect::<Vec<_>>())
    .bind(import_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
