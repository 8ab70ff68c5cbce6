//! Pages are kept rendered until the data changes, one for each kind of reader (`web::view`):
//! each reader still gets their own address and CSRF token and only what their role and teams
//! let them see, and the first reader after an import gets the new figures. The reports the
//! pages ask for are computed ahead when a new data version is seen (`ReportCache::warming`).

use attune::accounts::Role;
use attune::cache::ReportCache;
use attune::import::Kind;
use attune::period::Period;

use crate::freshness::ROSTER;
use crate::support::{Browser, TestApp, attr, count, text};

const TEAM_PAGE: &str = "/teams/Alpha?period=2025-Q1";
const COST: &str = r#"#intermediate tr[data-metric="turnover_cost"]"#;

/// Who the page says is signed in, and the CSRF token of its sign-out form.
fn own_parts(html: &scraper::Html) -> (String, String) {
    (
        text(html, "#whoami"),
        attr(html, "form.signout input[name=csrf_token]", "value"),
    )
}

async fn signed_in(app: &TestApp, email: &str, role: Role, teams: &[&str]) -> Browser {
    app.create_user(email, role, teams).await;
    app.login(email).await
}

#[tokio::test]
async fn a_kept_page_shows_each_reader_their_own_name_token_and_figures() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = signed_in(&app, "hr@example.com", Role::Hr, &[]).await;
    let other_hr = signed_in(&app, "hr2@example.com", Role::Hr, &[]).await;
    let alpha = signed_in(&app, "alpha@example.com", Role::Manager, &["Alpha"]).await;
    let beta = signed_in(&app, "beta@example.com", Role::Manager, &["Beta"]).await;
    let exec = signed_in(&app, "exec@example.com", Role::Executive, &[]).await;
    assert_ne!(hr.csrf, other_hr.csrf);

    // HR first: their view is rendered and kept.
    let html = hr.page(TEAM_PAGE, 200).await;
    assert_eq!(
        own_parts(&html),
        ("hr@example.com · HR".to_string(), hr.csrf.clone())
    );
    assert_eq!(text(&html, &format!("{COST} td.value .shown")), "$12,600");

    // Another HR reader gets the same page with their own name and token.
    let html = other_hr.page(TEAM_PAGE, 200).await;
    assert_eq!(
        own_parts(&html),
        ("hr2@example.com · HR".to_string(), other_hr.csrf.clone())
    );
    assert_eq!(text(&html, &format!("{COST} td.value .shown")), "$12,600");

    // The manager gets their own view: no salary-based figure, no team switcher, and their
    // own parts; and again from memory.
    for _ in 0..2 {
        let html = alpha.page(TEAM_PAGE, 200).await;
        assert_eq!(
            own_parts(&html),
            (
                "alpha@example.com · Manager".to_string(),
                alpha.csrf.clone()
            )
        );
        assert_eq!(count(&html, COST), 0);
        let body = alpha.get(TEAM_PAGE).await.text().await.unwrap();
        assert!(!body.contains("12,600"));
        assert!(!body.contains("hr@example.com"));
        assert!(!body.contains(&hr.csrf));
    }
    // A manager of another team gets no page of Alpha, kept or not.
    assert_eq!(beta.get(TEAM_PAGE).await.status(), 404);
    let html = beta.page("/teams/Beta?period=2025-Q1", 200).await;
    assert_eq!(
        own_parts(&html),
        ("beta@example.com · Manager".to_string(), beta.csrf.clone())
    );

    // The summary, HR's then the executive's.
    let html = hr.page("/summary?period=2025-Q1", 200).await;
    assert_eq!(own_parts(&html).1, hr.csrf);
    let html = exec.page("/summary?period=2025-Q1", 200).await;
    assert_eq!(
        own_parts(&html),
        (
            "exec@example.com · Executive".to_string(),
            exec.csrf.clone()
        )
    );
    // The heatmap and the overview: each reader's own parts.
    for path in ["/organization?period=2025-Q1", "/?period=2025-Q1"] {
        for (browser, email) in [(&hr, "hr@example.com"), (&other_hr, "hr2@example.com")] {
            let html = browser.page(path, 200).await;
            assert_eq!(
                own_parts(&html),
                (format!("{email} · HR"), browser.csrf.clone()),
                "{path}"
            );
        }
    }
    // The API, whole and per team, as each may see it.
    let report: serde_json::Value = alpha
        .get("/api/v1/metrics?period=2025-Q1")
        .await
        .json()
        .await
        .unwrap();
    let teams: Vec<&String> = report["teams"].as_object().unwrap().keys().collect();
    assert_eq!(teams, ["Alpha"]);
    assert_eq!(
        report["teams"]["Alpha"]["intermediate"]["turnover_cost"],
        serde_json::Value::Null
    );
    let report: serde_json::Value = hr
        .get("/api/v1/metrics?period=2025-Q1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["teams"].as_object().unwrap().len(), 2);
    assert_eq!(
        report["teams"]["Alpha"]["intermediate"]["turnover_cost"],
        12_600.0
    );
    assert_eq!(
        beta.get("/api/v1/metrics?period=2025-Q1&team=Alpha")
            .await
            .status(),
        404
    );
    assert_eq!(
        hr.get("/api/v1/metrics?period=2025-Q1&team=Nobody")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_kept_team_page_shows_the_new_figures_after_an_import_and_a_new_team_at_once() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let alpha = signed_in(&app, "alpha@example.com", Role::Manager, &["Alpha"]).await;
    let shown = |html: &scraper::Html| text(html, "#tile-headcount_end .shown");
    assert_eq!(shown(&alpha.page(TEAM_PAGE, 200).await), "4");
    assert_eq!(shown(&alpha.page(TEAM_PAGE, 200).await), "4");

    // A6 joins Alpha, and a team Gamma appears: both at once, on the manager's own `/` too.
    app.import(
        Kind::Employees,
        &format!("{ROSTER}A6,Alpha,2024-06-01,,,50000\nG1,Gamma,2024-06-01,,,50000\n"),
    )
    .await;
    assert_eq!(shown(&alpha.page(TEAM_PAGE, 200).await), "5");
    assert_eq!(shown(&alpha.page("/?period=2025-Q1", 200).await), "5");
    let hr = signed_in(&app, "hr@example.com", Role::Hr, &[]).await;
    let html = hr.page("/teams/gamma?period=2025-Q1", 200).await;
    assert_eq!(shown(&html), "1");
}

#[tokio::test]
async fn a_new_data_version_starts_computing_the_pages_reports_without_waiting() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let cache = ReportCache::default().warming(attune::web::periods_asked);
    let at = cache.snapshot(&app.pool).await.unwrap();
    let asked = attune::web::periods_asked(at.today);
    // The trend of the latest complete quarter (the team pages, the overview, the summary) and
    // that quarter alone (the heatmap, the API).
    let quarter = Period::latest_complete_quarter(at.today);
    assert_eq!(asked, [quarter.trailing(8), vec![quarter]]);
    computed_soon(&cache, asked.len() as u64).await;

    // What the pages ask for is there: nothing more is computed.
    for periods in &asked {
        cache.reports_at(&at, &app.pool, periods).await.unwrap();
    }
    assert_eq!(cache.computed(), asked.len() as u64);
    // The same version seen again starts nothing.
    let again = cache.snapshot(&app.pool).await.unwrap();
    assert_eq!(again, at);

    // An import: the next snapshot sees a new version, and the warm-up runs again for it.
    app.import(
        Kind::Employees,
        &format!("{ROSTER}A6,Alpha,2024-06-01,,,50000\n"),
    )
    .await;
    let after = cache.snapshot(&app.pool).await.unwrap();
    assert!(after.version.version > at.version.version);
    computed_soon(&cache, 2 * asked.len() as u64).await;
    for periods in &asked {
        cache.reports_at(&after, &app.pool, periods).await.unwrap();
    }
    assert_eq!(cache.computed(), 2 * asked.len() as u64);
}

/// Wait (without limit but the test's) for the background warm-up to have computed `sets` sets
/// of reports in all.
async fn computed_soon(cache: &ReportCache, sets: u64) {
    for _ in 0..600 {
        if cache.computed() >= sets {
            assert_eq!(cache.computed(), sets);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the warm-up computed {} sets of reports, not {sets}",
        cache.computed()
    );
}
