//! The test harness: one PostgreSQL per test run, a fresh database per test, and the real app
//! served on a free port.
//!
//! With `DATABASE_URL` set, tests use that server. Without it, the harness starts the same
//! embedded cluster the product runs (`attune::cluster`) in a temporary folder, once for the
//! whole run, and stops it when the test binary exits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Output;
use std::sync::{LazyLock, Mutex};

use attune::accounts::Role;
use attune::accounts::password::{self, NewPassword};
use attune::cluster::EmbeddedCluster;
use attune::web::WebConfig;
use attune::{AppState, app};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

/// The server every test database lives on.
struct Server {
    admin: PgConnectOptions,
    /// `postgres://` URL prefix for the CLI: append the database name.
    url_for: Box<dyn Fn(&str) -> String + Send + Sync>,
}

static CLUSTER: Mutex<Option<(EmbeddedCluster, tempfile::TempDir)>> = Mutex::new(None);
static DATABASES: Mutex<Vec<String>> = Mutex::new(Vec::new());

static SERVER: LazyLock<Server> = LazyLock::new(|| {
    if let Some(url) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        let admin: PgConnectOptions = url.parse().expect("DATABASE_URL is a PostgreSQL URL");
        let base = url
            .split('?')
            .next()
            .unwrap()
            .rsplit_once('/')
            .unwrap()
            .0
            .to_string();
        let query = url
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        return Server {
            admin,
            url_for: Box::new(move |db| format!("{base}/{db}{query}")),
        };
    }
    let dir = tempfile::Builder::new()
        .prefix("attune-test-")
        .tempdir()
        .expect("a temporary folder for the test cluster");
    let cluster =
        EmbeddedCluster::start(dir.path(), None).expect("the embedded test cluster starts");
    let admin = cluster.maintenance_options();
    let socket_dir = cluster.data_dir().join("run");
    let credentials = match cluster.password() {
        Some(password) => format!("attune:{password}"),
        None => "attune".to_string(),
    };
    *CLUSTER.lock().unwrap() = Some((cluster, dir));
    // SAFETY: registering a plain `extern "C" fn` with atexit has no preconditions.
    unsafe { libc::atexit(stop_at_exit) };
    Server {
        admin,
        url_for: Box::new(move |db| {
            format!(
                "postgres://{credentials}@localhost/{db}?host={}",
                socket_dir.display()
            )
        }),
    }
});

/// Runs when the test binary exits: drop leftover databases, stop the embedded cluster.
extern "C" fn stop_at_exit() {
    let leftovers: Vec<String> = DATABASES.lock().map(|d| d.clone()).unwrap_or_default();
    if !leftovers.is_empty() {
        let admin = SERVER.admin.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = PgConnection::connect_with(&admin).await {
                    for db in leftovers {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "drop database if exists {db} with (force)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                }
            });
        })
        .join();
    }
    if let Ok(mut guard) = CLUSTER.lock()
        && let Some((cluster, dir)) = guard.take()
    {
        let _ = cluster.release();
        drop(dir);
    }
}

/// A fresh database with the schema, and the real app serving it on a free port.
pub struct TestApp {
    pub pool: PgPool,
    pub address: SocketAddr,
    pub database_url: String,
    db_name: String,
    client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(WebConfig::default()).await
    }

    /// Like `spawn`, with this web configuration (secure cookies, trusted proxy, timeouts).
    pub async fn spawn_with(config: WebConfig) -> TestApp {
        let server = &*SERVER;
        let db_name = format!("attune_test_{}", rand_suffix());
        let mut admin = PgConnection::connect_with(&server.admin)
            .await
            .expect("admin connection");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {db_name}")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        admin.close().await.ok();
        DATABASES.lock().unwrap().push(db_name.clone());

        let options = server.admin.clone().database(&db_name);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .expect("connect to the test database");
        attune::db::MIGRATOR
            .run(&pool)
            .await
            .expect("migrations run");

        let address = serve(pool.clone(), config).await;
        TestApp {
            pool,
            address,
            database_url: (server.url_for)(&db_name),
            db_name,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Another instance of the app (its own state and connection pool) serving the same
    /// database, as a second `attune serve` behind a load balancer would; returns its address.
    pub async fn another_instance(&self) -> SocketAddr {
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&self.database_url)
            .await
            .expect("connect to the test database");
        serve(pool, WebConfig::default()).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GET a page and parse its HTML; panics unless the status is as expected.
    pub async fn page(&self, path: &str, status: u16) -> scraper::Html {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        scraper::Html::parse_document(&response.text().await.unwrap())
    }

    /// Import CSV text through the library, as the CLI does; panics if it is not imported.
    pub async fn import(&self, kind: attune::import::Kind, csv: &str) {
        self.import_with(kind, csv, Default::default()).await;
    }

    /// Import CSV text stating the range it covers (`FROM..TO`, as `--covers`): the fixture's
    /// figures are known over that range whatever days its rows fall on (an empty file says
    /// "none in that range"); panics if it is not imported.
    pub async fn import_covering(&self, kind: attune::import::Kind, csv: &str, covers: &str) {
        let options = attune::import::Options {
            covers: Some(covers.parse().expect("a range")),
            ..Default::default()
        };
        self.import_with(kind, csv, options).await;
    }

    async fn import_with(
        &self,
        kind: attune::import::Kind,
        csv: &str,
        options: attune::import::Options,
    ) {
        let known = attune::import::Known::load(&self.pool, kind)
            .await
            .expect("load the roster");
        let prepared = attune::import::prepare(kind, "test.csv", csv.as_bytes(), options, &known)
            .expect("the file is readable");
        assert_eq!(prepared.errors, [], "the test file is valid");
        let actor = attune::db::audit::Actor::cli();
        let outcome = attune::import::commit(&self.pool, &prepared, options, &actor)
            .await
            .expect("the import commits");
        assert!(
            matches!(outcome, attune::import::Outcome::Imported { .. }),
            "{outcome:?}"
        );
    }

    /// Create an account with `PASSWORD` (teams by name), through the library as the CLI does.
    pub async fn create_user(&self, email: &str, role: Role, teams: &[&str]) -> i64 {
        let hash = password::hash(NewPassword::parse(PASSWORD, email).unwrap()).await;
        let mut conn = self.pool.acquire().await.unwrap();
        let user_id = attune::db::users::create(&mut conn, email, &hash, role)
            .await
            .unwrap()
            .expect("a new e-mail address");
        let teams: Vec<String> = teams.iter().map(|t| t.to_string()).collect();
        attune::db::users::set_teams(&mut conn, user_id, &teams)
            .await
            .unwrap();
        user_id
    }

    /// A browser with its own cookies, not signed in.
    pub fn browser(&self) -> Browser {
        Browser::new(format!("http://{}", self.address))
    }

    /// A browser signed in as this (existing) account with `PASSWORD`.
    pub async fn login(&self, email: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in of {email}");
        browser.csrf = browser.csrf_token().await;
        browser
    }

    /// Create an HR account and sign in with it.
    pub async fn login_hr(&self) -> Browser {
        self.create_user("hr@example.com", Role::Hr, &[]).await;
        self.login("hr@example.com").await
    }

    /// Run the attune binary against this test's database.
    pub fn cli(&self, args: &[&str]) -> Output {
        attune_command()
            .env("DATABASE_URL", &self.database_url)
            .args(args)
            .output()
            .expect("run attune")
    }

    /// Run the attune binary with `input` on its standard input (a pipe, not a terminal).
    pub fn cli_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = attune_command()
            .env("DATABASE_URL", &self.database_url)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run attune");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().expect("attune finishes")
    }

    /// Run the attune binary with `stdin` as its input file written to a temporary path.
    pub fn cli_with_file(&self, args: &[&str], file_name: &str, contents: &[u8]) -> Output {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name);
        std::fs::write(&path, contents).unwrap();
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.push(path.display().to_string());
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.cli(&all)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let admin = SERVER.admin.clone();
        let db = self.db_name.clone();
        // Drop runs inside the test's runtime, which owns the pool's connections: do the
        // cleanup on a thread and runtime of its own; FORCE ends the pool's sessions.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let mut conn = PgConnection::connect_with(&admin).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "drop database if exists {db} with (force)"
                )))
                .execute(&mut conn)
                .await
                .ok()
            })
        })
        .join()
        .ok()
        .flatten()
        .is_some();
        if dropped {
            DATABASES.lock().unwrap().retain(|d| d != &self.db_name);
        }
    }
}

/// The attune binary built for these tests, with no database settings from the environment.
pub fn attune_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_attune"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("ATTUNE_DATA_DIR")
        .env_remove("ATTUNE_ADDR")
        .env_remove("ATTUNE_PG_BINDIR")
        .env_remove("ATTUNE_PUBLIC_URL");
    cmd
}

/// The text of the first element matching `selector`, trimmed.
pub fn text(html: &scraper::Html, selector: &str) -> String {
    let parsed = scraper::Selector::parse(selector).expect("a valid selector");
    html.select(&parsed)
        .next()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .text()
        .collect::<String>()
        .trim()
        .to_string()
}

/// How many elements match `selector`.
pub fn count(html: &scraper::Html, selector: &str) -> usize {
    let parsed = scraper::Selector::parse(selector).expect("a valid selector");
    html.select(&parsed).count()
}

/// A path under the shared datasets folder beside the project.
pub fn dataset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets")
        .join(name)
}

/// The real app on `pool`, served on a free port by the server loop `attune serve` runs.
async fn serve(pool: PgPool, config: WebConfig) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app(AppState {
        pool,
        config,
        health: Default::default(),
        reports: Default::default(),
    });
    tokio::spawn(attune::web::server::serve(
        listener,
        router,
        attune::web::server::Limits::default(),
        std::future::pending(),
        std::time::Duration::from_secs(1),
    ));
    address
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// The password of every account `TestApp::create_user` makes.
pub const PASSWORD: &str = "a quite long test passphrase";

/// A browser: a cookie-holding client that does not follow redirects, and the CSRF token of
/// its session once signed in.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub csrf: String,
}

impl Browser {
    /// A browser with its own cookies, not signed in, for the server at `base`
    /// (`http://host:port`).
    pub fn new(base: String) -> Browser {
        Browser {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .unwrap(),
            csrf: String::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GET a page and parse its HTML; panics unless the status is as expected.
    pub async fn page(&self, path: &str, status: u16) -> scraper::Html {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        scraper::Html::parse_document(&response.text().await.unwrap())
    }

    /// POST a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POST exactly these fields (no CSRF token unless given).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// Load the sign-in form (for its CSRF cookie and field) and submit it.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let form = self.page("/login", 200).await;
        let token = attr(&form, "#login-form input[name=csrf_token]", "value");
        self.post_raw(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// The CSRF token of the signed-in session, from the sign-out form of the dashboard.
    pub async fn csrf_token(&self) -> String {
        let html = self.page("/", 200).await;
        attr(&html, "form.signout input[name=csrf_token]", "value")
    }
}

/// An attribute of the first element matching `selector`.
pub fn attr(html: &scraper::Html, selector: &str, name: &str) -> String {
    let parsed = scraper::Selector::parse(selector).expect("a valid selector");
    html.select(&parsed)
        .next()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .value()
        .attr(name)
        .unwrap_or_else(|| panic!("{selector} has no {name}"))
        .to_string()
}

/// Send every due message of the outbox to `sink`; how many were sent.
pub async fn send_all(app: &TestApp, sink: &crate::smtp::SmtpSink) -> usize {
    use attune::mail::worker::{self, Step, WorkerConfig};
    let mut sent = 0;
    loop {
        match worker::step(&app.pool, &sink.mailer(), &WorkerConfig::default())
            .await
            .unwrap()
        {
            Step::Sent { .. } => sent += 1,
            Step::Idle => return sent,
            other => panic!("{other:?}"),
        }
    }
}

/// Links in scheduled messages point to this test's server.
pub async fn links_here(app: &TestApp) {
    attune::db::settings::set(
        &mut app.pool.acquire().await.unwrap(),
        attune::mail::choices::PUBLIC_URL,
        &app.url("/"),
    )
    .await
    .unwrap();
}

/// Turn `kind` off for the account with this address (as its Notifications page does).
pub async fn opt_out(app: &TestApp, email: &str, kind: &str) {
    let mut conn = app.pool.acquire().await.unwrap();
    let user_id: i64 = sqlx::query_scalar("select user_id from app_user where email = $1")
        .bind(email)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    attune::db::notifications::opt_out(&mut conn, user_id, kind)
        .await
        .unwrap();
}
