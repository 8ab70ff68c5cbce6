//! Scheduled e-mail against a real SMTP server: the quarterly summary arrives on its day in the
//! organization's time zone (the clock is set, not waited for), with its PDF attached, once even
//! with two instances; it waits while data is missing and HR is told; `attune mail run-due`.

use std::time::Duration;

use attune::accounts::Role;
use attune::db::settings;
use attune::import::Kind;
use attune::mail::digest;
use attune::mail::due::{self, Clock};
use chrono::{DateTime, NaiveDate, Utc};
use mail_parser::MimeHeaders;

use crate::smtp::{Options, SmtpSink};
use crate::support::{TestApp, attune_command, opt_out, send_all};

const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type,annual_salary
A1,Alpha,2020-01-01,,,50000
A2,Alpha,2025-01-01,,,60000
A3,Alpha,2019-06-01,2025-03-31,voluntary,100000
B1,Beta,2021-03-01,,,40000
B2,Beta,2022-01-01,,,40000
";
/// Absences up to March: they cover 2025-Q1.
const ABSENCES_TO_MARCH: &str = "\
employee_id,start_date,end_date,days,type
A1,2025-01-06,2025-01-07,,Sick
B1,2025-03-10,2025-03-10,,Sick
";
/// Absences that end in January: February and March are missing.
const ABSENCES_TO_JANUARY: &str = "\
employee_id,start_date,end_date,days,type
A1,2025-01-06,2025-01-07,,Sick
";

/// A company with HR, an executive, a manager and a disabled executive, where only the
/// summary's messages are on (the digest and the data reminder have their own tests).
async fn company(absences: &str) -> TestApp {
    let app = everyone(absences).await;
    opt_out(&app, "alpha@example.com", digest::DIGEST).await;
    opt_out(&app, "hr@example.com", due::DATA_REMINDER).await;
    app
}

/// A company with HR, an executive, a manager and a disabled executive.
async fn everyone(absences: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app.import(Kind::Absences, absences).await;
    app.create_user("hr@example.com", Role::Hr, &[]).await;
    app.create_user("Exec@Example.com", Role::Executive, &[])
        .await;
    app.create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    let gone = app
        .create_user("gone@example.com", Role::Executive, &[])
        .await;
    attune::db::users::disable(&mut app.pool.acquire().await.unwrap(), gone)
        .await
        .unwrap();
    app
}

fn at(text: &str) -> Clock {
    Clock::Fixed(text.parse::<DateTime<Utc>>().unwrap())
}

async fn today(app: &TestApp, clock: &Clock) -> NaiveDate {
    due::today(&mut app.pool.acquire().await.unwrap(), clock)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_summary_arrives_on_its_day_in_the_org_time_zone_with_its_pdf_once() {
    let app = company(ABSENCES_TO_MARCH).await;
    let sink = SmtpSink::start(Options::default()).await;
    {
        let mut conn = app.pool.acquire().await.unwrap();
        let zone = due::parse_time_zone(&mut conn, "pacific/auckland")
            .await
            .unwrap();
        assert_eq!(zone, "Pacific/Auckland");
        settings::set(&mut conn, due::TIME_ZONE, &zone)
            .await
            .unwrap();
    }

    // 2025-Q1 ends on 31 March; with the default delay of 10 days it is due on 10 April. At
    // 11:30 UTC on 9 April it is 23:30 in Auckland (UTC+12): not yet.
    let before = today(&app, &at("2025-04-09T11:30:00Z")).await;
    assert_eq!(before, "2025-04-09".parse::<NaiveDate>().unwrap());
    let ran = due::run(&app.pool, before).await.unwrap();
    assert_eq!(ran.total(), 0);
    assert_eq!(
        ran.notes,
        ["The quarterly summary of 2025-Q1 is due on 2025-04-10."]
    );

    // An hour later it is 10 April in Auckland, though still 9 April in UTC. Two instances run
    // at once: each message is created once.
    let due_day = today(&app, &at("2025-04-09T12:30:00Z")).await;
    assert_eq!(due_day, "2025-04-10".parse::<NaiveDate>().unwrap());
    let (first, second) = tokio::join!(due::run(&app.pool, due_day), due::run(&app.pool, due_day));
    assert_eq!(first.unwrap().total() + second.unwrap().total(), 2);
    assert_eq!(send_all(&app, &sink).await, 2);

    let received = sink.wait_for(2, Duration::from_secs(10)).await;
    let mut to: Vec<String> = received.iter().map(|m| m.rcpt_to.join(",")).collect();
    to.sort();
    // HR and the executive; not the manager, not the disabled account.
    assert_eq!(to, ["Exec@Example.com", "hr@example.com"]);
    for mail in &received {
        assert_eq!(mail.subject(), "Quarterly summary 2025-Q1");
        let html = mail.html().expect("an HTML body");
        assert!(html.contains("<h1>Quarterly summary</h1>"), "{html}");
        assert!(html.contains(r#"<strong id="period">2025-Q1</strong>"#));
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"/static"),
            "nothing is loaded from elsewhere"
        );
        let text = mail.text();
        assert!(
            text.contains("5 people worked here at the end of the quarter"),
            "{text}"
        );
        let parsed = mail.parsed();
        let pdf = parsed.attachment(0).expect("the PDF is attached");
        assert_eq!(pdf.attachment_name(), Some("attune-summary-2025-Q1.pdf"));
        assert_eq!(
            pdf.content_type()
                .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""))),
            Some("application/pdf".to_string())
        );
        let pdf_text = pdf_extract::extract_text_from_mem(pdf.contents()).expect("a PDF");
        assert!(pdf_text.contains("2025-Q1"), "{pdf_text}");
        assert!(pdf_text.contains("Quarterly summary"), "{pdf_text}");
    }

    // Later runs of the same quarter, after a restart or on later days, send nothing more.
    for day in ["2025-04-10", "2025-05-20"] {
        let ran = due::run(&app.pool, day.parse().unwrap()).await.unwrap();
        assert_eq!(ran.total(), 0, "{day}");
    }
    assert_eq!(send_all(&app, &sink).await, 0);
    assert_eq!(sink.messages().len(), 2);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_event where action = 'mail.scheduled'
         and detail->>'kind' = 'summary.quarterly' and detail->>'period' = '2025-Q1'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn the_summary_waits_while_data_is_missing_hr_is_told_once_and_it_goes_when_data_arrives() {
    let app = company(ABSENCES_TO_JANUARY).await;
    let sink = SmtpSink::start(Options::default()).await;
    let day: NaiveDate = "2025-04-15".parse().unwrap();

    for _ in 0..2 {
        due::run(&app.pool, day).await.unwrap();
    }
    assert_eq!(send_all(&app, &sink).await, 1);
    let received = sink.messages();
    assert_eq!(received[0].rcpt_to, ["hr@example.com"]);
    assert_eq!(
        received[0].subject(),
        "The quarterly summary 2025-Q1 waits for data"
    );
    let text = received[0].text();
    assert!(
        text.contains("absences (data ends 2025-01-31; missing 2025-02, 2025-03)"),
        "{text}"
    );

    // The March absences arrive: the summary goes out at the next run.
    app.import(
        Kind::Absences,
        "employee_id,start_date,end_date,days,type\nB1,2025-03-10,2025-03-10,,Sick\n",
    )
    .await;
    let ran = due::run(&app.pool, day).await.unwrap();
    assert_eq!(ran.total(), 2, "{ran:?}");
    assert_eq!(send_all(&app, &sink).await, 2);
    let subjects: Vec<String> = sink.messages().iter().map(|m| m.subject()).collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| *s == "Quarterly summary 2025-Q1")
            .count(),
        2
    );
}

/// `attune mail run-due` as cron runs it: two processes at once, then once more.
fn run_due(app: &TestApp, sink: &SmtpSink, args: &[&str]) -> std::process::Child {
    attune_command()
        .env("DATABASE_URL", &app.database_url)
        .env("ATTUNE_SMTP_URL", sink.url())
        .env("ATTUNE_MAIL_FROM", "Attune <attune@example.org>")
        .args(["mail", "run-due"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run attune")
}

#[tokio::test]
async fn run_due_from_the_command_line_sends_once_and_send_anyway_releases_a_waiting_summary() {
    let app = company(ABSENCES_TO_JANUARY).await;
    let sink = SmtpSink::start(Options::default()).await;

    // Too early: nothing is due.
    let early = run_due(&app, &sink, &["--as-of", "2025-04-05"])
        .wait_with_output()
        .unwrap();
    assert!(early.status.success(), "{early:?}");
    let stdout = String::from_utf8_lossy(&early.stdout);
    assert!(
        stdout.contains("The quarterly summary of 2025-Q1 is due on 2025-04-10."),
        "{stdout}"
    );
    assert!(stdout.contains("Sent 0 messages"), "{stdout}");

    // Due but waiting: two instances at once tell HR once.
    let a = run_due(&app, &sink, &["--as-of", "2025-04-12"]);
    let b = run_due(&app, &sink, &["--as-of", "2025-04-12"]);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    assert_eq!(sink.messages().len(), 1);

    // HR sends it anyway: two instances again, each person gets it once.
    let a = run_due(&app, &sink, &["--as-of", "2025-04-12", "--send-anyway"]);
    let b = run_due(&app, &sink, &["--as-of", "2025-04-12"]);
    let mut stdout = String::new();
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        stdout.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    assert!(
        stdout.contains("The quarterly summary of 2025-Q1 goes out even if data is missing."),
        "{stdout}"
    );
    let received = sink.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 3);
    let summaries: Vec<&crate::smtp::Received> = received
        .iter()
        .filter(|m| m.subject() == "Quarterly summary 2025-Q1")
        .collect();
    assert_eq!(summaries.len(), 2);
    assert!(summaries.iter().all(|m| m.parsed().attachment_count() == 1));
    let again = run_due(&app, &sink, &["--as-of", "2025-04-20"])
        .wait_with_output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
    assert_eq!(sink.messages().len(), 3);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_event where action = 'mail.summary_send_anyway'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn the_summary_waits_for_coverage_so_a_file_that_states_it_covers_the_quarter_releases_it() {
    let app = company(ABSENCES_TO_JANUARY).await;
    let day: NaiveDate = "2025-04-15".parse().unwrap();
    let waiting = due::run(&app.pool, day).await.unwrap();
    assert_eq!(waiting.of(due::SUMMARY), 0, "{waiting:?}");

    // A file with one absence in January that says it covers the whole quarter (nobody else
    // was absent): the absences now end on 31 March, and the summary goes out.
    let out = app.cli_with_file(
        &["import", "absences", "--covers", "2025-01..2025-03"],
        "absences.csv",
        b"employee_id,start_date,end_date,days,type\nB2,2025-01-20,2025-01-20,,Sick\n",
    );
    assert!(out.status.success(), "{out:?}");
    let ran = due::run(&app.pool, day).await.unwrap();
    assert_eq!(ran.of(due::SUMMARY), 2, "{ran:?}");
}
