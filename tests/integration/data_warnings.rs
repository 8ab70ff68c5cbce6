//! The data page's warnings about what leaves figures missing or wrong (issue 10, item 6):
//! coverage that ends before the last finished quarter, teams with people that a kind's coverage
//! leaves out, and
//! absences dated after the person left — also a warning (not an error) in the preview of an
//! absences import, on the web, on the command line and in the API's answer.

use attune::accounts::Role;
use attune::import::Kind;
use attune::period::Period;
use chrono::{Days, NaiveDate};
use serde_json::Value;

use crate::support::{TestApp, count, text};

/// Alpha (A1) and Beta (B1) have people today; B2 left Beta on 14 February 2025.
const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type
A1,Alpha,2020-01-01,,
B1,Beta,2020-01-01,,
B2,Beta,2020-01-01,2025-02-14,voluntary
";

/// B2's absence runs from before to after the day she left.
const LATE_ABSENCE: &str = "employee_id,start_date,end_date,type\nB2,2025-02-10,2025-02-20,Sick\n";

fn last_finished_quarter() -> Period {
    Period::latest_complete_quarter(chrono::Local::now().date_naive())
}

/// A day inside the last finished quarter.
fn in_last_quarter() -> NaiveDate {
    last_finished_quarter().start() + Days::new(10)
}

fn all_text(html: &scraper::Html, selector: &str) -> Vec<String> {
    let parsed = scraper::Selector::parse(selector).unwrap();
    html.select(&parsed)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

#[tokio::test]
async fn the_data_page_warns_about_coverage_that_ends_early_and_absences_after_leaving() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let day = in_last_quarter();
    // Pulse and absences cover a month of the last finished quarter; CSAT only January 2024.
    app.import(
        Kind::Pulse,
        &format!("submitted_at,team,heard,supported,valued\n{day},Alpha,4,4,4\n"),
    )
    .await;
    app.import(
        Kind::Absences,
        &format!("{LATE_ABSENCE}A1,{day},{day},Sick\n"),
    )
    .await;
    app.import(Kind::Csat, "responded_at,team,score\n2024-01-10,Alpha,5\n")
        .await;
    let hr = app.login_hr().await;

    let html = hr.page("/admin/data", 200).await;

    // (c) CSAT's coverage ends before the last finished quarter; the others' do not.
    let quarter = last_finished_quarter();
    assert_eq!(
        all_text(&html, "#stale-kinds li"),
        [format!(
            "CSAT responses: the data covers up to 31 Jan 2024, before {quarter}, the last \
             finished quarter. Its figures of {quarter} are missing until data covering it is \
             imported."
        )]
    );
    // Each import covers the whole organization: no team is left out.
    assert_eq!(count(&html, "#no-teams-without-kind"), 1);
    // (b) B2's absence, with the day she left.
    assert_eq!(text(&html, "#absences-after-leaving-total"), "1");
    let row = r#"#absences-after-leaving tr[data-employee="B2"]"#;
    assert_eq!(text(&html, &format!("{row} td.team")), "Beta");
    assert_eq!(text(&html, &format!("{row} td.left-on")), "14 Feb 2025");
    assert_eq!(
        text(&html, &format!("{row} td.dates")),
        "10 Feb 2025 – 20 Feb 2025"
    );
}

#[tokio::test]
async fn a_team_the_coverage_leaves_out_is_named_with_its_kinds() {
    // The demo covers its own teams for absences, promotions, CSAT and pulse (and the whole
    // organization for customers and measures); a department added by a roster is not.
    let app = TestApp::spawn().await;
    attune::demo::load(&app.pool).await.unwrap();
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date\nP1,Production,2020-01-01\nP2,Production,2021-01-01\n",
    )
    .await;
    let hr = app.login_hr().await;

    let html = hr.page("/admin/data", 200).await;

    assert_eq!(
        all_text(&html, "#teams-without-kind th[scope=row]"),
        ["Production"]
    );
    assert_eq!(
        text(
            &html,
            r#"#teams-without-kind tr[data-team="Production"] td.kinds"#
        ),
        "Absences, CSAT responses, Promotions, Pulse responses"
    );
}

#[tokio::test]
async fn a_page_without_such_problems_says_so() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let day = in_last_quarter();
    app.import(
        Kind::Pulse,
        &format!("submitted_at,team,heard\n{day},Alpha,4\n{day},Beta,5\n"),
    )
    .await;
    let hr = app.login_hr().await;

    let html = hr.page("/admin/data", 200).await;

    assert_eq!(count(&html, "#no-stale-kinds"), 1);
    assert_eq!(count(&html, "#no-teams-without-kind"), 1);
    assert_eq!(count(&html, "#no-absences-after-leaving"), 1);
}

#[tokio::test]
async fn an_absence_after_leaving_is_a_warning_in_every_preview_and_still_imports() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let warning = "line 2: employee B2 left on 2025-02-14, but this absence is dated up to \
                   2025-02-20";

    // The command line: a warning, and the dry run succeeds.
    let output = app.cli_with_file(
        &["import", "absences", "--dry-run"],
        "absences.csv",
        LATE_ABSENCE.as_bytes(),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("Warning: {warning}\n")),
        "{stdout}"
    );

    // The API's answer.
    let user_id = app.create_user("bot@example.com", Role::Hr, &[]).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let token = attune::db::tokens::create(&mut conn, user_id, "test")
        .await
        .unwrap()
        .1;
    let answer: Value = reqwest::Client::new()
        .post(app.url("/api/v1/imports/absences?dry_run=true&file_name=a.csv"))
        .bearer_auth(&token)
        .body(LATE_ABSENCE)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["status"], "dry_run", "{answer}");
    assert_eq!(answer["errors"], serde_json::json!([]));
    assert_eq!(answer["warnings"], serde_json::json!([warning]));

    // The web preview, and the import goes through.
    let hr = app.login_hr().await;
    let uploaded =
        crate::import_web::upload(&hr, "absences", "absences.csv", LATE_ABSENCE.as_bytes()).await;
    assert_eq!(uploaded.status(), 303);
    let preview = uploaded.headers()["location"].to_str().unwrap().to_string();
    let html = hr.page(&preview, 200).await;
    assert_eq!(all_text(&html, "#warnings li"), [warning]);
    assert_eq!(count(&html, ".error-message"), 0);
    let output = app.cli_with_file(
        &["import", "absences"],
        "absences.csv",
        LATE_ABSENCE.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stored: i64 = sqlx::query_scalar("select count(*) from absence")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1, "a warning is no error: the absence is imported");
}
