//! The report's roster figures, checked against values computed by hand.

use attune::import::Kind;
use attune::period::Period;
use serde_json::{Value, json};

use crate::support::TestApp;

/// A hand-built roster with edge cases on the boundaries of 2025-Q1:
/// - A2 is hired on the quarter's first day, B3 on the next quarter's first day;
/// - A3 leaves on the quarter's last day (still counted at the end: it is their last day worked);
/// - A5 is hired on 2024-12-31 and leaves on 2025-01-01;
/// - B4 leaves on 2024-12-31, the day before the quarter;
/// - B2 leaves without a termination type; " Beta " and "beta" are the same team.
const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2025-01-01,,,
A3,Alpha,2019-06-01,2025-03-31,voluntary,60000
A4,Alpha,2018-01-01,2025-02-15,involuntary,
A5,Alpha,2024-12-31,2025-01-01,voluntary,
B1, Beta ,2021-03-01,,,
B2,beta,2022-01-01,2025-05-10,,
B3,Beta,2025-04-01,,,
B4,Beta,2023-01-01,2024-12-31,voluntary,
";

/// The report as JSON, with each scope's fundamentals narrowed to the roster figures.
async fn report(app: &TestApp, period: &str) -> Value {
    let mut conn = app.pool.acquire().await.unwrap();
    let period: Period = period.parse().unwrap();
    let report = attune::report::build(&mut conn, period, None)
        .await
        .unwrap();
    let mut json = serde_json::to_value(report).unwrap();
    let keep = |f: &mut Value| {
        let roster: serde_json::Map<String, Value> = f
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| ROSTER_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        *f = Value::Object(roster);
    };
    keep(&mut json["org"]["fundamentals"]);
    for team in json["teams"].as_object_mut().unwrap().values_mut() {
        keep(&mut team["fundamentals"]);
    }
    json
}

const ROSTER_KEYS: [&str; 7] = [
    "headcount_start",
    "headcount_end",
    "headcount_avg",
    "separations",
    "turnover_rate",
    "voluntary_turnover_rate",
    "involuntary_turnover_rate",
];

/// (headcount_start, headcount_end, headcount_avg, separations, turnover, voluntary, involuntary)
fn fundamentals(
    start: i64,
    end: i64,
    avg: f64,
    separations: i64,
    rates: [Option<f64>; 3],
) -> Value {
    json!({
        "headcount_start": start,
        "headcount_end": end,
        "headcount_avg": avg,
        "separations": separations,
        "turnover_rate": rates[0],
        "voluntary_turnover_rate": rates[1],
        "involuntary_turnover_rate": rates[2],
    })
}

#[tokio::test]
async fn a_quarter_counts_people_hired_on_its_first_day_and_leaving_on_its_last() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let r = report(&app, "2025-Q1").await;

    assert_eq!(r["period"], "2025-Q1");
    assert_eq!(r["start"], "2025-01-01");
    assert_eq!(r["end"], "2025-03-31");
    assert_eq!(
        r["teams"]["Alpha"]["fundamentals"],
        fundamentals(5, 3, 4.0, 3, [Some(75.0), Some(50.0), Some(25.0)])
    );
    assert_eq!(
        r["teams"]["Beta"]["fundamentals"],
        fundamentals(2, 2, 2.0, 0, [Some(0.0), Some(0.0), Some(0.0)])
    );
    assert_eq!(
        r["org"]["fundamentals"],
        fundamentals(
            7,
            5,
            6.0,
            3,
            [Some(50.0), Some(100.0 * 2.0 / 6.0), Some(100.0 / 6.0)]
        )
    );
    // No pulse data: below the minimum group size, so hidden (never shown as 0).
    assert_eq!(
        r["org"]["suppressed"],
        json!(["empathy_favorability", "enps", "enps_change"])
    );
    assert_eq!(
        r["teams"].as_object().unwrap().len(),
        2,
        "\" Beta \" and \"beta\" are one team"
    );
}

#[tokio::test]
async fn quarters_months_and_years_each_count_their_own_days() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let q2 = report(&app, "2025-Q2").await;
    assert_eq!(
        q2["teams"]["Alpha"]["fundamentals"],
        fundamentals(2, 2, 2.0, 0, [Some(0.0), Some(0.0), Some(0.0)])
    );
    // B2 left without a type: counted in turnover only.
    assert_eq!(
        q2["teams"]["Beta"]["fundamentals"],
        fundamentals(3, 2, 2.5, 1, [Some(40.0), Some(0.0), Some(0.0)])
    );
    assert_eq!(
        q2["org"]["fundamentals"],
        fundamentals(5, 4, 4.5, 1, [Some(100.0 / 4.5), Some(0.0), Some(0.0)])
    );

    let march = report(&app, "2025-03").await;
    assert_eq!(
        march["teams"]["Alpha"]["fundamentals"],
        fundamentals(
            3,
            3,
            3.0,
            1,
            [Some(100.0 / 3.0), Some(100.0 / 3.0), Some(0.0)]
        )
    );

    let year = report(&app, "2024").await;
    assert_eq!(
        year["teams"]["Alpha"]["fundamentals"],
        fundamentals(3, 4, 3.5, 0, [Some(0.0), Some(0.0), Some(0.0)])
    );
    assert_eq!(
        year["teams"]["Beta"]["fundamentals"],
        fundamentals(
            3,
            3,
            3.0,
            1,
            [Some(100.0 / 3.0), Some(100.0 / 3.0), Some(0.0)]
        )
    );
    assert_eq!(
        year["org"]["fundamentals"],
        fundamentals(
            6,
            7,
            6.5,
            1,
            [Some(100.0 / 6.5), Some(100.0 / 6.5), Some(0.0)]
        )
    );
}

#[tokio::test]
async fn a_period_before_anyone_was_hired_has_null_rates_not_zero() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let r = report(&app, "2010").await;

    let none = fundamentals(0, 0, 0.0, 0, [None, None, None]);
    assert_eq!(r["org"]["fundamentals"], none);
    assert_eq!(r["teams"]["Alpha"]["fundamentals"], none);
}

#[tokio::test]
async fn a_newer_roster_updates_employees_by_id() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    // A1 now leaves on 2025-06-30 and B1 moves to Alpha.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date,termination_date,termination_type\n\
         A1,Alpha,2020-01-01,2025-06-30,voluntary\n\
         B1,Alpha,2021-03-01,,\n",
    )
    .await;
    let r = report(&app, "2025-Q2").await;

    // Alpha: A1, A2, B1 on Apr 1 and Jun 30 (A1's last day); A1 leaves.
    assert_eq!(
        r["teams"]["Alpha"]["fundamentals"],
        fundamentals(
            3,
            3,
            3.0,
            1,
            [Some(100.0 / 3.0), Some(100.0 / 3.0), Some(0.0)]
        )
    );
    assert_eq!(
        r["teams"]["Beta"]["fundamentals"],
        fundamentals(2, 1, 1.5, 1, [Some(100.0 / 1.5), Some(0.0), Some(0.0)])
    );
    let employees: i64 = sqlx::query_scalar("select count(*) from employee")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(employees, 9, "updated, not duplicated");
    let salary: Option<f64> =
        sqlx::query_scalar("select annual_salary::float8 from employee where external_id = 'A1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        salary,
        Some(50000.0),
        "a file without a salary column keeps salaries"
    );
}

#[tokio::test]
async fn a_team_filter_keeps_the_org_and_only_that_team() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let mut conn = app.pool.acquire().await.unwrap();

    let r = attune::report::build(&mut conn, "2025-Q1".parse().unwrap(), Some("  ALPHA "))
        .await
        .unwrap();

    assert_eq!(r.teams.keys().collect::<Vec<_>>(), ["Alpha"]);
    assert_eq!(r.org.fundamentals.headcount_start, 7);
    let unknown = attune::report::build(&mut conn, "2025-Q1".parse().unwrap(), Some("Gamma")).await;
    assert!(
        matches!(unknown, Err(attune::report::ReportError::UnknownTeam(name)) if name == "Gamma")
    );
}

#[tokio::test]
async fn a_team_nobody_belongs_to_any_more_has_no_scheduled_days() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    // Everyone of Beta moves to Alpha: Beta stays, empty.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date\nB1,Alpha,2021-03-01\nB2,Alpha,2022-01-01\nB3,Alpha,2025-04-01\nB4,Alpha,2023-01-01\n",
    )
    .await;
    let mut conn = app.pool.acquire().await.unwrap();

    let r = attune::report::build(&mut conn, "2025-Q1".parse().unwrap(), None)
        .await
        .unwrap();

    let beta = &r.teams["Beta"].fundamentals;
    assert_eq!(beta.scheduled_days, 0.0);
    assert_eq!(beta.absenteeism_rate, None);
    assert_eq!(beta.headcount_start, 0);
    let teams_total: f64 = r
        .teams
        .values()
        .map(|t| t.fundamentals.scheduled_days)
        .sum();
    assert_eq!(r.org.fundamentals.scheduled_days, teams_total);
}

#[tokio::test]
async fn an_active_employees_export_rehires_a_former_leaver() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    // A4 left on 2025-02-15; the active-employee export has no termination columns.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date\nA4,Alpha,2025-06-01\n",
    )
    .await;

    let row: (chrono::NaiveDate, Option<chrono::NaiveDate>, Option<String>) = sqlx::query_as(
        "select hire_date, termination_date, termination_type from employee where external_id = 'A4'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            None,
            None
        )
    );
}
