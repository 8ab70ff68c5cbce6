//! The e-mail outbox and its worker against a real SMTP server on loopback: what arrives, TLS
//! and login, retries, the rate limit, several workers at once, and a server killed mid-send.

use std::time::Duration;

use attune::db::outbox::{self, Attachment, NewMessage};
use attune::mail::worker::{self, Step, WorkerConfig};
use mail_parser::MimeHeaders;

use crate::smtp::{Options, SmtpSink};
use crate::support::TestApp;

fn message(n: usize) -> NewMessage {
    NewMessage {
        kind: "test.note".into(),
        dedupe_key: format!("test.note:{n}"),
        recipient: format!("person{n}@example.com"),
        subject: format!("Note {n}"),
        text: format!("Plain note number {n}."),
        html: None,
        headers: vec![],
        attachments: vec![],
    }
}

async fn enqueue(app: &TestApp, messages: &[NewMessage]) -> u64 {
    let mut conn = app.pool.acquire().await.unwrap();
    outbox::enqueue(&mut conn, messages).await.unwrap()
}

async fn status_of(app: &TestApp, key: &str) -> (String, i32, Option<String>) {
    sqlx::query_as("select status, attempts, last_error from mail_outbox where dedupe_key = $1")
        .bind(key)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_message_arrives_whole_and_its_content_is_not_kept_once_sent() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start(Options {
        login: Some(("attune".into(), "s3cret pass".into())),
        ..Options::default()
    })
    .await;
    let mut note = message(1);
    note.html = Some("<p>Rich <strong>note</strong>.</p>".into());
    note.headers = vec![(
        "List-Unsubscribe".into(),
        "<https://attune.example.org/unsubscribe/x>".into(),
    )];
    note.attachments = vec![Attachment {
        file_name: "summary.pdf".into(),
        content_type: "application/pdf".into(),
        content: b"%PDF-1.7 test".to_vec(),
    }];
    assert_eq!(enqueue(&app, &[note]).await, 1);

    let step = worker::step(&app.pool, &sink.mailer(), &WorkerConfig::default())
        .await
        .unwrap();
    assert!(matches!(step, Step::Sent { .. }), "{step:?}");

    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    let mail = &received[0];
    assert_eq!(mail.rcpt_to, ["person1@example.com"]);
    assert_eq!(mail.subject(), "Note 1");
    assert_eq!(mail.text().trim(), "Plain note number 1.");
    assert_eq!(
        mail.html().unwrap().trim(),
        "<p>Rich <strong>note</strong>.</p>"
    );
    assert_eq!(
        mail.header("List-Unsubscribe").as_deref(),
        Some("<https://attune.example.org/unsubscribe/x>")
    );
    let parsed = mail.parsed();
    let attachment = parsed.attachment(0).expect("the PDF is attached");
    assert_eq!(attachment.attachment_name(), Some("summary.pdf"));
    assert_eq!(attachment.contents(), b"%PDF-1.7 test");
    assert_eq!(
        parsed.from().unwrap().first().unwrap().address(),
        Some("attune@example.org")
    );

    let (status, attempts, error) = status_of(&app, "test.note:1").await;
    assert_eq!((status.as_str(), attempts, error), ("sent", 1, None));
    let (text, html, files): (Option<String>, Option<String>, i64) = sqlx::query_as(
        "select body_text, body_html, (select count(*) from mail_attachment) from mail_outbox",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((text, html, files), (None, None, 0));

    let idle = worker::step(&app.pool, &sink.mailer(), &WorkerConfig::default())
        .await
        .unwrap();
    assert_eq!(idle, Step::Idle);
}

#[tokio::test]
async fn smtps_and_starttls_deliver_to_a_server_whose_authority_is_trusted() {
    let app = TestApp::spawn().await;
    for (n, mode) in [(1, "smtps"), (2, "starttls")] {
        let sink = SmtpSink::start(Options {
            login: Some(("attune".into(), "pw".into())),
            tls: Some(mode),
            ..Options::default()
        })
        .await;
        enqueue(&app, &[message(n)]).await;
        let step = worker::step(&app.pool, &sink.mailer(), &WorkerConfig::default())
            .await
            .unwrap();
        assert!(matches!(step, Step::Sent { .. }), "{mode}: {step:?}");
        let received = sink.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(
            received[0].rcpt_to,
            [format!("person{n}@example.com")],
            "{mode}"
        );

        // Without the company's CA the server's certificate is not trusted: nothing is sent.
        enqueue(&app, &[message(n + 10)]).await;
        let untrusting = attune::mail::Mailer::new(&sink.url(), "a@example.org", None).unwrap();
        let step = worker::step(&app.pool, &untrusting, &WorkerConfig::default())
            .await
            .unwrap();
        assert!(matches!(step, Step::Failed { .. }), "{mode}: {step:?}");
        assert_eq!(sink.messages().len(), 1, "{mode}");
    }
}

#[tokio::test]
async fn a_wrong_password_is_a_failure_that_names_the_cause() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start(Options {
        login: Some(("attune".into(), "right".into())),
        ..Options::default()
    })
    .await;
    enqueue(&app, &[message(1)]).await;
    let wrong = attune::mail::Mailer::new(
        &format!("smtp://attune:wrong@127.0.0.1:{}", sink.port),
        "a@example.org",
        None,
    )
    .unwrap();
    let step = worker::step(&app.pool, &wrong, &WorkerConfig::default())
        .await
        .unwrap();
    let Step::Failed { error, .. } = step else {
        panic!("{step:?}")
    };
    assert!(error.contains("535"), "{error}");
    assert!(sink.messages().is_empty());
    let (status, attempts, _) = status_of(&app, "test.note:1").await;
    assert_eq!(
        (status.as_str(), attempts),
        ("queued", 1),
        "a refused login is the settings' fault, not the message's: it is retried"
    );
}

#[tokio::test]
async fn a_transient_refusal_is_retried_later_and_a_permanent_one_fails_with_the_servers_words() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start(Options {
        fail_first: 1,
        reject: vec!["person2@example.com".into()],
        ..Options::default()
    })
    .await;
    let config = WorkerConfig {
        retry_after: Duration::from_secs(1),
        ..WorkerConfig::default()
    };
    enqueue(&app, &[message(1)]).await;
    let mailer = sink.mailer();

    let step = worker::step(&app.pool, &mailer, &config).await.unwrap();
    assert!(matches!(step, Step::Failed { .. }), "{step:?}");
    let (status, attempts, error) = status_of(&app, "test.note:1").await;
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.unwrap().contains("451"));
    // Not due again before its delay.
    assert_eq!(
        worker::step(&app.pool, &mailer, &config).await.unwrap(),
        Step::Idle
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let step = worker::step(&app.pool, &mailer, &config).await.unwrap();
    assert!(matches!(step, Step::Sent { .. }), "{step:?}");
    assert_eq!(status_of(&app, "test.note:1").await.0, "sent");

    enqueue(&app, &[message(2)]).await;
    let step = worker::step(&app.pool, &mailer, &config).await.unwrap();
    assert!(matches!(step, Step::Failed { .. }), "{step:?}");
    let (status, attempts, error) = status_of(&app, "test.note:2").await;
    assert_eq!((status.as_str(), attempts), ("failed", 1));
    assert!(error.unwrap().contains("No such user here"));
    assert_eq!(
        worker::step(&app.pool, &mailer, &config).await.unwrap(),
        Step::Idle
    );

    // HR retries it: it is queued again (and refused again by this server).
    let id: i64 = sqlx::query_scalar(
        "select mail_outbox_id from mail_outbox where dedupe_key = 'test.note:2'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    assert!(outbox::retry(&mut conn, id).await.unwrap());
    assert!(
        !outbox::retry(&mut conn, id).await.unwrap(),
        "only failed messages are retried"
    );
    assert_eq!(status_of(&app, "test.note:2").await.0, "queued");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn queuing_the_same_key_twice_sends_one_message() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start(Options::default()).await;
    assert_eq!(enqueue(&app, &[message(1), message(2)]).await, 2);
    assert_eq!(enqueue(&app, &[message(1)]).await, 0);
    let mailer = sink.mailer();
    let config = WorkerConfig::default();
    while worker::step(&app.pool, &mailer, &config).await.unwrap() != Step::Idle {}
    let received = sink.messages();
    assert_eq!(received.len(), 2);
    assert_eq!(
        enqueue(&app, &[message(1)]).await,
        0,
        "not even after it was sent"
    );
}

#[tokio::test]
async fn the_rate_limit_holds_back_what_exceeds_the_minutes_allowance() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start(Options::default()).await;
    let mut conn = app.pool.acquire().await.unwrap();
    attune::db::settings::set_i64(&mut conn, worker::PER_MINUTE, 3)
        .await
        .unwrap();
    enqueue(&app, &(1..=5).map(message).collect::<Vec<_>>()).await;
    let mailer = sink.mailer();
    let config = WorkerConfig::default();
    for _ in 0..3 {
        let step = worker::step(&app.pool, &mailer, &config).await.unwrap();
        assert!(matches!(step, Step::Sent { .. }), "{step:?}");
    }
    let step = worker::step(&app.pool, &mailer, &config).await.unwrap();
    let Step::Throttled { wait_ms } = step else {
        panic!("{step:?}")
    };
    assert!((50..=60_000).contains(&wait_ms), "{wait_ms}");
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(outbox::counts(&mut conn).await.unwrap().queued, 2);
}

#[tokio::test]
async fn several_workers_at_once_send_each_message_exactly_once() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start(Options::default()).await;
    let mut conn = app.pool.acquire().await.unwrap();
    attune::db::settings::set_i64(&mut conn, worker::PER_MINUTE, 10_000)
        .await
        .unwrap();
    let total = 60;
    enqueue(&app, &(1..=total).map(message).collect::<Vec<_>>()).await;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        // Each worker has a pool of its own, as separate instances would.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(&app.database_url)
            .await
            .unwrap();
        let mailer = sink.mailer();
        workers.spawn(async move {
            let mut sent = 0;
            while let Step::Sent { .. } = worker::step(&pool, &mailer, &WorkerConfig::default())
                .await
                .unwrap()
            {
                sent += 1;
            }
            sent
        });
    }
    let mut sent_by_each = Vec::new();
    while let Some(sent) = workers.join_next().await {
        sent_by_each.push(sent.unwrap());
    }
    assert_eq!(sent_by_each.iter().sum::<usize>(), total);
    let mut recipients: Vec<String> = sink
        .messages()
        .into_iter()
        .flat_map(|m| m.rcpt_to)
        .collect();
    recipients.sort();
    let mut expected: Vec<String> = (1..=total)
        .map(|n| format!("person{n}@example.com"))
        .collect();
    expected.sort();
    assert_eq!(recipients, expected);
}

#[tokio::test]
async fn a_server_killed_mid_send_sends_every_message_exactly_once_after_restart() {
    let app = TestApp::spawn().await;
    // Each message takes the server 100 ms, so the kill lands in the middle of sending.
    let sink = SmtpSink::start(Options {
        delay_ms: 100,
        ..Options::default()
    })
    .await;
    let total = 20;
    enqueue(&app, &(1..=total).map(message).collect::<Vec<_>>()).await;
    let mut first = sink.serve(&app.database_url);
    sink.wait_for(5, Duration::from_secs(60)).await;
    // Killed while the server takes its time over the next message: not in the instant between
    // the server storing a message and its "250 OK" being recorded (RFC 1047's window).
    tokio::time::sleep(Duration::from_millis(40)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    let delivered_before = sink.messages().len();
    assert!(delivered_before < total, "the kill came before the end");

    let mut second = sink.serve(&app.database_url);
    sink.wait_for(total, Duration::from_secs(60)).await;
    // Give a duplicate, if there were one, time to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    let mut recipients: Vec<String> = sink
        .messages()
        .into_iter()
        .flat_map(|m| m.rcpt_to)
        .collect();
    recipients.sort();
    let mut expected: Vec<String> = (1..=total)
        .map(|n| format!("person{n}@example.com"))
        .collect();
    expected.sort();
    assert_eq!(recipients, expected, "each message exactly once");
    let mut conn = app.pool.acquire().await.unwrap();
    let counts = outbox::counts(&mut conn).await.unwrap();
    assert_eq!(
        (counts.sent, counts.queued, counts.failed),
        (total as i64, 0, 0)
    );
}
