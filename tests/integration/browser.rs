//! End-to-end tests in a real headless Chromium, against the real app serving the demo company:
//! each role signs in through the sign-in form, opens every page its navigation offers (and the
//! quarterly summary, the team pages, an import's preview…), and each page must show its key
//! content with zero console errors (exceptions, `console.error`, failed loads and
//! Content-Security-Policy violations all count) and zero axe-core violations at both sizes;
//! the HTML of every page must pass the Nu HTML checker (see `checkers`). Screenshots at
//! 1366×768 and 390×844 go to `target/screenshots/` for review.
//!
//! Chromium is driven over the DevTools protocol through `--remote-debugging-pipe` (JSON
//! messages on file descriptors 3 and 4): no WebDriver, no network port and no crate beyond
//! `serde_json`, and one browser serves every page. Without Chromium the test fails and says how
//! to install it; it never skips.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::checkers;
use crate::smtp::{Options, SmtpSink};
use crate::support::TestApp;
use crate::surveys;

/// The viewports every page is captured at: a laptop and a phone.
const VIEWPORTS: [(u32, u32, bool); 2] = [(1366, 768, false), (390, 844, true)];

/// Where the screenshots go.
fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// The Chromium binary: `ATTUNE_CHROMIUM`, else Debian's `chromium`, else the usual names.
fn chromium_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ATTUNE_CHROMIUM") {
        return PathBuf::from(path);
    }
    let candidates = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "Chromium is not installed, and the browser tests need it. Install Debian's \
                 package with `apt-get install -y chromium` (.ci/run does), or point \
                 ATTUNE_CHROMIUM at a Chromium or Chrome binary."
            )
        })
}

/// A headless Chromium, driven over its DevTools pipe.
struct Chrome {
    child: Child,
    commands: File,
    messages: Receiver<Value>,
    next_id: u64,
    /// Events received so far (console messages, load events…), in order.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// A pipe whose ends are closed on exec (the child gets its copies through `dup2`).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

impl Chrome {
    fn launch() -> Chrome {
        let binary = chromium_binary();
        let profile = tempfile::Builder::new()
            .prefix("attune-chromium-")
            .tempdir()
            .unwrap();
        let (child_reads, we_write) = pipe();
        let (we_read, child_writes) = pipe();
        let (r, w) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
        let mut command = Command::new(&binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (dup2) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "{} could not be started ({e}). Install Chromium with `apt-get install -y \
                 chromium`.",
                binary.display()
            )
        });
        drop(child_reads);
        drop(child_writes);
        let (tx, messages) = mpsc::channel();
        let mut reader = File::from(we_read);
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buffer = [0u8; 64 * 1024];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buffer[..n]);
                while let Some(end) = pending.iter().position(|b| *b == 0) {
                    let message: Vec<u8> = pending.drain(..=end).collect();
                    if let Ok(value) = serde_json::from_slice(&message[..message.len() - 1])
                        && tx.send(value).is_err()
                    {
                        return;
                    }
                }
            }
        });
        Chrome {
            child,
            commands: File::from(we_write),
            messages,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        }
    }

    /// Send a command and wait for its result (events arriving meanwhile are kept).
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .expect("Chromium accepts commands");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let message = self.receive(deadline, method);
            if message["id"] == json!(id) {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("Chromium did not answer in time ({waiting_for})"))
    }

    /// Wait until an event `method` for `session` arrives after event number `after`.
    fn wait_event(&mut self, session: &str, method: &str, after: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let matches = |e: &Value| e["method"] == json!(method) && e["sessionId"] == json!(session);
        if self.events[after..].iter().any(matches) {
            return;
        }
        loop {
            let message = self.receive(deadline, method);
            let found = matches(&message);
            self.events.push(message);
            if found {
                return;
            }
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One tab.
struct Tab<'c> {
    chrome: &'c mut Chrome,
    session: String,
    base: String,
}

impl<'c> Tab<'c> {
    /// A new tab in a browser context of its own (its own cookies).
    fn open(chrome: &'c mut Chrome, base: &str, context: &str) -> Tab<'c> {
        let target = chrome.call(
            None,
            "Target.createTarget",
            json!({ "url": "about:blank", "browserContextId": context }),
        );
        let attached = chrome.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            chrome.call(Some(&session), domain, json!({}));
        }
        Tab {
            chrome,
            session,
            base: base.to_string(),
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.chrome.call(Some(&self.session), method, params)
    }

    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// Open `path` and wait until it has loaded; returns the index of the first event of it.
    fn goto(&mut self, path: &str) -> usize {
        let start = self.chrome.events.len();
        let url = format!("{}{path}", self.base);
        let result = self.call("Page.navigate", json!({ "url": url }));
        assert!(
            result.get("errorText").is_none(),
            "GET {path}: {}",
            result["errorText"]
        );
        self.chrome
            .wait_event(&self.session, "Page.loadEventFired", start);
        start
    }

    /// Run JavaScript in the page (DevTools evaluation is not subject to the page's CSP).
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// The trimmed text of the first element matching `selector` (None if there is none).
    fn text(&mut self, selector: &str) -> Option<String> {
        let expression = format!(
            "(() => {{ const e = document.querySelector({}); return e ? e.textContent.trim() : null; }})()",
            json!(selector)
        );
        self.eval(&expression).as_str().map(str::to_string)
    }

    fn count(&mut self, selector: &str) -> u64 {
        self.eval(&format!(
            "document.querySelectorAll({}).length",
            json!(selector)
        ))
        .as_u64()
        .unwrap()
    }

    fn path(&mut self) -> String {
        self.eval("location.pathname + location.search")
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Sign in through the real form: type into its fields and press its button.
    fn sign_in(&mut self, email: &str, password: &str) {
        self.goto("/login");
        let start = self.chrome.events.len();
        self.eval(&format!(
            "(() => {{ const f = document.querySelector('form[action=\"/login\"]') || document.querySelector('form');
               f.querySelector('[name=email]').value = {};
               f.querySelector('[name=password]').value = {};
               f.querySelector('button[type=submit], button').click(); }})()",
            json!(email),
            json!(password)
        ));
        self.chrome
            .wait_event(&self.session, "Page.loadEventFired", start);
        self.assert_no_console_errors(start, "/login");
    }

    /// Every console error, uncaught exception, failed load or CSP violation since `since`.
    fn console_errors(&self, since: usize) -> Vec<String> {
        self.chrome.events[since..]
            .iter()
            .filter(|e| e["sessionId"] == json!(self.session))
            .filter_map(|e| {
                let params = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.exceptionThrown" => {
                        Some(format!("exception: {}", params["exceptionDetails"]))
                    }
                    "Runtime.consoleAPICalled"
                        if matches!(params["type"].as_str(), Some("error" | "assert")) =>
                    {
                        Some(format!("console.{}: {}", params["type"], params["args"]))
                    }
                    "Log.entryAdded"
                        if matches!(params["entry"]["level"].as_str(), Some("error")) =>
                    {
                        Some(format!(
                            "{} {}: {}",
                            params["entry"]["source"],
                            params["entry"]["url"],
                            params["entry"]["text"]
                        ))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    fn assert_no_console_errors(&self, since: usize, what: &str) {
        let errors = self.console_errors(since);
        assert!(errors.is_empty(), "{what}: console errors: {errors:#?}");
    }

    /// Every axe-core violation on the page as it is now (axe is injected afresh: each
    /// navigation drops it).
    fn axe_violations(&mut self, axe: &str) -> Vec<String> {
        if self.eval("typeof window.axe") != json!("object") {
            self.eval(&format!("{axe};\n'loaded'"));
        }
        self.eval(checkers::AXE_RUN)
            .as_array()
            .expect("axe answers a list")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The HTML the server sends for the current address (not the DOM after scripts ran).
    fn served_html(&mut self) -> String {
        self.eval("fetch(location.href, { credentials: 'same-origin' }).then(r => r.text())")
            .as_str()
            .expect("the page's HTML")
            .to_string()
    }

    /// Choose a file in a file input, as a person would in the file dialog.
    fn choose_file(&mut self, selector: &str, file: &Path) {
        let document = self.call("DOM.getDocument", json!({}));
        let node = self.call(
            "DOM.querySelector",
            json!({ "nodeId": document["root"]["nodeId"], "selector": selector }),
        );
        self.call(
            "DOM.setFileInputFiles",
            json!({ "nodeId": node["nodeId"], "files": [file.display().to_string()] }),
        );
    }

    /// Run `script` (which submits a form or follows a link) and wait for the next page.
    fn submit(&mut self, script: &str) {
        let start = self.chrome.events.len();
        self.eval(script);
        self.chrome
            .wait_event(&self.session, "Page.loadEventFired", start);
        let path = self.path();
        self.assert_no_console_errors(start, &path);
    }

    /// Press a key as a person would (down, then up), wherever the focus is.
    fn press(&mut self, key: &str) {
        let (code, key_code, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            " " => ("Space", 32, " "),
            "ArrowDown" => ("ArrowDown", 40, ""),
            "ArrowUp" => ("ArrowUp", 38, ""),
            other => panic!("no key {other:?} here"),
        };
        let event = |kind: &str| {
            json!({
                "type": kind, "key": key, "code": code, "text": text,
                "windowsVirtualKeyCode": key_code, "nativeVirtualKeyCode": key_code,
            })
        };
        let down = if text.is_empty() {
            "rawKeyDown"
        } else {
            "keyDown"
        };
        self.call("Input.dispatchKeyEvent", event(down));
        self.call("Input.dispatchKeyEvent", event("keyUp"));
    }

    /// Save the viewport, and the whole page, as PNG files.
    fn screenshot(&mut self, dir: &Path, name: &str, width: u32, height: u32) {
        let viewport = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        save_png(
            &dir.join(format!("{name}-{width}x{height}.png")),
            &viewport["data"],
        );
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let full_height = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(height as f64)
            .ceil();
        let full = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": width, "height": full_height, "scale": 1 },
            }),
        );
        save_png(&dir.join(format!("{name}-{width}-full.png")), &full["data"]);
    }
}

fn save_png(path: &Path, data: &Value) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_str().expect("screenshot data"))
        .expect("base64 screenshot");
    std::fs::write(path, bytes).expect("write the screenshot");
}

/// What a role must find on a page, by path (without query): selector → expected text, or
/// `None` when the element only has to exist.
type Expectations = HashMap<&'static str, Vec<(&'static str, Option<String>)>>;

/// Everything the walk through the pages found wrong, reported together at the end.
struct Walk {
    axe: String,
    expectations: Expectations,
    screenshots: PathBuf,
    /// The served HTML of every page, for the Nu checker.
    html: tempfile::TempDir,
    visited: Vec<String>,
    axe_violations: Vec<String>,
}

impl Walk {
    /// Open `path` at both sizes as `role`: no console error, a page (not an error page unless
    /// `error_page`), the expected content, no axe violation; a screenshot of each, and its HTML
    /// kept for the Nu checker.
    fn check(&mut self, tab: &mut Tab, role: &str, path: &str, error_page: bool) {
        let key = path.split('?').next().unwrap();
        let page = match key {
            "/" => "dashboard".to_string(),
            other => other
                .trim_matches('/')
                .replace(['/', ' '], "-")
                .replace("%20", "-"),
        };
        let name = format!("{role}-{page}");
        for (width, height, mobile) in VIEWPORTS {
            tab.viewport(width, height, mobile);
            let start = tab.goto(path);
            let errors: Vec<String> = tab
                .console_errors(start)
                .into_iter()
                // An error page's own status is logged as a failed load; nothing else may be.
                .filter(|e| !(error_page && e.contains("status of 404")))
                .collect();
            assert!(
                errors.is_empty(),
                "{role} {path}: console errors: {errors:#?}"
            );
            assert_eq!(tab.count("main"), 1, "{role} {path}: a page");
            let title = tab.text("title").unwrap_or_default();
            let is_error = title.starts_with("Not allowed") || title.starts_with("Page not found");
            assert_eq!(is_error, error_page, "{role} {path}: {title}");
            for (selector, expected) in self.expectations.get(key).into_iter().flatten() {
                let found = tab.text(selector);
                match expected {
                    Some(text) => assert_eq!(
                        found.as_deref(),
                        Some(text.as_str()),
                        "{role} {path} {selector}"
                    ),
                    None => assert!(found.is_some(), "{role} {path}: no {selector}"),
                }
            }
            if error_page && role != "signed-out" {
                // An error page still shows who is signed in, and Sign out.
                let whoami = tab.text("#whoami").unwrap_or_default();
                assert!(whoami.contains('@'), "{role} {path}: {whoami:?}");
            }
            if role == "signed-out" {
                assert_eq!(tab.count("header nav a"), 0, "{path}: no Dashboard link");
            } else if width == 1366 {
                // The menu, the name and Sign out share one line on a laptop.
                let spread = tab.eval(
                    "(() => { const middles = [...document.querySelectorAll('header nav a, \
                     #whoami, .signout button')].map(e => { const r = e.getBoundingClientRect(); \
                     return r.top + r.height / 2; }); \
                     return Math.max(...middles) - Math.min(...middles); })()",
                );
                assert!(
                    spread.as_f64().unwrap() < 8.0,
                    "{role} {path}: the header wraps ({spread} px between its items)"
                );
                // The data page's twelve months and the import preview's sample fit their card.
                let overflow = tab.eval(
                    "[...document.querySelectorAll('#coverage, #sample')].map(t => \
                     t.parentElement.scrollWidth - t.parentElement.clientWidth)",
                );
                for excess in overflow.as_array().unwrap() {
                    assert!(
                        excess.as_f64().unwrap() <= 0.0,
                        "{role} {path}: a table is cut off by {excess} px"
                    );
                }
            }
            // A tile's trend data, opened, shows every column: nothing is cut off.
            let cut = tab.eval(
                "[...document.querySelectorAll('details.trend-data')].map(d => { d.open = true; \
                 const w = d.querySelector('.table-wrap'); \
                 return w.scrollWidth - w.clientWidth; }).filter(excess => excess > 0)",
            );
            assert_eq!(
                cut.as_array().map(Vec::len),
                Some(0),
                "{role} {path} at {width} px: trend data cut off by {cut} px"
            );
            if role == "manager" {
                // Customer Support's manager never sees another team's name.
                let body = tab.eval("document.body.innerText");
                let body = body.as_str().unwrap_or_default();
                assert!(
                    !body.contains("Engineering"),
                    "manager {path} shows Engineering"
                );
            }
            for violation in tab.axe_violations(&self.axe) {
                self.axe_violations
                    .push(format!("{role} {path} at {width}×{height}: {violation}"));
            }
            tab.screenshot(&self.screenshots, &name, width, height);
        }
        let html = tab.served_html();
        std::fs::write(self.html.path().join(format!("{name}.html")), html).unwrap();
        self.visited.push(format!("{role} {path}"));
    }
}

/// A roster file with one new person in Customer Support, and a row whose hire date is not a
/// date.
fn roster_file(dir: &Path) -> PathBuf {
    let path = dir.join("roster.csv");
    std::fs::write(
        &path,
        "employee_id,team,hire_date,full_name\n\
         E9901,Customer Support,2024-02-01,Robin Quill\n\
         E9902,Customer Support,someday,Sam Noon\n",
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_works_in_a_real_browser_and_passes_axe_and_the_nu_checker() {
    // Served as `attune demo` serves it: the sign-in page lists the demo accounts.
    let app = TestApp::spawn_with(attune::web::WebConfig {
        demo: true,
        ..attune::web::WebConfig::default()
    })
    .await;
    attune::demo::load(&app.pool).await.expect("the demo loads");
    attune::demo::accounts::ensure(&app.pool)
        .await
        .expect("the demo accounts exist");
    // The figures the summary must show, computed by the library.
    let today = chrono::Local::now().date_naive();
    let quarter = attune::period::Period::latest_complete_quarter(today);
    let mut conn = app.pool.acquire().await.unwrap();
    let summary = attune::summary::build(&mut conn, quarter).await.unwrap();
    let exec_id: i64 = sqlx::query_scalar("select user_id from app_user where email = $1")
        .bind("exec@demo.attune.example")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    // The one-click unsubscribe page a message links to (no sign-in).
    let key = attune::mail::choices::signing_key(&mut conn).await.unwrap();
    let unsubscribe: &'static str = Box::leak(
        format!(
            "/unsubscribe/{exec_id}/summary.quarterly/{}",
            attune::mail::choices::signature(&key, exec_id, "summary.quarterly")
        )
        .into_boxed_str(),
    );
    // The demo's survey rounds: one closed, one open, with a link not yet answered.
    let rounds: Vec<(i64, String)> =
        sqlx::query_as("select survey_round_id, status from survey_round order by survey_round_id")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(
        rounds.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        ["closed", "open"],
        "the demo has one closed and one open round"
    );
    let (closed_round, open_round) = (rounds[0].0, rounds[1].0);
    let respondent_link: String = sqlx::query_scalar(
        "select '/s/' || token from survey_invitation i where survey_round_id = $1
           and not exists (select 1 from survey_answered a
                           where a.survey_invitation_id = i.survey_invitation_id)
         limit 1",
    )
    .bind(open_round)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let index = summary.index.value.clone();
    let strongest_team = summary.teams[0].name.clone();
    let base = format!("http://{}", app.address);

    let mut expectations: Expectations = HashMap::new();
    expectations.insert("/", vec![("main h1", None)]);
    expectations.insert(
        "/summary",
        vec![
            ("h1", Some("Quarterly summary".to_string())),
            ("#period", Some(quarter.to_string())),
            ("#index-value", Some(index)),
            ("#teams-table tr.team-row th", Some(strongest_team.clone())),
            ("#turnover-cost", Some(summary.cost.total.clone())),
            ("#fundamentals svg.line-chart", None),
        ],
    );
    expectations.insert("/admin/users", vec![("h1", Some("Users".to_string()))]);
    expectations.insert(
        "/admin/surveys",
        vec![("h1", Some("Pulse surveys".to_string())), ("#rounds", None)],
    );
    expectations.insert(
        "/participation",
        vec![("h1", Some("Survey participation".to_string()))],
    );
    expectations.insert("/admin/audit", vec![("h1", Some("Audit log".to_string()))]);
    expectations.insert(
        "/notifications",
        vec![("h1", Some("Notifications".to_string()))],
    );
    expectations.insert("/admin/email", vec![("h1", Some("E-mail".to_string()))]);
    expectations.insert(
        unsubscribe,
        vec![("#unsubscribe-form button", Some("Unsubscribe".to_string()))],
    );
    expectations.insert(
        "/admin/settings",
        vec![("h1", Some("Settings".to_string()))],
    );
    for (path, markdown) in [
        ("/help/importing", include_str!("../../docs/importing.md")),
        ("/help/metrics", include_str!("../../docs/metrics.md")),
        ("/help/playbook", include_str!("../../docs/playbook.md")),
    ] {
        let title = markdown.lines().next().unwrap().trim_start_matches("# ");
        expectations.insert(path, vec![("#help h1", Some(title.to_string()))]);
    }
    expectations.insert(
        "/login",
        vec![
            ("h1", Some("Sign in".to_string())),
            (
                "#demo-accounts .demo-email",
                Some("hr@demo.attune.example".to_string()),
            ),
        ],
    );

    // The executive and the manager go first: HR's imports at the end change the roster.
    let team_path = format!("/teams/{}", strongest_team.replace(' ', "%20"));
    let roles: [(&str, &str, bool, Vec<String>); 3] = [
        (
            "executive",
            "exec@demo.attune.example",
            false,
            vec![
                "/summary".to_string(),
                team_path.clone(),
                format!("{team_path}/people"),
                "/help/importing".to_string(),
                "/help/metrics".to_string(),
                "/notifications".to_string(),
            ],
        ),
        (
            "manager",
            "support.manager@demo.attune.example",
            false,
            vec![
                "/teams/Customer%20Support/people".to_string(),
                "/help/playbook".to_string(),
                "/notifications".to_string(),
            ],
        ),
        (
            "hr",
            "hr@demo.attune.example",
            true,
            vec![
                format!("/admin/users/{exec_id}"),
                "/notifications".to_string(),
                "/admin/email".to_string(),
                team_path.clone(),
                format!("{team_path}/people"),
                format!("/admin/surveys/{open_round}"),
                format!("/admin/surveys/{closed_round}"),
                format!("/admin/surveys/{open_round}/preview"),
                format!("/admin/surveys/{open_round}/close"),
                "/admin/outbox".to_string(),
                "/help/surveys".to_string(),
            ],
        ),
    ];
    let screenshots = screenshot_dir();
    std::fs::create_dir_all(&screenshots).unwrap();
    let password = attune::demo::accounts::PASSWORD;

    tokio::task::spawn_blocking(move || {
        let files = tempfile::tempdir().unwrap();
        let mut walk = Walk {
            axe: checkers::axe_source(),
            expectations,
            screenshots,
            html: tempfile::Builder::new().prefix("attune-html-").tempdir().unwrap(),
            visited: Vec::new(),
            axe_violations: Vec::new(),
        };
        let mut chrome = Chrome::launch();
        {
            // Signed out: the sign-in page.
            let context = chrome.call(None, "Target.createBrowserContext", json!({}));
            let context_id = context["browserContextId"].as_str().unwrap().to_string();
            let mut tab = Tab::open(&mut chrome, &base, &context_id);
            walk.check(&mut tab, "signed-out", "/login", false);
            walk.check(&mut tab, "signed-out", unsubscribe, false);
            // The respondent's page needs no sign-in.
            walk.check(&mut tab, "signed-out", &respondent_link, false);
            tab.chrome.call(
                None,
                "Target.disposeBrowserContext",
                json!({ "browserContextId": context_id }),
            );
        }
        for (role, email, sees_summary, extra) in roles {
            // A fresh browser context per role: its own cookies.
            let context = chrome.call(None, "Target.createBrowserContext", json!({}));
            let context_id = context["browserContextId"].as_str().unwrap().to_string();
            let mut tab = Tab::open(&mut chrome, &base, &context_id);
            tab.viewport(1366, 768, false);
            tab.sign_in(email, password);
            assert_eq!(tab.path(), "/", "{role} lands on their home page");
            let whoami = tab.text("#whoami").unwrap_or_default();
            assert!(whoami.starts_with(email), "{role}: {whoami}");
            if role == "executive" {
                assert_eq!(
                    tab.text("main h1").as_deref(),
                    Some("Quarterly summary"),
                    "an executive lands on the summary"
                );
            }

            // Every page the navigation offers, and the others the role reaches from them.
            let links = tab.eval(
                "[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))",
            );
            let mut paths: Vec<String> = links
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .filter(|href| href.starts_with('/'))
                .collect();
            assert_eq!(
                paths.iter().any(|p| p == "/summary"),
                sees_summary,
                "{role}: the navigation offers the summary besides `/`: {paths:?}"
            );
            if !paths.iter().any(|p| p == "/") {
                paths.insert(0, "/".to_string());
            }
            paths.extend(extra);
            for path in &paths {
                walk.check(&mut tab, role, path, false);
            }
            walk.check(&mut tab, role, "/no-such-page", true);

            if role == "hr" {
                // An import as HR makes it: a file with a problem is previewed…
                tab.viewport(1366, 768, false);
                tab.goto("/admin/imports");
                tab.eval("document.querySelector('#kind').value = 'employees'");
                tab.choose_file("#file", &roster_file(files.path()));
                tab.submit("document.querySelector('#upload-form button[type=submit]').click()");
                let preview = tab.path();
                assert!(preview.starts_with("/admin/imports/uploads/"), "{preview}");
                assert_eq!(tab.count("#errors li"), 1, "the broken row is listed");
                walk.check(&mut tab, role, &preview, false);
                // …its valid row is imported, and the import can be undone.
                assert_eq!(
                    tab.text("#import-valid-rows").as_deref(),
                    Some("Import the 1 valid row")
                );
                tab.submit("document.querySelector('#import-valid-rows').click()");
                assert!(tab.path().starts_with("/admin/imports"), "{}", tab.path());
                let undo = tab
                    .eval("document.querySelector('.import-row a[href$=\"/undo\"]').getAttribute('href')")
                    .as_str()
                    .expect("the import can be undone")
                    .to_string();
                walk.check(&mut tab, role, "/admin/imports", false);
                walk.check(&mut tab, role, &undo, false);
            }
            tab.chrome.call(
                None,
                "Target.disposeBrowserContext",
                json!({ "browserContextId": context_id }),
            );
        }
        // Every role saw the dashboard; HR and the executive the summary; HR the admin pages.
        for must in [
            "hr /",
            "hr /summary",
            "hr /admin/users",
            "hr /admin/settings",
            "hr /admin/imports",
            "hr /admin/data",
            "hr /admin/email",
            "hr /notifications",
            "manager /notifications",
            "hr /admin/surveys",
            "hr /admin/outbox",
            "manager /participation",
            "executive /summary",
            "executive /organization",
            "manager /",
            "signed-out /login",
        ] {
            assert!(walk.visited.iter().any(|v| v == must), "{must} in {:?}", walk.visited);
        }
        let nu = checkers::nu_check(walk.html.path());
        assert!(
            walk.axe_violations.is_empty() && nu.is_empty(),
            "axe-core violations:\n{}\n\nNu HTML checker:\n{}",
            walk.axe_violations.join("\n"),
            nu.join("\n")
        );
    })
    .await
    .unwrap();
}

/// Answer the respondent's page in the tab like a person: choose each value given, then send.
fn answer_in_page(tab: &mut Tab, values: &[(&str, &str)]) {
    for (name, value) in values {
        let clicked = tab.eval(&format!(
            "(() => {{ const i = document.querySelector('input[name=\"{name}\"][value=\"{value}\"]'); \
             if (!i) return false; i.closest('label').click(); return i.checked; }})()"
        ));
        assert_eq!(clicked, json!(true), "{name}={value} can be chosen");
    }
    tab.submit("document.querySelector('#respond-form button[type=submit]').click()");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_survey_round_by_email_in_chromium_gives_exact_team_figures() {
    use attune::mail::worker::{self, Step, WorkerConfig};

    let app = TestApp::spawn().await;
    app.import(attune::import::Kind::Employees, surveys::ROSTER)
        .await;
    let base = format!("http://{}", app.address);
    let today = surveys::today();
    let mut tx = app.pool.begin().await.unwrap();
    let (round_id, _) = attune::survey::create(
        &mut tx,
        &attune::db::audit::Actor::cli(),
        &surveys::round(today, today + chrono::Days::new(10)),
        today,
        &base,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The invitations arrive by SMTP, one link each.
    let sink = SmtpSink::start(Options::default()).await;
    let mailer = sink.mailer();
    let send_all = async || {
        while matches!(
            worker::step(&app.pool, &mailer, &WorkerConfig::default())
                .await
                .unwrap(),
            Step::Sent { .. }
        ) {}
    };
    send_all().await;
    let invitations = sink.wait_for(11, Duration::from_secs(20)).await;
    let link_of = |text: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!("{base}/s/")))
            .expect("the message holds a link")
            .trim()
            .to_string()
    };
    let mut links: Vec<(String, String)> = invitations
        .iter()
        .map(|m| (m.rcpt_to[0].clone(), link_of(&m.text())))
        .collect();
    links.sort();

    // Alpha's six answer in a real browser on a phone-sized screen; Beta's five do not (yet).
    let answers: Vec<(String, Vec<(&'static str, &'static str)>)> = vec![
        (
            "a1",
            vec![
                ("heard", "5"),
                ("supported", "5"),
                ("valued", "5"),
                ("enps", "10"),
            ],
        ),
        (
            "a2",
            vec![
                ("heard", "4"),
                ("supported", "4"),
                ("valued", "4"),
                ("enps", "9"),
            ],
        ),
        (
            "a3",
            vec![
                ("heard", "3"),
                ("supported", "3"),
                ("valued", "3"),
                ("enps", "7"),
            ],
        ),
        (
            "a4",
            vec![
                ("heard", "2"),
                ("supported", "2"),
                ("valued", "2"),
                ("enps", "3"),
            ],
        ),
        (
            "a5",
            vec![
                ("heard", "5"),
                ("supported", "4"),
                ("valued", "3"),
                ("enps", "8"),
            ],
        ),
        ("a6", vec![("enps", "10")]),
    ]
    .into_iter()
    .map(|(who, values)| {
        let link = links
            .iter()
            .find(|(email, _)| email.starts_with(who))
            .unwrap()
            .1
            .clone();
        (link.trim_start_matches(&base).to_string(), values)
    })
    .collect();
    let screenshots = screenshot_dir();
    std::fs::create_dir_all(&screenshots).unwrap();
    let base_for_browser = base.clone();
    tokio::task::spawn_blocking(move || {
        let axe = checkers::axe_source();
        let html = tempfile::tempdir().unwrap();
        let mut chrome = Chrome::launch();
        let context = chrome.call(None, "Target.createBrowserContext", json!({}));
        let context_id = context["browserContextId"].as_str().unwrap().to_string();
        let mut tab = Tab::open(&mut chrome, &base_for_browser, &context_id);
        tab.viewport(390, 844, true);
        for (i, (path, values)) in answers.iter().enumerate() {
            let start = tab.goto(path);
            tab.assert_no_console_errors(start, path);
            assert_eq!(
                tab.text("h1").as_deref(),
                Some("Four short questions about your manager")
            );
            let wide = tab.eval("document.documentElement.scrollWidth");
            assert!(
                wide.as_f64().unwrap() <= 390.0,
                "the page fits 390 px: {wide}"
            );
            if i == 0 {
                let violations = tab.axe_violations(&axe);
                assert!(violations.is_empty(), "the form: {violations:#?}");
                std::fs::write(html.path().join("respond-form.html"), tab.served_html()).unwrap();
                tab.screenshot(&screenshots, "respondent-form", 390, 844);
            }
            answer_in_page(&mut tab, values);
            assert_eq!(tab.text("h1").as_deref(), Some("Thank you"), "{path}");
            if i == 0 {
                let violations = tab.axe_violations(&axe);
                assert!(violations.is_empty(), "thank you: {violations:#?}");
                std::fs::write(html.path().join("respond-thanks.html"), tab.served_html()).unwrap();
            }
            // Following the link again: already answered, nothing of the answers.
            tab.goto(path);
            assert_eq!(tab.text("h1").as_deref(), Some("Already answered"));
            assert_eq!(tab.count("input"), 0);
            if i == 0 {
                let violations = tab.axe_violations(&axe);
                assert!(violations.is_empty(), "already answered: {violations:#?}");
                std::fs::write(html.path().join("respond-answered.html"), tab.served_html())
                    .unwrap();
            }
        }
        let nu = checkers::nu_check(html.path());
        assert!(nu.is_empty(), "Nu HTML checker:\n{}", nu.join("\n"));
    })
    .await
    .unwrap();

    // The reminder reaches only the five who have not answered.
    let ticked = attune::survey::tick(&app.pool, today + chrono::Days::new(7), &base)
        .await
        .unwrap();
    assert_eq!(ticked.reminders, 5);
    send_all().await;
    let all = sink.wait_for(16, Duration::from_secs(20)).await;
    let mut reminded: Vec<String> = all[11..].iter().map(|m| m.rcpt_to[0].clone()).collect();
    reminded.sort();
    assert_eq!(
        reminded,
        [
            "b1@corp.example",
            "b2@corp.example",
            "b3@corp.example",
            "b4@corp.example",
            "b5@corp.example"
        ]
    );
    assert!(
        all[11..]
            .iter()
            .all(|m| m.subject().starts_with("Reminder:"))
    );

    // Closed, and dated back into a finished quarter: Alpha's figures, exactly.
    let mut conn = app.pool.acquire().await.unwrap();
    attune::survey::close(&mut conn, &attune::db::audit::Actor::cli(), round_id, today)
        .await
        .unwrap();
    sqlx::query("update survey_round set opens_on = '2025-02-03' where survey_round_id = $1")
        .bind(round_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    let report = attune::report::build(&mut conn, "2025-Q1".parse().unwrap(), None)
        .await
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let alpha = &json["teams"]["Alpha"];
    assert_eq!(alpha["fundamentals"]["pulse_responses"].as_f64(), Some(6.0));
    // 8 of 15 empathy answers favorable; eNPS: 3 promoters, 1 detractor of 6.
    let favorability = alpha["fundamentals"]["empathy_favorability"]
        .as_f64()
        .unwrap();
    assert!((favorability - 800.0 / 15.0).abs() < 0.01, "{favorability}");
    let enps = alpha["advanced"]["enps"].as_f64().unwrap();
    assert!((enps - 200.0 / 6.0).abs() < 0.01, "{enps}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_respondents_page_is_answered_with_the_keyboard_alone_on_a_phone() {
    let app = TestApp::spawn().await;
    app.import(attune::import::Kind::Employees, surveys::ROSTER)
        .await;
    let round_id = surveys::open_round(&app, 10).await;
    let token = surveys::tokens(&app, round_id).await[0].1.clone();
    let base = format!("http://{}", app.address);

    let visited = tokio::task::spawn_blocking(move || {
        let axe = checkers::axe_source();
        let mut chrome = Chrome::launch();
        let context = chrome.call(None, "Target.createBrowserContext", json!({}));
        let context_id = context["browserContextId"].as_str().unwrap().to_string();
        let mut tab = Tab::open(&mut chrome, &base, &context_id);
        tab.viewport(390, 844, true);
        let start = tab.goto(&format!("/s/{token}"));
        tab.assert_no_console_errors(start, "the form");
        let violations = tab.axe_violations(&axe);
        assert!(violations.is_empty(), "the form at 390 px: {violations:#?}");

        // Tab through the page from its start. Each question is reached in order on its chosen
        // radio button ("Skip"), visibly focused; the arrow keys choose within it (from "Skip",
        // the last, down wraps to the first); "valued" is left skipped. Space on the chosen
        // radio keeps it chosen. The button is reached last and Enter sends the form.
        let presses: [(&str, &[&str]); 4] = [
            ("heard", &["ArrowDown"; 4]),
            ("supported", &["ArrowUp", "ArrowUp", "ArrowUp", "ArrowUp", " "]),
            ("valued", &[]),
            ("enps", &["ArrowDown"; 8]),
        ];
        let mut visited = Vec::new();
        for _ in 0..60 {
            tab.press("Tab");
            let focused = tab.eval(
                "(() => { const e = document.activeElement; return { tag: e.tagName, \
                 type: e.type || '', name: e.name || '', value: e.value || '', \
                 visible: e.matches(':focus-visible') && getComputedStyle(e).outlineStyle !== 'none' }; })()",
            );
            let name = focused["name"].as_str().unwrap().to_string();
            if focused["type"] == json!("radio") {
                assert_eq!(focused["value"], json!(""), "{name} is entered on \"Skip\"");
                assert_eq!(focused["visible"], json!(true), "{name} shows its focus");
                let (_, keys) = presses
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("an unexpected radio group {name}"));
                for key in keys.iter() {
                    tab.press(key);
                }
                visited.push(name);
            } else if focused["tag"] == json!("BUTTON") && focused["type"] == json!("submit") {
                assert_eq!(focused["visible"], json!(true), "the button shows its focus");
                let start = tab.chrome.events.len();
                tab.press("Enter");
                tab.chrome
                    .wait_event(&tab.session, "Page.loadEventFired", start);
                tab.assert_no_console_errors(start, "sending the form");
                break;
            }
        }
        assert_eq!(tab.text("h1").as_deref(), Some("Thank you"));
        let violations = tab.axe_violations(&axe);
        assert!(violations.is_empty(), "thank you at 390 px: {violations:#?}");
        visited
    })
    .await
    .unwrap();
    assert_eq!(visited, ["heard", "supported", "valued", "enps"]);

    // The answer waits for its batch: exactly what the keys chose.
    type Values = (Option<i16>, Option<i16>, Option<i16>, Option<i16>);
    let waiting: Vec<Values> = sqlx::query_as(
        "select heard, supported, valued, enps from survey_answer_queue where survey_round_id = $1",
    )
    .bind(round_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(waiting, [(Some(4), Some(2), None, Some(7))]);
}
