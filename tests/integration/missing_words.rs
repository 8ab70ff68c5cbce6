//! Every null says why, in the report's `reasons` and in words on every page: the demo company's
//! survey figures of the quarter under way and of a month, and the departments of the published
//! HRDataset_v14 roster that have nothing but a roster (issue 10).

use chrono::Datelike;

use attune::import::{self, Kind, Known, Options, Outcome};
use attune::period::Period;
use attune::report::Report;
use attune::scoring::{Metric, Reason, Scored};

use crate::support::{TestApp, dataset, text};

/// The HRDataset departments with a roster and no other data.
const ROSTER_ONLY: [&str; 5] = [
    "Production",
    "IT/IS",
    "Admin Offices",
    "Executive Office",
    "Software Engineering",
];

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

async fn report(app: &TestApp, period: Period) -> Report {
    let mut conn = app.pool.acquire().await.unwrap();
    attune::report::build(&mut conn, period, None)
        .await
        .unwrap()
}

/// The team with the most pulse responses in `report`.
fn most_surveyed(report: &Report) -> (String, i64) {
    report
        .teams
        .iter()
        .map(|(name, scope)| (name.clone(), scope.fundamentals.pulse_responses))
        .max_by_key(|(_, responses)| *responses)
        .expect("the demo has teams")
}

fn tile(html: &scraper::Html, metric: &str) -> String {
    text(html, &format!("#tile-{metric} .shown"))
}

fn team_path(name: &str) -> String {
    attune::web::pages::team::team_path(name)
}

#[tokio::test]
async fn a_survey_figure_of_the_quarter_under_way_or_of_a_month_says_so_not_too_few_responses() {
    let app = TestApp::spawn().await;
    attune::demo::load(&app.pool).await.unwrap();
    let hr = app.login_hr().await;
    let quarter = Period::quarter_of(today());

    let current = report(&app, quarter).await;
    let (team, responses) = most_surveyed(&current);

    // Well over the minimum group size: privacy would show it, but the quarter is not over.
    assert!(responses >= current.min_group_size, "{team}: {responses}");
    let scope = &current.teams[&team];
    for metric in [Metric::EmpathyFavorability, Metric::Enps] {
        assert_eq!(scope.get(metric), None, "{metric}");
        assert_eq!(
            scope.reasons.get(&metric),
            Some(&Reason::PeriodNotFinished),
            "{metric}"
        );
        assert!(scope.suppressed.contains(&metric), "still listed: {metric}");
    }
    let html = hr
        .page(&format!("{}?period={quarter}", team_path(&team)), 200)
        .await;
    assert_eq!(
        tile(&html, "empathy_favorability"),
        "reported once the period has ended"
    );
    let what_changed = text(&html, "#what-changed");
    assert!(
        what_changed.ends_with(&format!(
            "Empathy favorability is not shown for {quarter}: reported once the period has ended."
        )),
        "{what_changed}"
    );

    // A finished month with responses: reported for finished quarters only.
    let last_month = quarter.start().pred_opt().unwrap();
    let month = Period::month(last_month.year(), last_month.month()).unwrap();
    let of_month = report(&app, month).await;
    let (team, responses) = most_surveyed(&of_month);
    assert!(responses > 0, "{team} answered in {month}");
    assert_eq!(
        of_month.teams[&team]
            .reasons
            .get(&Metric::EmpathyFavorability),
        Some(&Reason::NotReportedForMonths)
    );
    assert_eq!(
        of_month.org.reasons.get(&Metric::Enps),
        Some(&Reason::NotReportedForMonths)
    );
    let html = hr
        .page(&format!("{}?period={month}", team_path(&team)), 200)
        .await;
    assert_eq!(
        tile(&html, "empathy_favorability"),
        "reported for finished quarters only"
    );
    let html = hr.page(&format!("/organization?period={month}"), 200).await;
    let cell = format!(
        r#"tr.heat-row[data-team="{team}"] td[data-metric="empathy_favorability"] .cell-value"#
    );
    assert_eq!(text(&html, &cell), "reported for finished quarters only");
}

/// The demo company, and the published HRDataset_v14 roster imported as employees on top.
async fn demo_with_hr_dataset() -> TestApp {
    let app = TestApp::spawn().await;
    attune::demo::load(&app.pool).await.unwrap();
    let path = dataset("HRDataset_v14.csv");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{} (../shared/datasets): {e}", path.display()));
    let known = Known::load(&app.pool, Kind::Employees).await.unwrap();
    let prepared = import::prepare(
        Kind::Employees,
        "HRDataset_v14.csv",
        &bytes,
        Options::default(),
        &known,
    )
    .unwrap();
    assert_eq!(prepared.errors, []);
    let actor = attune::db::audit::Actor::cli();
    let outcome = import::commit(&app.pool, &prepared, Options::default(), &actor)
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Imported { .. }), "{outcome:?}");
    app
}

#[tokio::test]
async fn departments_with_a_roster_only_have_no_survey_data_and_no_empathy_index() {
    let app = demo_with_hr_dataset().await;
    let hr = app.login_hr().await;
    app.create_user("ceo@example.com", attune::accounts::Role::Executive, &[])
        .await;
    let exec = app.login("ceo@example.com").await;
    // The last finished quarter.
    let quarter = Period::quarter_of(today()).previous();

    let report = report(&app, quarter).await;

    for name in ROSTER_ONLY {
        let scope = &report.teams[name];
        assert!(scope.fundamentals.headcount_end > 0, "{name} has people");
        assert_eq!(scope.fundamentals.pulse_responses, 0, "{name}");
        assert_eq!(scope.advanced.empathy_index, None, "{name}");
        for metric in [
            Metric::EmpathyFavorability,
            Metric::Enps,
            Metric::EnpsChange,
            Metric::EmpathyIndex,
            Metric::Csat,
        ] {
            assert_eq!(
                scope.reasons.get(&metric),
                Some(&Reason::NoData),
                "{name} {metric}"
            );
        }
        // Its known figures have no reason.
        assert_eq!(scope.reasons.get(&Metric::TurnoverRate), None, "{name}");
    }
    // The demo's own teams keep their index.
    assert!(report.teams["Operations"].advanced.empathy_index.is_some());

    // The team page: "no data", and the index "not enough data".
    let html = hr
        .page(&format!("/teams/Production?period={quarter}"), 200)
        .await;
    assert_eq!(tile(&html, "empathy_favorability"), "no data");
    assert_eq!(
        text(&html, r#"tr[data-metric="empathy_index"] td.value .shown"#),
        "not enough data"
    );

    // The heatmap: no data, not withheld.
    let html = hr
        .page(&format!("/organization?period={quarter}"), 200)
        .await;
    let cell = r#"tr.heat-row[data-team="Production"] td[data-metric="empathy_favorability"]"#;
    assert_eq!(text(&html, &format!("{cell} .cell-value")), "no data");
    assert!(
        !crate::support::attr(&html, cell, "class").contains("suppressed"),
        "nothing is withheld where there is nothing"
    );

    // The summary ranks none of them, and says why they have no index.
    let html = exec.page(&format!("/summary?period={quarter}"), 200).await;
    let strongest = text(&html, "#strongest");
    let improved = text(&html, "#most-improved");
    for name in ROSTER_ONLY {
        assert!(!strongest.contains(name), "{name} in {strongest}");
        assert!(!improved.contains(name), "{name} in {improved}");
        let row = format!(r#"#teams-table tr[data-team="{name}"]"#);
        assert_eq!(text(&html, &format!("{row} td.index")), "not enough data");
        assert_eq!(text(&html, &format!("{row} td.favorability")), "no data");
    }

    // The demo's own teams are still ranked, each linked to its page.
    assert!(
        crate::support::count(&html, "#strongest a") > 0,
        "{strongest}"
    );

    // The CSV and the PDF say the same.
    let csv = exec
        .get(&format!("/summary.csv?period={quarter}"))
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let value = |metric: &str| -> &str {
        rows.iter()
            .find(|r| &r[0] == "Production" && &r[1] == metric)
            .map(|r| &r[3])
            .unwrap_or_else(|| panic!("no row for Production {metric}"))
    };
    assert_eq!(value("empathy_index"), "not enough data");
    assert_eq!(value("empathy_favorability"), "no data");
    let pdf = exec
        .get(&format!("/summary.pdf?period={quarter}"))
        .await
        .bytes()
        .await
        .unwrap();
    let pdf = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF parses");
    let flat = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Production not enough data"), "{flat}");

    // The text report: the short words, and what they stand for.
    let output = app.cli(&[
        "report",
        "--period",
        &quarter.to_string(),
        "--team",
        "Production",
        "--format",
        "text",
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = |label: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line in {stdout}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        line("Empathy favorability").ends_with("no data"),
        "{stdout}"
    );
    assert!(line("Empathy index").ends_with("not enough"), "{stdout}");
    assert!(
        stdout.contains("\"not enough\": not enough data."),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_rate_over_nobody_reads_no_data_on_hrs_overview() {
    let app = TestApp::spawn().await;
    // Gamma's only person starts after 2025-Q1: nobody to compute its turnover over.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date\nA1,Alpha,2020-01-01\nG1,Gamma,2025-06-01\n",
    )
    .await;
    let hr = app.login_hr().await;

    let html = hr.page("/?period=2025-Q1", 200).await;

    let gamma = r#"tr.team-row[data-team="Gamma"]"#;
    assert_eq!(text(&html, &format!("{gamma} td.turnover")), "no data");
    let alpha = r#"tr.team-row[data-team="Alpha"]"#;
    assert_eq!(text(&html, &format!("{alpha} td.turnover")), "0.0 %");
    let report = report(&app, "2025-Q1".parse().unwrap()).await;
    assert_eq!(
        report.teams["Gamma"].reasons.get(&Metric::TurnoverRate),
        Some(&Reason::NoData)
    );
}
