//! The `employees` kind: the roster export of an HRIS.

use std::collections::HashMap;

use super::Cells;
use super::columns::Column;
use crate::db::employees::NewEmployee;

/// The canonical columns and the names HRIS exports give them (normalized).
pub const COLUMNS: &[Column] = &[
    super::facts::EMPLOYEE_ID,
    Column {
        name: "team",
        required: true,
        aliases: &[
            "department",
            "departmentname",
            "homedepartment",
            "teamname",
            "dept",
            "orgunit",
        ],
    },
    Column {
        name: "hire_date",
        required: true,
        aliases: &[
            "dateofhire",
            "hiredate",
            "startdate",
            "originalhiredate",
            "employmentstartdate",
            "joindate",
            "joiningdate",
            "dateofjoining",
            "hired",
        ],
    },
    Column {
        name: "termination_date",
        required: false,
        aliases: &[
            "dateoftermination",
            "terminationdate",
            "separationdate",
            "enddate",
            "lastdayofwork",
            "lastday",
            "leavingdate",
            "exitdate",
            "employmentenddate",
        ],
    },
    Column {
        name: "termination_type",
        required: false,
        aliases: &[
            "terminationtype",
            "separationtype",
            "exittype",
            "terminationcategory",
            "employmentstatus",
            "status",
        ],
    },
    Column {
        name: "termination_reason",
        required: false,
        aliases: &[
            "termreason",
            "terminationreason",
            "reasonfortermination",
            "exitreason",
            "separationreason",
        ],
    },
    Column {
        name: "regretted",
        required: false,
        aliases: &["regrettable", "regrettedloss", "regrettableturnover"],
    },
    Column {
        name: "manager_id",
        required: false,
        aliases: &[
            "managerid",
            "supervisorid",
            "reportstoid",
            "managerworkerid",
            "manageremployeeid",
        ],
    },
    Column {
        name: "job_title",
        required: false,
        aliases: &["jobtitle", "position", "title", "positiontitle", "role"],
    },
    Column {
        name: "job_level",
        required: false,
        aliases: &["joblevel", "level", "grade", "paygrade", "band"],
    },
    Column {
        name: "annual_salary",
        required: false,
        aliases: &[
            "salary",
            "annualsalary",
            "basesalary",
            "annualbasesalary",
            "annualpay",
            "compensation",
        ],
    },
    Column {
        name: "full_name",
        required: false,
        aliases: &[
            "employeename",
            "name",
            "fullname",
            "displayname",
            "legalname",
        ],
    },
    Column {
        name: "email",
        required: false,
        aliases: &[
            "workemail",
            "emailaddress",
            "workemailaddress",
            "businessemail",
        ],
    },
];

/// What a termination_type cell says.
enum Termination {
    Voluntary,
    Involuntary,
    /// Still employed (or a status that is not about leaving, such as "Full-Time").
    None,
}

fn termination(value: &str) -> Option<Termination> {
    let key: String = super::columns::normalize(value);
    Some(match key.as_str() {
        "voluntary"
        | "voluntarilyterminated"
        | "voluntarytermination"
        | "resigned"
        | "resignation"
        | "voluntaryresignation"
        | "quit"
        | "retired"
        | "retirement" => Termination::Voluntary,
        "involuntary"
        | "terminatedforcause"
        | "involuntarytermination"
        | "dismissal"
        | "dismissed"
        | "layoff"
        | "laidoff"
        | "fired"
        | "redundancy"
        | "terminated"
        | "termination" => Termination::Involuntary,
        "" | "active" | "na" | "none" | "employed" | "stillemployed" | "nastillemployed"
        | "current" | "fulltime" | "parttime" | "leaveofabsence" | "onleave" => Termination::None,
        _ => return None,
    })
}

/// Read one row into an employee, or record why it cannot be.
pub(super) fn read_row(
    cells: &mut Cells<'_>,
    seen: &mut HashMap<String, u64>,
) -> Option<NewEmployee> {
    let external_id = cells.required("employee_id");
    if let Some(id) = &external_id {
        if let Some(first) = seen.get(id) {
            let first = *first;
            cells.error(
                "employee_id",
                Some(id),
                format!("appears again (first on line {first})"),
            );
        } else {
            seen.insert(id.clone(), cells.line());
        }
    }
    let team = cells.required("team");
    let hire_date = cells.required_date("hire_date");
    let termination_date = cells.date("termination_date");
    if let (Some(hired), Some(left)) = (hire_date, termination_date)
        && left < hired
    {
        cells.row_error(format!(
            "termination_date {left} is before hire_date {hired}"
        ));
    }
    let termination_type = match cells.text("termination_type") {
        None => None,
        Some(value) => match termination(value) {
            Some(Termination::Voluntary) => Some("voluntary"),
            Some(Termination::Involuntary) => Some("involuntary"),
            Some(Termination::None) => None,
            None => {
                let value = value.to_string();
                cells.error(
                    "termination_type",
                    Some(&value),
                    "not a termination type (use voluntary or involuntary, or leave it empty)"
                        .into(),
                );
                None
            }
        },
    };
    if let (Some(kind), None) = (termination_type, termination_date) {
        let value = cells.text("termination_type").unwrap_or(kind).to_string();
        cells.error(
            "termination_type",
            Some(&value),
            "says the employee left, but termination_date is empty".into(),
        );
    }
    // A reason only means something for someone who left ("N/A-StillEmployed" is no reason).
    let termination_reason = cells
        .text("termination_reason")
        .filter(|_| termination_date.is_some())
        .filter(|reason| !matches!(termination(reason), Some(Termination::None)))
        .map(str::to_string);
    let regretted = cells.yes_no("regretted");
    let annual_salary = cells.amount("annual_salary");
    let email = cells.text("email").map(str::to_string);
    if let Some(address) = &email
        && !address.contains('@')
    {
        cells.error("email", Some(address), "not an email address".into());
    }
    Some(NewEmployee {
        external_id: external_id?,
        team: team?,
        hire_date: hire_date?,
        termination_date,
        termination_type: termination_type.map(str::to_string),
        termination_reason,
        regretted,
        manager_external_id: cells.text("manager_id").map(str::to_string),
        job_title: cells.text("job_title").map(str::to_string),
        job_level: cells.text("job_level").map(str::to_string),
        annual_salary,
        full_name: cells.text("full_name").map(str::to_string),
        email,
    })
    .filter(|_| !cells.has_errors())
}

/// The row as it will be stored, for the preview.
pub fn preview_fields(e: &NewEmployee) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("employee_id", e.external_id.clone()),
        ("team", e.team.clone()),
        ("hire_date", e.hire_date.to_string()),
        (
            "termination_date",
            e.termination_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        ("termination_type", opt(&e.termination_type)),
        ("termination_reason", opt(&e.termination_reason)),
        (
            "regretted",
            e.regretted
                .map(|r| if r { "yes" } else { "no" }.to_string())
                .unwrap_or_default(),
        ),
        ("manager_id", opt(&e.manager_external_id)),
        ("job_title", opt(&e.job_title)),
        ("job_level", opt(&e.job_level)),
        (
            "annual_salary",
            e.annual_salary
                .map(|s| format!("{s:.2}"))
                .unwrap_or_default(),
        ),
        ("full_name", opt(&e.full_name)),
        ("email", opt(&e.email)),
    ]
}
