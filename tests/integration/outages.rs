//! The database going away while Attune serves (issue #12, item 1): the embedded PostgreSQL is
//! started again, an external one is waited for; meanwhile every request is a quick 503, never a
//! 500 or a hang, and everything recovers by itself.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use attune::cluster::EmbeddedCluster;

use crate::embedded::{free_port, postmaster_running, wait_until_ready};
use crate::support::attune_command;

/// One HTTP/1.0 request over a fresh connection: the status, the body and how long it took.
pub fn http_get(port: u16, path: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("an answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body, started.elapsed())
}

fn serve(args: &[&str], env: &[(&str, &str)], log: &Path) -> (Child, u16) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut command = attune_command();
    command
        .args(args)
        .args(["serve", "--addr", &addr])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut server = command.spawn().unwrap();
    wait_until_ready(&mut server, port);
    (server, port)
}

fn stop(mut server: Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = server.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// The running postmaster's process id (None while there is none, or its file is being
/// written).
fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

#[test]
fn a_killed_embedded_postgres_is_started_again_and_no_request_fails_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("serve.log");
    let (server, port) = serve(&["--data-dir", data_dir.to_str().unwrap()], &[], &log);
    let old = postmaster_pid(&data_dir).expect("a postmaster runs");

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(old),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let killed = Instant::now();

    // Until it is back, every answer is quick, and a 503 at worst.
    let mut seen = Vec::new();
    let recovered = loop {
        let (page, _, took) = http_get(port, "/login");
        assert!(
            matches!(page, 200 | 503),
            "GET /login answered {page} during the outage"
        );
        assert!(took < Duration::from_secs(5), "GET /login took {took:?}");
        let (api, body, took) = http_get(port, "/api/v1/metrics");
        assert!(
            matches!(api, 401 | 503),
            "GET /api/v1/metrics answered {api}: {body}"
        );
        assert!(took < Duration::from_secs(5), "the API took {took:?}");
        let (ready, _, _) = http_get(port, "/readyz");
        seen.push((page, api, ready));
        // (Right after the kill, a backend that has not yet noticed may still answer.)
        let restarted = postmaster_pid(&data_dir).is_some_and(|pid| pid != old);
        if ready == 200 && page == 200 && restarted {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(20),
            "not recovered after 20 s: {seen:?}\n{}",
            std::fs::read_to_string(&log).unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Within 10 s on an idle machine; the bound leaves room for a loaded test machine.
    assert!(
        recovered < Duration::from_secs(15),
        "recovered after {recovered:?}"
    );
    let (health, _, _) = http_get(port, "/healthz");
    assert_eq!(health, 200);

    stop(server);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("the embedded PostgreSQL had stopped") && log.contains("started again"),
        "the log says why it restarted:\n{log}"
    );
    assert!(!postmaster_running(&data_dir), "no PostgreSQL left behind");
}

#[test]
fn an_external_database_outage_is_a_quick_503_until_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let pg_dir = dir.path().join("pg");
    let cluster = EmbeddedCluster::start(&pg_dir, None).unwrap();
    let url = format!(
        "postgres://attune:{}@localhost/postgres?host={}",
        cluster.password().unwrap(),
        pg_dir.join("run").display()
    );
    let log = dir.path().join("serve.log");
    let (server, port) = serve(&[], &[("DATABASE_URL", &url)], &log);

    // The server goes away (this test is the cluster's only attune user: release stops it).
    cluster.release().unwrap();
    // The watcher notices within a second or two; from then on the answers are immediate.
    std::thread::sleep(Duration::from_secs(3));
    let (ready, _, took) = http_get(port, "/readyz");
    assert_eq!(ready, 503);
    assert!(took < Duration::from_millis(500), "/readyz took {took:?}");
    let (page, body, took) = http_get(port, "/login");
    assert_eq!(page, 503, "{body}");
    assert!(took < Duration::from_secs(5), "GET /login took {took:?}");
    assert!(body.contains("Back in a moment"), "{body}");
    let (api, body, took) = http_get(port, "/api/v1/metrics");
    assert_eq!(api, 503, "{body}");
    assert!(took < Duration::from_secs(5), "the API took {took:?}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert!(
        json["error"].as_str().unwrap().contains("database"),
        "{json}"
    );
    let (health, _, _) = http_get(port, "/healthz");
    assert_eq!(health, 200, "it can recover by itself");

    // The server comes back: Attune follows within 10 s, by itself.
    let cluster = EmbeddedCluster::start(&pg_dir, None).unwrap();
    let back = Instant::now();
    loop {
        let (ready, _, _) = http_get(port, "/readyz");
        let (page, _, _) = http_get(port, "/login");
        if ready == 200 && page == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "not recovered 10 s after the database came back: /readyz {ready}, /login {page}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    stop(server);
    cluster.release().unwrap();
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("the database does not answer"), "{log}");
    assert!(log.contains("the database answers again"), "{log}");
}

/// Item 3: a statement of the serving pool stops at `statement_timeout`, which is below the
/// request timeout, so a request that timed out leaves no SQL running.
#[tokio::test]
async fn the_serving_pool_stops_statements_before_the_request_times_out() {
    use attune::db::{Database, Location, PoolSettings};
    let app = crate::support::TestApp::spawn().await;

    let serving = PoolSettings::serving(attune::web::REQUEST_TIMEOUT);
    let limit = serving.statement_timeout.expect("a statement timeout");
    assert!(limit < attune::web::REQUEST_TIMEOUT);
    let db = Database::open_with(&Location::Url(app.database_url.clone()), serving)
        .await
        .unwrap();
    let shown: String = sqlx::query_scalar("show statement_timeout")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(shown, format!("{}s", limit.as_secs()));
    db.close().await.unwrap();

    // With a two-second request timeout, a five-second statement is cancelled in time.
    let short = Database::open_with(
        &Location::Url(app.database_url.clone()),
        PoolSettings::serving(Duration::from_secs(2)),
    )
    .await
    .unwrap();
    let started = Instant::now();
    let err = sqlx::query("select pg_sleep(5)")
        .execute(&short.pool)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(4), "{err}");
    let code = err.as_database_error().and_then(|e| e.code()).unwrap();
    assert_eq!(code, "57014", "query_canceled: {err}");
    let running: i64 = sqlx::query_scalar(
        "select count(*) from pg_stat_activity where query like 'select pg_sleep(5)%' \
         and state = 'active'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(running, 0, "nothing left running");
    short.close().await.unwrap();
}

/// Item 1, the last part: when the embedded PostgreSQL cannot be started again (here its
/// configuration was broken before it died), `/healthz` turns unhealthy after repeated failed
/// attempts, so that a supervisor restarts Attune; it keeps trying, and is healthy again once
/// a start succeeds.
#[test]
fn healthz_is_unhealthy_while_the_embedded_postgres_cannot_be_started_again() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = dir.path().join("serve.log");
    let (server, port) = serve(&["--data-dir", data_dir.to_str().unwrap()], &[], &log);
    let conf = data_dir.join("postgres/postgresql.conf");
    let good = std::fs::read_to_string(&conf).unwrap();
    // Read only when PostgreSQL starts: the running server does not mind.
    std::fs::write(&conf, format!("{good}\nshared_buffers = 'not a size'\n")).unwrap();
    let pid = postmaster_pid(&data_dir).expect("a postmaster runs");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let killed = Instant::now();

    let body = loop {
        let (status, body, took) = http_get(port, "/healthz");
        assert!(took < Duration::from_secs(2), "/healthz took {took:?}");
        if status == 503 {
            break body;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            killed.elapsed() < Duration::from_secs(60),
            "still healthy after {:?}:\n{}",
            killed.elapsed(),
            std::fs::read_to_string(&log).unwrap()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        body.starts_with("unhealthy: the embedded PostgreSQL cannot be started again"),
        "{body}"
    );
    // Meanwhile pages are a quick 503, never a 500.
    let (page, _, took) = http_get(port, "/login");
    assert_eq!(page, 503);
    assert!(took < Duration::from_secs(5), "{took:?}");

    // Repaired: the next attempt starts it, and the process is healthy again by itself.
    std::fs::write(&conf, &good).unwrap();
    let repaired = Instant::now();
    loop {
        let (health, _, _) = http_get(port, "/healthz");
        let (ready, _, _) = http_get(port, "/readyz");
        if health == 200 && ready == 200 {
            break;
        }
        assert!(
            repaired.elapsed() < Duration::from_secs(15),
            "/healthz {health}, /readyz {ready} 15 s after the repair"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    stop(server);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("could not be started again (attempt 5)"),
        "the log says why:\n{log}"
    );
}

/// Item 3, through the server: a page whose SQL cannot finish (here it waits for a lock the
/// test holds) is answered 503 before the request's own timeout, and PostgreSQL is left
/// running nothing of it.
#[tokio::test]
async fn a_page_whose_sql_overruns_is_a_503_and_its_sql_stops() {
    use attune::db::{Database, Location, PoolSettings};
    use sqlx::Connection;
    let app = crate::support::TestApp::spawn().await;
    app.import(
        attune::import::Kind::Employees,
        "employee_id,team,hire_date\nE1,Alpha,2024-01-01\n",
    )
    .await;
    app.create_user("hr@example.com", attune::accounts::Role::Hr, &[])
        .await;
    // The serving pool of `attune serve`, scaled down from its 60-second request timeout.
    let request_timeout = Duration::from_secs(2);
    let serving = Database::open_with(
        &Location::Url(app.database_url.clone()),
        PoolSettings::serving(request_timeout),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(attune::web::server::serve(
        listener,
        attune::app(attune::AppState::new(serving.pool.clone())),
        attune::web::server::Limits::default(),
        std::future::pending(),
        Duration::from_secs(1),
    ));
    let hr = crate::support::Browser::new(format!("http://{address}"));
    assert_eq!(
        hr.sign_in("hr@example.com", crate::support::PASSWORD)
            .await
            .status(),
        303
    );

    let mut holder = sqlx::PgConnection::connect(&app.database_url)
        .await
        .unwrap();
    let mut locked = holder.begin().await.unwrap();
    sqlx::query("lock table employee in access exclusive mode")
        .execute(&mut *locked)
        .await
        .unwrap();
    let started = Instant::now();
    let response = hr.get("/").await;
    let took = started.elapsed();

    assert_eq!(response.status(), 503);
    assert!(took < Duration::from_secs(4), "answered after {took:?}");
    let waiting: i64 = sqlx::query_scalar(
        "select count(*) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()
           and state = 'active' and wait_event_type = 'Lock'",
    )
    .fetch_one(&mut *locked)
    .await
    .unwrap();
    assert_eq!(waiting, 0, "no statement of the request is left waiting");
    locked.rollback().await.unwrap();
    assert_eq!(hr.get("/").await.status(), 200);
    serving.close().await.unwrap();
}
