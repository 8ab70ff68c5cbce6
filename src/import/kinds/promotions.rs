//! The `promotions` kind: one row per promotion of an employee.

use super::{Dated, EMPLOYEE_ID, ImportKind, Spec, Target, shown};
use crate::db;
use crate::db::promotions::NewPromotion;
use crate::import::cells::{Cells, RowState};
use crate::import::columns::Column;

/// Promotions of employees of the roster.
pub struct Promotions;

const COLUMNS: &[Column] = &[
    EMPLOYEE_ID,
    Column {
        name: "effective_date",
        required: true,
        aliases: &["effectivedate", "promotiondate", "changedate", "date"],
    },
    Column {
        name: "from_title",
        required: false,
        aliases: &[
            "previoustitle",
            "oldtitle",
            "fromjobtitle",
            "previousjobtitle",
        ],
    },
    Column {
        name: "to_title",
        required: false,
        aliases: &["newtitle", "tojobtitle", "newjobtitle", "title"],
    },
    Column {
        name: "from_level",
        required: false,
        aliases: &["previouslevel", "oldlevel", "fromgrade", "previousgrade"],
    },
    Column {
        name: "to_level",
        required: false,
        aliases: &["newlevel", "tograde", "newgrade", "level"],
    },
];

impl ImportKind for Promotions {
    type Row = NewPromotion;

    const SPEC: Spec = Spec {
        name: "promotions",
        label: "Promotions",
        columns: COLUMNS,
        date_columns: &["effective_date"],
        number_columns: &[],
        forbidden: None,
        date_or_period: false,
        refers_to_roster: true,
        writes_every_row: true,
    };

    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<NewPromotion> {
        let employee_id = cells.employee("employee_id");
        let effective_date = cells.required_date("effective_date");
        if let (Some(id), Some(day)) = (&employee_id, effective_date) {
            state.check_duplicate(cells, format!("{id}|{day}"), "employee and effective date");
        }
        Some(NewPromotion {
            employee_id: employee_id?,
            effective_date: effective_date?,
            from_title: cells.string("from_title"),
            to_title: cells.string("to_title"),
            from_level: cells.string("from_level"),
            to_level: cells.string("to_level"),
        })
    }

    fn dated(p: &NewPromotion) -> Dated {
        Dated::on("effective_date", p.effective_date)
    }

    fn preview(p: &NewPromotion) -> Vec<(&'static str, String)> {
        vec![
            ("employee_id", p.employee_id.clone()),
            ("effective_date", p.effective_date.to_string()),
            ("from_title", shown(&p.from_title)),
            ("to_title", shown(&p.to_title)),
            ("from_level", shown(&p.from_level)),
            ("to_level", shown(&p.to_level)),
        ]
    }

    async fn write(to: Target<'_>, rows: &[NewPromotion]) -> Result<u64, sqlx::Error> {
        db::promotions::upsert(to.conn, Some(to.import_id), rows).await
    }
}
