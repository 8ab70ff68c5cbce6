//! Customer satisfaction (CSAT) responses, counted for the team they name.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::staging::{Line, Stage};

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

/// Where responses are staged, and the upsert from there: a response with a response_id
/// already stored is updated; the team is matched by name, ignoring case (once per name
/// the file has, not once per row).
pub static STAGE: Stage = Stage {
    table: "csat_stage",
    columns: "team text, responded_on date, score int2, response_id text, customer_id text, comment text",
    insert: "insert into csat_response (team_id, responded_on, score, response_id, customer_id, comment, import_id)
         select t.team_id, x.responded_on, x.score, x.response_id, x.customer_id, x.comment, $1
         from csat_stage x
         join (select s.team, t.team_id
               from (select distinct team from csat_stage) s
               join team t on lower(t.name) = lower(btrim(s.team))) t on t.team = x.team
         on conflict (response_id) do update set
             team_id = excluded.team_id, responded_on = excluded.responded_on, score = excluded.score,
             customer_id = excluded.customer_id, comment = excluded.comment,
             import_id = excluded.import_id, updated_at = now()",
};

/// A response as a row of [`STAGE`].
pub fn encode(r: &NewCsatResponse, line: &mut Line<'_>) {
    line.text(&r.team)
        .value(r.responded_on)
        .value(r.score)
        .optional_text(r.response_id.as_deref())
        .optional_text(r.customer_id.as_deref())
        .optional_text(r.comment.as_deref());
}

/// Insert responses; a response with a response_id already stored is updated. Must run inside
/// a transaction.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewCsatResponse],
) -> Result<u64, sqlx::Error> {
    STAGE.write(conn, import_id, rows, encode).await
}
