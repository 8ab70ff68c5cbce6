//! The account commands of the real binary: `attune user …`, `attune token …` and
//! `attune employee erase`.

use attune::import::Kind;

use crate::support::TestApp;

const ROSTER: &str = "\
employee_id,team,hire_date,full_name,email
A1,Alpha,2020-01-01,Ann Smith,ann@corp.example
B1,Beta,2021-03-01,Cy Diaz,cy@corp.example
";

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn the_first_hr_account_is_created_from_the_command_line_and_can_sign_in() {
    let app = TestApp::spawn().await;

    let empty = app.cli(&["user", "list"]);
    assert!(
        stdout(&empty).contains("attune user add --email you@example.com --role hr"),
        "{}",
        stdout(&empty)
    );
    let added = app.cli_with_stdin(
        &["user", "add", "--email", "boss@example.com", "--role", "hr"],
        "my very own passphrase\n",
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    assert!(stdout(&added).contains("Created hr account boss@example.com"));

    let browser = app.browser();
    assert_eq!(
        browser
            .sign_in("boss@example.com", "my very own passphrase")
            .await
            .status(),
        303
    );
    assert_eq!(browser.get("/admin/users").await.status(), 200);

    let twice = app.cli_with_stdin(
        &["user", "add", "--email", "BOSS@example.com", "--role", "hr"],
        "my very own passphrase\n",
    );
    assert_eq!(twice.status.code(), Some(1));
    assert!(stderr(&twice).contains("already an account"));
}

#[tokio::test]
async fn passwords_from_standard_input_follow_the_policy() {
    let app = TestApp::spawn().await;

    for bad in ["short\n", "password1234\n", "\n"] {
        let refused = app.cli_with_stdin(
            &[
                "user",
                "add",
                "--email",
                "x@example.com",
                "--role",
                "executive",
            ],
            bad,
        );
        assert_eq!(refused.status.code(), Some(2), "{bad:?}");
        assert!(
            stderr(&refused).contains("password"),
            "{}",
            stderr(&refused)
        );
    }
    let list = app.cli(&["user", "list"]);
    assert!(!stdout(&list).contains("x@example.com"));
}

#[tokio::test]
async fn a_manager_gets_teams_and_unknown_teams_are_listed() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let unknown = app.cli_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "m@example.com",
            "--role",
            "manager",
            "--team",
            "Gamma",
        ],
        "a long enough password\n",
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no team named \"Gamma\"; teams: Alpha, Beta"),
        "{}",
        stderr(&unknown)
    );

    let added = app.cli(&[
        "user",
        "add",
        "--email",
        "m@example.com",
        "--role",
        "manager",
        "--team",
        "alpha",
        "--generate-password",
    ]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let out = stdout(&added);
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown only now): "))
        .expect("the generated password is printed")
        .to_string();
    let manager = app.browser();
    assert_eq!(
        manager.sign_in("m@example.com", &password).await.status(),
        303
    );
    // The manager lands on their team's page.
    let html = manager.page("/?period=2025-Q1", 200).await;
    assert_eq!(crate::support::text(&html, "#team-name"), "Alpha");

    let moved = app.cli(&[
        "user",
        "set-teams",
        "m@example.com",
        "--team",
        "Beta",
        "--team",
        "Alpha",
    ]);
    assert_eq!(moved.status.code(), Some(0), "{}", stderr(&moved));
    assert!(stdout(&moved).contains("m@example.com now sees: Alpha, Beta."));
    let list = stdout(&app.cli(&["user", "list"]));
    let line = list.lines().find(|l| l.contains("m@example.com")).unwrap();
    assert!(
        line.contains("manager") && line.contains("active") && line.contains("Alpha, Beta"),
        "{line}"
    );
}

#[tokio::test]
async fn disable_enable_and_set_password_from_the_command_line() {
    let app = TestApp::spawn().await;
    app.cli_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "e@example.com",
            "--role",
            "executive",
        ],
        "the first long password\n",
    );
    let browser = app.browser();
    assert_eq!(
        browser
            .sign_in("e@example.com", "the first long password")
            .await
            .status(),
        303
    );

    let disabled = app.cli(&["user", "disable", "e@example.com"]);
    assert_eq!(disabled.status.code(), Some(0), "{}", stderr(&disabled));
    assert_eq!(browser.get("/").await.status(), 303);
    assert!(stdout(&app.cli(&["user", "list"])).contains("disabled"));
    assert_eq!(
        app.cli(&["user", "enable", "e@example.com"]).status.code(),
        Some(0)
    );

    let changed = app.cli_with_stdin(
        &["user", "set-password", "E@example.com"],
        "the second long password\n",
    );
    assert_eq!(changed.status.code(), Some(0), "{}", stderr(&changed));
    assert_eq!(
        browser
            .sign_in("e@example.com", "the first long password")
            .await
            .status(),
        401
    );
    assert_eq!(
        browser
            .sign_in("e@example.com", "the second long password")
            .await
            .status(),
        303
    );

    let nobody = app.cli(&["user", "disable", "nobody@example.com"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(stderr(&nobody).contains("no account for nobody@example.com"));
}

#[tokio::test]
async fn a_token_from_the_command_line_reads_the_api_until_revoked() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app.cli(&[
        "user",
        "add",
        "--email",
        "m@example.com",
        "--role",
        "manager",
        "--team",
        "Beta",
        "--generate-password",
    ]);

    let created = app.cli(&[
        "token",
        "create",
        "--email",
        "m@example.com",
        "--name",
        "nightly",
    ]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let token = stdout(&created).trim().to_string();
    assert!(token.starts_with("attune_") && token.len() > 60, "{token}");
    let stored: i64 = sqlx::query_scalar("select count(*) from api_token where token_hash = $1")
        .bind(&token)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "only a hash is stored");

    let client = reqwest::Client::new();
    let read = |token: String| {
        let client = client.clone();
        let url = app.url("/api/v1/metrics?period=2025-Q1");
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let response = read(token.clone()).await;
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["teams"].as_object().unwrap().len(), 1);
    assert!(json["teams"]["Beta"].is_object());

    let list = stdout(&app.cli(&["token", "list", "--email", "m@example.com"]));
    assert!(
        list.contains("nightly") && list.contains("active"),
        "{list}"
    );
    let wrong = app.cli(&["token", "revoke", "other", "--email", "m@example.com"]);
    assert_eq!(wrong.status.code(), Some(1));
    let revoked = app.cli(&["token", "revoke", "nightly", "--email", "m@example.com"]);
    assert_eq!(revoked.status.code(), Some(0), "{}", stderr(&revoked));
    assert_eq!(read(token).await.status(), 401);
}

#[tokio::test]
async fn employee_erase_removes_personal_data_and_is_audited() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let erased = app.cli(&["employee", "erase", "A1"]);
    assert_eq!(erased.status.code(), Some(0), "{}", stderr(&erased));
    let (external_id, name, email): (String, Option<String>, Option<String>) = sqlx::query_as(
        "select external_id, full_name, email from employee where hire_date = '2020-01-01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(external_id.starts_with("erased-"));
    assert_eq!((name, email), (None, None));
    let (actor, action): (String, String) = sqlx::query_as(
        "select actor, action from audit_event order by audit_event_id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((actor.as_str(), action.as_str()), ("cli", "employee.erase"));

    let missing = app.cli(&["employee", "erase", "A1"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[tokio::test]
async fn serve_says_how_to_create_the_first_hr_account() {
    use std::io::{BufRead, BufReader};
    let app = TestApp::spawn().await;
    let mut child = crate::support::attune_command()
        .env("DATABASE_URL", &app.database_url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = String::new();
    for _ in 0..4 {
        match lines.next() {
            Some(Ok(line)) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            _ => break,
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        seen.contains("attune user add --email you@example.com --role hr"),
        "{seen}"
    );
}
