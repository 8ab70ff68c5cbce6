//! The `csat` kind: customer satisfaction responses, one row per response, by team.

use super::{Dated, ImportKind, Spec, Target, shown, team};
use crate::db;
use crate::db::csat::NewCsatResponse;
use crate::db::staging::{Line, Stage};
use crate::import::cells::{Cells, RowState};
use crate::import::columns::Column;

/// Customer satisfaction responses (a helpdesk's export).
pub struct Csat;

const COLUMNS: &[Column] = &[
    Column {
        name: "responded_at",
        required: true,
        aliases: &[
            "respondedat",
            "responsedate",
            "date",
            "createdat",
            "submittedat",
            "surveydate",
            "ratedat",
            "timestamp",
        ],
    },
    team(true),
    Column {
        name: "score",
        required: true,
        aliases: &[
            "rating",
            "csat",
            "csatscore",
            "satisfaction",
            "satisfactionscore",
            "satisfactionrating",
        ],
    },
    Column {
        name: "response_id",
        required: false,
        aliases: &["responseid", "surveyresponseid", "id"],
    },
    Column {
        name: "customer_id",
        required: false,
        aliases: &[
            "customerid",
            "customer",
            "requesterid",
            "clientid",
            "accountid",
        ],
    },
    Column {
        name: "comment",
        required: false,
        aliases: &["comments", "feedback", "text", "remarks"],
    },
];

impl ImportKind for Csat {
    type Row = NewCsatResponse;

    const SPEC: Spec = Spec {
        name: "csat",
        label: "Customer satisfaction (CSAT) responses",
        columns: COLUMNS,
        date_columns: &["responded_at"],
        number_columns: &[],
        forbidden: None,
        date_or_period: false,
        refers_to_roster: true,
        writes_every_row: true,
    };

    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<NewCsatResponse> {
        let responded_on = cells.required_date("responded_at");
        let team = cells.team("team", true);
        let score = cells.integer("score", 1, 5, true);
        let response_id = cells.string("response_id");
        state.check_unique(cells, "response_id", response_id.as_deref());
        Some(NewCsatResponse {
            responded_on: responded_on?,
            team: team?,
            score: score? as i16,
            response_id,
            customer_id: cells.string("customer_id"),
            comment: cells.string("comment"),
        })
    }

    fn dated(c: &NewCsatResponse) -> Dated {
        Dated::on("responded_at", c.responded_on)
    }

    fn preview(c: &NewCsatResponse) -> Vec<(&'static str, String)> {
        vec![
            ("responded_at", c.responded_on.to_string()),
            ("team", c.team.clone()),
            ("score", c.score.to_string()),
            ("response_id", shown(&c.response_id)),
            ("customer_id", shown(&c.customer_id)),
            ("comment", shown(&c.comment)),
        ]
    }

    fn stage() -> Option<&'static Stage> {
        Some(&db::csat::STAGE)
    }

    fn encode(row: &NewCsatResponse, line: &mut Line<'_>) {
        db::csat::encode(row, line);
    }

    async fn write(to: Target<'_>, rows: &[NewCsatResponse]) -> Result<u64, sqlx::Error> {
        db::csat::upsert(to.conn, Some(to.import_id), rows).await
    }
}
