//! Imports through the HR web page (upload → preview → confirm → undo) and the JSON API.

use attune::accounts::Role;
use attune::web::WebConfig;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::support::{Browser, TestApp, attr, count, text};

const ROSTER: &str = "Employee ID,Department,Hire Date\nE1,Alpha,03/25/2020\nE2,Beta,2021-01-04\n";

fn upload_form(csrf: &str, kind: &str, file_name: &str, csv: &[u8]) -> Form {
    Form::new()
        .text("csrf_token", csrf.to_string())
        .text("kind", kind.to_string())
        .text("date_format", "auto")
        .part(
            "file",
            Part::bytes(csv.to_vec())
                .file_name(file_name.to_string())
                .mime_str("text/csv")
                .unwrap(),
        )
}

pub async fn upload(hr: &Browser, kind: &str, file_name: &str, csv: &[u8]) -> reqwest::Response {
    hr.client
        .post(hr.url("/admin/imports"))
        .multipart(upload_form(&hr.csrf, kind, file_name, csv))
        .send()
        .await
        .unwrap()
}

async fn employees(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from employee")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

pub async fn api_token(app: &TestApp, email: &str, role: Role) -> String {
    let user_id = app.create_user(email, role, &[]).await;
    let mut conn = app.pool.acquire().await.unwrap();
    attune::db::tokens::create(&mut conn, user_id, "test")
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn hr_uploads_previews_confirms_and_undoes() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let uploaded = upload(&hr, "employees", "roster.csv", ROSTER.as_bytes()).await;
    assert_eq!(uploaded.status(), 303);
    let preview_path = uploaded.headers()["location"].to_str().unwrap().to_string();
    assert!(
        preview_path.starts_with("/admin/imports/uploads/"),
        "{preview_path}"
    );
    assert_eq!(employees(&app).await, 0, "a preview writes nothing");

    let preview = hr.page(&preview_path, 200).await;
    assert_eq!(text(&preview, "#encoding"), "UTF-8");
    assert_eq!(text(&preview, "#delimiter"), "comma");
    assert_eq!(text(&preview, "#rows"), "2 (2 valid, 0 problems)");
    assert_eq!(count(&preview, "#mapping tbody tr"), 3);
    assert_eq!(count(&preview, "#sample tbody tr"), 2);
    // The file's three columns, not the roster's thirteen.
    let header: Vec<String> = preview
        .select(&scraper::Selector::parse("#sample thead th").unwrap())
        .map(|th| th.text().collect())
        .collect();
    assert_eq!(header, ["employee_id", "team", "hire_date"]);
    assert_eq!(
        text(&preview, "#sample tbody tr:first-child td:nth-child(3)"),
        "2020-03-25"
    );

    let commit_path = attr(&preview, "form[action$='/commit']", "action");
    let committed = hr.post(&commit_path, &[]).await;
    assert_eq!(committed.status(), 303);
    let done = committed.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(employees(&app).await, 2);

    let history = hr.page(&done, 200).await;
    assert!(
        text(&history, "#import-message")
            .starts_with("Import #1 is done: 2 rows of employees from roster.csv")
    );
    assert_eq!(text(&history, "tr[data-import='1'] td.status"), "succeeded");
    assert_eq!(
        text(&history, "tr[data-import='1'] td:nth-child(8)"),
        "hr@example.com"
    );

    let confirm = hr.page("/admin/imports/1/undo", 200).await;
    assert!(text(&confirm, "h1").contains("Undo import #1"));
    assert_eq!(employees(&app).await, 2, "asking changes nothing");
    let undone = hr.post("/admin/imports/1/undo", &[]).await;
    assert_eq!(undone.status(), 303);
    assert_eq!(employees(&app).await, 0);
    let history = hr.page("/admin/imports?undone=1", 200).await;
    assert_eq!(text(&history, "tr[data-import='1'] td.status"), "undone");
}

#[tokio::test]
async fn a_file_with_problems_lists_them_and_offers_them_as_a_safe_csv() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let bad = "employee_id,team,hire_date\nE1,Alpha,2020-02-30\n=cmd,Alpha,soon\n";

    let uploaded = upload(&hr, "employees", "bad.csv", bad.as_bytes()).await;
    let preview_path = uploaded.headers()["location"].to_str().unwrap().to_string();
    let preview = hr.page(&preview_path, 200).await;

    assert_eq!(count(&preview, "#errors li"), 2);
    assert_eq!(
        text(&preview, "#errors li:first-child"),
        "line 2, hire_date \"2020-02-30\": not a date"
    );
    assert_eq!(
        count(&preview, "#confirm-import"),
        0,
        "nothing can be imported"
    );
    let csv = hr.get(&format!("{preview_path}/errors.csv")).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"bad-problems.csv\""
    );
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "line,column,value,problem");
    assert_eq!(lines[1], "2,hire_date,2020-02-30,not a date");
    assert_eq!(lines[2], "3,hire_date,soon,not a date");

    // Confirming anyway is refused, and nothing is written.
    let commit = hr.post(&format!("{preview_path}/commit"), &[]).await;
    assert_eq!(commit.status(), 400);
    assert_eq!(employees(&app).await, 0);
}

#[tokio::test]
async fn the_preview_of_a_roster_says_what_will_change() {
    let app = TestApp::spawn().await;
    app.import(attune::import::Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;
    let newer = "employee_id,team,hire_date,manager_id\n\
                 E1,Beta,2020-03-25,E2\n\
                 E2,beta,2021-01-04,\n\
                 E3,Gamma,2022-02-02,M9\n";

    let uploaded = upload(&hr, "employees", "newer.csv", newer.as_bytes()).await;
    let preview_path = uploaded.headers()["location"].to_str().unwrap().to_string();
    let preview = hr.page(&preview_path, 200).await;

    assert_eq!(
        text(&preview, "#effect-employees"),
        "1 new employee, 1 updated, 1 unchanged."
    );
    assert_eq!(
        text(&preview, "#effect-teams-created"),
        "Team created: Gamma (1 person today)."
    );
    assert_eq!(
        text(&preview, "#effect-teams-changed"),
        "Teams that grow or shrink today: Alpha 1 → 0 (−1); Beta 1 → 2 (+1)."
    );
    assert!(
        text(&preview, "#effect-unknown-managers")
            .starts_with("Manager ids that match no employee: M9."),
        "E2 is an employee; M9 is nobody"
    );
    assert_eq!(employees(&app).await, 2, "a preview writes nothing");
}

#[tokio::test]
async fn a_preview_with_problems_offers_to_import_only_the_valid_rows() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let mixed =
        "employee_id,team,hire_date\nE1,Alpha,2020-02-03\nE2,Alpha,soon\nE3,Beta,2021-05-06\n";

    let uploaded = upload(&hr, "employees", "mixed.csv", mixed.as_bytes()).await;
    let preview_path = uploaded.headers()["location"].to_str().unwrap().to_string();
    let preview = hr.page(&preview_path, 200).await;

    assert_eq!(count(&preview, "#confirm-import"), 0);
    assert_eq!(
        text(&preview, "#import-valid-rows"),
        "Import the 2 valid rows"
    );
    assert_eq!(
        attr(
            &preview,
            "form:has(#import-valid-rows) [name=valid_rows_only]",
            "value"
        ),
        "yes"
    );
    let imported = hr
        .post(
            &format!("{preview_path}/commit"),
            &[("valid_rows_only", "yes")],
        )
        .await;
    assert_eq!(imported.status(), 303);
    assert!(
        imported.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/admin/imports?imported="),
        "{:?}",
        imported.headers()["location"]
    );
    let ids: Vec<String> =
        sqlx::query_scalar("select external_id from employee order by external_id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(ids, ["E1", "E3"]);
    let (accepted, rejected): (i32, i32) =
        sqlx::query_as("select rows_accepted, rows_rejected from import")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((accepted, rejected), (2, 1));
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused_and_nothing_is_kept() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let forged = hr
        .client
        .post(hr.url("/admin/imports"))
        .multipart(upload_form(
            "not-the-token",
            "employees",
            "roster.csv",
            ROSTER.as_bytes(),
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(forged.status(), 403);
    let uploads: i64 = sqlx::query_scalar("select count(*) from import_upload")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(uploads, 0);
}

#[tokio::test]
async fn managers_cannot_import() {
    let app = TestApp::spawn().await;
    app.import(attune::import::Kind::Employees, ROSTER).await;
    app.create_user("m@example.com", Role::Manager, &["Alpha"])
        .await;
    let manager = app.login("m@example.com").await;

    assert_eq!(manager.get("/admin/imports").await.status(), 403);
    let attempt = upload(&manager, "employees", "roster.csv", ROSTER.as_bytes()).await;
    assert_eq!(attempt.status(), 403);
}

#[tokio::test]
async fn an_upload_over_the_limit_gets_413_with_the_limit_named() {
    let config = WebConfig {
        max_upload_bytes: 1024 * 1024,
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(config).await;
    let hr = app.login_hr().await;
    let big = vec![b'x'; 2 * 1024 * 1024];

    let response = upload(&hr, "employees", "big.csv", &big).await;

    assert_eq!(response.status(), 413);
    // Answered by the body limit, before any handler: still with every security header.
    let headers = response.headers().clone();
    assert_eq!(
        headers["content-security-policy"],
        attune::web::CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store");
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(text(&html, ".error-message").contains("larger than the limit of 1 MiB"));

    // The same through the API, behind secure cookies: JSON, with the headers and HSTS.
    let config = WebConfig {
        max_upload_bytes: 1024 * 1024,
        secure_cookies: true,
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(config).await;
    let token = api_token(&app, "hr-bot@example.com", Role::Hr).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/imports/employees"))
        .bearer_auth(&token)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let headers = response.headers();
    assert_eq!(
        headers["content-security-policy"],
        attune::web::CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["strict-transport-security"],
        attune::web::STRICT_TRANSPORT_SECURITY
    );
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("larger than"),
        "{body}"
    );
}

#[tokio::test]
async fn an_api_upload_sent_in_chunks_past_the_limit_gets_413_and_imports_nothing() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let config = WebConfig {
        max_upload_bytes: 1024 * 1024,
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(config).await;
    let token = api_token(&app, "hr-bot@example.com", Role::Hr).await;
    // No length announced: the limit is found while the body is being stored.
    let mut stream = tokio::net::TcpStream::connect(app.address).await.unwrap();
    let head = format!(
        "POST /api/v1/imports/employees HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut chunk = b"employee_id,team,hire_date\n".to_vec();
    chunk.resize(64 * 1024, b'x');
    for _ in 0..32 {
        let sent = stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .and(stream.write_all(&chunk).await)
            .and(stream.write_all(b"\r\n").await);
        if sent.is_err() {
            break; // the server answered and closed
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("larger than the limit of 1 MiB"),
        "{answer}"
    );
    let imports: i64 = sqlx::query_scalar("select count(*) from import")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(imports, 0);
}

#[tokio::test]
async fn the_import_api_previews_imports_and_rejects_like_the_cli() {
    let app = TestApp::spawn().await;
    let token = api_token(&app, "hr-bot@example.com", Role::Hr).await;
    let client = reqwest::Client::new();
    let post = |query: &str, body: &'static str| {
        client
            .post(app.url(&format!("/api/v1/imports/employees{query}")))
            .bearer_auth(&token)
            .body(body)
            .send()
    };

    let dry: Value = post("?dry_run=true&file_name=roster.csv", ROSTER)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dry["status"], "dry_run");
    assert_eq!(dry["rows_total"], 2);
    assert_eq!(dry["encoding"], "UTF-8");
    // Pairs are objects, as /api/openapi.json describes them.
    assert_eq!(
        dry["columns"][0],
        serde_json::json!({"column": "Employee ID", "maps_to": "employee_id"})
    );
    assert_eq!(dry["date_orders"][0]["column"], "hire_date");
    assert_eq!(dry["sample"][0]["employee_id"], "E1");
    assert_eq!(dry["sample"][1]["team"], "Beta");
    assert_eq!(dry["effect"]["new_employees"], 2);
    assert_eq!(dry["effect"]["teams_created"][0]["team"], "Alpha");
    assert_eq!(employees(&app).await, 0);

    // A parameter axum cannot read is the documented JSON error, naming the parameter.
    let unreadable_flag = post("?dry_run=yes", ROSTER).await.unwrap();
    assert_eq!(unreadable_flag.status(), 400);
    assert_eq!(
        unreadable_flag.headers()["content-type"],
        "application/json"
    );
    let unreadable_flag: Value = unreadable_flag.json().await.unwrap();
    assert!(
        unreadable_flag["error"]
            .as_str()
            .unwrap()
            .contains("dry_run"),
        "{unreadable_flag}"
    );
    assert_eq!(employees(&app).await, 0);

    let imported = post("", ROSTER).await.unwrap();
    assert_eq!(imported.status(), 200);
    let imported: Value = imported.json().await.unwrap();
    assert_eq!(
        (imported["status"].as_str(), imported["import_id"].as_i64()),
        (Some("imported"), Some(1))
    );
    assert_eq!(employees(&app).await, 2);
    let again: Value = post("", ROSTER).await.unwrap().json().await.unwrap();
    assert_eq!(again["status"], "already_imported");

    let rejected = post("", "employee_id,team,hire_date\nE9,Alpha,someday\n")
        .await
        .unwrap();
    assert_eq!(rejected.status(), 422);
    let rejected: Value = rejected.json().await.unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["errors"][0]["line"], 2);
    assert_eq!(rejected["errors"][0]["column"], "hire_date");

    let unreadable = post("", "nothing useful\n1\n").await.unwrap();
    assert_eq!(unreadable.status(), 400);
    let unreadable: Value = unreadable.json().await.unwrap();
    assert!(
        unreadable["error"]
            .as_str()
            .unwrap()
            .contains("missing required columns")
    );
}

#[tokio::test]
async fn the_import_api_is_for_hr_only() {
    let app = TestApp::spawn().await;
    app.import(attune::import::Kind::Employees, ROSTER).await;
    let manager = api_token(&app, "m@example.com", Role::Manager).await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/imports/employees");

    let anonymous = client.post(&url).body(ROSTER).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let as_manager = client
        .post(&url)
        .bearer_auth(&manager)
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(as_manager.status(), 403);
    let unknown_kind = client
        .post(app.url("/api/v1/imports/payroll"))
        .bearer_auth(api_token(&app, "hr2@example.com", Role::Hr).await)
        .body(ROSTER)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_kind.status(), 404);
}

#[tokio::test]
async fn the_kind_must_be_chosen_and_never_defaults_to_employees() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    // The select starts on an empty placeholder, and the form requires a choice.
    let page = hr.page("/admin/imports", 200).await;
    assert_eq!(count(&page, "select#kind[required]"), 1);
    assert_eq!(attr(&page, "#kind option:first-child", "value"), "");
    assert_eq!(
        text(&page, "#kind option:first-child"),
        "Choose what the file holds…"
    );

    // Sent without one anyway: a clear error, and nothing stored.
    let response = upload(&hr, "", "roster.csv", ROSTER.as_bytes()).await;
    assert_eq!(response.status(), 400);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text(&html, ".error-message"), "Choose what the file holds.");
    let uploads: i64 = sqlx::query_scalar("select count(*) from import_upload")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(uploads, 0);
    assert_eq!(employees(&app).await, 0);
}

/// Issue #12, item 9: an upload previewed but never confirmed is scrubbed by an erasure, and
/// expires by itself after the configured time.
#[tokio::test]
async fn unconfirmed_uploads_go_with_an_erasure_and_expire() {
    let app = TestApp::spawn_with(WebConfig {
        upload_expiry: std::time::Duration::from_secs(60 * 60),
        ..WebConfig::default()
    })
    .await;
    app.import(
        attune::import::Kind::Employees,
        "employee_id,name,team,hire_date,salary\nE1,Ann Example,Alpha,2020-01-01,50000\n",
    )
    .await;
    let hr = app.login_hr().await;
    let roster = b"employee_id,name,team,hire_date,salary\nE1,Ann Example,Alpha,2020-01-01,61000\n";

    let uploaded = upload(&hr, "employees", "raise.csv", roster).await;
    assert_eq!(uploaded.status(), 303);
    let preview = uploaded.headers()["location"].to_str().unwrap().to_string();
    let html = hr.get(&preview).await.text().await.unwrap();
    assert!(html.contains("Ann Example"), "the preview shows the name");

    let erased = app.cli(&["employee", "erase", "E1"]);
    assert_eq!(
        erased.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&erased.stderr)
    );
    assert_eq!(hr.get(&preview).await.status(), 404, "the upload is gone");
    let left: i64 = sqlx::query_scalar("select count(*) from import_upload")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);

    // An upload older than the expiry is gone too, whether or not anything else happened.
    let uploaded = upload(&hr, "employees", "later.csv", ROSTER.as_bytes()).await;
    let preview = uploaded.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(hr.get(&preview).await.status(), 200);
    sqlx::query("update import_upload set created_at = now() - interval '61 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(hr.get(&preview).await.status(), 404);
    let mut conn = app.pool.acquire().await.unwrap();
    let dropped = attune::db::uploads::expire(&mut conn, std::time::Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(dropped, 1);

    // `attune serve` drops them by itself (at start, then every few minutes), after its
    // default 24 hours.
    upload(&hr, "employees", "old.csv", ROSTER.as_bytes()).await;
    upload(&hr, "employees", "new.csv", ROSTER.as_bytes()).await;
    sqlx::query(
        "update import_upload set created_at = now() - interval '25 hours' where file_name = 'old.csv'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (server, _) = crate::connections::serve(&app, &[]);
    let started = std::time::Instant::now();
    let left = loop {
        let left: Vec<String> = sqlx::query_scalar("select file_name from import_upload")
            .fetch_all(&app.pool)
            .await
            .unwrap();
        if left.len() < 2 || started.elapsed() > std::time::Duration::from_secs(10) {
            break left;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    crate::connections::stop(server);
    assert_eq!(left, ["new.csv"]);
}
