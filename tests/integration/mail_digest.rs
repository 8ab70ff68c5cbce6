//! The managers' digest and HR's data reminder against a real SMTP server: the digest holds
//! exactly what each manager's team page shows in "What stands out" and "What changed" and
//! nothing it hides; a manager of two teams gets both; unsubscribing stops the next one; weekly
//! as HR's setting. The data reminder comes once per kind and last covered month. HR sends a
//! waiting summary anyway from the web.

use std::time::Duration;

use attune::accounts::Role;
use attune::db::settings;
use attune::import::Kind;
use attune::mail::digest::DIGEST;
use attune::mail::due::{self, DATA_REMINDER, SUMMARY};
use attune::period::Period;
use scraper::{ElementRef, Html, Selector};

use crate::smtp::{Options, Received, SmtpSink};
use crate::support::{TestApp, count, links_here, send_all, text};
use crate::surveys::{open_round, respond, tokens};

/// Alpha: ten people, three of whom left by choice in March 2025 (their salaries price the
/// turnover cost a manager may not see); Beta: four people (fewer than the minimum group of
/// five); Gamma: ten people; Delta: one person hired after March 2025.
fn roster() -> String {
    let mut csv = String::from(
        "employee_id,team,hire_date,email,termination_date,termination_type,annual_salary\n",
    );
    for i in 1..=10 {
        let left = if i > 7 { "2025-03-15,voluntary" } else { "," };
        csv.push_str(&format!(
            "A{i},Alpha,2020-01-01,a{i}@corp.example,{left},{}\n",
            50_000 + i * 1_000
        ));
    }
    for i in 1..=4 {
        csv.push_str(&format!("B{i},Beta,2020-01-01,b{i}@corp.example,,,40000\n"));
    }
    for i in 1..=10 {
        csv.push_str(&format!(
            "G{i},Gamma,2020-01-01,g{i}@corp.example,,,45000\n"
        ));
    }
    csv.push_str("D1,Delta,2025-06-01,d1@corp.example,,,45000\n");
    csv
}

/// Absences through March 2025, some of them in Alpha (an absence cost).
const ABSENCES: &str = "\
employee_id,start_date,end_date,days,type
A1,2025-03-03,2025-03-05,,Sick
G1,2025-03-20,2025-03-20,,Sick
";

async fn company() -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, &roster()).await;
    app.import(Kind::Absences, ABSENCES).await;
    app.create_user("ab@example.com", Role::Manager, &["Alpha", "Beta"])
        .await;
    app.create_user("gamma@example.com", Role::Manager, &["Delta", "Gamma"])
        .await;
    links_here(&app).await;
    app
}

async fn run_due(app: &TestApp, day: &str) -> due::Ran {
    due::run(&app.pool, day.parse().unwrap()).await.unwrap()
}

fn select<'a>(root: ElementRef<'a>, selector: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(selector).unwrap();
    root.select(&selector).collect()
}

fn words(element: ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// "What stands out" as (metric, sentence, suggestion), under `root`.
fn standouts(root: ElementRef) -> Vec<(String, String, String)> {
    select(root, "ol.standouts li.standout")
        .into_iter()
        .map(|li| {
            (
                li.value().attr("data-metric").unwrap_or("").to_string(),
                words(select(li, ".standout-sentence")[0]),
                words(select(li, ".suggestion")[0]),
            )
        })
        .collect()
}

/// The digest's section of `team`.
fn section<'a>(mail: &'a Html, team: &str) -> ElementRef<'a> {
    let found = select(
        mail.root_element(),
        &format!(r#"section.team[data-team="{team}"]"#),
    );
    assert_eq!(found.len(), 1, "{team}: {}", mail.html());
    found[0]
}

fn digests<'a>(received: &'a [Received], to: &str, subject: &str) -> Vec<&'a Received> {
    received
        .iter()
        .filter(|m| m.rcpt_to == [to] && m.subject() == subject)
        .collect()
}

#[tokio::test]
async fn the_digest_holds_what_the_team_page_shows_and_nothing_it_hides() {
    let app = company().await;
    let sink = SmtpSink::start(Options::default()).await;
    // An open survey round: 4 of Alpha's 7 answer, 3 of Beta's 4 (fewer than 5 invited:
    // withheld).
    let round = open_round(&app, 14).await;
    let mut answered = (0, 0);
    for (email, token) in tokens(&app, round).await {
        let (count, wanted) = match email.chars().next() {
            Some('a') => (&mut answered.0, 4),
            Some('b') => (&mut answered.1, 3),
            _ => continue,
        };
        if *count < wanted {
            let (status, _) = respond(&app, &token, &[("heard", "4")]).await;
            assert_eq!(status, 200);
            *count += 1;
        }
    }
    assert_eq!(answered, (4, 3));

    let ran = run_due(&app, "2025-04-01").await;
    assert_eq!(ran.of(DIGEST), 2, "{ran:?}");
    send_all(&app, &sink).await;
    // 22 invitations and 2 digests.
    let received = sink.wait_for(24, Duration::from_secs(10)).await;
    let ab = digests(&received, "ab@example.com", "Your teams in 2025-03");
    assert_eq!(ab.len(), 1, "one digest for the manager of two teams");
    let html = Html::parse_document(&ab[0].html().expect("an HTML body"));
    let plain = ab[0].text();

    // Both teams, each as the manager's own team page shows it.
    let manager = app.login("ab@example.com").await;
    for team in ["Alpha", "Beta"] {
        let page = manager
            .page(&format!("/teams/{team}?period=2025-03"), 200)
            .await;
        let mail = section(&html, team);
        assert_eq!(
            standouts(mail),
            standouts(page.root_element()),
            "{team}: the digest's \"What stands out\" is the page's"
        );
        assert_eq!(
            words(select(mail, "p.what-changed")[0]),
            words(select(page.root_element(), "#what-changed")[0]),
            "{team}"
        );
        let link = select(mail, "a.team-link")[0].value().attr("href").unwrap();
        assert_eq!(link, app.url(&format!("/teams/{team}?period=2025-03")));
        assert!(plain.contains(link), "{plain}");
    }
    // Something does stand out for Alpha: three people left by choice.
    let alpha = standouts(section(&html, "Alpha"));
    assert_eq!(alpha[0].0, "voluntary_turnover_rate", "{alpha:?}");
    assert!(
        plain.contains(&alpha[0].1.replace("− worse ", "")),
        "{plain}"
    );
    assert_eq!(
        count(
            &Html::parse_fragment(&section(&html, "Beta").html()),
            ".nothing-stands-out"
        ),
        1
    );

    // The survey: Alpha's participation; Beta's answers withheld (4 invited, fewer than 5).
    assert_eq!(
        words(select(section(&html, "Alpha"), "p.survey")[0]),
        format!(
            "The pulse survey is open until {}: 7 of the team were invited, 4 have answered \
             (57.1 %).",
            attune::present::day(crate::surveys::today() + chrono::Days::new(14))
        )
    );
    let beta = words(select(section(&html, "Beta"), "p.survey")[0]);
    assert!(beta.contains("withheld"), "{beta}");
    for hidden in ["3 have answered", "75.0 %"] {
        assert!(
            !plain.contains(hidden) && !html.html().contains(hidden),
            "{hidden}"
        );
    }

    // No salary-based figure: HR sees Alpha's turnover and absence costs; the digest does not.
    let mut conn = app.pool.acquire().await.unwrap();
    let report = attune::report::build(&mut conn, "2025-03".parse().unwrap(), Some("Alpha"))
        .await
        .unwrap();
    let costs = &report.teams["Alpha"].intermediate;
    for cost in [costs.turnover_cost, costs.absence_cost] {
        let shown = attune::present::money(cost.expect("HR sees the cost"), "USD");
        assert!(
            !plain.contains(&shown) && !html.html().contains(&shown),
            "{shown}"
        );
    }
    for label in [
        "Turnover cost",
        "Absence cost",
        "turnover cost",
        "absence cost",
    ] {
        assert!(!plain.contains(label), "{label}");
    }

    // The other manager gets their two teams only; Delta had nobody in March, and says so
    // as its page does.
    let gamma = digests(&received, "gamma@example.com", "Your teams in 2025-03");
    let gamma = Html::parse_document(&gamma[0].html().unwrap());
    assert_eq!(count(&gamma, "section.team"), 2);
    assert_eq!(count(&gamma, r#"section.team[data-team="Gamma"]"#), 1);
    assert_eq!(
        count(&gamma, r#"section.team[data-team="Delta"] .empty-team"#),
        1
    );
    assert_eq!(
        count(
            &gamma,
            r#"section.team[data-team="Delta"] .standouts, section.team[data-team="Delta"] .what-changed"#
        ),
        0
    );
    let delta = app
        .login("gamma@example.com")
        .await
        .page("/teams/Delta?period=2025-03", 200)
        .await;
    assert_eq!(count(&delta, "#empty-state"), 1);
    assert_eq!(count(&delta, "#stands-out"), 0);

    // Once per month, whatever runs again.
    assert_eq!(run_due(&app, "2025-04-20").await.of(DIGEST), 0);

    // Unsubscribing (the one-click POST of the mail program) stops the next digest.
    let link = ab[0].header("List-Unsubscribe").expect("List-Unsubscribe");
    let link = link.trim_start_matches('<').trim_end_matches('>');
    assert!(link.contains("/digest.manager/"), "{link}");
    let response = reqwest::Client::new()
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(run_due(&app, "2025-05-01").await.of(DIGEST), 1);
    send_all(&app, &sink).await;
    let may: Vec<String> = sink
        .messages()
        .iter()
        .filter(|m| m.subject() == "Your teams in 2025-04")
        .map(|m| m.rcpt_to.join(","))
        .collect();
    assert_eq!(may, ["gamma@example.com"]);
}

#[tokio::test]
async fn hr_makes_the_digest_weekly_and_it_comes_once_a_week() {
    let app = company().await;
    app.create_user("hr@example.com", Role::Hr, &[]).await;
    let hr = app.login("hr@example.com").await;
    let page = hr.page("/admin/email", 200).await;
    assert_eq!(
        count(&page, r#"#digest-every option[value="month"][selected]"#),
        1
    );
    let form = [
        ("time_zone", "UTC"),
        ("summary_delay_days", "10"),
        ("digest_every", "daily"),
    ];
    assert_eq!(hr.post("/admin/email/schedule", &form).await.status(), 400);
    let form = [
        ("time_zone", "UTC"),
        ("summary_delay_days", "10"),
        ("digest_every", "week"),
    ];
    assert_eq!(hr.post("/admin/email/schedule", &form).await.status(), 303);
    let audited: Vec<serde_json::Value> = sqlx::query_scalar(
        "select detail from audit_event where action = 'setting.change' order by audit_event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [serde_json::json!({ "key": "digest_mail_every", "from": "month", "to": "week" })]
    );

    // Monday 7 April, Wednesday 9 April (same week), Monday 14 April.
    let made: Vec<(String, String, usize)> = run_due(&app, "2025-04-07")
        .await
        .created
        .into_iter()
        .filter(|(kind, _, _)| kind == DIGEST)
        .collect();
    assert_eq!(made, [(DIGEST.to_string(), "2025-W15".to_string(), 2)]);
    assert_eq!(run_due(&app, "2025-04-09").await.of(DIGEST), 0);
    assert_eq!(run_due(&app, "2025-04-14").await.of(DIGEST), 2);

    // "Send me a test now" of the digest and of the data reminder: to HR only, as they would
    // be sent today (the absences end in March 2025, so they are missing since).
    sqlx::query("delete from mail_outbox")
        .execute(&app.pool)
        .await
        .unwrap();
    let sink = SmtpSink::start(Options::default()).await;
    for kind in [DIGEST, DATA_REMINDER] {
        let response = hr.post("/admin/email/test", &[("kind", kind)]).await;
        assert_eq!(response.status(), 303, "{kind}");
    }
    assert_eq!(send_all(&app, &sink).await, 2);
    let mut subjects: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| {
            assert_eq!(m.rcpt_to, ["hr@example.com"]);
            m.subject()
        })
        .collect();
    subjects.sort();
    assert!(
        subjects[0].starts_with("Test: Data missing: absences for 2025-04, "),
        "{subjects:?}"
    );
    assert!(
        subjects[1].starts_with("Test: Your teams in ")
            && subjects[1].ends_with("(as ab@example.com gets it)"),
        "{subjects:?}"
    );
}

/// A company with two HR users and data that ends on `absences`' last day.
async fn hr_company(absences: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, &roster()).await;
    app.import(Kind::Absences, absences).await;
    app.create_user("hr@example.com", Role::Hr, &[]).await;
    app.create_user("hr2@example.com", Role::Hr, &[]).await;
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    links_here(&app).await;
    app
}

fn reminders(received: &[Received]) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = received
        .iter()
        .filter(|m| m.subject().starts_with("Data missing"))
        .map(|m| (m.rcpt_to.join(","), m.subject(), m.text()))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn hr_is_reminded_once_of_data_that_ends_before_the_last_finished_month() {
    let app =
        hr_company("employee_id,start_date,end_date,days,type\nA1,2025-01-06,2025-01-07,,Sick\n")
            .await;
    let sink = SmtpSink::start(Options::default()).await;

    // 28 February: January is the last finished month, and the absences cover it.
    assert_eq!(run_due(&app, "2025-02-28").await.of(DATA_REMINDER), 0);
    // From 1 March, February is missing: each HR user is told once, not every day.
    assert_eq!(run_due(&app, "2025-03-01").await.of(DATA_REMINDER), 2);
    for day in ["2025-03-02", "2025-03-20", "2025-04-10"] {
        assert_eq!(run_due(&app, day).await.of(DATA_REMINDER), 0, "{day}");
    }
    send_all(&app, &sink).await;
    let found = reminders(&sink.messages());
    let to: Vec<&str> = found.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(to, ["hr2@example.com", "hr@example.com"]);
    assert_eq!(found[0].1, "Data missing: absences for 2025-02");
    assert!(
        found[0]
            .2
            .contains("Attune's absences data ends on 2025-01-31: there is none for 2025-02."),
        "{}",
        found[0].2
    );
    assert!(found[0].2.contains("/unsubscribe/"), "{}", found[0].2);

    // February's absences arrive, March's do not: one new reminder, for March.
    app.import(
        Kind::Absences,
        "employee_id,start_date,end_date,days,type\nB1,2025-02-10,2025-02-10,,Sick\n",
    )
    .await;
    assert_eq!(run_due(&app, "2025-04-10").await.of(DATA_REMINDER), 2);
    assert_eq!(run_due(&app, "2025-04-11").await.of(DATA_REMINDER), 0);
    send_all(&app, &sink).await;
    let found = reminders(&sink.messages());
    assert_eq!(found.len(), 4);
    assert!(
        found
            .iter()
            .any(|(_, subject, _)| subject == "Data missing: absences for 2025-03"),
        "{found:?}"
    );
}

#[tokio::test]
async fn hr_sends_a_waiting_summary_anyway_from_the_web_after_confirming() {
    // Absences end in 2020: whatever today is, the last quarter's summary waits.
    let app =
        hr_company("employee_id,start_date,end_date,days,type\nA1,2020-01-06,2020-01-07,,Sick\n")
            .await;
    app.create_user("ab@example.com", Role::Manager, &["Alpha"])
        .await;
    settings::set(
        &mut app.pool.acquire().await.unwrap(),
        due::SUMMARY_DELAY_DAYS,
        &0,
    )
    .await
    .unwrap();
    let sink = SmtpSink::start(Options::default()).await;
    let quarter = Period::latest_complete_quarter(chrono::Utc::now().date_naive()).to_string();
    let hr = app.login("hr@example.com").await;

    let page = hr.page("/admin/email", 200).await;
    assert_eq!(
        text(&page, "#waiting-title"),
        format!("The quarterly summary of {quarter} waits for data")
    );
    assert!(
        text(&page, "#missing-data").starts_with("absences (data ends 2020-01-31; missing"),
        "{}",
        text(&page, "#missing-data")
    );

    let form = [("quarter", quarter.as_str()), ("confirm", "yes")];
    // Not HR, no CSRF token, or not confirmed: refused, nothing sent, nothing audited.
    let manager = app.login("ab@example.com").await;
    assert_eq!(
        manager
            .post("/admin/email/send-anyway", &form)
            .await
            .status(),
        403
    );
    assert_eq!(
        hr.post_raw("/admin/email/send-anyway", &form)
            .await
            .status(),
        403
    );
    let unconfirmed = hr
        .post("/admin/email/send-anyway", &[("quarter", quarter.as_str())])
        .await;
    assert_eq!(unconfirmed.status(), 400);
    let summaries = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from mail_outbox where starts_with(dedupe_key, $1)",
        )
        .bind(format!("{SUMMARY}:{quarter}:"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert_eq!(summaries().await, 0);

    // Confirmed: the summary is made at once for HR and the executive, audited once.
    let response = hr.post("/admin/email/send-anyway", &form).await;
    assert_eq!(response.status(), 303);
    assert_eq!(summaries().await, 3);
    let audited: Vec<serde_json::Value> = sqlx::query_scalar(
        "select detail from audit_event where action = 'mail.summary_send_anyway'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, [serde_json::json!({ "period": quarter })]);
    send_all(&app, &sink).await;
    let subject = format!("Quarterly summary {quarter}");
    let received: Vec<Received> = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject() == subject)
        .collect();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|m| m.parsed().attachment_count() == 1));

    // It no longer waits; a second press finds nothing to send.
    let page = hr
        .page(&format!("/admin/email?released={quarter}"), 200)
        .await;
    assert_eq!(count(&page, "#summary-waiting"), 0);
    assert_eq!(
        hr.post("/admin/email/send-anyway", &form).await.status(),
        409
    );
}
