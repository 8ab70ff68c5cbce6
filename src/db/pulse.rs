//! Pulse survey responses: anonymous, one row per response, counted for the team they name.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::staging::{Line, Stage};

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

/// Where responses are staged, and the upsert from there: a response with a response_id
/// already stored is updated; the team is matched by name, ignoring case (once per name
/// the file has, not once per row).
pub static STAGE: Stage = Stage {
    table: "pulse_stage",
    columns: "team text, submitted_on date, heard int2, supported int2, valued int2, enps int2, response_id text",
    insert: "insert into pulse_response (team_id, submitted_on, heard, supported, valued, enps, response_id, import_id)
         select t.team_id, x.submitted_on, x.heard, x.supported, x.valued, x.enps, x.response_id, $1
         from pulse_stage x
         join (select s.team, t.team_id
               from (select distinct team from pulse_stage) s
               join team t on lower(t.name) = lower(btrim(s.team))) t on t.team = x.team
         on conflict (response_id) do update set
             team_id = excluded.team_id, submitted_on = excluded.submitted_on,
             heard = excluded.heard, supported = excluded.supported, valued = excluded.valued,
             enps = excluded.enps, import_id = excluded.import_id",
};

/// A response as a row of [`STAGE`].
pub fn encode(r: &NewPulseResponse, line: &mut Line<'_>) {
    line.text(&r.team)
        .value(r.submitted_on)
        .optional(r.heard)
        .optional(r.supported)
        .optional(r.valued)
        .optional(r.enps)
        .optional_text(r.response_id.as_deref());
}

/// Insert responses; a response with a response_id already stored is updated. Must run inside
/// a transaction.
pub async fn upsert(
    conn: &mut PgConnection,
    import_id: Option<i64>,
    rows: &[NewPulseResponse],
) -> Result<u64, sqlx::Error> {
    STAGE.write(conn, import_id, rows, encode).await
}
