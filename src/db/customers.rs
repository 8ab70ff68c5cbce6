//! Customer activity: revenue by customer and period, for retention and lifetime value.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// One customer's revenue over a period (a single day when the file gives a date).
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomerActivity {
    pub customer_id: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub revenue: f64,
    pub team: Option<String>,
}

/// Insert activity; rows of one import for the same customer, period and team are added up (an
/// invoice export has a row per invoice), whichever of the import's batches they are written in:
/// a stored row that this import wrote already is added to, one an earlier import wrote is
/// replaced (importing the same customer, period and team again is an update). Each row is
/// rounded to cents before it is added, so the total does not depend on how the file was split
/// into batches.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewCustomerActivity],
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "insert into customer_activity (customer_id, period_start, period_end, revenue, team_id, import_id)
         select g.customer_id, g.period_start, g.period_end, g.revenue, t.team_id, $6
         from (select customer_id, period_start, period_end, lower(btrim(team)) as team,
                      sum(revenue::numeric(16, 2)) as revenue
               from unnest($1::text[], $2::date[], $3::date[], $4::float8[], $5::text[])
                    as x(customer_id, period_start, period_end, revenue, team)
               group by customer_id, period_start, period_end, lower(btrim(team))) g
         left join team t on lower(t.name) = g.team
         on conflict (customer_id, period_start, period_end, coalesce(team_id, 0)) do update set
             revenue = case when customer_activity.import_id = excluded.import_id
                            then customer_activity.revenue + excluded.revenue
                            else excluded.revenue end,
             import_id = excluded.import_id, updated_at = now()",
    )
    .bind(rows.iter().map(|r| r.customer_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.period_start).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.period_end).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.revenue).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.team.clone()).collect::<Vec<_>>())
    .bind(import_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
