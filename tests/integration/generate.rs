//! `attune generate`: a synthetic company whose files the real binary imports cleanly, in the
//! order it prints, row for row.

use crate::support::{TestApp, attune_command};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_generated_company_imports_cleanly_row_for_row() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("company");
    let out_arg = out.display().to_string();

    let generated = attune_command()
        .args([
            "generate",
            "--employees",
            "400",
            "--years",
            "1",
            "--seed",
            "3",
            "--until",
            "2025-11-20",
            "--out",
            &out_arg,
        ])
        .output()
        .unwrap();

    assert_eq!(generated.status.code(), Some(0), "{}", stderr(&generated));
    let printed = stdout(&generated);
    assert!(
        printed.starts_with("Wrote a company of 400 people in 3 teams ("),
        "{printed}"
    );
    assert!(printed.contains("2024-11-01 to 2025-11-20"), "{printed}");
    // The import commands, in the order printed, import every row of every file.
    let commands: Vec<Vec<&str>> = printed
        .lines()
        .filter_map(|line| line.trim().strip_prefix("attune "))
        .map(|command| command.split(' ').collect())
        .collect();
    let kinds: Vec<&str> = commands.iter().map(|c| c[1]).collect();
    assert_eq!(
        kinds,
        [
            "employees",
            "absences",
            "promotions",
            "csat",
            "pulse",
            "customers",
            "measures"
        ]
    );
    for (command, table) in commands.iter().zip([
        "employee",
        "absence",
        "promotion",
        "csat_response",
        "pulse_response",
        "customer_activity",
        "measure",
    ]) {
        let rows = std::fs::read_to_string(command[2]).unwrap().lines().count() - 1;
        assert!(rows > 0, "{} has rows", command[2]);
        let imported = app.cli(command);
        assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
        assert!(
            stdout(&imported).starts_with(&format!("Imported {rows} rows of {}", command[1])),
            "{}",
            stdout(&imported)
        );
        let stored: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(stored, rows as i64, "{table}");
    }
    let teams: Vec<String> = sqlx::query_scalar("select name from team order by team_id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        teams,
        [
            "Customer Support Lisbon",
            "Engineering Lisbon",
            "Sales Lisbon"
        ]
    );
    let employed: i64 =
        sqlx::query_scalar("select count(*) from employee where termination_date is null")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        printed.contains(&format!("({employed} employed at the end)")),
        "{printed}"
    );
    assert!((380..=440).contains(&employed), "{employed} employed");
}

#[test]
fn generate_refuses_a_file_as_its_folder_and_keeps_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();

    let output = attune_command()
        .args(["generate", "--employees", "20", "--out"])
        .arg(&file)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} is a file, not a folder: choose a folder for --out\n",
            file.display()
        )
    );

    std::fs::write(dir.path().join("pulse.csv"), "mine").unwrap();
    let output = attune_command()
        .args(["generate", "--employees", "20", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("already holds pulse.csv: add --force to replace it"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pulse.csv")).unwrap(),
        "mine"
    );
}
