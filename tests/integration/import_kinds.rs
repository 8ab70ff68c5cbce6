//! Importing every kind of data: each kind, each encoding, each error class (with its exact line
//! and column), undo, and all-or-nothing even when the importer is killed.

use attune::db::audit::Actor;
use attune::import::{self, FileError, Kind, Known, Options, Outcome};

use crate::support::TestApp;

const ROSTER: &str = "employee_id,team,hire_date\nE1,Alpha,2020-01-01\nE2,Beta,2021-01-01\n";

async fn with_roster() -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app
}

async fn prepare(app: &TestApp, kind: Kind, csv: &[u8]) -> Result<import::Prepared, FileError> {
    let known = Known::load(&app.pool, kind).await.unwrap();
    import::prepare(kind, "file.csv", csv, Options::default(), &known)
}

async fn errors(app: &TestApp, kind: Kind, csv: &str) -> Vec<String> {
    let prepared = prepare(app, kind, csv.as_bytes()).await.expect("readable");
    prepared.errors.iter().map(ToString::to_string).collect()
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    let sql = match table {
        "absence" => "select count(*) from absence",
        "promotion" => "select count(*) from promotion",
        "csat_response" => "select count(*) from csat_response",
        "pulse_response" => "select count(*) from pulse_response",
        "customer_activity" => "select count(*) from customer_activity",
        "measure" => "select count(*) from measure",
        _ => "select count(*) from employee",
    };
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn every_kind_imports_from_typical_export_headers() {
    let app = with_roster().await;
    let files: [(Kind, &str, &str, i64); 6] = [
        (
            Kind::Absences,
            "Employee Number,From,To,Leave Type\nE1,2025-01-06,2025-01-07,Sick Leave\n",
            "absence",
            1,
        ),
        (
            Kind::Promotions,
            "EmpID,Effective Date,New Title\nE2,2025-02-01,Lead\n",
            "promotion",
            1,
        ),
        (
            Kind::Csat,
            "Date,Group,Rating,Comment\n2025-01-02 10:00,alpha,5,Great\n",
            "csat_response",
            1,
        ),
        (
            Kind::Pulse,
            "Submitted At,Department,I feel heard,I feel supported,I feel valued,eNPS\n2025-01-02,Beta,4,5,,9\n",
            "pulse_response",
            1,
        ),
        (
            Kind::Customers,
            "Account,Month,Amount,Team\nACME,2025-01,\"1,200.50\",Alpha\n",
            "customer_activity",
            1,
        ),
        (
            Kind::Measures,
            "Team,Period,KPI,Value\nAlpha,2025-Q1,Output Units,300\n",
            "measure",
            1,
        ),
    ];
    for (kind, csv, table, rows) in files {
        app.import(kind, csv).await;
        assert_eq!(count(&app, table).await, rows, "{kind}");
    }
    let (name, value): (String, f64) = sqlx::query_as("select metric, value from measure")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        (name.as_str(), value),
        ("output_units", 300.0),
        "metric names are normalized"
    );
    let revenue: f64 = sqlx::query_scalar("select revenue::float8 from customer_activity")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(revenue, 1200.5);
}

#[tokio::test]
async fn references_must_exist_in_the_roster() {
    let app = with_roster().await;
    assert_eq!(
        errors(
            &app,
            Kind::Absences,
            "employee_id,start_date\nE9,2025-01-06\n"
        )
        .await,
        ["line 2, employee_id \"E9\": no such employee in the roster (import employees first)"]
    );
    assert_eq!(
        errors(
            &app,
            Kind::Csat,
            "responded_at,team,score\n2025-01-06,Gamma,4\n"
        )
        .await,
        ["line 2, team \"Gamma\": no such team in the roster (import employees first)"]
    );
}

#[tokio::test]
async fn values_out_of_range_are_refused_with_their_line_and_column() {
    let app = with_roster().await;
    assert_eq!(
        errors(&app, Kind::Csat, "responded_at,team,score\n2025-01-06,Alpha,4\n2025-01-07,Alpha,6\n2025-01-08,Alpha,4.5\n").await,
        [
            "line 3, score \"6\": not a whole number from 1 to 5",
            "line 4, score \"4.5\": not a whole number from 1 to 5",
        ]
    );
    assert_eq!(
        errors(
            &app,
            Kind::Pulse,
            "submitted_at,team,heard,enps\n2025-01-06,Alpha,0,11\n2025-01-06,Alpha,,\n"
        )
        .await,
        [
            "line 2, heard \"0\": not a whole number from 1 to 5",
            "line 2, enps \"11\": not a whole number from 0 to 10",
            "line 3: answers none of heard, supported, valued and enps",
        ]
    );
    assert_eq!(
        errors(
            &app,
            Kind::Absences,
            "employee_id,start_date,end_date,days\nE1,2025-01-06,2025-01-03,\nE1,2025-02-03,,0\n"
        )
        .await,
        [
            "line 2, end_date \"2025-01-03\": is before start_date 2025-01-06",
            "line 3, days \"0\": must be more than 0",
        ]
    );
    assert_eq!(
        errors(
            &app,
            Kind::Measures,
            "period,metric,value\n2025-Q5,output_units,3\n2025-Q1,9lives,3\n2025-Q1,launches,many\n"
        )
        .await,
        [
            "line 2, period \"2025-Q5\": not a period (use 2025, 2025-Q1 or 2025-03)",
            "line 3, metric \"9lives\": not a metric name (letters, digits and _; starting with a letter)",
            "line 4, value \"many\": not a number",
        ]
    );
    assert_eq!(
        errors(
            &app,
            Kind::Csat,
            "responded_at,team,score,response_id\n2025-01-06,Alpha,4,x1\n2025-01-07,Alpha,5,x1\n"
        )
        .await,
        ["line 3, response_id \"x1\": appears again (first on line 2)"]
    );
}

#[tokio::test]
async fn files_that_would_break_privacy_are_refused_whole() {
    let app = with_roster().await;
    let pulse = prepare(
        &app,
        Kind::Pulse,
        b"submitted_at,team,heard,Work Email\n2025-01-06,Alpha,4,a@b.c\n",
    )
    .await;
    assert_eq!(
        pulse.unwrap_err().to_string(),
        "line 1, column Work Email: pulse responses are anonymous; remove the column that identifies respondents"
    );
    let absences = prepare(
        &app,
        Kind::Absences,
        b"employee_id,start_date,Diagnosis\nE1,2025-01-06,flu\n",
    )
    .await;
    assert_eq!(
        absences.unwrap_err().to_string(),
        "line 1, column Diagnosis: Attune never stores medical details or free text about absences; remove the column"
    );
}

#[tokio::test]
async fn customers_and_measures_need_a_date_or_a_period() {
    let app = with_roster().await;
    let err = prepare(&app, Kind::Customers, b"customer_id,revenue\nC1,10\n")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: missing required column date or period (the header has: customer_id, revenue)"
    );
}

#[tokio::test]
async fn a_file_of_another_kind_is_named_as_that_kind() {
    let app = with_roster().await;
    let absences = b"Employee ID,Start Date,End Date,Type\nE1,2025-01-06,2025-01-07,Sick\n";
    let err = prepare(&app, Kind::Employees, absences).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: missing required column team (the header has: Employee ID, Start Date, End \
         Date, Type). This file looks like Absences — import it as kind absences"
    );
    let roster = b"employee_id,team,hire_date\nE1,Alpha,2020-01-01\n";
    let err = prepare(&app, Kind::Csat, roster).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with(". This file looks like Employees (roster from the HR system) — import it as kind employees"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_absence_types_count_as_unplanned_and_are_noted() {
    let app = with_roster().await;
    let prepared = prepare(
        &app,
        Kind::Absences,
        b"employee_id,start_date,type\nE1,2025-01-06,Vacation\nE1,2025-01-08,Duvet day\n",
    )
    .await
    .unwrap();
    assert_eq!(prepared.errors, []);
    assert_eq!(
        prepared.notes,
        ["absence type \"Duvet day\" is not in the mapping: counted as unplanned"]
    );
    assert!(prepared.sample[0].contains(&("counts_as", "planned".to_string())));
    assert!(prepared.sample[1].contains(&("counts_as", "unplanned".to_string())));
}

#[tokio::test]
async fn excel_unicode_text_tab_separated_utf16_is_read() {
    let app = with_roster().await;
    let text =
        "submitted_at\tteam\theard\tenps\r\n05.01.2025\tAlpha\t4\t9\r\n45663\tAlpha\t5\t10\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let prepared = prepare(&app, Kind::Pulse, &bytes).await.unwrap();
    assert_eq!((prepared.encoding, prepared.delimiter), ("UTF-16LE", "tab"));
    assert_eq!(prepared.errors, []);
    assert_eq!(
        prepared.sample[0][0],
        ("submitted_at", "2025-01-05".to_string())
    );
    assert_eq!(
        prepared.sample[1][0],
        ("submitted_at", "2025-01-06".to_string()),
        "Excel serial 45663"
    );
}

#[tokio::test]
async fn a_re_export_with_response_ids_updates_instead_of_duplicating() {
    let app = with_roster().await;
    app.import(
        Kind::Csat,
        "responded_at,team,score,response_id\n2025-01-06,Alpha,2,t-1\n",
    )
    .await;
    app.import(
        Kind::Csat,
        "responded_at,team,score,response_id\n2025-01-06,Alpha,5,t-1\n2025-01-07,Beta,4,t-2\n",
    )
    .await;
    assert_eq!(count(&app, "csat_response").await, 2);
    let score: i16 =
        sqlx::query_scalar("select score from csat_response where response_id = 't-1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(score, 5);
}

#[tokio::test]
async fn undoing_a_fact_import_removes_its_rows_and_is_audited() {
    let app = with_roster().await;
    let prepared = prepare(
        &app,
        Kind::Promotions,
        b"employee_id,effective_date\nE1,2025-02-01\nE2,2025-03-01\n",
    )
    .await
    .unwrap();
    let Outcome::Imported { import_id, .. } =
        import::commit(&app.pool, &prepared, Options::default(), &Actor::cli())
            .await
            .unwrap()
    else {
        panic!("imported")
    };
    assert_eq!(count(&app, "promotion").await, 2);

    import::undo(&app.pool, import_id, &Actor::cli())
        .await
        .unwrap();

    assert_eq!(count(&app, "promotion").await, 0);
    let status: String = sqlx::query_scalar("select status from import where import_id = $1")
        .bind(import_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "undone");
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'import.undo'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    let again = import::undo(&app.pool, import_id, &Actor::cli())
        .await
        .unwrap_err();
    assert_eq!(
        again.to_string(),
        format!("import #{import_id} is undone, so there is nothing to undo")
    );
}

#[tokio::test]
async fn undoing_a_roster_import_restores_the_employees_it_changed() {
    let app = with_roster().await;
    let newer = b"employee_id,team,hire_date,termination_date,termination_type\nE1,Beta,2020-01-01,2025-03-31,voluntary\nE3,Alpha,2025-01-01,,\n";
    let prepared = prepare(&app, Kind::Employees, newer).await.unwrap();
    let Outcome::Imported { import_id, .. } =
        import::commit(&app.pool, &prepared, Options::default(), &Actor::cli())
            .await
            .unwrap()
    else {
        panic!("imported")
    };

    import::undo(&app.pool, import_id, &Actor::cli())
        .await
        .unwrap();

    let rows: Vec<(String, String, Option<chrono::NaiveDate>)> = sqlx::query_as(
        "select e.external_id, t.name, e.termination_date from employee e join team t using (team_id) order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            ("E1".into(), "Alpha".into(), None),
            ("E2".into(), "Beta".into(), None)
        ]
    );
}

#[tokio::test]
async fn a_roster_import_cannot_be_undone_under_a_later_one() {
    let app = TestApp::spawn().await;
    let first = prepare(&app, Kind::Employees, ROSTER.as_bytes())
        .await
        .unwrap();
    let Outcome::Imported {
        import_id: first_id,
        ..
    } = import::commit(&app.pool, &first, Options::default(), &Actor::cli())
        .await
        .unwrap()
    else {
        panic!()
    };
    let second = prepare(
        &app,
        Kind::Employees,
        b"employee_id,team,hire_date\nE1,Gamma,2020-01-01\n",
    )
    .await
    .unwrap();
    let Outcome::Imported {
        import_id: second_id,
        ..
    } = import::commit(&app.pool, &second, Options::default(), &Actor::cli())
        .await
        .unwrap()
    else {
        panic!()
    };

    let err = import::undo(&app.pool, first_id, &Actor::cli())
        .await
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        format!("later imports (#{second_id}) changed the same employees; undo them first")
    );
    assert_eq!(count(&app, "employee").await, 2, "nothing changed");
}

#[tokio::test]
async fn the_imports_cli_lists_history_and_undoes_with_confirmation() {
    let app = with_roster().await;

    let list = app.cli(&["imports", "list"]);
    assert_eq!(list.status.code(), Some(0));
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains("employees") && text.contains("test.csv") && text.contains("succeeded"),
        "{text}"
    );

    let unconfirmed = app.cli(&["imports", "undo", "1"]);
    assert_eq!(
        unconfirmed.status.code(),
        Some(2),
        "no terminal, no --yes: refused"
    );
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--yes"));
    assert_eq!(count(&app, "employee").await, 2);

    let confirmed = app.cli(&["imports", "undo", "1", "--yes"]);
    assert_eq!(
        confirmed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    assert_eq!(count(&app, "employee").await, 0);
}

#[tokio::test]
async fn killing_the_importer_mid_transaction_leaves_no_trace() {
    let app = TestApp::spawn().await;
    let mut csv = String::from(
        "employee_id,team,hire_date,termination_date,termination_type,annual_salary\n",
    );
    for i in 0..150_000 {
        csv.push_str(&format!(
            "E{i},Team {},2020-01-{:02},,,{}\n",
            i % 40,
            i % 28 + 1,
            40_000 + i % 9_000
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, csv).unwrap();
    let mut child = crate::support::attune_command()
        .env("DATABASE_URL", &app.database_url)
        .args(["import", "employees", path.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    // The import holds its advisory lock exactly while its transaction is open.
    let in_transaction = "select exists (select from pg_locks where locktype = 'advisory' and objid = 7261 and granted)";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let locked: bool = sqlx::query_scalar(in_transaction)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if locked {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the import never started writing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Wait for PostgreSQL to notice the lost client and roll back.
    for _ in 0..400 {
        let locked: bool = sqlx::query_scalar(in_transaction)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if !locked {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }

    let traces: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from employee), (select count(*) from team),
                (select count(*) from import where status <> 'failed')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(traces, (0, 0, 0));
}

#[tokio::test]
async fn undoing_an_import_never_brings_an_erased_person_back() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, "employee_id,team,hire_date,full_name,email,annual_salary\nE1,Alpha,2020-01-01,Ann Example,ann@example.com,50000\n").await;
    let update = prepare(&app, Kind::Employees, b"employee_id,team,hire_date,full_name,email,annual_salary\nE1,Beta,2020-01-01,Ann Example,ann@example.com,55000\n")
        .await
        .unwrap();
    let Outcome::Imported { import_id, .. } =
        import::commit(&app.pool, &update, Options::default(), &Actor::cli())
            .await
            .unwrap()
    else {
        panic!()
    };
    let erase = app.cli(&["employee", "erase", "E1"]);
    assert_eq!(
        erase.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&erase.stderr)
    );

    import::undo(&app.pool, import_id, &Actor::cli())
        .await
        .unwrap();

    let row: (String, Option<String>, Option<String>, Option<f64>, String) = sqlx::query_as(
        "select e.external_id, e.full_name, e.email, e.annual_salary::float8, t.name
         from employee e join team t using (team_id)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(row.0.starts_with("erased-"), "{row:?}");
    assert_eq!(
        (row.1, row.2, row.3),
        (None, None, None),
        "nothing personal comes back"
    );
    assert_eq!(row.4, "Alpha", "the rest of the undo still happened");
    let traces: i64 = sqlx::query_scalar(
        "select count(*) from employee_change where previous::text like '%Ann%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(traces, 0);
}

#[tokio::test]
async fn each_number_column_finds_its_own_decimal_separator() {
    let app = with_roster().await;
    // Tab separated with decimal points (Excel "Unicode text" in an English locale).
    let tsv = prepare(
        &app,
        Kind::Absences,
        b"employee_id\tstart_date\tdays\nE1\t2025-01-06\t1.5\nE2\t2025-01-07\t2\n",
    )
    .await
    .unwrap();
    assert_eq!(tsv.errors, []);
    assert!(
        tsv.sample[0].contains(&("days", "1.5".to_string())),
        "{:?}",
        tsv.sample[0]
    );
    // Semicolon separated with decimal commas.
    let semicolons = prepare(
        &app,
        Kind::Absences,
        b"employee_id;start_date;days\nE1;2025-01-06;1,5\n",
    )
    .await
    .unwrap();
    assert!(
        semicolons.sample[0].contains(&("days", "1.5".to_string())),
        "{:?}",
        semicolons.sample[0]
    );
    // A salary with a decimal point in a semicolon file, and thousands separators.
    let salaries = prepare(&app, Kind::Employees, b"employee_id;team;hire_date;annual_salary\nE1;Alpha;2020-01-01;62506.50\nE2;Alpha;2020-01-01;\"48,000.25\"\n")
        .await
        .unwrap();
    assert!(
        salaries.sample[0].contains(&("annual_salary", "62506.50".to_string())),
        "{:?}",
        salaries.sample[0]
    );
    assert!(
        salaries.sample[1].contains(&("annual_salary", "48000.25".to_string())),
        "{:?}",
        salaries.sample[1]
    );
}

#[tokio::test]
async fn rows_skipped_once_can_be_imported_later_from_the_same_file() {
    let app = with_roster().await;
    let file = b"employee_id,start_date\nE1,2025-01-06\nE3,2025-01-07\n";
    let options = Options {
        skip_invalid: true,
        ..Options::default()
    };
    let first = import::prepare(
        Kind::Absences,
        "a.csv",
        file,
        options,
        &Known::load(&app.pool, Kind::Absences).await.unwrap(),
    )
    .unwrap();
    assert!(matches!(
        import::commit(&app.pool, &first, options, &Actor::cli())
            .await
            .unwrap(),
        Outcome::Imported {
            rows_imported: 1,
            rows_skipped: 1,
            ..
        }
    ));
    // E3 joins the roster; the same absences file now imports completely.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date\nE3,Alpha,2024-01-01\n",
    )
    .await;
    let second = prepare(&app, Kind::Absences, file).await.unwrap();

    let outcome = import::commit(&app.pool, &second, Options::default(), &Actor::cli())
        .await
        .unwrap();

    assert!(
        matches!(
            outcome,
            Outcome::Imported {
                rows_imported: 2,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(count(&app, "absence").await, 2);
}

#[tokio::test]
async fn skip_invalid_with_no_valid_row_imports_nothing() {
    let app = with_roster().await;
    let output = app.cli_with_file(
        &["import", "absences", "--skip-invalid"],
        "bad.csv",
        b"employee_id,start_date\nE9,2025-01-06\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("none of its 1 rows is valid"));
    let imports: i64 = sqlx::query_scalar("select count(*) from import where kind = 'absences'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(imports, 0);
}

#[tokio::test]
async fn cells_that_cannot_be_stored_are_row_errors() {
    let app = with_roster().await;
    let long = "x".repeat(1001);
    let csv = format!(
        "responded_at,team,score,comment\n2025-01-06,Alpha,4,a\u{0}b\n2025-01-06,Alpha,4,{long}\n"
    );
    let errors = errors(&app, Kind::Csat, &csv).await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("line 2, comment \"ab\": contains a control character"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("line 3, comment \"xxxx"),
        "{}",
        errors[1]
    );
    assert!(
        errors[1].ends_with("is longer than 1000 characters"),
        "{}",
        errors[1]
    );
    assert_eq!(
        errors_of_salary(&app).await,
        [
            "line 2, annual_salary \"1e15\": not a number",
            "line 3, annual_salary \"2000000000000\": is too large (at most 999,999,999,999)"
        ]
    );
}

async fn errors_of_salary(app: &TestApp) -> Vec<String> {
    errors(app, Kind::Employees, "employee_id,team,hire_date,annual_salary\nE1,Alpha,2020-01-01,1e15\nE2,Alpha,2020-01-01,2000000000000\n").await
}

#[tokio::test]
async fn a_large_file_streams_through_in_batches_with_exact_line_numbers() {
    let app = TestApp::spawn().await;
    let mut csv = String::from("employee_id,team,hire_date\r\n");
    for i in 0..12_000 {
        csv.push_str(&format!("E{i},Team {},2020-01-01\r\n", i % 12));
    }
    let mut broken = csv.clone();
    broken.push_str("E-last,Team 1,2020-13-01\r\n");

    let rejected = app.cli_with_file(&["import", "employees"], "broken.csv", broken.as_bytes());
    assert_eq!(rejected.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&rejected.stderr);
    assert!(
        stderr.contains("line 12002, hire_date \"2020-13-01\": not a date"),
        "{stderr}"
    );
    assert_eq!(
        count(&app, "employee").await,
        0,
        "nothing of a rejected file is written"
    );

    let imported = app.cli_with_file(&["import", "employees"], "big.csv", csv.as_bytes());
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert_eq!(count(&app, "employee").await, 12_000);
    let recorded: (i32, i32) = sqlx::query_as("select rows_total, rows_accepted from import")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(recorded, (12_000, 12_000));
}

#[tokio::test]
async fn rows_whose_employee_disappeared_before_writing_roll_the_import_back_as_a_conflict() {
    let app = with_roster().await;
    let prepared = prepare(
        &app,
        Kind::Absences,
        b"employee_id,start_date\nE1,2025-02-03\nE2,2025-02-04\n",
    )
    .await
    .unwrap();
    assert_eq!(prepared.rows_valid, 2);
    // The roster import (#1) is undone between the check and the write.
    import::undo(&app.pool, 1, &Actor::cli()).await.unwrap();

    let err = import::commit(&app.pool, &prepared, Options::default(), &Actor::cli())
        .await
        .unwrap_err();

    assert!(matches!(
        err,
        import::ImportError::RosterChanged {
            written: 0,
            expected: 2,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "the roster changed while file.csv was being imported (0 of 2 rows could be matched); \
         nothing was imported, please try again"
    );
    assert_eq!(count(&app, "absence").await, 0);
    let imports: i64 = sqlx::query_scalar("select count(*) from import where kind = 'absences'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(imports, 0, "not even the import record is kept");
}

#[tokio::test]
async fn a_file_on_disk_that_changes_before_it_is_written_imports_nothing() {
    let app = with_roster().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("promotions.csv");
    std::fs::write(&path, "employee_id,effective_date\nE1,2025-02-01\n").unwrap();
    let known = Known::load(&app.pool, Kind::Promotions).await.unwrap();
    let prepared = import::prepare(
        Kind::Promotions,
        "promotions.csv",
        path.as_path(),
        Options::default(),
        &known,
    )
    .unwrap();
    std::fs::write(
        &path,
        "employee_id,effective_date\nE1,2025-02-01\nE2,2025-03-01\n",
    )
    .unwrap();

    let err = import::commit_streaming(
        &app.pool,
        &prepared,
        path.as_path(),
        &known,
        Options::default(),
        &Actor::cli(),
    )
    .await
    .unwrap_err();

    assert!(matches!(err, import::ImportError::FileChanged { .. }));
    assert_eq!(
        err.to_string(),
        "promotions.csv changed while it was imported; nothing was imported"
    );
    assert_eq!(count(&app, "promotion").await, 0);
}

#[tokio::test]
async fn measure_names_with_separators_in_a_row_are_stored_with_one_underscore() {
    let app = with_roster().await;
    let csv = b"period,metric,value\n2025-Q1,CO2e (tonnes),41.5\n2025-Q1,Output  Units,300\n\
                2025-Q1,a--b,1\n";

    let prepared = prepare(&app, Kind::Measures, csv).await.unwrap();

    let shown: Vec<&str> = prepared
        .sample
        .iter()
        .map(|row| {
            row.iter()
                .find(|(column, _)| *column == "metric")
                .map(|(_, name)| name.as_str())
                .unwrap()
        })
        .collect();
    assert_eq!(shown, ["co2e_tonnes", "output_units", "a_b"]);
    assert_eq!(
        prepared.notes,
        ["metric \"a_b\" is stored but no built-in metric uses it"],
        "co2e_tonnes and output_units are metrics' names"
    );
    import::commit(&app.pool, &prepared, Options::default(), &Actor::cli())
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("select metric from measure order by metric")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, ["a_b", "co2e_tonnes", "output_units"]);
    // They feed their metrics: two employees all quarter.
    let mut conn = app.pool.acquire().await.unwrap();
    let report = attune::report::build(&mut conn, "2025-Q1".parse().unwrap(), None)
        .await
        .unwrap();
    let org = serde_json::to_value(&report).unwrap()["org"].clone();
    assert_eq!(org["advanced"]["co2e_tonnes_per_employee"], 20.75);
    assert_eq!(org["intermediate"]["productivity"], 150.0);
}

/// Import a file from disk, as the command line does: checked, then written in batches.
async fn import_from_disk(app: &TestApp, kind: Kind, csv: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.csv");
    std::fs::write(&path, csv).unwrap();
    let known = Known::load(&app.pool, kind).await.unwrap();
    let prepared =
        import::prepare(kind, "file.csv", path.as_path(), Options::default(), &known).unwrap();
    assert_eq!(prepared.errors, []);
    import::commit_streaming(
        &app.pool,
        &prepared,
        path.as_path(),
        &known,
        Options::default(),
        &Actor::cli(),
    )
    .await
    .unwrap()
}

async fn revenue_of(app: &TestApp, customer: &str) -> String {
    sqlx::query_scalar("select revenue::text from customer_activity where customer_id = $1")
        .bind(customer)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn customer_rows_of_one_key_far_apart_in_a_large_file_are_added_up() {
    let app = with_roster().await;
    // More rows between the two invoices of ACME than one batch writes.
    let mut csv = String::from("customer_id,period,revenue,team\nACME,2025-01,100.10,Alpha\n");
    for n in 0..6_000 {
        csv.push_str(&format!("C{n},2025-01,1,Alpha\n"));
    }
    csv.push_str("ACME,2025-01,50.25,Alpha\n");

    let outcome = import_from_disk(&app, Kind::Customers, &csv).await;

    assert!(matches!(outcome, Outcome::Imported { .. }), "{outcome:?}");
    assert_eq!(revenue_of(&app, "ACME").await, "150.35");
    assert_eq!(count(&app, "customer_activity").await, 6_001);
    // Another file with the same key is an update, not an addition.
    let again = import_from_disk(
        &app,
        Kind::Customers,
        "customer_id,period,revenue,team\nACME,2025-01,70,Alpha\n",
    )
    .await;
    assert!(matches!(again, Outcome::Imported { .. }), "{again:?}");
    assert_eq!(revenue_of(&app, "ACME").await, "70.00");
}
