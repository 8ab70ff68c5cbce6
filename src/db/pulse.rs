//! Pulse survey responses: anonymous, one row per response, counted for the team they name.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// One pulse response as an import delivers it (None = not answered).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPulseResponse {
    pub submitted_on: NaiveDate,
    pub team: String,
    pub heard: Option<i16>,
    pub supported: Option<i16>,
    pub valued: Option<i16>,
    pub enps: Option<i16>,
    pub response_id: Option<String>,
}

/// Insert responses; a response with a response_id already stored is updated.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewPulseResponse],
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "insert into pulse_response (team_id, submitted_on, heard, supported, valued, enps, response_id, import_id)
         select t.team_id, x.submitted_on, x.heard, x.supported, x.valued, x.enps, x.response_id, $8
         from unnest($1::text[], $2::date[], $3::int2[], $4::int2[], $5::int2[], $6::int2[], $7::text[])
              as x(team, submitted_on, heard, supported, valued, enps, response_id)
         join team t on lower(t.name) = lower(btrim(x.team))
         on conflict (response_id) do update set
             team_id = excluded.team_id, submitted_on = excluded.submitted_on,
             heard = excluded.heard, supported = excluded.supported, valued = excluded.valued,
             enps = excluded.enps, import_id = excluded.import_id",
    )
    .bind(rows.iter().map(|r| r.team.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.submitted_on).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.heard).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.supported).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.valued).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.enps).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.response_id.clone()).collect::<Vec<_>>())
    .bind(import_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
