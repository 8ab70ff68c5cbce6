//! Coverage (issue #10): what each import covers is recorded with it and undone with it, the
//! demo covers its own teams, and a figure is known only where its data covers the period.

use attune::db::audit::Actor;
use attune::import::{self, Kind, Known, Options, Outcome};

use crate::support::TestApp;

const ROSTER: &str = "employee_id,team,hire_date\nE1,Alpha,2020-01-01\nE2,Beta,2021-01-01\n";

/// The coverage rows of an import (or of the demo, for None): kind, team, first and last day.
async fn rows(
    app: &TestApp,
    import_id: Option<i64>,
) -> Vec<(String, Option<String>, String, Option<String>)> {
    sqlx::query_as(
        "select c.kind, t.name, c.first_day::text, c.last_day::text
         from coverage c left join team t using (team_id)
         where c.import_id is not distinct from $1
         order by c.kind, t.name nulls first",
    )
    .bind(import_id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn import_with(app: &TestApp, kind: Kind, csv: &str, options: Options) -> i64 {
    let known = Known::load(&app.pool, kind).await.unwrap();
    let prepared = import::prepare(kind, "file.csv", csv.as_bytes(), options, &known).unwrap();
    assert_eq!(prepared.errors, [], "the test file is valid");
    match import::commit(&app.pool, &prepared, options, &Actor::cli())
        .await
        .unwrap()
    {
        Outcome::Imported { import_id, .. } => import_id,
        other => panic!("{other:?}"),
    }
}

fn owned(
    kind: &str,
    team: Option<&str>,
    first: &str,
    last: Option<&str>,
) -> (String, Option<String>, String, Option<String>) {
    (
        kind.to_string(),
        team.map(str::to_string),
        first.to_string(),
        last.map(str::to_string),
    )
}

#[tokio::test]
async fn an_import_covers_the_whole_months_of_its_dates_and_undoing_it_removes_that() {
    let app = TestApp::spawn().await;
    let roster = import_with(&app, Kind::Employees, ROSTER, Options::default()).await;
    let absences = import_with(
        &app,
        Kind::Absences,
        "employee_id,start_date,end_date,type\nE1,2025-02-10,2025-02-11,sick\nE2,2025-04-03,2025-04-03,sick\n",
        Options::default(),
    )
    .await;

    assert_eq!(
        rows(&app, Some(roster)).await,
        [owned("employees", None, "2020-01-01", None)],
        "the roster: from its earliest hire date on"
    );
    assert_eq!(
        rows(&app, Some(absences)).await,
        [owned("absences", None, "2025-02-01", Some("2025-04-30"))]
    );

    import::undo(&app.pool, absences, &Actor::cli())
        .await
        .unwrap();
    assert_eq!(rows(&app, Some(absences)).await, []);
    assert_eq!(
        rows(&app, Some(roster)).await.len(),
        1,
        "the roster's stays"
    );
}

#[tokio::test]
async fn the_demo_covers_its_own_teams_from_its_first_day_to_the_end_of_its_quarter() {
    let app = TestApp::spawn().await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    attune::demo::load_as_of(&app.pool, day).await.unwrap();
    attune::demo::load_as_of(&app.pool, day).await.unwrap();

    let demo = rows(&app, None).await;
    // Seven teams × five kinds, and the organization for customers and measures: once, though
    // the demo was loaded twice.
    assert_eq!(demo.len(), 7 * 5 + 2);
    assert!(demo.contains(&owned(
        "absences",
        Some("Sales"),
        "2023-10-01",
        Some("2026-12-31")
    )));
    assert!(demo.contains(&owned("customers", None, "2023-10-01", Some("2026-12-31"))));
    assert!(
        !demo
            .iter()
            .any(|(kind, team, _, _)| kind == "absences" && team.is_none())
    );
}

/// The demo company as of a fixed day: its history starts on 2023-10-01.
async fn demo(app: &TestApp) {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    attune::demo::load_as_of(&app.pool, day).await.unwrap();
}

/// The report of `period` as JSON, as `attune report` and the API give it.
async fn report(app: &TestApp, period: &str) -> serde_json::Value {
    let mut conn = app.pool.acquire().await.unwrap();
    let report = attune::report::build(&mut conn, period.parse().unwrap(), None)
        .await
        .unwrap();
    serde_json::to_value(&report).unwrap()
}

/// The five departments of HRDataset_v14 that have a roster and nothing else.
const ROSTER_ONLY: [&str; 5] = [
    "Production",
    "IT/IS",
    "Admin Offices",
    "Executive Office",
    "Software Engineering",
];

#[tokio::test]
async fn teams_imported_with_a_roster_only_have_no_absenteeism_or_promotions_and_the_organization_counts_the_covered_teams()
 {
    let Ok(bytes) = std::fs::read(crate::support::dataset("HRDataset_v14.csv")) else {
        panic!("../shared/datasets/HRDataset_v14.csv is needed beside the project");
    };
    let app = TestApp::spawn().await;
    demo(&app).await;
    let before = report(&app, "2026-Q3").await;
    let csv = String::from_utf8_lossy(&bytes).into_owned();
    app.import(Kind::Employees, &csv).await;

    let after = report(&app, "2026-Q3").await;
    for team in ROSTER_ONLY {
        let scope = &after["teams"][team];
        for metric in ["absenteeism_rate", "promotion_rate"] {
            assert_eq!(
                scope["fundamentals"][metric],
                serde_json::Value::Null,
                "{team} {metric}"
            );
            assert_eq!(scope["reasons"][metric], "no_data", "{team} {metric}");
        }
        assert_eq!(scope["coverage"]["absences"]["covered_days"], 0, "{team}");
        assert!(
            scope["fundamentals"]["turnover_rate"].is_number(),
            "the roster covers {team}'s turnover"
        );
    }
    // The organization's absenteeism counts the seven demo teams, whose absences are covered:
    // their absence days over their scheduled days — not over the new departments' too.
    let demo_teams: Vec<&str> = before["teams"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(demo_teams.len(), 7);
    let sum = |field: &str| -> f64 {
        demo_teams
            .iter()
            .map(|t| after["teams"][t]["fundamentals"][field].as_f64().unwrap())
            .sum()
    };
    let org = &after["org"];
    let absenteeism = org["fundamentals"]["absenteeism_rate"].as_f64().unwrap();
    assert_eq!(
        absenteeism,
        100.0 * sum("absence_days") / sum("scheduled_days")
    );
    let part = |name: &str| {
        org["empathy_index_parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["part"] == name)
    };
    assert!(
        part("absenteeism") && part("empathy_favorability"),
        "the organization's index counts the parts its covered teams know: {}",
        org["empathy_index_parts"]
    );
    assert_eq!(org["coverage"]["absences"]["teams"], 12);
    assert_eq!(org["coverage"]["absences"]["teams_covered"], 7);
    assert_eq!(org["coverage"]["absences"]["partial"], true);
    assert_eq!(org["coverage"]["employees"]["partial"], false);
    // Sales took HRDataset's salespeople (the same team name): its absenteeism is over more
    // people now. The other six demo teams' figures, and the organization's before the
    // import, are as they were.
    for team in demo_teams.iter().filter(|t| **t != "Sales") {
        assert_eq!(
            after["teams"][team]["fundamentals"]["absenteeism_rate"],
            before["teams"][team]["fundamentals"]["absenteeism_rate"],
            "{team}"
        );
    }
    // Counting the new departments' people as never absent would have diluted it.
    let scheduled = |teams: &[&str]| -> f64 {
        teams
            .iter()
            .map(|t| {
                after["teams"][t]["fundamentals"]["scheduled_days"]
                    .as_f64()
                    .unwrap()
            })
            .sum()
    };
    let diluted = 100.0 * sum("absence_days") / (scheduled(&demo_teams) + scheduled(&ROSTER_ONLY));
    let was = before["org"]["fundamentals"]["absenteeism_rate"]
        .as_f64()
        .unwrap();
    assert!(
        absenteeism > 1.5 * diluted && (absenteeism - was).abs() < 0.25,
        "{was} before, {absenteeism} after, {diluted} diluted"
    );
    assert_eq!(
        org["fundamentals"]["scheduled_days"].as_f64().unwrap(),
        sum("scheduled_days"),
        "the organization's scheduled days are the covered teams'"
    );

    // The organization page says so in words.
    let hr = app.login_hr().await;
    let html = hr.page("/organization?period=2026-Q3", 200).await;
    for team in ROSTER_ONLY {
        for metric in ["absenteeism_rate", "promotion_rate"] {
            let cell = crate::support::text(
                &html,
                &format!(r#"tr[data-team="{team}"] td[data-metric="{metric}"] .cell-value"#),
            );
            assert_eq!(cell, "no data", "{team} {metric}");
        }
    }
}

#[tokio::test]
async fn the_demos_first_quarter_compares_with_nothing_before_its_data() {
    let app = TestApp::spawn().await;
    demo(&app).await;

    let first = report(&app, "2023-Q4").await;
    for metric in ["turnover_rate", "absenteeism_rate", "promotion_rate"] {
        let previous = &first["org"]["previous"];
        assert_eq!(previous["period"], "2023-Q3");
        assert_eq!(
            previous["fundamentals"][metric],
            serde_json::Value::Null,
            "{metric}"
        );
        assert_eq!(previous["reasons"][metric], "no_data", "{metric}");
        assert!(first["org"]["fundamentals"][metric].is_number(), "{metric}");
    }
    let hr = app.login_hr().await;
    for team in ["Sales", "Engineering", "Operations"] {
        let html = hr.page(&format!("/teams/{team}?period=2023-Q4"), 200).await;
        let changed = crate::support::text(&html, "#what-changed");
        assert!(!changed.contains("rose from"), "{team}: {changed}");
        assert!(!changed.contains("in 2023-Q3"), "{team}: {changed}");
    }
}

#[tokio::test]
async fn a_period_covered_in_part_is_null_for_a_team_and_marked_partial() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    // Absences of February and March only: the first quarter is covered for 59 of 90 days.
    app.import(
        Kind::Absences,
        "employee_id,start_date,end_date,type\nE1,2025-02-10,2025-02-11,sick\nE2,2025-03-03,2025-03-03,sick\n",
    )
    .await;

    let q1 = report(&app, "2025-Q1").await;
    let alpha = &q1["teams"]["Alpha"];
    assert_eq!(
        alpha["fundamentals"]["absenteeism_rate"],
        serde_json::Value::Null
    );
    assert_eq!(alpha["reasons"]["absenteeism_rate"], "no_data");
    assert_eq!(
        alpha["coverage"]["absences"],
        serde_json::json!({"days": 90, "covered_days": 59, "partial": true})
    );
    assert_eq!(q1["org"]["coverage"]["absences"]["partial"], true);
    assert_eq!(
        q1["org"]["fundamentals"]["absenteeism_rate"],
        serde_json::Value::Null
    );
    // March alone is covered.
    let march = report(&app, "2025-03").await;
    assert!(march["teams"]["Alpha"]["fundamentals"]["absenteeism_rate"].is_number());
    assert_eq!(
        march["teams"]["Alpha"]["coverage"]["absences"]["partial"],
        false
    );
}

const ABSENCES: &str = "employee_id,start_date,end_date,type\nE1,2025-02-10,2025-02-11,sick\nE2,2025-03-03,2025-03-03,sick\n";

/// Every coverage row of absences: (first day, last day).
async fn absence_ranges(app: &TestApp) -> Vec<(String, Option<String>)> {
    rows_of(app, "absences").await
}

async fn rows_of(app: &TestApp, kind: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "select first_day::text, last_day::text from coverage where kind = $1 order by coverage_id",
    )
    .bind(kind)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn absence_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from absence")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn range(first: &str, last: &str) -> (String, Option<String>) {
    (first.to_string(), Some(last.to_string()))
}

#[tokio::test]
async fn the_command_line_records_the_range_stated_with_covers_and_refuses_a_bad_one() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let import = |covers: &str| {
        app.cli_with_file(
            &["import", "absences", "--covers", covers],
            "absences.csv",
            ABSENCES.as_bytes(),
        )
    };

    // Backwards, not a range, and rows outside it: refused, naming the option or the line.
    let backwards = import("2025-03..2025-01");
    assert_eq!(backwards.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&backwards.stderr);
    assert!(
        stderr.contains("--covers")
            && stderr.contains("the range starts (2025-03-01) after it ends (2025-01-31)"),
        "{stderr}"
    );
    let nonsense = import("last quarter");
    assert_eq!(nonsense.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nonsense.stderr).contains("--covers"));
    let narrow = import("2025-03..2025-03");
    assert_ne!(narrow.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&narrow.stderr);
    assert!(
        stderr.contains(
            "line 2, start_date \"2025-02-10\": is outside the range the file is stated to cover \
             (2025-03-01..2025-03-31)"
        ) && stderr.contains("--covers 2025-03-01..2025-03-31"),
        "{stderr}"
    );
    assert_eq!(
        (absence_count(&app).await, absence_ranges(&app).await),
        (0, vec![])
    );

    // A quarter stated in months: recorded whole, shown in the history.
    let done = import("2025-01..2025-03");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        String::from_utf8_lossy(&done.stdout)
            .contains("Covers absences of the whole organization from 2025-01-01 to 2025-03-31."),
    );
    assert_eq!(
        absence_ranges(&app).await,
        [range("2025-01-01", "2025-03-31")]
    );
    let listed = app.cli(&["imports", "list"]);
    assert!(
        String::from_utf8_lossy(&listed.stdout)
            .contains("covers absences of the whole organization from 2025-01-01 to 2025-03-31"),
    );
}

#[tokio::test]
async fn an_empty_file_with_a_stated_range_says_there_was_none_then() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let header = "employee_id,start_date,end_date,type\n";

    let unstated = app.cli_with_file(&["import", "absences"], "none.csv", header.as_bytes());
    assert_ne!(
        unstated.status.code(),
        Some(0),
        "an empty file covers nothing"
    );
    let stated = app.cli_with_file(
        &["import", "absences", "--covers", "2025-04..2025-06"],
        "none.csv",
        header.as_bytes(),
    );
    assert_eq!(
        stated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&stated.stderr)
    );

    let q2 = report(&app, "2025-Q2").await;
    assert_eq!(
        q2["teams"]["Alpha"]["fundamentals"]["absenteeism_rate"],
        0.0
    );
    assert_eq!(
        q2["teams"]["Alpha"]["coverage"]["absences"]["partial"],
        false
    );
}

#[tokio::test]
async fn the_api_records_the_stated_range_and_answers_a_bad_one_with_422_naming_covers() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let user_id = app
        .create_user("bot@example.com", attune::accounts::Role::Hr, &[])
        .await;
    let mut conn = app.pool.acquire().await.unwrap();
    let token = attune::db::tokens::create(&mut conn, user_id, "test")
        .await
        .unwrap()
        .1;
    let post = |query: &'static str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/imports/absences{query}")))
            .bearer_auth(&token)
            .body(ABSENCES)
            .send()
    };

    for (query, says) in [
        (
            "?covers=2025-03..2025-01",
            "covers: the range starts (2025-03-01) after it ends (2025-01-31)",
        ),
        ("?covers=soon", "covers: \"soon\" is not a range"),
    ] {
        let refused = post(query).await.unwrap();
        assert_eq!(refused.status(), 422, "{query}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["field"], "covers");
        assert!(body["error"].as_str().unwrap().starts_with(says), "{body}");
    }
    let outside = post("?covers=2025-03-01..2025-03-31").await.unwrap();
    assert_eq!(outside.status(), 422);
    let body: serde_json::Value = outside.json().await.unwrap();
    assert_eq!(body["status"], "rejected");
    assert_eq!(body["errors"][0]["line"], 2);
    assert_eq!(
        (absence_count(&app).await, absence_ranges(&app).await),
        (0, vec![])
    );

    let preview = post("?covers=2025-01..2025-06&dry_run=true").await.unwrap();
    let body: serde_json::Value = preview.json().await.unwrap();
    assert_eq!(
        body["coverage"],
        serde_json::json!([{"kind": "absences", "team": null, "first": "2025-01-01", "last": "2025-06-30"}])
    );
    let done = post("?covers=2025-01..2025-06").await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        absence_ranges(&app).await,
        [range("2025-01-01", "2025-06-30")]
    );
}

#[tokio::test]
async fn the_preview_shows_the_default_range_and_hr_may_state_another_before_confirming() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;
    let upload = || async {
        let uploaded =
            crate::import_web::upload(&hr, "absences", "absences.csv", ABSENCES.as_bytes()).await;
        uploaded.headers()["location"].to_str().unwrap().to_string()
    };
    let preview = upload().await;
    let html = hr.page(&preview, 200).await;
    assert_eq!(
        crate::support::text(&html, "#coverage"),
        "absences of the whole organization from 2025-02-01 to 2025-03-31"
    );
    assert_eq!(
        crate::support::attr(&html, "input#covers", "value"),
        "2025-02-01..2025-03-31"
    );
    let commit = format!("{preview}/commit");
    let default = "2025-02-01..2025-03-31";

    // A range that runs backwards, or leaves rows outside: refused, nothing imported.
    for covers in ["2025-03..2025-01", "2025-03-01..2025-03-31"] {
        let refused = hr
            .post(&commit, &[("covers", covers), ("covers_default", default)])
            .await;
        assert_eq!(refused.status(), 400, "{covers}");
        let body = refused.text().await.unwrap();
        assert!(body.contains("Covers"), "{body}");
    }
    assert_eq!(
        (absence_count(&app).await, absence_ranges(&app).await),
        (0, vec![])
    );

    // The whole first quarter, stated.
    let done = hr
        .post(
            &commit,
            &[("covers", "2025-01..2025-03"), ("covers_default", default)],
        )
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        absence_ranges(&app).await,
        [range("2025-01-01", "2025-03-31")]
    );
    let history = hr.page("/admin/imports", 200).await;
    assert_eq!(
        crate::support::text(&history, ".import-row td.covers"),
        "absences of the whole organization from 2025-01-01 to 2025-03-31"
    );
    assert!(
        report(&app, "2025-Q1").await["teams"]["Alpha"]["fundamentals"]["absenteeism_rate"]
            .is_number()
    );
}

#[tokio::test]
async fn a_survey_round_covers_pulse_for_the_teams_it_invited_over_its_quarter() {
    let app = TestApp::spawn().await;
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date,email\nE1,Alpha,2020-01-01,e1@example.com\n\
         E2,Beta,2020-01-01,e2@example.com\n",
    )
    .await;
    let mut conn = app.pool.acquire().await.unwrap();
    let alpha = attune::db::teams::find(&mut conn, "Alpha")
        .await
        .unwrap()
        .unwrap();
    let opens = chrono::NaiveDate::from_ymd_opt(2025, 2, 10).unwrap();
    let round = attune::db::surveys::NewRound {
        opens_on: opens,
        closes_on: opens + chrono::Days::new(13),
        items: attune::survey::default_items(),
        team_ids: Some(vec![alpha.team_id]),
        repeat: "none".into(),
        reminder_days: 3,
    };
    let id = attune::db::surveys::create(&mut conn, &round, "hr")
        .await
        .unwrap();
    let scheduled = attune::db::coverage::load(&mut conn).await.unwrap();
    let q1: attune::period::Period = "2025-Q1".parse().unwrap();
    let pulse = attune::scoring::DataKind::Pulse;
    assert_eq!(
        scheduled.extent(pulse, Some("Alpha"), q1).covered_days,
        0,
        "a round covers nothing before it opens"
    );

    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    attune::survey::open(&mut tx, &Actor::cli(), id, opens, "http://localhost")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let coverage = attune::db::coverage::load(&mut conn).await.unwrap();
    assert!(coverage.extent(pulse, Some("Alpha"), q1).is_full());
    assert_eq!(
        coverage.extent(pulse, Some("Beta"), q1).covered_days,
        0,
        "not invited"
    );
    assert_eq!(
        coverage
            .extent(pulse, Some("Alpha"), "2025-Q2".parse().unwrap())
            .covered_days,
        0
    );
}
