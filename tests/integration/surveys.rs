//! Pulse survey rounds: creating, opening (invitations queued as e-mail with single-use links),
//! reminding, closing, repeating, erasure, and the command line.

use std::time::Duration;

use attune::db::audit::Actor;
use attune::db::surveys::{self, NewRound};
use attune::import::Kind;
use attune::mail::worker::{self, Step, WorkerConfig};
use attune::survey;
use chrono::NaiveDate;

use crate::smtp::{Options, SmtpSink};
use crate::support::TestApp;

/// Alpha: six people with an e-mail address; Beta: five, and one more without an address; one
/// Beta person left before the round.
pub const ROSTER: &str = "\
employee_id,team,hire_date,email,termination_date
A1,Alpha,2020-01-01,a1@corp.example,
A2,Alpha,2020-01-01,a2@corp.example,
A3,Alpha,2020-01-01,a3@corp.example,
A4,Alpha,2020-01-01,a4@corp.example,
A5,Alpha,2020-01-01,a5@corp.example,
A6,Alpha,2020-01-01,a6@corp.example,
B1,Beta,2020-01-01,b1@corp.example,
B2,Beta,2020-01-01,b2@corp.example,
B3,Beta,2020-01-01,b3@corp.example,
B4,Beta,2020-01-01,b4@corp.example,
B5,Beta,2020-01-01,b5@corp.example,
B6,Beta,2020-01-01,,
B7,Beta,2020-01-01,b7@corp.example,2021-06-30
";

pub const BASE: &str = "https://attune.example.org";

pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

pub fn round(opens: NaiveDate, closes: NaiveDate) -> NewRound {
    NewRound {
        opens_on: opens,
        closes_on: closes,
        items: survey::default_items(),
        team_ids: None,
        repeat: "none".into(),
        reminder_days: 3,
    }
}

/// Create a round opening today through the library; returns its id.
pub async fn open_round(app: &TestApp, closes_in_days: u64) -> i64 {
    let mut tx = app.pool.begin().await.unwrap();
    let (id, opened) = survey::create(
        &mut tx,
        &Actor::cli(),
        &round(today(), today() + chrono::Days::new(closes_in_days)),
        today(),
        BASE,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(opened.is_some());
    id
}

/// The links of a round by e-mail address.
pub async fn links(app: &TestApp, round_id: i64) -> Vec<(String, String)> {
    let mut conn = app.pool.acquire().await.unwrap();
    surveys::links(&mut conn, round_id)
        .await
        .unwrap()
        .into_iter()
        .map(|(email, token)| (email, survey::link(BASE, &token)))
        .collect()
}

async fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "select kind, recipient, coalesce(body_text, '') from mail_outbox order by recipient, kind",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn opening_invites_everyone_on_the_roster_with_an_address_once_with_a_link_each() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;

    let queued = outbox(&app).await;
    let recipients: Vec<&str> = queued.iter().map(|(_, r, _)| r.as_str()).collect();
    assert_eq!(
        recipients,
        [
            "a1@corp.example",
            "a2@corp.example",
            "a3@corp.example",
            "a4@corp.example",
            "a5@corp.example",
            "a6@corp.example",
            "b1@corp.example",
            "b2@corp.example",
            "b3@corp.example",
            "b4@corp.example",
            "b5@corp.example"
        ]
    );
    assert!(
        queued
            .iter()
            .all(|(kind, _, _)| kind == "survey.invitation")
    );
    let links = links(&app, round_id).await;
    assert_eq!(links.len(), 11);
    for (email, link) in &links {
        let token = link.strip_prefix("https://attune.example.org/s/").unwrap();
        assert_eq!(token.len(), 22, "{link}");
        let body = &queued.iter().find(|(_, r, _)| r == email).unwrap().2;
        assert!(body.contains(link), "{email}'s invitation holds their link");
        assert_eq!(
            queued.iter().filter(|(_, _, b)| b.contains(link)).count(),
            1,
            "no one else's invitation holds it"
        );
    }
    // The database keeps the token's digest to look links up by, and the token only until the
    // round closes.
    let digests: i64 = sqlx::query_scalar(
        "select count(*) from survey_invitation where token_digest = encode(sha256(token::bytea), 'hex')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(digests, 11);

    // Opening again changes nothing.
    let mut tx = app.pool.begin().await.unwrap();
    let again = survey::open(&mut tx, &Actor::cli(), round_id, today(), BASE).await;
    assert_eq!(
        again.unwrap_err().to_string(),
        format!("round {round_id} is open: only a scheduled round can be opened")
    );
    drop(tx);

    let mut conn = app.pool.acquire().await.unwrap();
    let closed = survey::close(&mut conn, &Actor::cli(), round_id, today())
        .await
        .unwrap();
    assert_eq!(closed.next_round_id, None);
    let tokens_left: i64 = sqlx::query_scalar("select count(token) from survey_invitation")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tokens_left, 0, "a closed round's tokens are gone");
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_event where action like 'survey.%' order by audit_event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, ["survey.create", "survey.open", "survey.close"]);
}

#[tokio::test]
async fn the_schedule_opens_reminds_once_and_closes_and_a_repeating_round_comes_back() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let beta: i64 = sqlx::query_scalar("select team_id from team where name = 'Beta'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let opens = today() + chrono::Days::new(1);
    let mut spec = round(opens, opens + chrono::Days::new(9));
    spec.team_ids = Some(vec![beta]);
    spec.repeat = "monthly".into();
    let mut tx = app.pool.begin().await.unwrap();
    let (round_id, opened) = survey::create(&mut tx, &Actor::cli(), &spec, today(), BASE)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(opened, None, "it opens tomorrow");

    let ticked = survey::tick(&app.pool, today(), BASE).await.unwrap();
    assert_eq!(ticked, survey::Ticked::default(), "nothing is due today");
    let ticked = survey::tick(&app.pool, opens, BASE).await.unwrap();
    assert_eq!(ticked.opened, [round_id]);
    assert_eq!(outbox(&app).await.len(), 5, "Beta's five with an address");

    // The reminder falls due three days before the closing day, once.
    let reminder_day = opens + chrono::Days::new(6);
    let before = survey::tick(&app.pool, reminder_day - chrono::Days::new(1), BASE)
        .await
        .unwrap();
    assert_eq!(before.reminders, 0);
    let ticked = survey::tick(&app.pool, reminder_day, BASE).await.unwrap();
    assert_eq!(ticked.reminders, 5);
    let again = survey::tick(&app.pool, reminder_day + chrono::Days::new(1), BASE)
        .await
        .unwrap();
    assert_eq!(again.reminders, 0, "one reminder only");
    let reminders = outbox(&app)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "survey.reminder")
        .count();
    assert_eq!(reminders, 5);

    // The day after the closing day, it closes and the next month's round is scheduled.
    let ticked = survey::tick(&app.pool, opens + chrono::Days::new(10), BASE)
        .await
        .unwrap();
    assert_eq!(ticked.closed, [round_id]);
    let mut conn = app.pool.acquire().await.unwrap();
    let closed = surveys::get(&mut conn, round_id).await.unwrap().unwrap();
    assert_eq!(closed.status, "closed");
    let next = surveys::get(&mut conn, closed.next_round_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.status, "scheduled");
    assert_eq!(
        next.opens_on,
        opens.checked_add_months(chrono::Months::new(1)).unwrap()
    );
    assert_eq!(next.team_ids, Some(vec![beta]));
    assert_eq!(next.repeat, "monthly");
}

#[tokio::test]
async fn invitations_arrive_by_smtp_with_the_link_in_text_and_html_and_nothing_else() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    let sink = SmtpSink::start(Options::default()).await;
    let mailer = sink.mailer();
    for _ in 0..11 {
        let step = worker::step(&app.pool, &mailer, &WorkerConfig::default())
            .await
            .unwrap();
        assert!(matches!(step, Step::Sent { .. }), "{step:?}");
    }
    let received = sink.wait_for(11, Duration::from_secs(20)).await;
    let links = links(&app, round_id).await;
    for (email, link) in &links {
        let mail = received
            .iter()
            .find(|m| m.rcpt_to == [email.clone()])
            .unwrap_or_else(|| panic!("{email} got an invitation"));
        assert_eq!(
            mail.subject(),
            "Four short questions about your manager (anonymous)"
        );
        assert!(mail.text().contains(link));
        let html = mail.html().unwrap();
        assert!(html.contains(&format!("<a href=\"{link}\">")));
        assert!(!html.contains("<img"), "no tracking pixel");
    }
}

#[tokio::test]
async fn thirty_invitations_arrive_exactly_once_though_the_server_is_killed_while_sending() {
    let app = TestApp::spawn().await;
    let roster: String = std::iter::once("employee_id,team,hire_date,email\n".to_string())
        .chain((1..=30).map(|n| format!("P{n},Alpha,2020-01-01,p{n}@corp.example\n")))
        .collect();
    app.import(Kind::Employees, &roster).await;
    let round_id = open_round(&app, 10).await;
    // Each message takes the SMTP server 100 ms, so the kill lands in the middle of sending.
    let sink = SmtpSink::start(Options {
        delay_ms: 100,
        ..Options::default()
    })
    .await;
    let mut first = sink.serve(&app.database_url);
    sink.wait_for(8, Duration::from_secs(60)).await;
    // Killed while the server takes its time over the next message: not in the instant between
    // the server storing a message and its "250 OK" being recorded (RFC 1047's window, where no
    // SMTP client can avoid a second copy).
    tokio::time::sleep(Duration::from_millis(40)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    let before_restart = sink.messages().len();
    assert!(before_restart < 30, "the kill came before the end");

    let mut second = sink.serve(&app.database_url);
    sink.wait_for(30, Duration::from_secs(60)).await;
    // Give a second copy, if there were one, time to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    // Each person invited got one message, with their own link.
    let mut received: Vec<(String, String)> = sink
        .messages()
        .iter()
        .map(|m| {
            let link = m
                .text()
                .lines()
                .find(|l| l.starts_with(&format!("{BASE}/s/")))
                .expect("the invitation holds a link")
                .trim()
                .to_string();
            (m.rcpt_to.join(","), link)
        })
        .collect();
    received.sort();
    let mut invited = links(&app, round_id).await;
    invited.sort();
    assert_eq!(received, invited);
    assert_eq!(received.len(), 30);
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("select status, count(*) from mail_outbox group by status")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(statuses, [("sent".to_string(), 30)]);
}

#[tokio::test]
async fn erasing_a_person_removes_their_invitation() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    open_round(&app, 10).await;
    let mut conn = app.pool.acquire().await.unwrap();
    attune::web::admin::settings::erase_employee(&mut conn, &Actor::cli(), "A1")
        .await
        .unwrap()
        .unwrap();
    let left: Vec<String> =
        sqlx::query_scalar("select email from survey_invitation order by email")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(left.len(), 10);
    assert!(!left.contains(&"a1@corp.example".to_string()));
}

#[tokio::test]
async fn the_command_line_creates_lists_prints_links_and_closes() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let opens = today().to_string();
    let closes = (today() + chrono::Days::new(7)).to_string();

    let bad = app.cli(&["survey", "create", "--opens", &closes, "--closes", &opens]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains(&format!(
            "the closing day {opens} is before the opening day {closes}"
        )),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let unknown = app.cli(&[
        "survey", "create", "--opens", &opens, "--closes", &closes, "--team", "Gamma",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no team named \"Gamma\""));

    let created = app.cli(&[
        "survey",
        "create",
        "--opens",
        &opens,
        "--closes",
        &closes,
        "--public-url",
        "https://attune.example.org/",
    ]);
    assert!(created.status.success(), "{created:?}");
    assert_eq!(
        String::from_utf8_lossy(&created.stdout).trim(),
        "Round 1 is open: 11 people invited. 1 person on the roster without an e-mail address \
         was not invited (add an email column to the roster)."
    );

    let listed = app.cli(&["survey", "list"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains(&format!(
            "1  {opens} to {closes}  open       11 invited, 0 answered (0 %)"
        )),
        "{listed}"
    );

    let printed = app.cli(&[
        "survey",
        "links",
        "1",
        "--public-url",
        "https://attune.example.org",
    ]);
    assert!(printed.status.success());
    let printed = String::from_utf8_lossy(&printed.stdout).to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines[0], "email,link");
    assert_eq!(lines.len(), 12);
    let expected: Vec<String> = links(&app, 1)
        .await
        .into_iter()
        .map(|(email, link)| format!("{email},{link}"))
        .collect();
    assert_eq!(lines[1..], expected);

    // Without --public-url, links start with the one address `attune serve` recorded (the
    // setting links in e-mail use); a malformed address is refused.
    attune::db::settings::set(
        &mut app.pool.acquire().await.unwrap(),
        attune::mail::choices::PUBLIC_URL,
        &"https://recorded.example.org/",
    )
    .await
    .unwrap();
    let recorded = app.cli(&["survey", "links", "1"]);
    let recorded = String::from_utf8_lossy(&recorded.stdout).to_string();
    assert_eq!(recorded.lines().count(), 12);
    assert!(
        recorded
            .lines()
            .skip(1)
            .all(|l| l.contains(",https://recorded.example.org/s/")),
        "{recorded}"
    );
    let malformed = app.cli(&[
        "survey",
        "links",
        "1",
        "--public-url",
        "https://a.example/?x=1",
    ]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&malformed.stderr).contains("must not have a query or fragment")
    );

    let closed = app.cli(&["survey", "close", "1"]);
    assert!(closed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&closed.stdout).trim(),
        "Round 1 is closed."
    );
    let again = app.cli(&["survey", "close", "1"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("round 1 is closed: only an open round can be closed")
    );
    let none = app.cli(&["survey", "links", "1"]);
    assert!(
        String::from_utf8_lossy(&none.stderr)
            .contains("round 1 is closed: links exist only while a round is open")
    );
}

/// The tokens of a round's invitations by e-mail address, read from the database.
pub async fn tokens(app: &TestApp, round_id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "select email, token from survey_invitation where survey_round_id = $1 order by email",
    )
    .bind(round_id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// Answer through the respondent's page; returns the status and the page's text.
pub async fn respond(app: &TestApp, token: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = app
        .browser()
        .client
        .post(app.url(&format!("/s/{token}")))
        .form(fields)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn message(html: &str) -> String {
    crate::support::text(&scraper::Html::parse_document(html), "#respond-message")
}

#[tokio::test]
async fn a_link_answers_once_then_says_already_answered_and_shows_nothing() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    let tokens = tokens(&app, round_id).await;
    let token = &tokens[0].1;

    let form = app.page(&format!("/s/{token}"), 200).await;
    assert_eq!(crate::support::count(&form, "fieldset.question"), 4);
    assert_eq!(
        crate::support::count(&form, "input[type=radio][checked]"),
        4,
        "every question starts on \"Skip\""
    );
    let who = crate::support::text(&form, "#who-sees");
    assert!(
        who.contains("only figures of whole teams, and only for teams with at least 5 answers"),
        "{who}"
    );

    let (status, page) = respond(
        &app,
        token,
        &[
            ("heard", "4"),
            ("supported", ""),
            ("valued", "5"),
            ("enps", "9"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(message(&page).starts_with("Your answers were recorded"));

    let (status, page) = respond(&app, token, &[("heard", "1")]).await;
    assert_eq!(status, 409);
    assert!(message(&page).starts_with("This link has already been used"));
    let again = app.get(&format!("/s/{token}")).await;
    assert_eq!(again.status(), 200);
    let again = again.text().await.unwrap();
    assert!(message(&again).starts_with("This link has already been used"));
    assert!(!again.contains("<input"), "nothing of the answer is shown");

    let queued: (i64, Option<i16>, Option<i16>, Option<i16>, Option<i16>) = sqlx::query_as(
        "select count(*) over (), heard, supported, valued, enps from survey_answer_queue",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(queued, (1, Some(4), None, Some(5), Some(9)));

    // Out-of-range values change nothing and say so.
    let (status, page) = respond(&app, &tokens[1].1, &[("enps", "11")]).await;
    assert_eq!(status, 400);
    assert_eq!(
        crate::support::text(&scraper::Html::parse_document(&page), "#respond-error"),
        "One answer was not one of the choices (enps: \"11\"). Please choose again."
    );

    // After closing, a link says the round is closed.
    let mut conn = app.pool.acquire().await.unwrap();
    survey::close(&mut conn, &Actor::cli(), round_id, today())
        .await
        .unwrap();
    let closed = app.get(&format!("/s/{}", tokens[1].1)).await;
    assert_eq!(closed.status(), 410);
    assert!(
        message(&closed.text().await.unwrap())
            .starts_with("The survey this link belongs to is closed")
    );
    let (status, _) = respond(&app, &tokens[1].1, &[("heard", "3")]).await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn unknown_links_get_one_neutral_page_and_are_throttled_per_address() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    let real = tokens(&app, round_id).await[0].1.clone();
    // A forged link of the right shape, and garbage: the same page.
    let mut forged = real.clone();
    forged.replace_range(0..1, if real.starts_with('A') { "B" } else { "A" });
    let a = app.get(&format!("/s/{forged}")).await;
    assert_eq!(a.status(), 404);
    let a = a.text().await.unwrap();
    let b = app.get("/s/not-a-token").await;
    assert_eq!(b.status(), 404);
    assert_eq!(a, b.text().await.unwrap(), "nothing tells the two apart");
    assert!(message(&a).starts_with("Please check that the whole link"));
    let (status, _) = respond(&app, &forged, &[("heard", "3")]).await;
    assert_eq!(status, 404);

    // Ten unknown links from one address: then even real links wait.
    for i in 0..7 {
        assert_eq!(app.get(&format!("/s/guess{i}")).await.status(), 404);
    }
    let refused = app.get(&format!("/s/{real}")).await;
    assert_eq!(refused.status(), 429);
    let answered: i64 = sqlx::query_scalar("select count(*) from survey_answered")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(answered, 0);
    // Signing in from the same address is not held back by them.
    app.login_hr().await;
}

#[tokio::test]
async fn participation_is_live_shown_to_managers_for_their_teams_and_withheld_below_the_minimum() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    app.create_user(
        "alpha@example.com",
        attune::accounts::Role::Manager,
        &["Alpha"],
    )
    .await;
    // Alpha has six people invited, Beta five: below a minimum group of six.
    attune::db::settings::set_i64(
        &mut app.pool.acquire().await.unwrap(),
        attune::db::settings::MIN_GROUP_SIZE,
        6,
    )
    .await
    .unwrap();
    let round_id = open_round(&app, 10).await;
    let tokens = tokens(&app, round_id).await;
    for email in ["a1@corp.example", "a2@corp.example", "b1@corp.example"] {
        let (_, token) = tokens.iter().find(|(e, _)| e == email).unwrap();
        assert_eq!(respond(&app, token, &[("heard", "4")]).await.0, 200);
    }
    let rows = |page: &scraper::Html| -> Vec<Vec<String>> {
        let row =
            scraper::Selector::parse(&format!("#round-{round_id} tr.participation-row")).unwrap();
        let cell = scraper::Selector::parse("th, td").unwrap();
        page.select(&row)
            .map(|r| {
                r.select(&cell)
                    .map(|c| c.text().collect::<String>().trim().to_string())
                    .collect()
            })
            .collect()
    };
    let percent = |answered: f64, invited: f64| {
        attune::present::number::percent(Some(answered * 100.0 / invited))
    };
    let row = |cells: [&str; 3], rate: String| {
        let mut row: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        row.push(rate);
        row
    };

    // The manager of Alpha: the organization and Alpha, live while the round is open.
    let manager = app.login("alpha@example.com").await;
    let page = manager.page("/participation", 200).await;
    assert_eq!(
        rows(&page),
        [
            row(["Organization", "11", "3"], percent(3.0, 11.0)),
            row(["Alpha", "6", "2"], percent(2.0, 6.0)),
        ]
    );
    // HR: every team; Beta's five invitations are below the minimum group.
    let hr = app.login_hr().await;
    let page = hr.page("/participation", 200).await;
    assert_eq!(
        rows(&page)[2],
        ["Beta", "5", "withheld", "withheld"].map(String::from)
    );
    // One more answer shows at once.
    let (_, token) = tokens.iter().find(|(e, _)| e == "a3@corp.example").unwrap();
    assert_eq!(respond(&app, token, &[]).await.0, 200);
    let page = manager.page("/participation", 200).await;
    assert_eq!(rows(&page)[1], row(["Alpha", "6", "3"], percent(3.0, 6.0)));
}

#[tokio::test]
async fn a_team_change_after_opening_does_not_move_the_answer() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    // A1 moves from Alpha to Beta after the round opened, then answers.
    app.import(
        Kind::Employees,
        "employee_id,team,hire_date,email\nA1,Beta,2020-01-01,a1@corp.example\n",
    )
    .await;
    let token = tokens(&app, round_id)
        .await
        .into_iter()
        .find(|(email, _)| email == "a1@corp.example")
        .unwrap()
        .1;
    assert_eq!(respond(&app, &token, &[("heard", "5")]).await.0, 200);
    let mut conn = app.pool.acquire().await.unwrap();
    survey::close(&mut conn, &Actor::cli(), round_id, today())
        .await
        .unwrap();
    let team: String =
        sqlx::query_scalar("select t.name from survey_answer a join team t using (team_id)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(team, "Alpha", "the team of the opening day");
}

#[tokio::test]
async fn answers_cannot_be_joined_to_invitations_by_key_time_or_order() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    let tokens = tokens(&app, round_id).await;
    // Eleven answers, eNPS 0 to 10 in the order they are sent.
    for (i, (_, token)) in tokens.iter().enumerate() {
        let enps = i.to_string();
        let (status, _) = respond(&app, token, &[("enps", enps.as_str())]).await;
        assert_eq!(status, 200);
    }
    // The tenth completed a batch: it is written right after, in the background (with the
    // eleventh, if that came first); nothing is written before.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (written, waiting): (i64, i64) = sqlx::query_as(
            "select (select count(*) from survey_answer), (select count(*) from survey_answer_queue)",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if written > 0 {
            assert!(
                (written, waiting) == (10, 1) || (written, waiting) == (11, 0),
                "written {written}, waiting {waiting}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nothing written: {waiting} waiting"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut conn = app.pool.acquire().await.unwrap();
    survey::close(&mut conn, &Actor::cli(), round_id, today())
        .await
        .unwrap();

    // The answer table holds the round, the team, the values and a random id; nothing else.
    let columns: Vec<(String, String)> = sqlx::query_as(
        "select column_name::text, data_type::text from information_schema.columns
         where table_name = 'survey_answer' order by ordinal_position",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        columns,
        [
            ("survey_answer_id", "uuid"),
            ("survey_round_id", "bigint"),
            ("team_id", "bigint"),
            ("heard", "smallint"),
            ("supported", "smallint"),
            ("valued", "smallint"),
            ("enps", "smallint")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let references: Vec<String> = sqlx::query_scalar(
        "select confrelid::regclass::text from pg_constraint
         where conrelid in ('survey_answer'::regclass, 'survey_answer_queue'::regclass)
           and contype = 'f' order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(references, ["survey_round", "survey_round", "team", "team"]);
    // Neither invitations nor their marks carry a time.
    let times: i64 = sqlx::query_scalar(
        "select count(*) from information_schema.columns
         where table_name in ('survey_invitation', 'survey_answered', 'survey_answer',
                              'survey_answer_queue')
           and (data_type like 'timestamp%' or data_type in ('date', 'time'))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(times, 0);
    // No answer was written by a transaction that wrote an invitation or a mark.
    let shared: i64 = sqlx::query_scalar(
        "select count(*) from survey_answer a
         where a.xmin::text in (select xmin::text from survey_invitation
                                union select xmin::text from survey_answered)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(shared, 0);
    let mark_transactions: i64 =
        sqlx::query_scalar("select count(distinct xmin::text) from survey_answered")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(mark_transactions, 1, "every mark was rewritten at once");
    // The physical order is not the order of answering.
    let by_position: Vec<i16> = sqlx::query_scalar("select enps from survey_answer order by ctid")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(by_position.len(), 11);
    assert_ne!(by_position, (0..=10).collect::<Vec<i16>>());
    let marks_by_position: Vec<i64> =
        sqlx::query_scalar("select survey_invitation_id from survey_answered order by ctid")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let mut sorted = marks_by_position.clone();
    sorted.sort();
    assert_ne!(marks_by_position, sorted);
}

#[tokio::test]
async fn collected_answers_are_pulse_responses_and_add_up_with_imported_ones() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    // The round is dated back into a finished quarter, so that the report shows it.
    sqlx::query("update survey_round set opens_on = '2025-02-03' where survey_round_id = $1")
        .bind(round_id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.import(
        Kind::Pulse,
        "submitted_at,team,heard,supported,valued,enps\n2025-02-10,Alpha,4,4,4,10\n2025-02-11,Alpha,1,1,1,0\n",
    )
    .await;
    let alpha = [
        [
            ("heard", "5"),
            ("supported", "5"),
            ("valued", "5"),
            ("enps", "10"),
        ],
        [
            ("heard", "4"),
            ("supported", "4"),
            ("valued", "4"),
            ("enps", "9"),
        ],
        [
            ("heard", "3"),
            ("supported", "3"),
            ("valued", "3"),
            ("enps", "7"),
        ],
        [
            ("heard", "2"),
            ("supported", "2"),
            ("valued", "2"),
            ("enps", "3"),
        ],
        [
            ("heard", "5"),
            ("supported", "4"),
            ("valued", "3"),
            ("enps", "8"),
        ],
        [
            ("heard", ""),
            ("supported", ""),
            ("valued", ""),
            ("enps", "10"),
        ],
    ];
    let tokens = tokens(&app, round_id).await;
    for (i, (email, token)) in tokens.iter().enumerate() {
        let fields: &[(&str, &str)] = if email.starts_with('a') {
            &alpha[i]
        } else {
            &[
                ("heard", "4"),
                ("supported", "4"),
                ("valued", "4"),
                ("enps", "9"),
            ]
        };
        assert_eq!(respond(&app, token, fields).await.0, 200);
    }
    let mut conn = app.pool.acquire().await.unwrap();
    survey::close(&mut conn, &Actor::cli(), round_id, today())
        .await
        .unwrap();

    let report = attune::report::build(&mut conn, "2025-Q1".parse().unwrap(), None)
        .await
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let figure =
        |scope: &serde_json::Value, tier: &str, key: &str| scope[tier][key].as_f64().unwrap();
    let alpha = &json["teams"]["Alpha"];
    let beta = &json["teams"]["Beta"];
    let org = &json["org"];
    // Alpha: six collected and two imported responses; 11 of 21 empathy answers favorable;
    // eNPS 4 promoters and 2 detractors of 8.
    assert_eq!(figure(alpha, "fundamentals", "pulse_responses"), 8.0);
    assert!((figure(alpha, "fundamentals", "empathy_favorability") - 1100.0 / 21.0).abs() < 0.01);
    assert!((figure(alpha, "advanced", "enps") - 25.0).abs() < 0.01);
    assert_eq!(figure(beta, "fundamentals", "pulse_responses"), 5.0);
    assert!((figure(beta, "fundamentals", "empathy_favorability") - 100.0).abs() < 0.01);
    assert!((figure(org, "fundamentals", "empathy_favorability") - 2600.0 / 36.0).abs() < 0.01);
    assert!((figure(org, "advanced", "enps") - 700.0 / 13.0).abs() < 0.01);
}

#[tokio::test]
async fn the_reminder_reaches_only_those_who_have_not_answered() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    let tokens = tokens(&app, round_id).await;
    for (_, token) in &tokens[..4] {
        assert_eq!(respond(&app, token, &[("heard", "4")]).await.0, 200);
    }
    let ticked = survey::tick(&app.pool, today() + chrono::Days::new(7), BASE)
        .await
        .unwrap();
    assert_eq!(ticked.reminders, 7);
    let reminded: Vec<String> = sqlx::query_scalar(
        "select recipient from mail_outbox where kind = 'survey.reminder' order by recipient",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let expected: Vec<String> = tokens[4..].iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(reminded, expected);
}

/// The fields of HR's round form.
pub fn round_fields<'a>(
    opens: &'a str,
    closes: &'a str,
    heard: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("opens_on", opens),
        ("closes_on", closes),
        ("repeat", "none"),
        ("reminder_days", "3"),
        ("heard", heard),
        ("supported", "My manager supports me when I need it."),
        ("valued", "I feel valued by my manager."),
        (
            "enps",
            "How likely are you to recommend working here to a friend?",
        ),
    ]
}

#[tokio::test]
async fn hr_creates_rewords_opens_and_closes_a_round_on_the_web_and_each_step_is_audited() {
    use crate::support::{attr, count, text};
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;
    let empty = hr.page("/admin/surveys", 200).await;
    assert!(text(&empty, "#rounds-empty").starts_with("No survey rounds yet"));

    // A refused form says why and keeps what was typed.
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    let later = (today() + chrono::Days::new(11)).to_string();
    let refused = hr
        .post("/admin/surveys", &round_fields(&later, &tomorrow, "Heard?"))
        .await;
    assert_eq!(refused.status(), 400);
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert_eq!(
        text(&page, "#survey-error"),
        format!("The closing day {tomorrow} is before the opening day {later}.")
    );
    assert_eq!(attr(&page, "#create-round #heard", "value"), "Heard?");
    let mut beta_only = round_fields(&tomorrow, &later, "I feel heard by my manager.");
    beta_only.push(("team", "Nope"));
    let refused = hr.post("/admin/surveys", &beta_only).await;
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("There is no team named")
    );

    // Created for tomorrow, for Beta: scheduled, and can be reworded.
    beta_only.pop();
    beta_only.push(("team", "Beta"));
    let created = hr.post("/admin/surveys", &beta_only).await;
    assert_eq!(created.status(), 303);
    assert_eq!(created.headers()["location"], "/admin/surveys/1");
    let round = hr.page("/admin/surveys/1", 200).await;
    assert_eq!(text(&round, "#round-status"), "scheduled");
    assert_eq!(count(&round, "#edit-round"), 1);
    let mut reworded = round_fields(&tomorrow, &later, "My manager listens to me.");
    reworded.push(("team", "Beta"));
    assert_eq!(hr.post("/admin/surveys/1", &reworded).await.status(), 303);
    let round = hr.page("/admin/surveys/1", 200).await;
    assert_eq!(
        text(&round, "#round-items li"),
        "My manager listens to me. (1–5)"
    );

    // The preview shows the reworded question and sends nothing.
    let preview = hr.page("/admin/surveys/1/preview", 200).await;
    assert_eq!(count(&preview, "#preview-notice"), 1);
    assert!(text(&preview, "#q-heard legend").contains("My manager listens to me."));
    assert_eq!(count(&preview, "#respond-form button[disabled]"), 1);

    // Opened now: Beta's five are invited; participation shows live.
    assert_eq!(hr.post("/admin/surveys/1/open", &[]).await.status(), 303);
    let round = hr.page("/admin/surveys/1", 200).await;
    assert_eq!(text(&round, "#round-status"), "open");
    assert_eq!(count(&round, "#edit-round"), 0);
    assert_eq!(text(&round, "#participation tr.org-row td"), "5");
    let links = hr.get("/admin/surveys/1/links.csv").await;
    assert_eq!(links.status(), 200);
    assert_eq!(links.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = links.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0], "email,link");
    assert!(
        lines[1].starts_with("b1@corp.example,http://127.0.0.1:8080/s/"),
        "{}",
        lines[1]
    );
    let outbox = hr.page("/admin/outbox", 200).await;
    assert_eq!(text(&outbox, "#outbox-queued"), "5");
    assert_eq!(count(&outbox, "tr.message-row"), 5);

    // Closing early asks first.
    let confirm = hr.page("/admin/surveys/1/close", 200).await;
    assert_eq!(text(&confirm, "#confirm-close"), "Close round 1");
    assert_eq!(hr.post("/admin/surveys/1/close", &[]).await.status(), 303);
    let round = hr.page("/admin/surveys/1", 200).await;
    assert_eq!(text(&round, "#round-status"), "closed");
    assert_eq!(hr.get("/admin/surveys/1/close").await.status(), 409);
    assert_eq!(hr.get("/admin/surveys/1/links.csv").await.status(), 409);
    let list = hr.page("/admin/surveys", 200).await;
    assert_eq!(text(&list, "tr.round-row .status"), "closed");

    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_event where action like 'survey.%' order by audit_event_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "survey.create",
            "survey.edit",
            "survey.open",
            "survey.links",
            "survey.close"
        ]
    );
}

#[tokio::test]
async fn hr_retries_a_failed_message_from_the_outbox() {
    use crate::support::text;
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    open_round(&app, 10).await;
    sqlx::query(
        "update mail_outbox set status = 'failed', attempts = 8,
             last_error = '550 5.1.1 no such user'
         where recipient = 'a1@corp.example'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let hr = app.login_hr().await;
    let outbox = hr.page("/admin/outbox", 200).await;
    assert_eq!(text(&outbox, "#outbox-failed"), "1");
    assert!(text(&outbox, "tr.message-row[data-status=failed]").contains("550 5.1.1 no such user"));
    let id: i64 =
        sqlx::query_scalar("select mail_outbox_id from mail_outbox where status = 'failed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let retried = hr.post(&format!("/admin/outbox/{id}/retry"), &[]).await;
    assert_eq!(retried.status(), 303);
    let status: String =
        sqlx::query_scalar("select status from mail_outbox where mail_outbox_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "queued");
    assert_eq!(
        hr.post(&format!("/admin/outbox/{id}/retry"), &[])
            .await
            .status(),
        409
    );
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'mail.retry'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn closing_a_round_drops_its_unsent_invitations_and_keeps_sent_ones() {
    // No SMTP here: the invitations wait in the outbox. One is marked sent, one failed.
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let round_id = open_round(&app, 10).await;
    assert_eq!(outbox(&app).await.len(), 11);
    sqlx::query(
        "update mail_outbox set status = 'sent', sent_at = now() where recipient = 'a1@corp.example'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("update mail_outbox set status = 'failed' where recipient = 'a2@corp.example'")
        .execute(&app.pool)
        .await
        .unwrap();

    let mut conn = app.pool.acquire().await.unwrap();
    survey::close(&mut conn, &Actor::cli(), round_id, today())
        .await
        .unwrap();

    let left: Vec<(String, String)> =
        sqlx::query_as("select recipient, status from mail_outbox order by recipient")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, [("a1@corp.example".to_string(), "sent".to_string())]);
}
