//! Imports written through COPY into a staging table (`db::staging`): the same rows, values and
//! errors as before, whatever the size of the file, from the command line, the API and memory.

use attune::accounts::Role;
use attune::import::Kind;

use crate::import_web::api_token;
use crate::support::TestApp;

const ROSTER: &str = "employee_id,team,hire_date\nE1,Alpha,2020-01-01\nE2,Beta,2021-01-01\n";

async fn with_roster() -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// A CSAT file of `rows` responses r-1, r-2, … (line n + 1 holds r-n), alternating the teams
/// and the scores 1 to 5; more than one COPY message's worth when large.
fn csat_file(rows: usize) -> String {
    let mut csv = String::from("responded_at,team,score,response_id,comment\n");
    for n in 1..=rows {
        let team = if n % 2 == 0 { "Alpha" } else { "beta" };
        csv.push_str(&format!(
            "2025-03-{:02},{team},{},r-{n},a comment long enough to fill the buffer\n",
            n % 28 + 1,
            n % 5 + 1,
        ));
    }
    csv
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_response_id_repeated_far_down_a_large_file_is_reported_with_both_lines() {
    let app = with_roster().await;
    let mut csv = csat_file(30_000);
    csv.push_str("2025-03-02,Alpha,4,r-6,the same response again\n");

    let rejected = app.cli_with_file(&["import", "csat"], "csat.csv", csv.as_bytes());

    assert_eq!(rejected.status.code(), Some(1));
    let stderr = stderr(&rejected);
    assert_eq!(
        stderr.lines().next(),
        Some("line 30002, response_id \"r-6\": appears again (first on line 7)"),
        "{stderr}"
    );
    assert_eq!(scalar(&app, "select count(*) from csat_response").await, 0);
    assert_eq!(
        scalar(&app, "select count(*) from import where kind = 'csat'").await,
        0,
        "a rejected file leaves no import behind"
    );

    let skipped = app.cli_with_file(
        &["import", "csat", "--skip-invalid"],
        "csat.csv",
        csv.as_bytes(),
    );

    assert_eq!(skipped.status.code(), Some(0), "{}", stderr);
    assert!(
        String::from_utf8_lossy(&skipped.stdout).starts_with(
            "Imported 30000 rows of csat from csat.csv (import #2); skipped 1 invalid rows."
        ),
        "{}",
        String::from_utf8_lossy(&skipped.stdout)
    );
    assert_eq!(
        scalar(&app, "select count(*) from csat_response").await,
        30_000
    );
    let kept: i16 = sqlx::query_scalar("select score from csat_response where response_id = 'r-6'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        kept, 2,
        "the first of the two is kept, as the row's own score"
    );
}

#[tokio::test]
async fn a_large_file_from_the_command_line_is_written_as_one_import_the_same_each_time() {
    let app = with_roster().await;
    // Past the 5,000 rows a statement used to write, and past one COPY message.
    let csv = csat_file(12_345);

    let imported = app.cli_with_file(&["import", "csat"], "csat.csv", csv.as_bytes());

    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    let by_team: Vec<(String, i64, i64)> = sqlx::query_as(
        "select t.name, count(*), sum(c.score)::int8 from csat_response c
         join team t using (team_id) group by t.name order by t.name",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    // Alpha has the even responses (6,172 of them), Beta ("beta" in the file) the odd ones.
    let sum = |even: bool| -> i64 {
        (1..=12_345i64)
            .filter(|n| (n % 2 == 0) == even)
            .map(|n| n % 5 + 1)
            .sum()
    };
    assert_eq!(
        by_team,
        [
            ("Alpha".to_string(), 6_172, sum(true)),
            ("Beta".to_string(), 6_173, sum(false))
        ]
    );
    let recorded: (i32, i32, i64) = sqlx::query_as(
        "select rows_total, rows_accepted,
                (select count(distinct import_id) from csat_response where import_id = i.import_id)
         from import i where kind = 'csat'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, (12_345, 12_345, 1));
    let covers: (String, String) =
        sqlx::query_as("select first_day::text, last_day::text from coverage where kind = 'csat'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(covers, ("2025-03-01".into(), "2025-03-31".into()));

    // The same file again changes nothing.
    let again = app.cli_with_file(&["import", "csat"], "csat.csv", csv.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "csat.csv was already imported (import #2); nothing changed.\n"
    );

    // A re-export with other scores updates every response instead of adding any.
    let rescored = csv.replace(",4,r-", ",1,r-");
    let updated = app.cli_with_file(&["import", "csat"], "rescored.csv", rescored.as_bytes());
    assert_eq!(updated.status.code(), Some(0), "{}", stderr(&updated));
    assert_eq!(
        scalar(&app, "select count(*) from csat_response").await,
        12_345
    );
    assert_eq!(
        scalar(&app, "select count(*) from csat_response where score = 4").await,
        0
    );
    assert_eq!(
        scalar(
            &app,
            "select count(*) from csat_response where import_id = 3"
        )
        .await,
        12_345
    );

    // Undoing the last import removes what it wrote (its rows carry its id).
    let undone = app.cli(&["imports", "undo", "3", "--yes"]);
    assert_eq!(undone.status.code(), Some(0), "{}", stderr(&undone));
    assert_eq!(scalar(&app, "select count(*) from csat_response").await, 0);
}

#[tokio::test]
async fn values_that_copy_reads_specially_are_stored_exactly() {
    let app = with_roster().await;
    let comment = "tab\there, back\\slash, \\N, and\na new line";
    let csv = format!(
        "responded_at,team,score,response_id,customer_id,comment\n\
         2025-01-06,ALPHA,4,x-1,,\"{comment}\"\n\
         2025-01-07,Beta,5,,C\\1,\n"
    );

    let imported = app.cli_with_file(&["import", "csat"], "csat.csv", csv.as_bytes());

    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    type Stored = (String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Stored> = sqlx::query_as(
        "select t.name, c.response_id, c.customer_id, c.comment
         from csat_response c join team t using (team_id) order by c.responded_on",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (
                "Alpha".into(),
                Some("x-1".into()),
                None,
                Some(comment.into())
            ),
            ("Beta".into(), None, Some("C\\1".into()), None),
        ]
    );
}

#[tokio::test]
async fn absences_and_pulse_from_the_command_line_keep_their_values() {
    let app = with_roster().await;
    let absences = "employee_id,start_date,end_date,days,type\n\
                    E1,2025-02-03,2025-02-04,1.5,Vacation\n\
                    E2,2025-02-05,,,Sick\n";
    let pulse = "submitted_at,team,heard,supported,valued,enps,response_id\n\
                 2025-02-03,alpha,4,,5,9,p-1\n\
                 2025-02-04,Beta,,2,,,\n";

    let a = app.cli_with_file(&["import", "absences"], "absences.csv", absences.as_bytes());
    let p = app.cli_with_file(&["import", "pulse"], "pulse.csv", pulse.as_bytes());

    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(p.status.code(), Some(0), "{}", stderr(&p));
    let stored: Vec<(String, String, String, Option<String>, String, bool)> = sqlx::query_as(
        "select e.external_id, a.start_date::text, a.end_date::text, a.days::text,
                a.absence_type, a.planned
         from absence a join employee e using (employee_id) order by a.start_date",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        stored,
        [
            (
                "E1".into(),
                "2025-02-03".into(),
                "2025-02-04".into(),
                Some("1.50".into()),
                "Vacation".into(),
                true
            ),
            (
                "E2".into(),
                "2025-02-05".into(),
                "2025-02-05".into(),
                None,
                "Sick".into(),
                false
            ),
        ]
    );
    type Answer = (String, Option<i16>, Option<i16>, Option<i16>, Option<i16>);
    let answers: Vec<Answer> = sqlx::query_as(
        "select t.name, p.heard, p.supported, p.valued, p.enps
         from pulse_response p join team t using (team_id) order by p.submitted_on",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        answers,
        [
            ("Alpha".into(), Some(4), None, Some(5), Some(9)),
            ("Beta".into(), None, Some(2), None, None),
        ]
    );
}

#[tokio::test]
async fn the_api_takes_a_file_of_several_megabytes_in_one_import() {
    let app = with_roster().await;
    let token = api_token(&app, "hr-bot@example.com", Role::Hr).await;
    let csv = csat_file(100_000);
    assert!(csv.len() > 6_000_000, "{} bytes", csv.len());

    let response = reqwest::Client::new()
        .post(app.url("/api/v1/imports/csat?file_name=big.csv"))
        .bearer_auth(token)
        .body(csv)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["status"], "imported", "{answer}");
    assert_eq!(answer["rows_total"], 100_000, "{answer}");
    assert_eq!(answer["rows_valid"], 100_000, "{answer}");
    assert_eq!(
        scalar(&app, "select count(*) from csat_response").await,
        100_000
    );
}
