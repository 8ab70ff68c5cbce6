//! The demo company: every data kind, and loading it twice changes nothing.

use attune::accounts::Role;

use crate::support::{TestApp, text};

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for sql in [
        "select count(*) from team",
        "select count(*) from employee",
        "select count(*) from absence",
        "select count(*) from promotion",
        "select count(*) from csat_response",
        "select count(*) from pulse_response",
        "select count(*) from customer_activity",
        "select count(*) from measure",
        "select count(*) from survey_round",
        "select count(*) from survey_answer",
    ] {
        counts.push(sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap());
    }
    counts
}

#[tokio::test]
async fn the_demo_company_has_every_kind_and_loads_idempotently() {
    let app = TestApp::spawn().await;

    let summary = attune::demo::load(&app.pool).await.unwrap();
    let first = counts(&app).await;
    attune::demo::load(&app.pool).await.unwrap();
    let second = counts(&app).await;

    assert_eq!(first, second, "loading twice duplicates nothing");
    assert_eq!(first[0], 7, "seven teams");
    assert_eq!(first[8], 2, "one closed survey round and one open");
    assert!(
        first[9] > 50,
        "the closed round's answers count: {}",
        first[9]
    );
    assert!(summary.open_survey.is_some());
    assert!(
        (120..=200).contains(&summary.employees),
        "{} employees",
        summary.employees
    );
    for (kind, count) in [
        "absences",
        "promotions",
        "csat",
        "pulse",
        "customers",
        "measures",
    ]
    .iter()
    .zip(&first[2..8])
    {
        assert!(*count > 0, "the demo has {kind}");
    }
}

/// The demo company as of a fixed day, so that what its outcome links show is known.
const DEMO_DAY: (i32, u32, u32) = (2026, 11, 26);

#[tokio::test]
async fn the_demo_company_shows_a_link_with_evidence_and_one_without() {
    let app = TestApp::spawn().await;
    let (y, m, d) = DEMO_DAY;
    let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    attune::demo::load_as_of(&app.pool, day).await.unwrap();
    app.create_user("ceo@example.com", Role::Executive, &[])
        .await;
    app.create_user("lead@example.com", Role::Manager, &["Engineering"])
        .await;

    // The demo's "care" drives pulse answers now and leavers, absence and CSAT a quarter
    // later: with seven teams over eight quarters there is evidence at lag 1…
    let mut conn = app.pool.acquire().await.unwrap();
    let report = attune::report::build(&mut conn, "2026-Q3".parse().unwrap(), None)
        .await
        .unwrap();
    let link = |outcome: &str, lag: u32| {
        report
            .outcome_links
            .iter()
            .find(|l| l.outcome == outcome && l.lag == lag)
            .unwrap()
    };
    let turnover = link("voluntary_turnover_rate", 1);
    assert_eq!((turnover.n, turnover.teams), (56, 7));
    assert!(turnover.evidence, "{turnover:?}");
    assert!(turnover.rate_ratio_ci_high.unwrap() < 1.0, "{turnover:?}");
    assert!(link("absenteeism_rate", 1).within_team.evidence);
    // …and the association fades by three quarters later, where there is not enough yet.
    let late = link("absenteeism_rate", 3);
    assert!(!late.evidence, "{late:?}");
    assert!(late.more_team_quarters_needed.unwrap() > 0);

    // The summary says both in words.
    let ceo = app.login("ceo@example.com").await;
    let html = ceo.page("/summary?period=2026-Q3", 200).await;
    let findings = text(&html, "#links-findings");
    assert!(
        findings.starts_with("Teams whose favorability was 10 points higher had ")
            && findings.contains("fewer voluntary leavers the next quarter (95 % interval ")
            && findings
                .contains("56 team-quarters, 7 teams) — an association, not proof of cause."),
        "{findings}"
    );
    let verdict = text(
        &html,
        r#"#links-details li[data-outcome="absenteeism_rate"][data-lag="3"]"#,
    );
    assert!(
        verdict.starts_with(
            "Favorability and absenteeism three quarters later: not enough evidence yet (r = "
        ) && verdict.contains("more team-quarters would typically be needed"),
        "{verdict}"
    );
    assert_eq!(
        text(
            &html,
            r#"#links-table tr[data-outcome="absenteeism_rate"][data-lag="3"] td.verdict"#
        ),
        "Not enough evidence yet"
    );

    // A manager's team page: what change inside teams has gone with.
    let lead = app.login("lead@example.com").await;
    let html = lead.page("/teams/Engineering?period=2026-Q3", 200).await;
    assert!(
        text(&html, "#like-yours-trend").starts_with("Engineering's empathy favorability was ")
    );
    let findings = text(&html, "#like-yours-findings");
    assert!(
        findings.contains(
            "When a team's favorability was above its own usual level, its absenteeism the next \
             quarter tended to be lower than usual"
        ),
        "{findings}"
    );
}
