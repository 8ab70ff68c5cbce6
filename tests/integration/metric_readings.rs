//! The readings of docs/metrics.md that the database decides (which leavers are first-year, how
//! customers are counted, which salaries are priced, which day a row counts on), each checked on
//! the worked example docs/metrics.md gives for it.

use attune::import::Kind;
use serde_json::Value;

use crate::support::TestApp;

/// The report of `period` as JSON.
async fn report(app: &TestApp, period: &str) -> Value {
    let mut conn = app.pool.acquire().await.unwrap();
    let report = attune::report::build(&mut conn, period.parse().unwrap(), None)
        .await
        .unwrap();
    serde_json::to_value(report).unwrap()
}

/// A company whose roster is `roster` (and the teams it names).
async fn company(roster: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, roster).await;
    app
}

const TWO_IN_ALPHA_AND_BETA: &str = "employee_id,team,hire_date\nE1,Alpha,2020-01-01\n\
                                     E2,Beta,2020-01-01\n";

#[tokio::test]
async fn a_leaver_364_days_after_hire_is_a_first_year_leaver_and_one_365_days_after_is_not() {
    let app = company(
        "employee_id,team,hire_date,termination_date,termination_type\n\
         E1,Alpha,2024-04-01,2025-03-31,voluntary\n\
         E2,Alpha,2024-03-31,2025-03-31,voluntary\n\
         E3,Alpha,2020-01-01,,\n",
    )
    .await;

    let q1 = report(&app, "2025-Q1").await;

    assert_eq!(q1["org"]["fundamentals"]["separations"], 2);
    assert_eq!(q1["org"]["intermediate"]["first_year_turnover"], 50.0);
}

#[tokio::test]
async fn the_organization_retains_a_customer_only_within_one_team_and_counts_it_once() {
    let app = company(TWO_IN_ALPHA_AND_BETA).await;
    app.import_covering(
        Kind::Customers,
        "customer_id,date,revenue,team\n\
         C1,2024-11-01,10,Alpha\nC1,2025-02-01,10,Alpha\n\
         C2,2024-11-01,10,Alpha\nC2,2025-02-01,10,Beta\n\
         C3,2024-11-01,10,\nC3,2025-02-01,10,\n\
         C4,2024-11-01,10,Alpha\nC4,2024-11-01,10,Beta\nC4,2025-02-01,10,Alpha\nC4,2025-02-01,10,Beta\n\
         C5,2024-11-01,10,Beta\n",
        "2024-10..2025-03",
    )
    .await;

    let q1 = report(&app, "2025-Q1").await;

    let retention = |scope: &Value| scope["intermediate"]["customer_retention_rate"].clone();
    assert_eq!(retention(&q1["org"]), 60.0, "C1, C3 and C4 of five");
    assert_eq!(
        retention(&q1["teams"]["Alpha"]),
        200.0 / 3.0,
        "C1 and C4 of three"
    );
    assert_eq!(retention(&q1["teams"]["Beta"]), 50.0, "C4 of two");
}

#[tokio::test]
async fn a_salary_of_zero_is_priced_at_zero_and_only_an_empty_salary_is_unpriced() {
    let app = company(
        "employee_id,team,hire_date,termination_date,termination_type,annual_salary\n\
         E1,Alpha,2020-01-01,2025-02-14,voluntary,60000\n\
         E2,Alpha,2020-01-01,2025-02-14,voluntary,0\n\
         E3,Alpha,2020-01-01,2025-02-14,voluntary,\n\
         E4,Alpha,2020-01-01,,,0\n",
    )
    .await;
    // Sick on a Monday and Tuesday (E4, salary 0) and on a Monday (E3, no salary).
    app.import_covering(
        Kind::Absences,
        "employee_id,start_date,end_date,type\nE4,2025-03-03,2025-03-04,sick\n\
         E3,2025-02-03,2025-02-03,sick\n",
        "2025-01..2025-03",
    )
    .await;

    let q1 = report(&app, "2025-Q1").await;

    let i = &q1["org"]["intermediate"];
    let cost = i["turnover_cost"].as_f64().unwrap();
    assert!(
        (cost - 12_600.0).abs() < 1e-6,
        "0.21 × (60,000 + 0): {cost}"
    );
    assert_eq!(i["turnover_cost_unpriced"], 1);
    assert_eq!(i["absence_cost"], 0.0);
    assert_eq!(i["absence_cost_unpriced_days"], 1.0);
}

#[tokio::test]
async fn customer_rows_of_one_key_in_a_file_are_added_up_before_the_revenue_test() {
    let app =
        company("employee_id,team,hire_date\nE1,Alpha,2020-01-01\nE2,Alpha,2020-01-01\n").await;
    app.import_covering(
        Kind::Customers,
        "customer_id,date,revenue\nC1,2024-11-01,10\nC2,2024-11-01,10\n\
         C1,2025-01-15,100\nC1,2025-01-15,-30\nC2,2025-01-20,50\nC2,2025-01-20,-50\n",
        "2024-10..2025-03",
    )
    .await;

    let q1 = report(&app, "2025-Q1").await;

    let i = &q1["org"]["intermediate"];
    assert_eq!(
        i["customer_retention_rate"], 50.0,
        "C1 (70) is active, C2 (0) is not"
    );
    assert_eq!(i["revenue_per_employee"], 35.0, "70 over two employees");
}

#[tokio::test]
async fn a_row_with_both_a_date_and_a_period_counts_on_its_date() {
    let app =
        company("employee_id,team,hire_date\nE1,Alpha,2020-01-01\nE2,Alpha,2020-01-01\n").await;
    app.import_covering(
        Kind::Measures,
        "date,period,metric,value\n2025-02-10,2025-Q2,output_units,300\n",
        "2025-01..2025-03",
    )
    .await;

    let q1 = report(&app, "2025-Q1").await;
    let q2 = report(&app, "2025-Q2").await;

    assert_eq!(q1["org"]["intermediate"]["productivity"], 150.0);
    assert_eq!(q2["org"]["intermediate"]["productivity"], Value::Null);
}
