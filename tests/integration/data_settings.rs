//! HR's data page (coverage per kind and month, warnings) and the figures' settings
//! (validation, storage, audit), parsed and checked with CSS selectors.

use attune::accounts::Role;
use attune::import::Kind;
use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Value, json};

use crate::support::{TestApp, attr, count, text};
use crate::team_pages::figures_form;

fn all_text(html: &scraper::Html, selector: &str) -> Vec<String> {
    let parsed = scraper::Selector::parse(selector).unwrap();
    html.select(&parsed)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// The first day of the month `back` months before the current one.
fn month(back: u32) -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap() - Months::new(back)
}

#[tokio::test]
async fn the_data_page_counts_rows_per_kind_and_month_and_flags_what_is_missing() {
    let app = TestApp::spawn().await;
    // Alpha: two people, one without a salary. Beta: one. Gamma: only a former employee.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2020-01-01,,,
B1,Beta,2020-01-01,,,40000
G1,Gamma,2020-01-01,2023-01-31,voluntary,
",
    )
    .await;
    let (this, last, before) = (month(0), month(1), month(2));
    app.import(
        Kind::Pulse,
        &format!(
            "submitted_at,team,heard,supported,valued,enps
{this},Alpha,5,4,4,10
{this},Alpha,4,4,3,9
{before},Gamma,3,3,3,5
"
        ),
    )
    .await;
    app.import(
        Kind::Csat,
        &format!(
            "responded_at,team,score
{before},Alpha,5
{before},Alpha,4
{before},Beta,2
"
        ),
    )
    .await;
    app.create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    // A disabled manager does not count as Beta's manager.
    let gone = app
        .create_user("gone@example.com", Role::Manager, &["Beta"])
        .await;
    let mut conn = app.pool.acquire().await.unwrap();
    attune::db::users::disable(&mut conn, gone).await.unwrap();
    let hr = app.login_hr().await;

    let html = hr.page("/admin/data", 200).await;

    assert_eq!(count(&html, "#coverage thead th"), 13);
    let cell = |kind: &str, back: usize| {
        format!(
            r#"#coverage tr[data-kind="{kind}"] td:nth-last-child({})"#,
            back + 1
        )
    };
    // Employed on the month's last day: A1, A2 and B1.
    assert_eq!(text(&html, &cell("employees", 0)), "3");
    assert_eq!(text(&html, &cell("pulse", 0)), "2");
    assert_eq!(text(&html, &cell("pulse", 1)), "⚠ none");
    assert!(attr(&html, &cell("pulse", 1), "class").contains("missing"));
    assert_eq!(text(&html, &cell("pulse", 2)), "1");
    assert_eq!(text(&html, &cell("csat", 2)), "3");
    assert_eq!(text(&html, &cell("csat", 0)), "⚠ none");
    // Absences are not expected every month: a quiet month is a 0, not a warning.
    assert_eq!(text(&html, &cell("absences", 0)), "0");
    assert!(!attr(&html, &cell("absences", 0), "class").contains("missing"));
    let gaps = all_text(&html, "#coverage-gaps li");
    assert_eq!(gaps.len(), 2);
    let label = |m: NaiveDate| m.format("%b %Y").to_string();
    assert!(gaps[0].starts_with("CSAT responses: none in "), "{gaps:?}");
    assert!(gaps[0].contains(&label(this)) && !gaps[0].contains(&label(before)));
    assert!(gaps[1].starts_with("Pulse responses: none in "), "{gaps:?}");
    assert!(gaps[1].contains(&label(last)) && !gaps[1].contains(&label(this)));

    assert_eq!(
        all_text(&html, "#teams-without-manager li"),
        ["Beta", "Gamma"]
    );
    assert_eq!(all_text(&html, "#orphan-responses tbody tr th"), ["Gamma"]);
    assert_eq!(text(&html, "#orphan-responses td.pulse"), "1");
    assert_eq!(text(&html, "#orphan-responses td.csat"), "0");
    assert_eq!(text(&html, "#without-salary-total"), "2");
    assert_eq!(
        all_text(&html, "#without-salary tbody th"),
        ["Alpha", "Gamma"]
    );
    assert_eq!(all_text(&html, "#without-salary td.current"), ["1", "0"]);
    assert_eq!(all_text(&html, "#without-salary td.former"), ["0", "1"]);
}

#[tokio::test]
async fn an_empty_database_says_what_to_import() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let html = hr.page("/admin/data", 200).await;
    assert_eq!(count(&html, "#empty-state"), 1);
    assert_eq!(count(&html, "#coverage"), 0);
    assert_eq!(count(&html, "#no-missing-salaries"), 1);
}

async fn setting_changes(app: &TestApp) -> Vec<(String, Value, Value)> {
    sqlx::query_as(
        "select detail->>'key', detail->'from', detail->'to' from audit_event
         where action = 'setting.change' order by audit_event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn hr_sets_the_figures_settings_and_each_change_is_audited() {
    let app = TestApp::spawn().await;
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2020-01-01,2025-02-14,voluntary,60000
",
    )
    .await;
    let hr = app.login_hr().await;
    let page = hr.page("/admin/settings", 200).await;
    assert_eq!(attr(&page, "#turnover-cost-factor", "value"), "0.21");
    assert_eq!(attr(&page, "#currency", "value"), "USD");
    assert_eq!(
        attr(&page, "#work-week option[selected]", "value"),
        "mon-fri"
    );
    assert_eq!(attr(&page, "#weight-favorability", "value"), "30");

    let response = hr
        .post(
            "/admin/settings/figures",
            &figures_form(&[
                ("turnover_cost_factor", "0,5"),
                ("currency", " gbp "),
                ("work_week", "sun-thu"),
                ("weight_csat", "0"),
            ]),
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/settings?saved=1");

    let page = hr.page("/admin/settings?saved=1", 200).await;
    assert_eq!(text(&page, "#settings-message"), "Saved.");
    assert_eq!(attr(&page, "#turnover-cost-factor", "value"), "0.5");
    assert_eq!(attr(&page, "#currency", "value"), "GBP");
    assert_eq!(
        attr(&page, "#work-week option[selected]", "value"),
        "sun-thu"
    );
    assert_eq!(attr(&page, "#weight-csat", "value"), "0");
    assert_eq!(
        setting_changes(&app).await,
        [
            ("turnover_cost_factor".into(), json!(0.21), json!(0.5)),
            (
                "empathy_weights".into(),
                json!({"empathy_favorability": 30.0, "enps": 15.0, "voluntary_turnover": 20.0,
                       "absenteeism": 10.0, "promotion": 10.0, "csat": 15.0}),
                json!({"empathy_favorability": 30.0, "enps": 15.0, "voluntary_turnover": 20.0,
                       "absenteeism": 10.0, "promotion": 10.0, "csat": 0.0}),
            ),
            ("currency".into(), json!("USD"), json!("GBP")),
            ("work_week".into(), json!("mon-fri"), json!("sun-thu")),
        ]
    );

    // The factor and the currency reach the figures: 0.5 × 60,000.
    let team = hr.page("/teams/Alpha?period=2025-Q1", 200).await;
    assert_eq!(
        text(
            &team,
            r#"#intermediate tr[data-metric="turnover_cost"] td.value .shown"#
        ),
        "£30,000"
    );

    // Saving the same values again records nothing.
    let again = hr
        .post(
            "/admin/settings/figures",
            &figures_form(&[
                ("turnover_cost_factor", "0.5"),
                ("currency", "GBP"),
                ("work_week", "sun-thu"),
                ("weight_csat", "0"),
            ]),
        )
        .await;
    assert_eq!(again.status(), 303);
    assert_eq!(setting_changes(&app).await.len(), 4);
}

#[tokio::test]
async fn a_refused_figures_form_says_why_keeps_what_was_typed_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let before = crate::access::snapshot(&app).await;
    let cases: [(&[(&'static str, &'static str)], &str); 6] = [
        (
            &[("turnover_cost_factor", "-0.1")],
            "The turnover cost factor must be between 0 and 5 (a share of annual salary: 0.21 is 21 %).",
        ),
        (
            &[("turnover_cost_factor", "21%")],
            "The turnover cost factor must be a number such as 0.21, not \"21%\".",
        ),
        (
            &[
                ("weight_empathy_favorability", "0"),
                ("weight_enps", "0"),
                ("weight_voluntary_turnover", "0"),
                ("weight_absenteeism", "0"),
                ("weight_promotion", "0"),
                ("weight_csat", "0"),
            ],
            "At least one empathy index weight must be above 0, or the index could never be computed.",
        ),
        (
            &[("weight_enps", "-5")],
            "The weight of eNPS must be between 0 and 1000.",
        ),
        (
            &[("currency", "EURO")],
            "The currency must be a three-letter ISO code such as EUR, USD or GBP, not \"EURO\".",
        ),
        (
            &[("work_week", "tue-sat")],
            "\"tue-sat\" is not a work week Attune knows.",
        ),
    ];
    for (changes, message) in cases {
        let response = hr
            .post("/admin/settings/figures", &figures_form(changes))
            .await;
        assert_eq!(response.status(), 400, "{changes:?}");
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            text(&html, "#figures-error"),
            format!("{message} Nothing was changed."),
            "{changes:?}"
        );
        if let [("turnover_cost_factor", typed)] = changes {
            assert_eq!(attr(&html, "#turnover-cost-factor", "value"), *typed);
        }
    }
    // Without the session's CSRF token: refused too.
    let forged = hr
        .post_raw(
            "/admin/settings/figures",
            &figures_form(&[("currency", "EUR")]),
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(crate::access::snapshot(&app).await, before);
    assert!(setting_changes(&app).await.is_empty());
}
