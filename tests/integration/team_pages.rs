//! The team page ("My team") and its drill-down, and the organization heatmap, for a
//! hand-built company, parsed and checked with CSS selectors and exact numbers.

use attune::accounts::Role;
use attune::import::Kind;

use crate::support::{Browser, TestApp, count, text};

/// Alpha loses Cara in 2024-Q4 and Ben in 2025-Q1; Beta loses Zed in 2025-Q1.
///
/// 2025-Q1, Alpha: 4 on 1 Jan, 3 on 31 Mar (average 3.5), 1 leaver → 28.6 %.
/// 2024-Q4, Alpha: 5 on 1 Oct, 4 on 31 Dec (average 4.5), 1 leaver → 22.2 %.
/// 2024-Q1, Alpha: 5 and 5, no leaver → 0.0 %.
/// 2025-Q1, Beta: 5 and 4 (average 4.5), 1 leaver → 22.2 %.
/// 2025-Q1, organization: 9 and 7 (average 8), 2 leavers → 25.0 %.
const ROSTER: &str = "\
employee_id,full_name,job_title,team,hire_date,termination_date,termination_type,annual_salary
A1,Ann Archer,Engineer,Alpha,2020-01-01,,,50000
A2,Ben Brook,Analyst,Alpha,2020-01-01,2025-02-14,voluntary,60000
A3,Cara Cole,Designer,Alpha,2020-01-01,2024-11-30,voluntary,55000
A4,Dan Dale,Engineer,Alpha,2020-01-01,,,
A5,Eve East,Engineer,Alpha,2020-01-01,,,52000
B1,Zed Zane,Secret Agent,Beta,2021-01-01,2025-03-01,voluntary,70000
B2,Yan Young,Clerk,Beta,2021-01-01,,,40000
B3,Xia Xu,Clerk,Beta,2021-01-01,,,40000
B4,Will Wong,Clerk,Beta,2021-01-01,,,40000
B5,Val Vane,Clerk,Beta,2021-01-01,,,40000
";

const PROMOTIONS: &str = "\
employee_id,effective_date,from_title,to_title
A4,2025-03-01,Engineer,Senior Engineer
B2,2025-02-01,Clerk,Senior Clerk
";

/// Two working days (Monday and Tuesday) in January: 2 of Alpha's 4 × 23 = 92 scheduled days.
const ABSENCES: &str = "\
employee_id,start_date,end_date,days,type
A1,2025-01-06,2025-01-07,,Sick
";

/// Alpha: 2 responses in 2024-Q4 (both 4 or 5: 100 %), 4 in 2025-Q1 (3 of them: 75 %).
const CSAT: &str = "\
responded_at,team,score
2024-11-04,Alpha,5
2024-11-05,Alpha,4
2025-01-10,Alpha,5
2025-02-11,Alpha,4
2025-02-12,Alpha,4
2025-03-12,Alpha,2
";

/// 2025-Q1: Alpha 3 responses (below the minimum group size of 5), Beta 6.
const PULSE: &str = "\
submitted_at,team,heard,supported,valued,enps
2025-01-05,Alpha,5,4,4,10
2025-01-06,Alpha,4,4,3,9
2025-02-07,Alpha,2,3,,6
2025-01-05,Beta,5,5,5,10
2025-01-06,Beta,4,4,4,9
2025-01-07,Beta,4,4,4,9
2025-01-08,Beta,3,3,3,7
2025-01-09,Beta,5,5,5,10
2025-01-10,Beta,2,2,2,3
";

async fn company() -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    // Each file covers 2024 and 2025 whole.
    for (kind, csv) in [
        (Kind::Promotions, PROMOTIONS),
        (Kind::Absences, ABSENCES),
        (Kind::Csat, CSAT),
        (Kind::Pulse, PULSE),
    ] {
        app.import_covering(kind, csv, "2024-01..2025-12").await;
    }
    app.create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    app
}

async fn alpha_manager(app: &TestApp) -> Browser {
    app.login("alpha@example.com").await
}

fn all_text(html: &scraper::Html, selector: &str) -> Vec<String> {
    let parsed = scraper::Selector::parse(selector).unwrap();
    html.select(&parsed)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn class_of(html: &scraper::Html, selector: &str) -> String {
    crate::support::attr(html, selector, "class")
}

#[tokio::test]
async fn a_manager_lands_on_their_team_with_tiles_changes_and_the_organization() {
    let app = company().await;
    let manager = alpha_manager(&app).await;

    let html = manager.page("/?period=2025-Q1", 200).await;

    assert_eq!(text(&html, "#team-name"), "Alpha");
    assert_eq!(text(&html, "#period"), "2025-Q1");
    // One team: no switcher.
    assert_eq!(count(&html, "#team-switcher"), 0);

    let turnover = "#tile-turnover_rate";
    assert_eq!(
        text(&html, &format!("{turnover} .tile-value .shown")),
        "28.6 %"
    );
    let changes = format!("{turnover} li.change");
    assert_eq!(
        all_text(&html, &format!("{changes} .delta")),
        ["▲ +6.3 pts", "▲ +28.6 pts"]
    );
    assert_eq!(
        all_text(&html, &format!("{changes} .against")),
        ["vs 2024-Q4", "vs a year earlier, 2024-Q1"]
    );
    assert_eq!(
        all_text(&html, &format!("{changes} .verdict")),
        ["− worse", "− worse"]
    );
    assert!(class_of(&html, &changes).split(' ').any(|c| c == "worse"));
    assert_eq!(text(&html, &format!("{turnover} .org-value")), "25.0 %");
    assert_eq!(
        text(&html, &format!("{turnover} .per-year")),
        "≈ 114 % a year"
    );
    assert_eq!(
        text(&html, &format!("{turnover} .computation")),
        "1 leaver ÷ 3.5 average headcount × 100, 1 Jan – 31 Mar 2025."
    );
    assert_eq!(
        text(&html, &format!("{turnover} .definition")),
        "100 × leavers ÷ average headcount."
    );

    // Headcount moved, but that is neither good nor bad.
    let headcount = "#tile-headcount_end";
    assert_eq!(text(&html, &format!("{headcount} .shown")), "3");
    assert_eq!(
        text(&html, &format!("{headcount} li.change .delta")),
        "▼ −1"
    );
    assert!(class_of(&html, &format!("{headcount} li.change")).contains("neutral"));
    assert_eq!(count(&html, &format!("{headcount} .verdict")), 0);

    // CSAT fell from 100 % to 75 %: worse.
    assert_eq!(text(&html, "#tile-csat .shown"), "75.0 %");
    assert_eq!(text(&html, "#tile-csat li.change .delta"), "▼ −25.0 pts");
    assert_eq!(text(&html, "#tile-csat li.change .verdict"), "− worse");
    assert_eq!(
        text(&html, "#tile-csat .computation"),
        "3 of 4 customer responses scored 4 or 5, 1 Jan – 31 Mar 2025."
    );

    // One promotion over 3.5: 28.6 %, better than none a quarter earlier.
    assert_eq!(text(&html, "#tile-promotion_rate .shown"), "28.6 %");
    assert_eq!(
        text(&html, "#tile-promotion_rate li.change .verdict"),
        "+ better"
    );

    // Three pulse responses: favorability is withheld, never a number.
    let favorability = "#tile-empathy_favorability";
    assert_eq!(
        text(&html, &format!("{favorability} .shown")),
        "not enough responses"
    );
    assert!(class_of(&html, favorability).contains("suppressed"));
    assert_eq!(
        text(&html, &format!("{favorability} li.change .delta")),
        "not comparable: not enough responses"
    );

    // Eight periods in every trend, with the data as a table.
    assert_eq!(count(&html, &format!("{turnover} .trend-data tbody tr")), 8);
    assert_eq!(
        all_text(
            &html,
            &format!("{turnover} .trend-data tbody tr:last-child td")
        ),
        ["28.6 %", "25.0 %"]
    );
    assert_eq!(
        count(&html, &format!("{turnover} svg.line-chart circle.dot-main")),
        8
    );
    assert_eq!(
        count(
            &html,
            &format!("{turnover} svg.line-chart circle.dot-reference")
        ),
        8
    );
    // Headcount and leavers are drawn for the team alone, on its own scale; the organization's
    // figures stay in the trend data.
    for tile in ["#tile-headcount_end", "#tile-separations"] {
        assert_eq!(
            count(
                &html,
                &format!("{tile} svg.line-chart circle.dot-reference")
            ),
            0,
            "{tile}"
        );
        assert_eq!(
            count(&html, &format!("{tile} svg.line-chart circle.dot-main")),
            8
        );
    }
    assert_eq!(
        all_text(
            &html,
            "#tile-headcount_end .trend-data tbody tr:last-child td"
        ),
        ["3", "7"]
    );

    let what = text(&html, "#what-changed");
    assert!(
        what.starts_with("Headcount went from 4 to 3 during 2025-Q1, with 1 leaver."),
        "{what}"
    );
    assert!(
        what.contains("Turnover rose from 22.2 % in 2024-Q4 to 28.6 % — worse."),
        "{what}"
    );
    assert!(
        what.contains("Customer satisfaction fell from 100.0 % in 2024-Q4 to 75.0 % — worse."),
        "{what}"
    );
    assert!(
        what.ends_with("Empathy favorability is not shown for 2025-Q1: not enough responses."),
        "{what}"
    );

    // Teams like yours: Alpha's hidden favorability stays hidden, and with two teams there is
    // nothing to estimate yet.
    assert_eq!(
        text(&html, "#like-yours-trend"),
        "Alpha's empathy favorability is not shown for 2025-Q1: not enough responses."
    );
    assert_eq!(count(&html, "#like-yours-findings li"), 0);
    assert_eq!(
        all_text(&html, "#like-yours-pending li"),
        [
            "Within teams, favorability and voluntary turnover the next quarter: not enough \
             evidence yet — 0 team-quarters of teams with two or more; nothing is estimated \
             from fewer than 20.",
            "Within teams, favorability and absenteeism the next quarter: not enough evidence \
             yet — 0 team-quarters of teams with two or more; nothing is estimated from fewer \
             than 20.",
            "Within teams, favorability and customer satisfaction the next quarter: not enough \
             evidence yet — 0 team-quarters of teams with two or more; nothing is estimated \
             from fewer than 20.",
        ]
    );

    // A manager's tables leave out the figures with no data in any of the three periods, and
    // say which; HR's list every metric.
    assert_eq!(
        count(&html, r#"#intermediate tr[data-metric="review_rating"]"#),
        0
    );
    let left_out = all_text(
        &html,
        r#"section[aria-labelledby="intermediate-title"] .left-out"#,
    );
    assert!(
        left_out[0].starts_with("Not listed, as there is no data for them in these three periods:")
            && left_out[0].contains("Review rating"),
        "{left_out:?}"
    );
    // Promotions have figures: they stay.
    assert_eq!(count(&html, r#"#counts tr[data-metric="promotions"]"#), 1);
    let hr = app.login_hr().await;
    let html = hr.page("/teams/Alpha?period=2025-Q1", 200).await;
    assert_eq!(
        count(&html, r#"#intermediate tr[data-metric="review_rating"]"#),
        1
    );
    assert_eq!(count(&html, ".left-out"), 0);
}

#[tokio::test]
async fn the_tiers_below_show_this_period_the_previous_and_a_year_earlier_in_the_currency() {
    let app = company().await;
    let hr = app.login_hr().await;
    // Turnover cost: 0.21 × Ben's 60,000 = 12,600 (Cara left in 2024-Q4: 0.21 × 55,000).
    let html = hr.page("/teams/Alpha?period=2025-Q1", 200).await;
    let cost = r#"#intermediate tr[data-metric="turnover_cost"]"#;
    assert_eq!(text(&html, &format!("{cost} td.value .shown")), "$12,600");
    assert_eq!(text(&html, &format!("{cost} td.previous")), "$11,550");
    assert_eq!(text(&html, &format!("{cost} td.year-earlier")), "$0");
    assert_eq!(
        text(&html, &format!("{cost} .computation")),
        "Turnover cost factor 0.21 × the annual salaries of the 1 leaver with a salary on \
         record, 1 Jan – 31 Mar 2025."
    );
    let enps = r#"#advanced tr[data-metric="enps"]"#;
    assert_eq!(
        text(&html, &format!("{enps} td.value .shown")),
        "not enough responses"
    );
    let pulse = r##"#counts tr[data-metric="pulse_responses"]"##;
    assert_eq!(text(&html, &format!("{pulse} td.value .shown")), "3");

    // In euros once HR says so.
    let saved = hr
        .post(
            "/admin/settings/figures",
            &figures_form(&[("currency", "eur")]),
        )
        .await;
    assert_eq!(saved.status(), 303);
    let html = hr.page("/teams/Alpha?period=2025-Q1", 200).await;
    assert_eq!(text(&html, &format!("{cost} td.value .shown")), "€12,600");
}

#[tokio::test]
async fn the_drill_down_names_the_leavers_and_promotions_of_the_managers_own_team_only() {
    let app = company().await;
    let manager = alpha_manager(&app).await;

    let html = manager
        .page("/teams/Alpha/people?period=2025-Q1", 200)
        .await;
    assert_eq!(all_text(&html, "#leavers tr.leaver .name"), ["Ben Brook"]);
    assert_eq!(
        all_text(&html, "#leavers tr.leaver .job-title"),
        ["Analyst"]
    );
    assert_eq!(all_text(&html, "#leavers tr.leaver .date"), ["14 Feb 2025"]);
    assert_eq!(
        all_text(&html, "#promotions tr.promotion td"),
        ["Engineer", "Senior Engineer", "1 Mar 2025"]
    );
    assert_eq!(
        all_text(&html, "#promotions tr.promotion .name"),
        ["Dan Dale"]
    );
    // 2 of 92 scheduled days in January; nobody absent in February or March.
    assert_eq!(
        all_text(&html, "#absence-by-month tr.month .rate"),
        ["2.2 %", "0.0 %", "0.0 %"]
    );
    // Only totals: no absence type appears.
    let body = manager
        .get("/teams/Alpha/people?period=2025-Q1")
        .await
        .text()
        .await
        .unwrap();
    assert!(!body.contains("Sick"));

    // Another team's people, or its page, do not exist for this manager.
    for path in [
        "/teams/Beta/people?period=2025-Q1",
        "/teams/Beta?period=2025-Q1",
        "/teams/Nobody/people",
    ] {
        let response = manager.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("Zed Zane") && !body.contains("Beta"),
            "{path}"
        );
    }

    // HR may open every team's drill-down.
    let hr = app.login_hr().await;
    let beta = hr.page("/teams/beta/people?period=2025-Q1", 200).await;
    assert_eq!(all_text(&beta, "#leavers tr.leaver .name"), ["Zed Zane"]);

    // No promotion: the manager is told whom to ask, HR where to add it; nobody reads the
    // developers' words for an import.
    let quiet = manager
        .page("/teams/Alpha/people?period=2024-Q3", 200)
        .await;
    assert_eq!(
        text(&quiet, "#no-promotions"),
        "No promotion in Alpha took effect in 2024-Q3. If someone was promoted and is missing \
         here, ask HR to add the promotion."
    );
    let quiet = hr.page("/teams/Alpha/people?period=2024-Q3", 200).await;
    assert_eq!(
        crate::support::attr(&quiet, "#no-promotions a", "href"),
        "/admin/imports"
    );
}

#[tokio::test]
async fn the_organization_heatmap_marks_each_team_better_worse_or_withheld() {
    let app = company().await;
    let hr = app.login_hr().await;

    let html = hr.page("/organization?period=2025-Q1", 200).await;

    assert_eq!(count(&html, "tr.heat-row"), 2);
    let cell = |team: &str, metric: &str| {
        format!(r#"tr.heat-row[data-team="{team}"] td[data-metric="{metric}"]"#)
    };
    // Against the organization's 25.0 %: Alpha 28.6 % is worse, Beta 22.2 % better.
    let alpha = cell("Alpha", "turnover_rate");
    assert_eq!(text(&html, &format!("{alpha} .cell-value")), "28.6 %");
    assert_eq!(text(&html, &format!("{alpha} .cell-mark")), "− worse");
    assert!(class_of(&html, &alpha).split(' ').any(|c| c == "worse"));
    let beta = cell("Beta", "turnover_rate");
    assert_eq!(text(&html, &format!("{beta} .cell-value")), "22.2 %");
    assert_eq!(text(&html, &format!("{beta} .cell-mark")), "+ better");
    // Headcount is shown for scale, without a judgement.
    let headcount = cell("Alpha", "headcount_end");
    assert_eq!(text(&html, &format!("{headcount} .cell-value")), "3");
    assert_eq!(count(&html, &format!("{headcount} .cell-mark")), 0);
    // Alpha has 3 pulse responses; Beta, the only other team, is withheld with it so that
    // Alpha's cannot be worked out from the organization's.
    for team in ["Alpha", "Beta"] {
        let favorability = cell(team, "empathy_favorability");
        assert_eq!(
            text(&html, &format!("{favorability} .cell-value")),
            "not enough responses"
        );
        assert!(class_of(&html, &favorability).contains("suppressed"));
    }
    assert_eq!(
        all_text(&html, "#heatmap-org td")[1],
        "25.0 %",
        "the organization's turnover"
    );

    let exec_email = "exec@example.com";
    app.create_user(exec_email, Role::Executive, &[]).await;
    let exec = app.login(exec_email).await;
    assert_eq!(exec.get("/organization").await.status(), 200);
    let manager = alpha_manager(&app).await;
    assert_eq!(manager.get("/organization").await.status(), 403);
}

/// The figures form with the defaults, and these fields changed.
pub fn figures_form(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("turnover_cost_factor", "0.21"),
        ("currency", "USD"),
        ("work_week", "mon-fri"),
        ("weight_empathy_favorability", "30"),
        ("weight_enps", "15"),
        ("weight_voluntary_turnover", "20"),
        ("weight_absenteeism", "10"),
        ("weight_promotion", "10"),
        ("weight_csat", "15"),
    ];
    for (name, value) in changes {
        fields.iter_mut().find(|(n, _)| n == name).unwrap().1 = value;
    }
    fields
}

/// Small: 10 people, 3 of them hired in June 2024; in 2025-Q1 those 3 and one old hand leave by
/// choice. Big: 60 people hired in 2018, 9 of whom leave by choice in 2025-Q1.
///
/// 2025-Q1, Small: 10 → 6 (average 8), 4 voluntary leavers: 50.0 %, against 0.0 % in each of
/// the four quarters before; 3 of its 4 leavers in their first year (75.0 %), against 3 of the
/// organization's 13 (23.1 %).
fn small_and_big() -> String {
    let mut csv = String::from("employee_id,team,hire_date,termination_date,termination_type\n");
    for i in 0..10 {
        let (hired, left) = match i {
            0..3 => ("2024-06-01", "2025-02-15"),
            3 => ("2018-01-01", "2025-03-01"),
            _ => ("2018-01-01", ""),
        };
        let kind = if left.is_empty() { "" } else { "voluntary" };
        csv.push_str(&format!("S{i},Small,{hired},{left},{kind}\n"));
    }
    for i in 0..60 {
        let (left, kind) = if i < 9 {
            ("2025-01-31", "voluntary")
        } else {
            ("", "")
        };
        csv.push_str(&format!("B{i},Big,2018-01-01,{left},{kind}\n"));
    }
    csv
}

#[tokio::test]
async fn what_stands_out_names_the_figures_that_differ_most_each_with_a_suggestion() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, &small_and_big()).await;
    app.create_user("small@example.com", Role::Manager, &["Small"])
        .await;
    let manager = app.login("small@example.com").await;

    let html = manager.page("/teams/Small?period=2025-Q1", 200).await;

    assert_eq!(
        all_text(&html, "#stands-out li.standout .standout-sentence"),
        [
            "− worse Voluntary turnover was 50.0 % in 2025-Q1, ≈ 200 % a year (4 people left \
             by choice), against 0.0 % on average over the previous four quarters.",
            "− worse First-year turnover was 75.0 % in 2025-Q1 (3 of 4 leavers had been here \
             under a year), against 23.1 % for the organization.",
        ]
    );
    let suggestions = all_text(&html, "#stands-out li.standout .suggestion");
    assert_eq!(suggestions.len(), 2);
    assert!(
        suggestions[0]
            .starts_with("Suggested: More people chose to leave. Hold stay conversations"),
        "{suggestions:?}"
    );
    assert!(
        suggestions[1].starts_with("Suggested: Many leavers had been here under a year."),
        "{suggestions:?}"
    );
    assert!(class_of(&html, "#stands-out li.standout").contains("worse"));
    assert_eq!(count(&html, "#nothing-stands-out"), 0);
    assert_eq!(
        crate::support::attr(&html, "#stands-out .how a", "href"),
        "/help/playbook"
    );
    // The quarter's rate reads as a year's beside it.
    assert_eq!(
        text(&html, "#tile-voluntary_turnover_rate .per-year"),
        "≈ 200 % a year"
    );

    // The playbook the suggestions come from is a page.
    let playbook = manager.page("/help/playbook", 200).await;
    assert_eq!(text(&playbook, "#help h1"), "The managers' playbook");
    assert!(count(&playbook, "#help a[href='/help/metrics']") >= 1);

    // A quiet quarter: nothing stands out, and the page says so.
    let html = manager.page("/teams/Small?period=2024-Q3", 200).await;
    assert_eq!(count(&html, "#stands-out li.standout"), 0);
    assert_eq!(
        text(&html, "#nothing-stands-out"),
        "Nothing stands out in 2024-Q3: no figure differs by half or more from the \
         organization's or from the team's usual level, with two people or more behind the \
         difference."
    );
}
