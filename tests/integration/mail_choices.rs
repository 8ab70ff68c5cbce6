//! People choose what Attune sends them: the one-click unsubscribe link of every scheduled
//! message (signed, no sign-in), the Notifications page, and HR's e-mail page (schedule, test
//! messages, who receives what, history). Against a real SMTP server.

use std::time::Duration;

use attune::accounts::Role;
use attune::import::Kind;
use attune::mail::{digest, due};

use crate::smtp::{Options, Received, SmtpSink};
use crate::support::{TestApp, count, links_here, opt_out, send_all, text};

const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2025-01-01,,,60000
B1,Beta,2021-03-01,,,40000
";
/// Absences through June 2025: 2025-Q1 and 2025-Q2 are covered.
const ABSENCES: &str = "\
employee_id,start_date,end_date,days,type
A1,2025-03-06,2025-03-07,,Sick
B1,2025-06-10,2025-06-10,,Sick
";

async fn company() -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app.import(Kind::Absences, ABSENCES).await;
    app.create_user("hr@example.com", Role::Hr, &[]).await;
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    app.create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    links_here(&app).await;
    // These tests are about the summary's messages; the digest has its own (mail_digest.rs).
    opt_out(&app, "alpha@example.com", digest::DIGEST).await;
    app
}

async fn run_due(app: &TestApp, day: &str) -> due::Ran {
    due::run(&app.pool, day.parse().unwrap()).await.unwrap()
}

fn to(messages: &[Received], subject: &str) -> Vec<String> {
    let mut to: Vec<String> = messages
        .iter()
        .filter(|m| m.subject() == subject)
        .map(|m| m.rcpt_to.join(","))
        .collect();
    to.sort();
    to
}

async fn audited(app: &TestApp, action: &str) -> Vec<(String, serde_json::Value)> {
    sqlx::query_as(
        "select actor, detail from audit_event where action = $1 order by audit_event_id",
    )
    .bind(action)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_unsubscribe_link_of_a_message_stops_the_next_one_without_signing_in() {
    let app = company().await;
    let sink = SmtpSink::start(Options::default()).await;
    assert_eq!(run_due(&app, "2025-04-15").await.total(), 2);
    send_all(&app, &sink).await;
    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    let exec = received
        .iter()
        .find(|m| m.rcpt_to == ["exec@example.com"])
        .unwrap();

    // The link is in the List-Unsubscribe header (one-click), the text and the HTML.
    let header = exec.header("List-Unsubscribe").expect("List-Unsubscribe");
    let link = header
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    let prefix = app.url("/unsubscribe/");
    assert!(link.starts_with(&prefix), "{link}");
    assert!(link.contains("/summary.quarterly/"), "{link}");
    assert_eq!(
        exec.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(exec.text().contains(&link), "{}", exec.text());
    assert!(exec.html().unwrap().contains(&format!("href=\"{link}\"")));
    let path = link.trim_start_matches(&app.url(""));

    // Opening the link asks to confirm and changes nothing (mail scanners open links).
    let page = app.page(path, 200).await;
    assert_eq!(count(&page, "#unsubscribe-form"), 1);
    assert_eq!(text(&page, "h1"), "Quarterly summary");
    assert!(audited(&app, "mail.unsubscribe").await.is_empty());

    // A link whose signature was changed, or for another kind, is refused.
    let last = if path.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &path[..path.len() - 1]);
    let page = app.page(&forged, 404).await;
    assert_eq!(count(&page, "#unsubscribe-invalid"), 1);
    let other_kind = path.replace("summary.quarterly", "summary.waiting");
    app.page(&other_kind, 404).await;

    // The mail program's one-click POST (RFC 8058), without any cookie.
    let response = reqwest::Client::new()
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(
        text(&page, "#unsubscribed"),
        "You no longer receive “Quarterly summary” from Attune."
    );
    assert_eq!(
        audited(&app, "mail.unsubscribe").await,
        [(
            "exec@example.com".to_string(),
            serde_json::json!({ "kind": "summary.quarterly" })
        )]
    );
    // Again: nothing more changes, and the page says it is off.
    let page = app.page(path, 200).await;
    assert_eq!(count(&page, "#unsubscribed"), 1);

    // The next quarter's summary goes to HR only.
    assert_eq!(run_due(&app, "2025-07-15").await.total(), 1);
    send_all(&app, &sink).await;
    let received = sink.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(
        to(&received, "Quarterly summary 2025-Q2"),
        ["hr@example.com"]
    );
}

#[tokio::test]
async fn each_person_chooses_what_they_receive_on_their_notifications_page() {
    let app = company().await;
    let sink = SmtpSink::start(Options::default()).await;
    let hr = app.login("hr@example.com").await;

    let page = hr.page("/notifications", 200).await;
    assert_eq!(count(&page, "#notifications-form input[type=checkbox]"), 3);
    assert_eq!(count(&page, "#notifications-form input[checked]"), 3);
    // The manager receives the digest only, and turned it off.
    let manager = app.login("alpha@example.com").await;
    let page = manager.page("/notifications", 200).await;
    assert_eq!(count(&page, "#notifications-form input[type=checkbox]"), 1);
    assert_eq!(
        count(&page, r#"input[data-kind="digest.manager"]:not([checked])"#),
        1
    );
    // Not signed in: the sign-in page.
    assert_eq!(app.get("/notifications").await.status(), 303);

    // HR keeps only the "waits for data" message and the data reminder.
    let response = hr
        .post(
            "/notifications",
            &[("on", "summary.waiting"), ("on", "data.reminder")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = hr.page("/notifications?saved=1", 200).await;
    assert_eq!(
        count(&page, r#"input[data-kind="summary.quarterly"][checked]"#),
        0
    );
    assert_eq!(
        count(&page, r#"input[data-kind="summary.waiting"][checked]"#),
        1
    );
    assert_eq!(
        audited(&app, "mail.preferences").await,
        [(
            "hr@example.com".to_string(),
            serde_json::json!({ "on": [], "off": ["summary.quarterly"] })
        )]
    );
    // A forged form (no CSRF token) changes nothing.
    let forged = hr
        .post_raw("/notifications", &[("on", "summary.quarterly")])
        .await;
    assert_eq!(forged.status(), 403);

    assert_eq!(run_due(&app, "2025-04-15").await.total(), 1);
    send_all(&app, &sink).await;
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(
        to(&received, "Quarterly summary 2025-Q1"),
        ["exec@example.com"]
    );

    // HR sees who receives what.
    let page = hr.page("/admin/email", 200).await;
    let cells = |email: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(&format!(
            r#"#who-receives tr[data-email="{email}"] td.cell"#
        ))
        .unwrap();
        page.select(&selector)
            .map(|c| c.text().collect::<String>())
            .collect()
    };
    assert_eq!(cells("hr@example.com"), ["off", "on", "on", "—"]);
    assert_eq!(cells("exec@example.com"), ["on", "—", "—", "—"]);
    assert_eq!(cells("alpha@example.com"), ["—", "—", "—", "off"]);
}

#[tokio::test]
async fn hr_sets_the_schedule_sends_a_test_and_reads_the_history_without_content() {
    let app = company().await;
    let sink = SmtpSink::start(Options::default()).await;
    let hr = app.login("hr@example.com").await;
    for other in ["exec@example.com", "alpha@example.com"] {
        let browser = app.login(other).await;
        assert_eq!(browser.get("/admin/email").await.status(), 403, "{other}");
    }

    let page = hr.page("/admin/email", 200).await;
    assert_eq!(crate::support::attr(&page, "#time-zone", "value"), "UTC");
    assert_eq!(crate::support::attr(&page, "#summary-delay", "value"), "10");
    assert_eq!(count(&page, "#history-empty"), 1);

    // A time zone that does not exist is refused, with what was typed, and nothing changes.
    let response = hr
        .post(
            "/admin/email/schedule",
            &[
                ("time_zone", "Mars/Olympus"),
                ("summary_delay_days", "20"),
                ("digest_every", "month"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(
        text(&page, "#schedule-error").contains("\"Mars/Olympus\" is not a time zone"),
        "{}",
        text(&page, "#schedule-error")
    );
    assert_eq!(
        crate::support::attr(&page, "#time-zone", "value"),
        "Mars/Olympus"
    );
    let response = hr
        .post(
            "/admin/email/schedule",
            &[
                ("time_zone", "europe/paris"),
                ("summary_delay_days", "61"),
                ("digest_every", "month"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(audited(&app, "setting.change").await.is_empty());

    let response = hr
        .post(
            "/admin/email/schedule",
            &[
                ("time_zone", "europe/paris"),
                ("summary_delay_days", "20"),
                ("digest_every", "month"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let changes: Vec<serde_json::Value> = audited(&app, "setting.change")
        .await
        .into_iter()
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(
        changes,
        [
            serde_json::json!({ "key": "mail_time_zone", "from": "UTC", "to": "Europe/Paris" }),
            serde_json::json!({ "key": "summary_mail_delay_days", "from": 10, "to": 20 }),
        ]
    );
    let ran = run_due(&app, "2025-04-15").await;
    assert_eq!(ran.total(), 0);
    assert_eq!(
        ran.notes,
        ["The quarterly summary of 2025-Q1 is due on 2025-04-20."]
    );

    // "Send me a test now": to HR only, its subject says it is a test.
    let response = hr
        .post("/admin/email/test", &[("kind", "summary.quarterly")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(send_all(&app, &sink).await, 1);
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received[0].rcpt_to, ["hr@example.com"]);
    assert!(
        received[0]
            .subject()
            .starts_with("Test: Quarterly summary "),
        "{}",
        received[0].subject()
    );
    assert_eq!(received[0].parsed().attachment_count(), 1);
    let response = hr
        .post("/admin/email/test", &[("kind", "summary.waiting")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(send_all(&app, &sink).await, 1);
    let response = hr.post("/admin/email/test", &[("kind", "nothing")]).await;
    assert_eq!(response.status(), 400);
    assert_eq!(audited(&app, "mail.test").await.len(), 2);

    // The history: who received what kind, when; never the content.
    let page = hr.page("/admin/email", 200).await;
    assert_eq!(count(&page, "#history tbody tr"), 2);
    assert_eq!(text(&page, "#history tbody tr td.to"), "hr@example.com");
    assert_eq!(text(&page, "#history tbody tr td.status"), "sent");
    let html = page.html();
    assert!(!html.contains("worked here at the end"), "no content");
}
