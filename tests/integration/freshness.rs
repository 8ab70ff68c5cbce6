//! Computed reports are kept in memory (`attune::cache`) until PostgreSQL's data version moves:
//! every change to what a report reads shows at once, on every page, the API and every
//! instance; and what comes from memory is exactly what computing again gives.

use attune::accounts::Role;
use attune::cache::ReportCache;
use attune::db::audit::Actor;
use attune::import::Kind;
use attune::period::Period;
use serde_json::Value;

use crate::support::{Browser, TestApp, text};
use crate::surveys;

/// Alpha ends 2025-Q1 with four people (A3 left, priced by their salary), Beta with three.
pub const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2020-01-01,,,50000
A3,Alpha,2020-01-01,2025-02-15,voluntary,60000
A4,Alpha,2020-01-01,,,50000
A5,Alpha,2020-01-01,,,50000
B1,Beta,2020-01-01,,,50000
B2,Beta,2020-01-01,,,50000
B3,Beta,2020-01-01,,,50000
";

/// Four responses a team: fewer than the default minimum group size of five.
const PULSE: &str = "\
submitted_at,team,heard,supported,valued,enps
2025-02-10,Alpha,4,4,4,9
2025-02-10,Alpha,5,4,2,10
2025-02-10,Alpha,2,2,2,3
2025-02-10,Alpha,4,5,4,8
2025-02-10,Beta,4,4,4,9
2025-02-10,Beta,3,3,3,6
2025-02-10,Beta,5,5,5,10
2025-02-10,Beta,4,4,2,7
";

async fn api(browser: &Browser, path: &str) -> Value {
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// Alpha's headcount at the end of 2025-Q1 as the API (whole and for Alpha), the overview, the
/// team page, the heatmap and the quarterly summary show it.
async fn alpha_headcount_everywhere(browser: &Browser) -> Vec<String> {
    let mut shown = Vec::new();
    for path in [
        "/api/v1/metrics?period=2025-Q1",
        "/api/v1/metrics?period=2025-Q1&team=Alpha",
    ] {
        let report = api(browser, path).await;
        shown.push(report["teams"]["Alpha"]["fundamentals"]["headcount_end"].to_string());
    }
    let pages = [
        (
            "/?period=2025-Q1",
            r#"tr.team-row[data-team="Alpha"] td.headcount"#,
        ),
        ("/teams/Alpha?period=2025-Q1", "#tile-headcount_end .shown"),
        (
            "/organization?period=2025-Q1",
            r#"tr.heat-row[data-team="Alpha"] td[data-metric="headcount_end"] .cell-value"#,
        ),
        (
            "/summary?period=2025-Q1",
            r#"#teams-table tr.team-row[data-team="Alpha"] td.headcount"#,
        ),
    ];
    for (path, selector) in pages {
        let html = browser.page(path, 200).await;
        shown.push(text(&html, selector));
    }
    shown
}

fn everywhere(value: &str) -> Vec<String> {
    vec![value.to_string(); 6]
}

async fn alpha_api(browser: &Browser) -> Value {
    let report = api(browser, "/api/v1/metrics?period=2025-Q1&team=Alpha").await;
    report["teams"]["Alpha"].clone()
}

#[tokio::test]
async fn imports_undos_erasures_and_settings_show_at_once_on_every_page_and_the_api() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app.import_covering(Kind::Pulse, PULSE, "2025-01..2025-03")
        .await;
    let hr = app.login_hr().await;
    assert_eq!(alpha_headcount_everywhere(&hr).await, everywhere("4"));

    // An import: A6 joins Alpha.
    let more = format!("{ROSTER}A6,Alpha,2024-06-01,,,50000\n");
    app.import(Kind::Employees, &more).await;
    assert_eq!(alpha_headcount_everywhere(&hr).await, everywhere("5"));

    // Its undo, on HR's page.
    let import_id: i64 = sqlx::query_scalar("select max(import_id) from import")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let undone = hr
        .post(&format!("/admin/imports/{import_id}/undo"), &[])
        .await;
    assert_eq!(undone.status(), 303);
    assert_eq!(alpha_headcount_everywhere(&hr).await, everywhere("4"));

    // An erasure: A3's salary goes, so their leaving is no longer priced.
    let before = alpha_api(&hr).await;
    assert_eq!(before["intermediate"]["turnover_cost_unpriced"], 0);
    assert!(before["intermediate"]["turnover_cost"].as_f64().unwrap() > 0.0);
    let erased = hr
        .post(
            "/admin/employees/erase",
            &[("employee_id", "A3"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(erased.status(), 303);
    let after = alpha_api(&hr).await;
    assert_eq!(after["intermediate"]["turnover_cost_unpriced"], 1);
    assert_eq!(after["intermediate"]["turnover_cost"], 0.0);

    // A setting: with a minimum group size of three, four responses are shown.
    let favorability = |team: &Value| team["fundamentals"]["empathy_favorability"].clone();
    assert_eq!(favorability(&after), Value::Null);
    let html = hr.page("/teams/Alpha?period=2025-Q1", 200).await;
    assert_eq!(
        text(&html, "#tile-empathy_favorability .shown"),
        "not enough responses"
    );
    let saved = hr.post("/admin/settings", &[("min_group_size", "3")]).await;
    assert_eq!(saved.status(), 303);
    // Alpha: 8 of 12 answers favorable.
    let shown = favorability(&alpha_api(&hr).await).as_f64().unwrap();
    assert!((shown - 800.0 / 12.0).abs() < 1e-9, "{shown}");
    let html = hr.page("/teams/Alpha?period=2025-Q1", 200).await;
    assert_eq!(text(&html, "#tile-empathy_favorability .shown"), "66.7 %");
}

#[tokio::test]
async fn survey_answers_show_once_they_are_written() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, surveys::ROSTER).await;
    let round_id = surveys::open_round(&app, 10).await;
    // Dated back into a finished quarter, so that the report of 2025-Q1 counts its answers.
    sqlx::query("update survey_round set opens_on = '2025-02-03' where survey_round_id = $1")
        .bind(round_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let hr = app.login_hr().await;
    let responses = |report: &Value| report["org"]["fundamentals"]["pulse_responses"].clone();
    let report = api(&hr, "/api/v1/metrics?period=2025-Q1").await;
    assert_eq!(responses(&report), 0);

    // Answers are written in shuffled batches as they come (`survey::after_answer`)…
    for (_, token) in surveys::tokens(&app, round_id).await {
        let answer = [
            ("heard", "4"),
            ("supported", "4"),
            ("valued", "4"),
            ("enps", "9"),
        ];
        assert_eq!(surveys::respond(&app, &token, &answer).await.0, 200);
    }
    // A background writer takes them in batches: wait until it has written some and is idle.
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from survey_answer")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut written = count().await;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let now = count().await;
        if (now >= 1 && now == written) || std::time::Instant::now() > deadline {
            written = now;
            break;
        }
        written = now;
    }
    // (How many depends on how the batches fell: at least one, perhaps all.)
    assert!(
        (1..=11).contains(&written),
        "{written} of 11 written before closing"
    );
    let report = api(&hr, "/api/v1/metrics?period=2025-Q1").await;
    assert_eq!(responses(&report), written);

    // …and the rest when the round closes.
    let mut conn = app.pool.acquire().await.unwrap();
    attune::survey::close(&mut conn, &Actor::cli(), round_id, surveys::today())
        .await
        .unwrap();

    let report = api(&hr, "/api/v1/metrics?period=2025-Q1").await;
    assert_eq!(responses(&report), 11);
}

#[tokio::test]
async fn two_instances_on_one_database_see_each_others_changes_at_once() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;
    let other = Browser {
        base: format!("http://{}", app.another_instance().await),
        client: hr.client.clone(),
        csrf: hr.csrf.clone(),
    };
    // Both have computed (and kept) the figures.
    assert_eq!(alpha_headcount_everywhere(&hr).await, everywhere("4"));
    assert_eq!(alpha_headcount_everywhere(&other).await, everywhere("4"));

    // A change through the second instance shows on the first…
    let erased = other
        .post(
            "/admin/employees/erase",
            &[("employee_id", "A3"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(erased.status(), 303);
    assert_eq!(
        alpha_api(&hr).await["intermediate"]["turnover_cost_unpriced"],
        1
    );
    // …and one through the first (here its library, as the command line) on the second.
    app.import(
        Kind::Employees,
        &format!("{ROSTER}A6,Alpha,2024-06-01,,,50000\n"),
    )
    .await;
    assert_eq!(alpha_headcount_everywhere(&other).await, everywhere("5"));
    assert_eq!(alpha_headcount_everywhere(&hr).await, everywhere("5"));
}

/// Every report as text, settings included (they are not in the JSON).
fn shown(reports: &[attune::report::Report]) -> String {
    format!("{reports:?}")
}

#[tokio::test]
async fn reports_from_memory_are_exactly_the_reports_computed_again() {
    let app = TestApp::spawn().await;
    attune::demo::load(&app.pool).await.unwrap();
    let cache = ReportCache::default();
    let mut conn = app.pool.acquire().await.unwrap();
    let teams: Vec<String> = attune::db::teams::list(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    let this_quarter = Period::quarter_of(chrono::Local::now().date_naive());
    let asked: Vec<Vec<Period>> = vec![
        this_quarter.previous().trailing(8),
        vec![this_quarter.previous()],
        vec![this_quarter],
        vec![Period::year(2025).unwrap()],
        Period::month(2025, 11).unwrap().trailing(8),
        Period::year(2024).unwrap().trailing(3),
    ];
    for periods in &asked {
        for team in [None, Some(teams[0].as_str()), Some(teams[3].as_str())] {
            let computed = attune::report::build_many(&mut conn, periods, team)
                .await
                .unwrap();
            // Twice: computed into the cache (or cut from what is there), then from memory.
            for _ in 0..2 {
                let cached = cache.build_many(&app.pool, periods, team).await.unwrap();
                assert_eq!(shown(&cached), shown(&computed), "{periods:?} {team:?}");
            }
        }
    }
    // Each set of periods was computed once, whichever teams were asked for.
    assert_eq!(cache.computed(), asked.len() as u64);
    // A team spelled otherwise is the same team; an unknown one is an error, as computed.
    let spelled = cache
        .build(
            &app.pool,
            this_quarter,
            Some(&format!(" {} ", teams[0].to_uppercase())),
        )
        .await
        .unwrap();
    assert_eq!(spelled.teams.keys().collect::<Vec<_>>(), [&teams[0]]);
    let unknown = cache.build(&app.pool, this_quarter, Some("Nobody")).await;
    assert_eq!(
        unknown.unwrap_err().to_string(),
        "there is no team named \"Nobody\""
    );
    assert_eq!(cache.computed(), asked.len() as u64);
}

#[tokio::test]
async fn the_cache_keeps_no_more_than_its_budget() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    // Two teams and the organization: three scopes a period; room for one period.
    let cache = ReportCache::new(3);
    let q1: Period = "2025-Q1".parse().unwrap();
    let q2: Period = "2025-Q2".parse().unwrap();

    cache.build(&app.pool, q1, None).await.unwrap();
    cache.build(&app.pool, q1, None).await.unwrap();
    assert_eq!(cache.computed(), 1);
    cache.build(&app.pool, q2, None).await.unwrap();
    cache.build(&app.pool, q1, None).await.unwrap();
    assert_eq!(cache.computed(), 3, "Q1 was dropped to make room for Q2");
}

/// The data version as the cache reads it.
async fn version(app: &TestApp) -> i64 {
    let mut conn = app.pool.acquire().await.unwrap();
    attune::db::version::current(&mut conn)
        .await
        .unwrap()
        .version
}

#[tokio::test]
async fn the_data_version_moves_once_per_committed_change_to_what_reports_read() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let start = version(&app).await;

    // Every table a report reads carries the trigger.
    let tracked: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_trigger t join pg_class c on c.oid = t.tgrelid
         where t.tgname like '%data_version' order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected = vec![
        "absence",
        "csat_response",
        "customer_activity",
        "employee",
        "import",
        "measure",
        "promotion",
        "pulse_response",
        "setting",
        "survey_answer",
        "survey_round",
        "team",
    ];
    let coverage: Option<String> = sqlx::query_scalar("select to_regclass('coverage')::text")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    if coverage.is_some() {
        expected.push("coverage");
        expected.sort_unstable();
    }
    assert_eq!(tracked, expected);

    // A transaction of several statements moves it once, at its commit; others do not see a
    // change before then.
    let mut tx = app.pool.begin().await.unwrap();
    for statement in [
        "update employee set job_title = 'Lead' where external_id = 'A1'",
        "update employee set job_title = 'Lead' where external_id = 'A2'",
        "truncate measure",
    ] {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    assert_eq!(version(&app).await, start);
    tx.commit().await.unwrap();
    assert_eq!(version(&app).await, start + 1);

    // A transaction rolled back changes nothing, and so does writing elsewhere.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("delete from employee where external_id = 'B3'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    app.create_user("someone@example.com", Role::Executive, &[])
        .await;
    assert_eq!(version(&app).await, start + 1);
    let pending: i64 = sqlx::query_scalar("select count(*) from data_version_pending")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
}

async fn pdf_text(browser: &Browser) -> (Vec<u8>, String) {
    let response = browser.get("/summary.pdf?period=2025-Q1").await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF parses");
    (bytes, text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[tokio::test]
async fn the_summary_pdf_is_kept_until_the_data_changes_and_every_export_is_audited() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;
    let (first, text) = pdf_text(&hr).await;
    assert!(
        text.contains("7 people worked here at the end of the quarter; 1 left"),
        "{text}"
    );
    let (again, _) = pdf_text(&hr).await;
    assert_eq!(again, first);

    // A4 left in March.
    let roster = ROSTER.replace(
        "A4,Alpha,2020-01-01,,,50000",
        "A4,Alpha,2020-01-01,2025-03-01,voluntary,50000",
    );
    app.import(Kind::Employees, &roster).await;

    let (_, text) = pdf_text(&hr).await;
    assert!(
        text.contains("6 people worked here at the end of the quarter; 2 left"),
        "{text}"
    );
    let exports: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'export'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(exports, 3);
}
