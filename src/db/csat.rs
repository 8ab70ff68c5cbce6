//! Customer satisfaction (CSAT) responses, counted for the team they name.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// One CSAT response as an import delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCsatResponse {
    pub responded_on: NaiveDate,
    pub team: String,
    pub score: i16,
    pub response_id: Option<String>,
    pub customer_id: Option<String>,
    pub comment: Option<String>,
}

/// Insert responses; a response with a response_id already stored is updated.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewCsatResponse],
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "insert into csat_response (team_id, responded_on, score, response_id, customer_id, comment, import_id)
         select t.team_id, x.responded_on, x.score, x.response_id, x.customer_id, x.comment, $7
         from unnest($1::text[], $2::date[], $3::int2[], $4::text[], $5::text[], $6::text[])
              as x(team, responded_on, score, response_id, customer_id, comment)
         join team t on lower(t.name) = lower(btrim(x.team))
         on conflict (response_id) do update set
             team_id = excluded.team_id, responded_on = excluded.responded_on, score = excluded.score,
             customer_id = excluded.customer_id, comment = excluded.comment,
             import_id = excluded.import_id, updated_at = now()",
    )
    .bind(rows.iter().map(|r| r.team.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.responded_on).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.score).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.response_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.customer_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.comment.clone()).collect::<Vec<_>>())
    .bind(import_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
