//! The command line contract: exit codes, messages and the JSON report, from the real binary.

use serde_json::Value;

use crate::support::{TestApp, attune_command};

const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2025-01-01,,,
A3,Alpha,2019-06-01,2025-03-31,voluntary,60000
B1,Beta,2021-03-01,2025-02-01,involuntary,
";

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn import_then_report_json_gives_the_defined_figures() {
    let app = TestApp::spawn().await;

    let imported = app.cli_with_file(&["import", "employees"], "roster.csv", ROSTER.as_bytes());
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    assert!(stdout(&imported).contains("Imported 4 rows of employees from roster.csv"));

    let report = app.cli(&["report", "--period", "2025-Q1", "--format", "json"]);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let json: Value = serde_json::from_slice(&report.stdout).expect("stdout is only JSON");
    // Alpha: A1, A2, A3 on both days; A3 leaves on the last day. Beta: B1 leaves in February.
    assert_eq!(json["teams"]["Alpha"]["fundamentals"]["headcount_start"], 3);
    assert_eq!(json["teams"]["Alpha"]["fundamentals"]["headcount_end"], 3);
    assert_eq!(
        json["teams"]["Alpha"]["fundamentals"]["turnover_rate"],
        100.0 / 3.0
    );
    assert_eq!(
        json["teams"]["Beta"]["fundamentals"]["involuntary_turnover_rate"],
        200.0
    );
    assert_eq!(json["org"]["fundamentals"]["headcount_avg"], 3.5);
    assert_eq!(json["org"]["fundamentals"]["separations"], 2);
    for tier in ["intermediate", "advanced"] {
        assert!(json["org"][tier].is_object(), "{tier}");
    }

    let again = app.cli_with_file(&["import", "employees"], "roster.csv", ROSTER.as_bytes());
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stdout(&again).contains("already imported"),
        "{}",
        stdout(&again)
    );
}

#[tokio::test]
async fn a_rejected_file_exits_1_with_each_error_on_stderr_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let bad = "employee_id,team,hire_date\nE1,Alpha,2019-02-30\nE2,Alpha,2019-01-01\n";

    let output = app.cli_with_file(&["import", "employees"], "bad.csv", bad.as_bytes());

    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("line 2, hire_date \"2019-02-30\": not a date"),
        "{}",
        stderr(&output)
    );
    let employees: i64 = sqlx::query_scalar("select count(*) from employee")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(employees, 0);
}

#[tokio::test]
async fn a_dry_run_previews_and_writes_nothing() {
    let app = TestApp::spawn().await;

    let output = app.cli_with_file(
        &["import", "employees", "--dry-run"],
        "roster.csv",
        ROSTER.as_bytes(),
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Rows:      4 (4 valid)"), "{text}");
    assert!(text.contains("Delimiter: comma"), "{text}");
    assert!(text.contains("Dry run: nothing was written."), "{text}");
    assert!(
        text.contains(
            "What the import will change:\n  4 new employees, 0 updated, 0 unchanged.\n  \
             Teams created: Alpha (2 people today), Beta (nobody today).\n"
        ),
        "{text}"
    );
    let employees: i64 = sqlx::query_scalar("select count(*) from employee")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(employees, 0);
}

#[tokio::test]
async fn a_dry_run_prints_the_notes_with_measure_names_as_stored() {
    let app = TestApp::spawn().await;

    let output = app.cli_with_file(
        &["import", "measures", "--dry-run"],
        "measures.csv",
        b"period,metric,value\n2025-Q1,CO2e (tonnes),41.5\n2025-Q1,Output  Units,300\n\
          2025-Q1,a--b,1\n",
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("Note:")).collect();
    assert_eq!(
        notes,
        ["Note: metric \"a_b\" is stored but no built-in metric uses it"],
        "{text}"
    );
    for stored in ["metric=co2e_tonnes", "metric=output_units", "metric=a_b"] {
        assert!(text.contains(stored), "{stored} in {text}");
    }
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let app = TestApp::spawn().await;

    assert_eq!(
        app.cli(&["import", "employees"]).status.code(),
        Some(2),
        "no file"
    );
    assert_eq!(
        app.cli(&["import", "spreadsheets", "x.csv"]).status.code(),
        Some(2),
        "unknown kind"
    );
    let missing = app.cli(&["import", "employees", "/no/such/file.csv"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read /no/such/file.csv"));
    let period = app.cli(&["report", "--period", "2025-Q5"]);
    assert_eq!(period.status.code(), Some(2));
    assert!(stderr(&period).contains("is not a period"));
}

#[tokio::test]
async fn a_report_for_an_unknown_team_lists_the_teams() {
    let app = TestApp::spawn().await;
    app.cli_with_file(&["import", "employees"], "roster.csv", ROSTER.as_bytes());

    let output = app.cli(&["report", "--period", "2025", "--team", "Gamma"]);

    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("there is no team named \"Gamma\"; teams: Alpha, Beta"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn the_text_report_is_a_readable_table() {
    let app = TestApp::spawn().await;
    app.cli_with_file(&["import", "employees"], "roster.csv", ROSTER.as_bytes());

    let output = app.cli(&[
        "report", "--period", "2025-Q1", "--team", "beta", "--format", "text",
    ]);

    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    // One column per scope: the organization, then Beta (B1 left in February: 1 → 0 people).
    let header = text
        .lines()
        .find(|l| l.starts_with("Fundamentals"))
        .expect("a header row");
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns, ["Fundamentals", "Organization", "Beta"]);
    let cells = |label: &str| -> Vec<String> {
        let line = text.lines().find(|l| l.starts_with(label)).expect(label);
        line[32..]
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(cells("Turnover "), ["57.1 %", "200.0 %"]);
    assert_eq!(cells("Involuntary turnover"), ["28.6 %", "200.0 %"]);
    // No pulse responses at all: no data, not too few (issue 10).
    assert_eq!(cells("Empathy favorability"), ["no data", "no data"]);
    assert!(!text.contains("Alpha"));
}

#[test]
fn every_command_explains_itself() {
    for command in [
        &["--help"][..],
        &["serve", "--help"],
        &["demo", "--help"],
        &["migrate", "--help"],
        &["import", "--help"],
        &["report", "--help"],
    ] {
        let output = attune_command().args(command).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{command:?}");
        assert!(stdout(&output).contains("Usage: attune"), "{command:?}");
    }
}

#[tokio::test]
async fn logs_written_to_a_pipe_have_no_colour_codes() {
    let app = TestApp::spawn().await;
    let output = attune_command()
        .env("DATABASE_URL", &app.database_url)
        .env("ATTUNE_LOG", "debug")
        .env_remove("NO_COLOR")
        .arg("migrate")
        .output()
        .expect("run attune");
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(log.contains("DEBUG"), "something was logged: {log}");
    assert!(!log.contains('\u{1b}'), "no escape codes: {log:?}");
}
