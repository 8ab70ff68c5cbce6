//! The dashboard page, parsed and checked with CSS selectors.

use attune::import::Kind;

use crate::support::{TestApp, count, text};

const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type
A1,Alpha,2020-01-01,,
A2,Alpha,2025-01-01,,
A3,Alpha,2019-06-01,2025-03-31,voluntary
A4,Alpha,2018-01-01,2025-02-15,involuntary
B1,Beta,2021-03-01,,
B2,Beta,2022-01-01,,
";

#[tokio::test]
async fn the_dashboard_lists_each_team_with_headcount_and_turnover() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let hr = app.login_hr().await;
    let html = hr.page("/?period=2025-Q1", 200).await;

    assert_eq!(text(&html, "#period"), "2025-Q1");
    assert_eq!(count(&html, "tr.team-row"), 2);
    // Alpha: 4 on Jan 1 (A2 is hired that day), 3 on Mar 31 (A3's last day counts), 2 leavers
    // → 2 / 3.5 = 57.1 %.
    let alpha = r#"tr.team-row[data-team="Alpha"]"#;
    assert_eq!(text(&html, &format!("{alpha} td.headcount")), "3");
    assert_eq!(text(&html, &format!("{alpha} td.separations")), "2");
    assert_eq!(text(&html, &format!("{alpha} td.turnover")), "57.1 %");
    assert_eq!(text(&html, &format!("{alpha} td.voluntary")), "28.6 %");
    let beta = r#"tr.team-row[data-team="Beta"]"#;
    assert_eq!(text(&html, &format!("{beta} td.turnover")), "0.0 %");
    assert_eq!(text(&html, "#org-headcount"), "5");
    // The organization: 6 on Jan 1, 5 on Mar 31, 2 leavers → 2 / 5.5 = 36.4 %.
    assert_eq!(text(&html, "tr.org-row td.turnover"), "36.4 %");
}

#[tokio::test]
async fn the_trend_covers_eight_quarters_ending_with_the_period() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;

    let hr = app.login_hr().await;
    let html = hr.page("/?period=2025-Q1", 200).await;

    assert_eq!(count(&html, "#trend-data thead th.num"), 8);
    assert_eq!(text(&html, "#trend-data thead th:nth-child(2)"), "2023-Q2");
    assert_eq!(text(&html, "#trend-data thead th:last-child"), "2025-Q1");
    assert_eq!(count(&html, "svg.sparkline"), 2);
    assert_eq!(count(&html, "svg.bar-chart rect.bar"), 8);
}

#[tokio::test]
async fn an_empty_database_shows_what_to_import() {
    let app = TestApp::spawn().await;

    let hr = app.login_hr().await;
    let html = hr.page("/", 200).await;

    assert!(text(&html, "#empty-state").contains("attune import employees"));
    assert_eq!(count(&html, "tr.team-row"), 0);
}

#[tokio::test]
async fn a_malformed_period_is_explained_not_a_server_error() {
    let app = TestApp::spawn().await;

    let hr = app.login_hr().await;
    let html = hr.page("/?period=2025-Q9", 400).await;

    assert!(
        text(&html, ".error-message").contains("use YYYY (2025), YYYY-Qn (2025-Q1) or YYYY-MM")
    );
}

#[tokio::test]
async fn static_assets_are_served_from_the_binary() {
    let app = TestApp::spawn().await;

    let css = app.get("/static/app.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(app.get("/static/missing.js").await.status(), 404);
}
