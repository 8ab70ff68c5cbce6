//! The fact kinds: absences, promotions, csat, pulse, customers and measures. Each has its
//! canonical columns (with the names common exports give them) and a row reader.

use super::columns::{Column, normalize};
use super::{Cells, Record, RowState};
use crate::db::absences::NewAbsence;
use crate::db::csat::NewCsatResponse;
use crate::db::customers::NewCustomerActivity;
use crate::db::measures::NewMeasure;
use crate::db::promotions::NewPromotion;
use crate::db::pulse::NewPulseResponse;

/// The employee id column: named alike in every kind that refers to employees.
pub const EMPLOYEE_ID: Column = Column {
    name: "employee_id",
    required: true,
    aliases: &[
        "empid",
        "employeenumber",
        "employeeno",
        "employee",
        "workerid",
        "associateid",
        "personnelnumber",
        "personid",
        "staffid",
        "id",
    ],
};
const TEAM_ALIASES: &[&str] = &["department", "departmentname", "teamname", "group", "dept"];

pub const ABSENCE_COLUMNS: &[Column] = &[
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
pub const ABSENCE_FORBIDDEN: &[&str] = &[
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

pub const PROMOTION_COLUMNS: &[Column] = &[
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

pub const CSAT_COLUMNS: &[Column] = &[
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
    Column {
        name: "team",
        required: true,
        aliases: TEAM_ALIASES,
    },
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

pub const PULSE_COLUMNS: &[Column] = &[
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
    Column {
        name: "team",
        required: true,
        aliases: TEAM_ALIASES,
    },
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
pub const PULSE_FORBIDDEN: &[&str] = &[
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

pub const CUSTOMER_COLUMNS: &[Column] = &[
    Column {
        name: "customer_id",
        required: true,
        aliases: &[
            "customerid",
            "customer",
            "clientid",
            "client",
            "accountid",
            "account",
        ],
    },
    Column {
        name: "date",
        required: false,
        aliases: &["invoicedate", "orderdate", "transactiondate", "day"],
    },
    Column {
        name: "period",
        required: false,
        aliases: &["month", "quarter", "year", "billingperiod"],
    },
    Column {
        name: "revenue",
        required: true,
        aliases: &["amount", "sales", "total", "netrevenue", "value"],
    },
    Column {
        name: "team",
        required: false,
        aliases: TEAM_ALIASES,
    },
];

pub const MEASURE_COLUMNS: &[Column] = &[
    Column {
        name: "team",
        required: false,
        aliases: TEAM_ALIASES,
    },
    Column {
        name: "date",
        required: false,
        aliases: &["day"],
    },
    Column {
        name: "period",
        required: false,
        aliases: &["month", "quarter", "year"],
    },
    Column {
        name: "metric",
        required: true,
        aliases: &["kpi", "measure", "name", "indicator"],
    },
    Column {
        name: "value",
        required: true,
        aliases: &["amount", "total"],
    },
];

/// The well-known measure names (docs/metrics.md says which metric uses which).
pub const KNOWN_MEASURES: &[&str] = &[
    "output_units",
    "revenue",
    "review_rating",
    "review_count",
    "ideas_submitted",
    "ideas_implemented",
    "launches",
    "partnerships",
    "volunteer_hours",
    "co2e_tonnes",
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
pub fn classify_absence(type_name: &str, custom: &[(String, bool)]) -> (bool, bool) {
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

pub(super) fn absence(cells: &mut Cells<'_>, state: &mut RowState) -> Option<Record> {
    let employee_id = cells.employee("employee_id");
    let start_date = cells.required_date("start_date");
    let end_date = cells.date("end_date").or(start_date);
    if let (Some(start), Some(end)) = (start_date, end_date)
        && end < start
    {
        cells.row_error(format!("end_date {end} is before start_date {start}"));
    }
    let days = cells.number("days").map(|d| (d * 100.0).round() / 100.0);
    if let Some(d) = days
        && !(0.01..=1000.0).contains(&d)
    {
        let value = cells.text("days").unwrap_or_default().to_string();
        let message = if d <= 0.0 {
            "must be more than 0"
        } else {
            "must be from 0.01 to 1,000"
        };
        cells.error("days", Some(&value), message.into());
    }
    let absence_type = cells.text("type").unwrap_or("unplanned").to_string();
    if let (Some(id), Some(start), Some(end)) = (&employee_id, start_date, end_date) {
        state.check_duplicate(
            cells,
            format!("{id}|{start}|{end}|{absence_type}"),
            "employee, dates and type",
        );
    }
    let (planned, known) = classify_absence(&absence_type, &cells.known.absence_types);
    if !known {
        state.notes.insert(format!(
            "absence type \"{absence_type}\" is not in the mapping: counted as unplanned"
        ));
    }
    let row = NewAbsence {
        employee_id: employee_id?,
        start_date: start_date?,
        end_date: end_date?,
        days,
        absence_type,
        planned,
    };
    (!cells.has_errors()).then_some(Record::Absence(row))
}

pub(super) fn promotion(cells: &mut Cells<'_>, state: &mut RowState) -> Option<Record> {
    let employee_id = cells.employee("employee_id");
    let effective_date = cells.required_date("effective_date");
    if let (Some(id), Some(day)) = (&employee_id, effective_date) {
        state.check_duplicate(cells, format!("{id}|{day}"), "employee and effective date");
    }
    let text = |cells: &Cells<'_>, c: &str| cells.text(c).map(str::to_string);
    let row = NewPromotion {
        employee_id: employee_id?,
        effective_date: effective_date?,
        from_title: text(cells, "from_title"),
        to_title: text(cells, "to_title"),
        from_level: text(cells, "from_level"),
        to_level: text(cells, "to_level"),
    };
    (!cells.has_errors()).then_some(Record::Promotion(row))
}

pub(super) fn csat(cells: &mut Cells<'_>, state: &mut RowState) -> Option<Record> {
    let responded_on = cells.required_date("responded_at");
    let team = cells.team("team", true);
    let score = cells.integer("score", 1, 5, true);
    let response_id = cells.text("response_id").map(str::to_string);
    state.check_unique(cells, "response_id", response_id.as_deref());
    let row = NewCsatResponse {
        responded_on: responded_on?,
        team: team?,
        score: score? as i16,
        response_id,
        customer_id: cells.text("customer_id").map(str::to_string),
        comment: cells.text("comment").map(str::to_string),
    };
    (!cells.has_errors()).then_some(Record::Csat(row))
}

pub(super) fn pulse(cells: &mut Cells<'_>, state: &mut RowState) -> Option<Record> {
    let submitted_on = cells.required_date("submitted_at");
    let team = cells.team("team", true);
    let heard = cells.integer("heard", 1, 5, false);
    let supported = cells.integer("supported", 1, 5, false);
    let valued = cells.integer("valued", 1, 5, false);
    let enps = cells.integer("enps", 0, 10, false);
    let response_id = cells.text("response_id").map(str::to_string);
    state.check_unique(cells, "response_id", response_id.as_deref());
    if !cells.has_errors() && [heard, supported, valued, enps].iter().all(Option::is_none) {
        cells.row_error("answers none of heard, supported, valued and enps".into());
    }
    let row = NewPulseResponse {
        submitted_on: submitted_on?,
        team: team?,
        heard: heard.map(|v| v as i16),
        supported: supported.map(|v| v as i16),
        valued: valued.map(|v| v as i16),
        enps: enps.map(|v| v as i16),
        response_id,
    };
    (!cells.has_errors()).then_some(Record::Pulse(row))
}

pub(super) fn customer(cells: &mut Cells<'_>, _: &mut RowState) -> Option<Record> {
    let customer_id = cells.required("customer_id");
    let span = cells.date_or_period();
    let revenue = cells.number("revenue");
    if revenue.is_none() && cells.text("revenue").is_none() {
        cells.error("revenue", None, "is empty; it is required".into());
    }
    let team = cells.team("team", false);
    let (period_start, period_end) = span?;
    let row = NewCustomerActivity {
        customer_id: customer_id?,
        period_start,
        period_end,
        revenue: revenue?,
        team,
    };
    (!cells.has_errors()).then_some(Record::Customer(row))
}

pub(super) fn measure(cells: &mut Cells<'_>, state: &mut RowState) -> Option<Record> {
    let team = cells.team("team", false);
    let span = cells.date_or_period();
    let metric = cells.required("metric").map(|m| {
        let lower = m.trim().to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words.join("_")
    });
    if let Some(name) = &metric {
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_lowercase())
            || !name.is_ascii()
        {
            let value = cells.text("metric").unwrap_or_default().to_string();
            cells.error(
                "metric",
                Some(&value),
                "not a metric name (letters, digits and _; starting with a letter)".into(),
            );
        } else if !KNOWN_MEASURES.contains(&name.as_str()) {
            state.notes.insert(format!(
                "metric \"{name}\" is stored but no built-in metric uses it"
            ));
        }
    }
    let value = cells.number("value");
    if value.is_none() && cells.text("value").is_none() {
        cells.error("value", None, "is empty; it is required".into());
    }
    let (period_start, period_end) = span?;
    if let Some(name) = &metric {
        let team_key = team.as_deref().unwrap_or("");
        state.check_duplicate(
            cells,
            format!("{team_key}|{name}|{period_start}|{period_end}"),
            "team, metric and period",
        );
    }
    let row = NewMeasure {
        team,
        period_start,
        period_end,
        metric: metric?,
        value: value?,
    };
    (!cells.has_errors()).then_some(Record::Measure(row))
}
