//! The `employees` kind: the roster export of an HRIS, one row per employee, past and present.
//! Later imports update the employee with the same id; an import can be undone because each
//! employee's state before it is kept.

use sqlx::PgConnection;

use super::{Dated, EMPLOYEE_ID, ImportKind, Spec, Target, shown};
use crate::db;
use crate::db::employees::NewEmployee;
use crate::import::UndoError;
use crate::import::cells::{Cells, RowState};
use crate::import::columns::{Column, normalize};
use crate::import::effect::Tally;

/// The roster.
pub struct Employees;

/// The canonical columns and the names HRIS exports give them (normalized).
const COLUMNS: &[Column] = &[
    EMPLOYEE_ID,
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
    let key = normalize(value);
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

impl ImportKind for Employees {
    type Row = NewEmployee;

    const SPEC: Spec = Spec {
        name: "employees",
        label: "Employees (roster from the HR system)",
        columns: COLUMNS,
        date_columns: &["hire_date", "termination_date"],
        number_columns: &["annual_salary"],
        forbidden: None,
        date_or_period: false,
        refers_to_roster: false,
        // Rows that change nothing are not written, so fewer is normal.
        writes_every_row: false,
    };

    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<NewEmployee> {
        let external_id = cells.required("employee_id");
        state.check_unique(cells, "employee_id", external_id.as_deref());
        let team = cells.required("team");
        let hire_date = cells.required_date("hire_date");
        let termination_date = cells.date("termination_date");
        if let (Some(hired), Some(left)) = (hire_date, termination_date)
            && left < hired
        {
            // Blame the termination date: the download of problems names the column to fix.
            let value = cells.text("termination_date").map(str::to_string);
            cells.error(
                "termination_date",
                value.as_deref(),
                format!("is before hire_date {hired}"),
            );
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
        let email = cells.string("email");
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
            manager_external_id: cells.string("manager_id"),
            job_title: cells.string("job_title"),
            job_level: cells.string("job_level"),
            annual_salary,
            full_name: cells.string("full_name"),
            email,
        })
    }

    fn dated(e: &NewEmployee) -> Dated {
        Dated::on("hire_date", e.hire_date)
    }

    fn preview(e: &NewEmployee) -> Vec<(&'static str, String)> {
        vec![
            ("employee_id", e.external_id.clone()),
            ("team", e.team.clone()),
            ("hire_date", e.hire_date.to_string()),
            ("termination_date", shown(&e.termination_date)),
            ("termination_type", shown(&e.termination_type)),
            ("termination_reason", shown(&e.termination_reason)),
            (
                "regretted",
                shown(&e.regretted.map(|r| if r { "yes" } else { "no" })),
            ),
            ("manager_id", shown(&e.manager_external_id)),
            ("job_title", shown(&e.job_title)),
            ("job_level", shown(&e.job_level)),
            (
                "annual_salary",
                shown(&e.annual_salary.map(|s| format!("{s:.2}"))),
            ),
            ("full_name", shown(&e.full_name)),
            ("email", shown(&e.email)),
        ]
    }

    fn tally(row: &NewEmployee, tally: &mut Tally<'_>) {
        tally.employee(row);
    }

    /// Create the teams the rows name, then insert or update the employees (only the columns
    /// the file has).
    async fn write(to: Target<'_>, rows: &[NewEmployee]) -> Result<u64, sqlx::Error> {
        let teams: Vec<String> = rows.iter().map(|e| e.team.clone()).collect();
        db::teams::ensure(to.conn, &teams).await?;
        db::employees::upsert(to.conn, Some(to.import_id), rows, to.columns).await
    }

    /// Restore each employee as it was before the import and remove those it created —
    /// unless later imports changed the same employees, or other data now refers to those it
    /// created.
    async fn undo(conn: &mut PgConnection, import_id: i64) -> Result<(), UndoError> {
        let later = db::imports::later_employee_imports(conn, import_id).await?;
        if !later.is_empty() {
            return Err(UndoError::LaterImports(import_id, later));
        }
        let in_use = db::imports::created_employees_in_use(conn, import_id).await?;
        if in_use > 0 {
            return Err(UndoError::InUse(import_id, in_use));
        }
        db::imports::revert_employees(conn, import_id).await?;
        Ok(())
    }
}
