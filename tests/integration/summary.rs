//! The quarterly summary: the page (parsed, exact numbers), the PDF (parsed), the CSV (escaped),
//! `attune report --format html` (one self-contained file) and the audit of every export.

use attune::accounts::Role;
use attune::import::Kind;

use crate::support::{Browser, TestApp, count, text};

/// 2025-Q1: 6 people on 1 January, 5 on 31 March; A3 resigned (salary 100,000), A4 was
/// dismissed (no salary on record). Beta's two pulse responses are fewer than the minimum group
/// size of 5.
const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2025-01-01,,,60000
A3,Alpha,2019-06-01,2025-03-31,voluntary,100000
A4,Alpha,2018-01-01,2025-02-15,involuntary,
B1,Beta,2021-03-01,,,40000
B2,Beta,2022-01-01,,,40000
";
const PULSE: &str = "submitted_at,team,heard,supported\n2025-02-03,Beta,4,5\n2025-02-04,Beta,2,4\n";

async fn company() -> (TestApp, Browser) {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    // Pulse, absences and promotions cover 2024 and 2025: none but these two responses.
    app.import_covering(Kind::Pulse, PULSE, "2024-01..2025-12")
        .await;
    for (kind, header) in [
        (Kind::Absences, "employee_id,start_date,end_date,type\n"),
        (Kind::Promotions, "employee_id,effective_date\n"),
    ] {
        app.import_covering(kind, header, "2024-01..2025-12").await;
    }
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    let exec = app.login("exec@example.com").await;
    (app, exec)
}

#[tokio::test]
async fn the_summary_states_the_quarter_in_plain_sentences_with_exact_figures() {
    let (_app, exec) = company().await;

    let html = exec.page("/summary?period=2025-Q1", 200).await;

    assert_eq!(text(&html, "#period"), "2025-Q1");
    let headlines: Vec<String> = html
        .select(&scraper::Selector::parse("#brief li").unwrap())
        .map(|li| li.text().collect::<String>())
        .collect();
    assert_eq!(
        headlines,
        [
            // Parts: voluntary turnover (18.2 % a quarter, 72.7 % a year → 0), absenteeism
            // (0 % → 100), promotions (0 → 0); weights 20, 10, 10. Without favorability (two
            // responses) they would make 25.0 out of no survey at all: no index (issue 10).
            "The organization's empathy index for 2025-Q1: not enough data. It is computed only \
             when empathy favorability is known and the parts known carry at least half of its \
             weight."
                .to_string(),
            "5 people worked here at the end of the quarter; 2 left, a turnover of 36.4 % \
             (18.2 % voluntary)."
                .to_string(),
            // One of the two leavers has a salary: an executive cannot see what it costs.
            "2 people left in 2025-Q1; what replacing them costs is not shown (withheld: too few \
             people)."
                .to_string(),
            // No team has an index to be ranked by, or to fall.
            "No team needs particular attention this quarter.".to_string(),
        ]
    );
    assert_eq!(text(&html, "#index-value"), "not enough data");
    assert_eq!(count(&html, "#index-parts tbody tr"), 3);
    assert_eq!(
        text(&html, "#index-parts tbody tr:first-child td.weight"),
        "50 %"
    );

    // Fundamentals with the previous quarter and the same quarter a year earlier.
    let turnover = r#"#fundamentals-table tr[data-metric="turnover_rate"]"#;
    assert_eq!(text(&html, &format!("{turnover} td.value")), "36.4 %");
    assert_eq!(text(&html, &format!("{turnover} td.previous")), "0.0 %");
    // The change column says what it is a change of, and whether it is good news.
    assert_eq!(
        text(&html, "#fundamentals-table thead th:last-child"),
        "Change vs 2024-Q4"
    );
    assert_eq!(
        text(&html, &format!("{turnover} td.change")),
        "+36.4 points, worse"
    );
    assert_eq!(
        text(
            &html,
            r#"#fundamentals article[data-metric="turnover_rate"] .figure-change"#
        ),
        "+36.4 points vs 2024-Q4 (worse)"
    );
    let favorability = r#"#fundamentals-table tr[data-metric="empathy_favorability"]"#;
    assert_eq!(
        text(&html, &format!("{favorability} td.value")),
        "not enough responses"
    );
    // Eight quarters of trend, each chart with its data table.
    assert_eq!(count(&html, "#fundamentals svg.line-chart"), 7);
    assert_eq!(count(&html, "#fundamentals-trend thead th.num"), 8);
    assert_eq!(
        text(&html, "#fundamentals-trend thead th:last-child"),
        "2025-Q1"
    );
    // No quarter has an index: no marker, and the trend table says why.
    assert_eq!(count(&html, "#index svg.line-chart rect.marker"), 0);
    assert_eq!(text(&html, "#index-trend td:last-child"), "not enough data");

    // Teams, by name when none has an index; none is ranked. Beta's favorability is withheld.
    let teams: Vec<&str> = html
        .select(&scraper::Selector::parse("#teams-table tr.team-row").unwrap())
        .map(|row| row.value().attr("data-team").unwrap())
        .collect();
    assert_eq!(teams, ["Alpha", "Beta"]);
    assert_eq!(
        text(&html, "#strongest"),
        "No team has an empathy index this quarter."
    );
    let beta = r#"#teams-table tr[data-team="Beta"]"#;
    assert_eq!(text(&html, &format!("{beta} td.index")), "not enough data");
    assert_eq!(
        text(&html, &format!("{beta} td.favorability")),
        "not enough responses"
    );
    let alpha = r#"#teams-table tr[data-team="Alpha"]"#;
    assert_eq!(text(&html, &format!("{alpha} td.index-change")), "–");
    assert_eq!(
        text(&html, "#teams-table thead th:nth-child(3)"),
        "Index change vs 2024-Q4"
    );
    // Team names lead to their pages.
    assert_eq!(
        crate::support::attr(&html, &format!("{alpha} th a"), "href"),
        "/teams/Alpha?period=2025-Q1"
    );
    assert_eq!(
        text(&html, &format!("{alpha} td.cost")),
        "withheld: too few people"
    );
    assert_eq!(count(&html, "svg.bar-list rect.bar"), 0);

    // What turnover cost (one priced leaver: withheld from an executive), with the leaver who
    // has no salary stated.
    assert_eq!(text(&html, "#turnover-cost"), "withheld: too few people");
    assert_eq!(
        text(&html, "#cost-unpriced"),
        "1 leaver without a salary on record is not counted: the real cost is higher."
    );

    // Outcome links: too few team-quarters yet, and never called a cause.
    assert!(text(&html, "#links-title").contains("association, not proof"));
    assert_eq!(count(&html, "#links-table tr.link-row"), 9);
    assert_eq!(
        text(&html, "#links-findings"),
        "No outcome link shows evidence yet: the table says what each one would need."
    );
    let csat = r#"#links-table tr[data-outcome="csat"][data-lag="1"]"#;
    assert_eq!(
        text(&html, &format!("{csat} td.verdict")),
        "Not enough evidence yet"
    );
    assert_eq!(text(&html, &format!("{csat} td.across")), "not estimated");
    assert_eq!(
        text(
            &html,
            r#"#links-details li[data-outcome="csat"][data-lag="1"]"#
        ),
        "Favorability and customer satisfaction the next quarter: not enough evidence yet. 0 \
         team-quarters have both figures; nothing is estimated from fewer than 20."
    );
    assert!(text(&html, "#links-caveats").contains("figures hidden for privacy never enter"));

    // Attention: an index made of no survey neither falls nor lists a team.
    assert_eq!(
        text(&html, "#no-attention"),
        "No team needs particular attention this quarter."
    );
}

#[tokio::test]
async fn the_summary_takes_the_latest_complete_quarter_and_only_quarters() {
    let (_app, exec) = company().await;

    let html = exec.page("/summary", 200).await;
    let expected =
        attune::period::Period::latest_complete_quarter(chrono::Local::now().date_naive());
    assert_eq!(text(&html, "#period"), expected.to_string());

    // An executive lands on it: `/` is the summary, and the navigation's first link says so.
    let home = exec.page("/", 200).await;
    assert_eq!(text(&home, "h1"), "Quarterly summary");
    assert_eq!(text(&home, "#period"), expected.to_string());
    assert_eq!(text(&home, "header nav a[href='/']"), "Summary");
    assert_eq!(count(&home, "header nav a[href='/summary']"), 0);
    let home = exec.page("/?period=2025-Q1", 200).await;
    assert_eq!(text(&home, "#period"), "2025-Q1");

    let html = exec.page("/summary?period=2025-03", 400).await;
    assert_eq!(
        text(&html, ".error-message"),
        "The quarterly summary covers a quarter, not \"2025-03\": choose a quarter such as \
         2025-Q1 (YYYY-Qn)."
    );
    exec.page("/summary?period=2025-Q9", 400).await;
}

#[tokio::test]
async fn an_empty_database_says_what_to_import() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let html = hr.page("/summary?period=2025-Q1", 200).await;

    assert!(text(&html, "#empty-state").contains("attune import employees"));
    assert_eq!(count(&html, "#brief"), 0);
}

#[tokio::test]
async fn a_manager_may_not_read_the_summary_or_its_exports() {
    let (app, _) = company().await;
    app.create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    let manager = app.login("alpha@example.com").await;

    for path in ["/summary", "/summary.pdf", "/summary.csv"] {
        let response = manager.get(&format!("{path}?period=2025-Q1")).await;
        assert_eq!(response.status(), 403, "{path}");
        assert!(!response.text().await.unwrap().contains("Beta"), "{path}");
    }
    let home = manager.page("/", 200).await;
    assert_eq!(count(&home, r#"header nav a[href="/summary"]"#), 0);
}

#[tokio::test]
async fn the_pdf_is_a_real_document_with_the_same_figures() {
    let (app, exec) = company().await;

    let response = exec.get("/summary.pdf?period=2025-Q1").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"attune-summary-2025-Q1.pdf\""
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF parses");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Quarterly summary",
        "2025-Q1",
        "empathy index for 2025-Q1: not enough data",
        "36.4 %",
        "2 people left in 2025-Q1; what replacing them costs is not shown (withheld: too few people)",
        "1 leaver without a salary on record is not counted",
        "not enough responses",
        "not enough evidence yet",
        "association, not proof",
        "Alpha not enough data",
        "Index change",
        // Each change says which way it went, in words.
        "Change vs 2024-Q4",
        "+36.4 points, worse",
        "page 1 of",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert_eq!(
        exports(&app).await,
        [("pdf".to_string(), "2025-Q1".to_string())]
    );
}

#[tokio::test]
async fn the_csv_has_a_row_per_scope_and_metric_and_never_runs_a_formula() {
    let app = TestApp::spawn().await;
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date\nX1,=HYPERLINK(\"http://x\"),2020-01-01\nX2,+cmd,2020-01-01\nX3,Plain,2020-01-01\n",
    )
    .await;
    let hr = app.login_hr().await;

    let response = hr.get("/summary.csv?period=2025-Q1").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "scope",
            "metric",
            "label",
            "value",
            "previous",
            "year_earlier"
        ]
    );
    let all: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let (links, rows): (Vec<_>, Vec<_>) = all.into_iter().partition(|r| &r[0] == "Outcome links");
    let metrics = attune::scoring::catalogue().len();
    assert_eq!(rows.len(), 4 * metrics, "the organization and three teams");
    // Then the outcome links, one row per estimate, after the scopes.
    let turnover: Vec<&str> = links
        .iter()
        .filter(|r| r[1].starts_with("voluntary_turnover_rate.lag1."))
        .map(|r| &r[1])
        .collect();
    assert_eq!(
        turnover,
        [
            "voluntary_turnover_rate.lag1.correlation",
            "voluntary_turnover_rate.lag1.ci_low",
            "voluntary_turnover_rate.lag1.ci_high",
            "voluntary_turnover_rate.lag1.n",
            "voluntary_turnover_rate.lag1.teams",
            "voluntary_turnover_rate.lag1.within_team.correlation",
            "voluntary_turnover_rate.lag1.within_team.ci_low",
            "voluntary_turnover_rate.lag1.within_team.ci_high",
            "voluntary_turnover_rate.lag1.within_team.n",
            "voluntary_turnover_rate.lag1.rate_ratio_per_10_points",
            "voluntary_turnover_rate.lag1.rate_ratio_ci_low",
            "voluntary_turnover_rate.lag1.rate_ratio_ci_high",
            "voluntary_turnover_rate.lag1.evidence",
            "voluntary_turnover_rate.lag1.more_team_quarters_needed",
            "voluntary_turnover_rate.lag1.verdict",
        ]
    );
    assert_eq!(
        links.len(),
        9 * 12 + 3 * 3,
        "twelve estimates a link, three more for turnover"
    );
    let n = links.iter().find(|r| &r[1] == "csat.lag3.n").unwrap();
    assert_eq!(
        n.iter().collect::<Vec<_>>(),
        [
            "Outcome links",
            "csat.lag3.n",
            "Favorability and customer satisfaction three quarters later: team-quarters",
            "0",
            "",
            ""
        ]
    );
    let scopes: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        scopes.into_iter().collect::<Vec<_>>(),
        [
            "'+cmd",
            "'=HYPERLINK(\"http://x\")",
            "Organization",
            "Plain"
        ]
    );
    let headcount = rows
        .iter()
        .find(|r| &r[0] == "Organization" && &r[1] == "headcount_end")
        .unwrap();
    assert_eq!(
        headcount.iter().collect::<Vec<_>>(),
        [
            "Organization",
            "headcount_end",
            "Headcount at end",
            "3",
            "3",
            "3"
        ]
    );
    assert!(rows.iter().all(|r| !r[0].starts_with(['=', '+', '-', '@'])));
    assert_eq!(
        exports(&app).await,
        [("csv".to_string(), "2025-Q1".to_string())]
    );
}

#[tokio::test]
async fn report_format_html_writes_one_self_contained_file() {
    let (app, _) = company().await;

    let output = app.cli(&["report", "--period", "2025-Q1", "--format", "html"]);

    assert!(output.status.success(), "{output:?}");
    let html = String::from_utf8(output.stdout).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(text(&doc, "#index-value"), "not enough data");
    assert_eq!(text(&doc, "#turnover-cost"), "$21,000");
    assert_eq!(count(&doc, "style"), 1);
    assert!(
        text(&doc, "style").contains(".line-chart"),
        "the CSS is inlined"
    );
    assert_eq!(count(&doc, "svg.line-chart"), 8);
    // Nothing outside the file: no stylesheet link, script, image or URL in the CSS.
    assert_eq!(count(&doc, "link, script, img, iframe"), 0);
    assert!(!html.contains("url("));
    assert!(!html.contains("src="));
    assert_eq!(count(&doc, "header nav, form"), 0, "no navigation or forms");
    // A file has no team pages to link to: the names are plain text.
    assert_eq!(count(&doc, "#teams-table a, #attention a"), 0);
    assert_eq!(
        text(&doc, r#"#teams-table tr[data-team="Alpha"] th"#),
        "Alpha"
    );
    assert_eq!(
        exports(&app).await,
        [("html".to_string(), "2025-Q1".to_string())]
    );

    let json = app.cli(&["report", "--period", "2025-Q1", "--format", "json"]);
    assert!(json.status.success());
    let month = app.cli(&["report", "--period", "2025-03", "--format", "html"]);
    assert_eq!(month.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&month.stderr).contains("quarter such as 2025-Q1"));
}

/// The (format, period) of every export in the audit log.
async fn exports(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "select detail->>'format', detail->>'period' from audit_event
         where action = 'export' order by audit_event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}
