//! The `pulse` kind: anonymous pulse survey responses, one row per response, by team. A file
//! with a column that identifies respondents is refused.

use super::{Dated, Forbidden, ImportKind, Spec, Target, shown, team};
use crate::db;
use crate::db::pulse::NewPulseResponse;
use crate::db::staging::{Line, Stage};
use crate::import::cells::{Cells, RowState};
use crate::import::columns::Column;

/// Anonymous pulse survey responses.
pub struct Pulse;

const COLUMNS: &[Column] = &[
    Column {
        name: "submitted_at",
        required: true,
        aliases: &[
            "submittedat",
            "submitted",
            "responsedate",
            "date",
            "createdat",
            "timestamp",
        ],
    },
    team(true),
    Column {
        name: "heard",
        required: false,
        aliases: &["ifeelheard", "ifeelheardbymymanager", "feelheard"],
    },
    Column {
        name: "supported",
        required: false,
        aliases: &[
            "ifeelsupported",
            "ifeelsupportedbymymanager",
            "feelsupported",
        ],
    },
    Column {
        name: "valued",
        required: false,
        aliases: &["ifeelvalued", "ifeelvaluedbymymanager", "feelvalued"],
    },
    Column {
        name: "enps",
        required: false,
        aliases: &[
            "nps",
            "enpsscore",
            "recommend",
            "likelihoodtorecommend",
            "howlikelyareyoutorecommendworkinghere",
        ],
    },
    Column {
        name: "response_id",
        required: false,
        aliases: &["responseid", "id"],
    },
];

/// Columns that would identify a pulse respondent: such a file is refused.
const FORBIDDEN: &[&str] = &[
    "employeeid",
    "empid",
    "employee",
    "employeenumber",
    "employeename",
    "name",
    "fullname",
    "firstname",
    "lastname",
    "email",
    "emailaddress",
    "workemail",
    "respondent",
    "respondentemail",
    "respondentname",
    "userid",
    "username",
    "user",
];

impl ImportKind for Pulse {
    type Row = NewPulseResponse;

    const SPEC: Spec = Spec {
        name: "pulse",
        label: "Pulse survey responses (anonymous)",
        columns: COLUMNS,
        date_columns: &["submitted_at"],
        number_columns: &[],
        forbidden: Some(Forbidden {
            headers: FORBIDDEN,
            why: "pulse responses are anonymous; remove the column that identifies respondents",
        }),
        date_or_period: false,
        refers_to_roster: true,
        writes_every_row: true,
    };

    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<NewPulseResponse> {
        let submitted_on = cells.required_date("submitted_at");
        let team = cells.team("team", true);
        let answer = |cells: &mut Cells<'_>, column| cells.integer(column, 1, 5, false);
        let heard = answer(cells, "heard");
        let supported = answer(cells, "supported");
        let valued = answer(cells, "valued");
        let enps = cells.integer("enps", 0, 10, false);
        let response_id = cells.string("response_id");
        state.check_unique(cells, "response_id", response_id.as_deref());
        if !cells.has_errors() && [heard, supported, valued, enps].iter().all(Option::is_none) {
            cells.row_error("answers none of heard, supported, valued and enps".into());
        }
        let score = |v: Option<i64>| v.map(|v| v as i16);
        Some(NewPulseResponse {
            submitted_on: submitted_on?,
            team: team?,
            heard: score(heard),
            supported: score(supported),
            valued: score(valued),
            enps: score(enps),
            response_id,
        })
    }

    fn dated(p: &NewPulseResponse) -> Dated {
        Dated::on("submitted_at", p.submitted_on)
    }

    fn preview(p: &NewPulseResponse) -> Vec<(&'static str, String)> {
        vec![
            ("submitted_at", p.submitted_on.to_string()),
            ("team", p.team.clone()),
            ("heard", shown(&p.heard)),
            ("supported", shown(&p.supported)),
            ("valued", shown(&p.valued)),
            ("enps", shown(&p.enps)),
        ]
    }

    fn stage() -> Option<&'static Stage> {
        Some(&db::pulse::STAGE)
    }

    fn encode(row: &NewPulseResponse, line: &mut Line<'_>) {
        db::pulse::encode(row, line);
    }

    async fn write(to: Target<'_>, rows: &[NewPulseResponse]) -> Result<u64, sqlx::Error> {
        db::pulse::upsert(to.conn, Some(to.import_id), rows).await
    }
}
