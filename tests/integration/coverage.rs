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
