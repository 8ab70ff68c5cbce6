//! Money figures computed from salaries (turnover and absence cost) are withheld from managers
//! everywhere they see a report — their team page (which is also their `/`), the drill-down and
//! the API — because with one or two people behind a figure, it gives their salaries away.
//! Executives see them only where at least three priced people are behind them and no
//! subtraction leaves fewer; HR sees them all, and nobody sees a sum of salaries in "how
//! calculated".

use attune::accounts::Role;
use attune::import::Kind;
use serde_json::Value;

use crate::support::{TestApp, count, text};

/// 2025-Q1: Ben (60,000) leaves Alpha, the only leaver: 0.21 × 60,000 = 12,600. Ann (52,000)
/// is absent two days: 2 × 52,000 ÷ 260 = 400. 2024-Q4: Cara (55,000) leaves: 11,550.
const ROSTER: &str = "\
employee_id,full_name,job_title,team,hire_date,termination_date,termination_type,annual_salary
A1,Ann Archer,Engineer,Alpha,2020-01-01,,,52000
A2,Ben Brook,Analyst,Alpha,2020-01-01,2025-02-14,voluntary,60000
A3,Cara Cole,Designer,Alpha,2020-01-01,2024-11-30,voluntary,55000
A4,Dan Dale,Engineer,Alpha,2020-01-01,,,50000
B1,Yan Young,Clerk,Beta,2021-01-01,,,40000
B2,Xia Xu,Clerk,Beta,2021-01-01,,,40000
";

const ABSENCES: &str = "\
employee_id,start_date,end_date,days,type
A1,2025-01-06,2025-01-07,,Sick
";

/// Amounts that would give a salary away, as pages and JSON would write them.
const REVEALING: [&str; 8] = [
    "12,600", "12600", "11,550", "11550", "60,000", "60000", "$400", "400.0",
];

const WITHHELD: &str = "withheld: salary-based";

async fn company() -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    // The absences file covers 2024 and 2025: no other absence in those years.
    app.import_covering(Kind::Absences, ABSENCES, "2024-01..2025-12")
        .await;
    app.create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    app
}

fn assert_reveals_no_salary(body: &str, what: &str) {
    for amount in REVEALING {
        assert!(!body.contains(amount), "{what} shows {amount}");
    }
}

#[tokio::test]
async fn a_manager_sees_no_salary_based_figure_on_any_page() {
    let app = company().await;
    let manager = app.login("alpha@example.com").await;

    for path in ["/?period=2025-Q1", "/teams/Alpha?period=2025-Q1"] {
        let response = manager.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body = response.text().await.unwrap();
        assert_reveals_no_salary(&body, path);
        let html = scraper::Html::parse_document(&body);
        // Not even a row: the table leaves them out and says why.
        for key in ["turnover_cost", "absence_cost"] {
            let row = format!(r#"tr[data-metric="{key}"]"#);
            assert_eq!(count(&html, &row), 0, "{path} {key}");
        }
        let left_out: Vec<String> = html
            .select(&scraper::Selector::parse(".left-out").unwrap())
            .map(|p| p.text().collect())
            .collect();
        assert!(
            left_out.iter().any(|line| line
                == "Not listed: Turnover cost and Absence cost. They are computed from the \
                    salaries of the few people behind them, so they could give those salaries \
                    away; HR and executives see them."),
            "{path}: {left_out:?}"
        );
        assert!(!body.contains(WITHHELD), "{path}");
        // Figures not computed from salaries stay.
        assert_eq!(
            text(
                &html,
                r#"#intermediate tr[data-metric="turnover_cost_unpriced"] td.value .shown"#
            ),
            "0"
        );
    }

    // The drill-down names the leaver, and nothing there prices them.
    let body = manager
        .get("/teams/Alpha/people?period=2025-Q1")
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("Ben Brook"));
    assert_reveals_no_salary(&body, "the drill-down");
    assert!(!body.contains('$'), "the drill-down shows money");
}

#[tokio::test]
async fn the_api_gives_a_manager_null_salary_figures_listed_as_suppressed() {
    let app = company().await;
    let manager = app.login("alpha@example.com").await;

    for path in [
        "/api/v1/metrics?period=2025-Q1",
        "/api/v1/metrics?period=2025-Q1&team=alpha",
    ] {
        let response = manager.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body = response.text().await.unwrap();
        assert_reveals_no_salary(&body, path);
        let report: Value = serde_json::from_str(&body).unwrap();
        for (name, scope) in [
            ("org", &report["org"]),
            ("Alpha", &report["teams"]["Alpha"]),
        ] {
            for part in [scope, &scope["previous"], &scope["year_earlier"]] {
                for key in ["turnover_cost", "absence_cost"] {
                    assert!(
                        part["intermediate"][key].is_null(),
                        "{path} {name} {key}: {}",
                        part["intermediate"][key]
                    );
                    assert!(
                        part["suppressed"]
                            .as_array()
                            .unwrap()
                            .contains(&Value::from(key)),
                        "{path} {name}: {key} is listed as suppressed"
                    );
                }
                assert_eq!(part["intermediate"]["turnover_cost_unpriced"], 0);
            }
        }
        assert_eq!(report["teams"].as_object().unwrap().len(), 1, "{path}");
    }
}

#[tokio::test]
async fn hr_keeps_the_money_figures_without_the_salary_sum() {
    let app = company().await;
    let hr = app.login_hr().await;

    for browser in [&hr] {
        let report: Value = browser
            .get("/api/v1/metrics?period=2025-Q1")
            .await
            .json()
            .await
            .unwrap();
        let alpha = &report["teams"]["Alpha"];
        assert_eq!(alpha["intermediate"]["turnover_cost"], 12_600.0);
        assert_eq!(alpha["previous"]["intermediate"]["turnover_cost"], 11_550.0);
        assert_eq!(alpha["intermediate"]["absence_cost"], 400.0);
        let suppressed = alpha["suppressed"].as_array().unwrap();
        assert!(!suppressed.contains(&Value::from("turnover_cost")));
        assert!(!suppressed.contains(&Value::from("absence_cost")));

        let html = browser.page("/teams/Alpha?period=2025-Q1", 200).await;
        let cost = r#"#intermediate tr[data-metric="turnover_cost"]"#;
        assert_eq!(text(&html, &format!("{cost} td.value .shown")), "$12,600");
        assert_eq!(text(&html, &format!("{cost} td.previous")), "$11,550");
        assert_eq!(
            text(&html, &format!("{cost} .computation")),
            "Turnover cost factor 0.21 × the annual salaries of the 1 leaver with a salary on \
             record, 1 Jan – 31 Mar 2025."
        );
        let absence = r#"#intermediate tr[data-metric="absence_cost"]"#;
        assert_eq!(text(&html, &format!("{absence} td.value .shown")), "$400");
        // The sum of the leavers' salaries is printed nowhere, even to them.
        let body = browser
            .get("/teams/Alpha?period=2025-Q1")
            .await
            .text()
            .await
            .unwrap();
        assert!(!body.contains("60,000") && !body.contains("55,000"));
    }
}

const TOO_FEW: &str = "withheld: too few people";

#[tokio::test]
async fn an_executive_sees_no_cost_of_fewer_than_three_people() {
    // 2025-Q1: Alpha's one leaver (Ben) and one absentee (Ann) are the organization's only
    // ones, so both costs are withheld everywhere, with their reason; 2024-Q4 (Cara) too.
    let app = company().await;
    let exec = app.login("exec@example.com").await;

    let body = exec
        .get("/api/v1/metrics?period=2025-Q1")
        .await
        .text()
        .await
        .unwrap();
    assert_reveals_no_salary(&body, "the API");
    let report: Value = serde_json::from_str(&body).unwrap();
    for (name, scope) in [
        ("org", &report["org"]),
        ("Alpha", &report["teams"]["Alpha"]),
    ] {
        let parts = [
            (scope, "turnover_cost"),
            (scope, "absence_cost"),
            (&scope["previous"], "turnover_cost"),
        ];
        for (part, key) in parts {
            {
                assert!(part["intermediate"][key].is_null(), "{name} {key}");
                assert_eq!(part["reasons"][key], "too_few_people", "{name} {key}");
                assert!(
                    part["suppressed"]
                        .as_array()
                        .unwrap()
                        .contains(&Value::from(key))
                );
            }
        }
    }
    // Nobody was absent in 2024-Q4: a cost of nobody gives nothing away.
    assert_eq!(
        report["org"]["previous"]["intermediate"]["absence_cost"],
        0.0
    );
    // Nobody left Beta.
    assert_eq!(
        report["teams"]["Beta"]["intermediate"]["turnover_cost"],
        0.0
    );
    assert!(report["teams"]["Beta"]["reasons"]["turnover_cost"].is_null());

    for path in ["/teams/Alpha?period=2025-Q1", "/?period=2025-Q1"] {
        let body = exec.get(path).await.text().await.unwrap();
        assert_reveals_no_salary(&body, path);
    }
    let html = exec.page("/teams/Alpha?period=2025-Q1", 200).await;
    let cost = r#"#intermediate tr[data-metric="turnover_cost"]"#;
    assert_eq!(text(&html, &format!("{cost} td.value .shown")), TOO_FEW);
    assert_eq!(text(&html, &format!("{cost} td.previous")), TOO_FEW);
    assert!(text(&html, &format!("{cost} .computation")).starts_with(
        "Not shown: withheld: too few people. This figure is computed from the salaries of \
         fewer than 3 people"
    ));
    // The summary neither: its cost and its team table.
    let html = exec.page("/summary?period=2025-Q1", 200).await;
    assert_eq!(text(&html, "#turnover-cost"), TOO_FEW);
    let body = exec
        .get("/summary?period=2025-Q1")
        .await
        .text()
        .await
        .unwrap();
    assert_reveals_no_salary(&body, "the summary");
    let csv = exec
        .get("/summary.csv?period=2025-Q1")
        .await
        .text()
        .await
        .unwrap();
    assert_reveals_no_salary(&csv, "the summary's CSV");

    // The summary e-mailed to executives (and HR) neither: the same rendering as the mail's.
    let mut conn = app.pool.acquire().await.unwrap();
    let quarter: attune::period::Period = "2025-Q1".parse().unwrap();
    let mailed =
        attune::summary::build_for(&mut conn, quarter, attune::web::redact::for_executives)
            .await
            .unwrap();
    let mailed = attune::web::pages::summary::standalone_html(&mailed).unwrap();
    assert!(
        mailed.contains(TOO_FEW),
        "the mailed summary says why the cost is missing"
    );
    assert_reveals_no_salary(&mailed, "the mailed summary");

    // HR still sees them.
    let hr = app.login_hr().await;
    let html = hr.page("/summary?period=2025-Q1", 200).await;
    assert_eq!(text(&html, "#turnover-cost"), "$12,600");
}

/// 2025-Q2: three priced leavers in Alpha, one in Beta. Beta's cost would give a salary away,
/// and Alpha's with it (the organization minus Alpha is Beta); the organization's is shown.
const FOUR_LEAVERS: &str = "\
employee_id,full_name,job_title,team,hire_date,termination_date,termination_type,annual_salary
A1,Ann Archer,Engineer,Alpha,2020-01-01,2025-04-10,voluntary,50000
A2,Ben Brook,Analyst,Alpha,2020-01-01,2025-05-10,voluntary,60000
A3,Cara Cole,Designer,Alpha,2020-01-01,2025-06-10,voluntary,70000
A4,Dan Dale,Engineer,Alpha,2020-01-01,,,50000
B1,Yan Young,Clerk,Beta,2021-01-01,2025-05-20,involuntary,40000
B2,Xia Xu,Clerk,Beta,2021-01-01,,,40000
C1,Zoe Zed,Clerk,Gamma,2021-01-01,,,40000
";

#[tokio::test]
async fn an_executive_sees_no_cost_that_subtraction_would_narrow_to_fewer_than_three() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, FOUR_LEAVERS).await;
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    let exec = app.login("exec@example.com").await;
    let hr = app.login_hr().await;
    let path = "/api/v1/metrics?period=2025-Q2";

    let report: Value = exec.get(path).await.json().await.unwrap();
    // 0.21 × (50,000 + 60,000 + 70,000 + 40,000) = 46,200.
    assert_eq!(report["org"]["intermediate"]["turnover_cost"], 46_200.0);
    for team in ["Alpha", "Beta"] {
        let scope = &report["teams"][team];
        assert!(scope["intermediate"]["turnover_cost"].is_null(), "{team}");
        assert_eq!(
            scope["reasons"]["turnover_cost"], "too_few_people",
            "{team}"
        );
    }
    assert_eq!(
        report["teams"]["Gamma"]["intermediate"]["turnover_cost"],
        0.0
    );

    let report: Value = hr.get(path).await.json().await.unwrap();
    assert_eq!(
        report["teams"]["Alpha"]["intermediate"]["turnover_cost"],
        37_800.0
    );
    assert_eq!(
        report["teams"]["Beta"]["intermediate"]["turnover_cost"],
        8_400.0
    );
    // Nothing salary-based is withheld from HR (other nulls say why they are null).
    let reasons = report["teams"]["Beta"]["reasons"].as_object().unwrap();
    assert!(!reasons.contains_key("turnover_cost"), "{reasons:?}");
    // (No absences are imported: absence cost has no data, but is not withheld.)
    assert_eq!(reasons["absence_cost"], "no_data");
    assert!(
        reasons
            .values()
            .all(|reason| reason != "salary_based" && reason != "too_few_people"),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn in_the_demo_an_executive_cannot_price_a_lone_leaver() {
    // The issue's case: in the demo's latest finished quarter (2026-Q3 when it was filed)
    // Operations had one leaver, whom the people page names, and its turnover cost was 0.21 ×
    // that person's salary. Every team with one or two priced leavers is withheld now.
    let app = TestApp::spawn().await;
    attune::demo::load(&app.pool).await.unwrap();
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    let exec = app.login("exec@example.com").await;
    let hr = app.login_hr().await;
    let today = chrono::Local::now().date_naive();
    let quarter = attune::period::Period::quarter_of(today).previous();
    let path = format!("/api/v1/metrics?period={quarter}");

    let all: Value = hr.get(&path).await.json().await.unwrap();
    let seen: Value = exec.get(&path).await.json().await.unwrap();
    let mut lone = Vec::new();
    for (team, scope) in all["teams"].as_object().unwrap() {
        let priced = scope["fundamentals"]["separations"].as_i64().unwrap()
            - scope["intermediate"]["turnover_cost_unpriced"]
                .as_i64()
                .unwrap();
        let cost = &seen["teams"][team]["intermediate"]["turnover_cost"];
        if (1..3).contains(&priced) {
            lone.push(team.clone());
            assert!(cost.is_null(), "{team}: {cost}");
            assert_eq!(
                seen["teams"][team]["reasons"]["turnover_cost"],
                "too_few_people"
            );
            assert!(scope["intermediate"]["turnover_cost"].as_f64().unwrap() > 0.0);
        }
    }
    assert!(
        !lone.is_empty(),
        "the demo has a team with a lone leaver in {quarter}"
    );
    let team = &lone[0];
    let page = exec
        .get(&format!("/teams/{team}?period={quarter}"))
        .await
        .text()
        .await
        .unwrap();
    let hidden = all["teams"][team]["intermediate"]["turnover_cost"]
        .as_f64()
        .unwrap();
    let shown = attune::present::money(hidden, "USD");
    assert!(!page.contains(&shown), "{team}'s page shows {shown}");
    assert!(page.contains(TOO_FEW));
}
