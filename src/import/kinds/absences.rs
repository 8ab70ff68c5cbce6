//! The `absences` kind: one row per absence of an employee. Each absence type counts as planned
//! or unplanned (HR's own types first, then the built-in list); medical details are refused.

use super::{Dated, EMPLOYEE_ID, Forbidden, ImportKind, Spec, Target, shown};
use crate::db;
use crate::db::absences::NewAbsence;
use crate::db::staging::{Line, Stage};
use crate::import::cells::{Cells, RowState};
use crate::import::columns::{Column, normalize};

/// Absences of employees of the roster.
pub struct Absences;

const COLUMNS: &[Column] = &[
    EMPLOYEE_ID,
    Column {
        name: "start_date",
        required: true,
        aliases: &[
            "startdate",
            "from",
            "fromdate",
            "absencestart",
            "leavestart",
            "firstday",
            "begin",
            "date",
        ],
    },
    Column {
        name: "end_date",
        required: false,
        aliases: &[
            "enddate",
            "to",
            "todate",
            "absenceend",
            "leaveend",
            "lastday",
            "until",
        ],
    },
    Column {
        name: "days",
        required: false,
        aliases: &[
            "duration",
            "durationdays",
            "numberofdays",
            "totaldays",
            "daystaken",
            "amount",
        ],
    },
    Column {
        name: "type",
        required: false,
        aliases: &[
            "absencetype",
            "leavetype",
            "timeofftype",
            "category",
            "kind",
        ],
    },
];

/// Columns an absences file must not carry: Attune never stores medical or free-text details.
const FORBIDDEN: &[&str] = &[
    "diagnosis",
    "medicalreason",
    "medical",
    "illness",
    "condition",
    "sicknessreason",
    "reason",
    "notes",
    "note",
    "comment",
    "comments",
    "description",
    "details",
    "doctor",
];

/// Built-in absence types: planned (true) or unplanned (false), by normalized name.
const ABSENCE_TYPES: &[(&str, bool)] = &[
    ("vacation", true),
    ("holiday", true),
    ("holidays", true),
    ("publicholiday", true),
    ("pto", true),
    ("paidtimeoff", true),
    ("annualleave", true),
    ("parentalleave", true),
    ("maternityleave", true),
    ("paternityleave", true),
    ("sabbatical", true),
    ("training", true),
    ("studyleave", true),
    ("juryduty", true),
    ("compensatoryleave", true),
    ("timeoffinlieu", true),
    ("sick", false),
    ("sickness", false),
    ("sickleave", false),
    ("illness", false),
    ("unplanned", false),
    ("unauthorised", false),
    ("unauthorized", false),
    ("unauthorisedabsence", false),
    ("unauthorizedabsence", false),
    ("noshow", false),
    ("absent", false),
    ("emergency", false),
    ("familyemergency", false),
    ("personal", false),
    ("carersleave", false),
    ("caregiverleave", false),
];

/// Whether an absence type is planned, and whether the mapping knew it. Unknown types count as
/// unplanned.
pub fn classify(type_name: &str, custom: &[(String, bool)]) -> (bool, bool) {
    let lower = type_name.trim().to_lowercase();
    if let Some((_, planned)) = custom.iter().find(|(name, _)| *name == lower) {
        return (*planned, true);
    }
    let key = normalize(type_name);
    match ABSENCE_TYPES.iter().find(|(name, _)| *name == key) {
        Some((_, planned)) => (*planned, true),
        None => (false, false),
    }
}

impl ImportKind for Absences {
    type Row = NewAbsence;

    const SPEC: Spec = Spec {
        name: "absences",
        label: "Absences",
        columns: COLUMNS,
        date_columns: &["start_date", "end_date"],
        number_columns: &["days"],
        forbidden: Some(Forbidden {
            headers: FORBIDDEN,
            why: "Attune never stores medical details or free text about absences; remove the column",
        }),
        date_or_period: false,
        refers_to_roster: true,
        writes_every_row: true,
    };

    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<NewAbsence> {
        let employee_id = cells.employee("employee_id");
        let start_date = cells.required_date("start_date");
        let end_date = cells.date("end_date").or(start_date);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            let value = cells.text("end_date").map(str::to_string);
            cells.error(
                "end_date",
                value.as_deref(),
                format!("is before start_date {start}"),
            );
        }
        let days = cells.number("days").map(|d| (d * 100.0).round() / 100.0);
        if let Some(d) = days
            && !(0.01..=1000.0).contains(&d)
        {
            let value = cells.string("days").unwrap_or_default();
            let message = if d <= 0.0 {
                "must be more than 0"
            } else {
                "must be from 0.01 to 1,000"
            };
            cells.error("days", Some(&value), message.into());
        }
        if let (Some(id), Some(end)) = (&employee_id, end_date)
            && let Some(left) = cells.known().left.get(id).copied()
            && end > left
        {
            state.warn(
                cells,
                format!("employee {id} left on {left}, but this absence is dated up to {end}"),
            );
        }
        let absence_type = cells.text("type").unwrap_or("unplanned").to_string();
        if let (Some(id), Some(start), Some(end)) = (&employee_id, start_date, end_date) {
            state.check_duplicate(
                cells,
                format!("{id}|{start}|{end}|{absence_type}"),
                "employee, dates and type",
            );
        }
        let (planned, known) = classify(&absence_type, &cells.known().absence_types);
        if !known {
            state.note(format!(
                "absence type \"{absence_type}\" is not in the mapping: counted as unplanned"
            ));
        }
        Some(NewAbsence {
            employee_id: employee_id?,
            start_date: start_date?,
            end_date: end_date?,
            days,
            absence_type,
            planned,
        })
    }

    /// An absence is placed by its first day (as on the data page): a file of the absences
    /// that started in March covers March.
    fn dated(a: &NewAbsence) -> Dated {
        Dated::on("start_date", a.start_date)
    }

    fn preview(a: &NewAbsence) -> Vec<(&'static str, String)> {
        vec![
            ("employee_id", a.employee_id.clone()),
            ("start_date", a.start_date.to_string()),
            ("end_date", a.end_date.to_string()),
            ("days", shown(&a.days)),
            ("type", a.absence_type.clone()),
            (
                "counts_as",
                if a.planned { "planned" } else { "unplanned" }.to_string(),
            ),
        ]
    }

    fn stage() -> Option<&'static Stage> {
        Some(&db::absences::STAGE)
    }

    fn encode(row: &NewAbsence, line: &mut Line<'_>) {
        db::absences::encode(row, line);
    }

    async fn write(to: Target<'_>, rows: &[NewAbsence]) -> Result<u64, sqlx::Error> {
        db::absences::upsert(to.conn, Some(to.import_id), rows).await
    }
}
