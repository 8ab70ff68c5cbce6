//! Signing in and out against the real server: sessions and their expiry, CSRF, throttling,
//! disabled accounts, revoked tokens and the cookie and HSTS headers.

use attune::accounts::Role;
use attune::web::WebConfig;

use crate::support::{Browser, PASSWORD, TestApp, attr, count, text};

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("attune_session=") && !v.contains("Max-Age=0"))
        .map(str::to_string)
}

async fn sessions(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from session")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_opens_a_new_session_and_goes_where_the_user_was_going() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Executive, &[])
        .await;
    let browser = app.browser();

    let first = browser.get("/admin/audit?page=2").await;
    assert_eq!(first.status(), 303);
    assert_eq!(
        first.headers()["location"],
        "/login?next=%2Fadmin%2Faudit%3Fpage%3D2"
    );
    let form = browser.page("/login?next=/?period=2025-Q1", 200).await;
    assert_eq!(attr(&form, "input[name=next]", "value"), "/?period=2025-Q1");
    let token = attr(&form, "input[name=csrf_token]", "value");
    let signed_in = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", "ANN@example.com"),
                ("password", PASSWORD),
                ("next", "/?period=2025-Q1"),
            ],
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/?period=2025-Q1");
    let cookie = session_cookie(&signed_in).expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    // 256 random bits, and only a hash of them in the database.
    let id = cookie["attune_session=".len()..].split(';').next().unwrap();
    assert_eq!(id.len(), 64);
    let stored: String = sqlx::query_scalar("select session_hash from session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(stored, id);

    // Every sign-in gets a new session id.
    let again = app.browser().sign_in("ann@example.com", PASSWORD).await;
    let second = session_cookie(&again).expect("a new session cookie");
    assert_ne!(second, cookie);

    // Another site cannot be the destination.
    let elsewhere = app.browser();
    let form = elsewhere.page("/login", 200).await;
    let token = attr(&form, "input[name=csrf_token]", "value");
    let response = elsewhere
        .post_raw(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", "ann@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_account_is_refused_and_audited() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Hr, &[]).await;
    let browser = app.browser();

    let wrong = browser
        .sign_in("ann@example.com", "not the password at all")
        .await;
    assert_eq!(wrong.status(), 401);
    let html = scraper::Html::parse_document(&wrong.text().await.unwrap());
    assert!(crate::support::text(&html, "#login-error").contains("not right"));
    let unknown = browser.sign_in("nobody@example.com", PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(sessions(&app).await, 0);

    let hr = app.login("ann@example.com").await;
    let audit = hr.page("/admin/audit", 200).await;
    let actions: Vec<String> = audit
        .select(&scraper::Selector::parse("tr.audit-row td.action").unwrap())
        .map(|td| td.text().collect())
        .collect();
    assert_eq!(actions, ["login", "login.failed", "login.failed"]);
    assert_eq!(
        crate::support::text(&audit, "tr.audit-row:nth-child(2) td.actor"),
        "nobody@example.com"
    );
    assert_eq!(
        crate::support::text(&audit, "tr.audit-row:nth-child(1) td.client"),
        "127.0.0.1"
    );
}

#[tokio::test]
async fn the_sign_in_form_needs_its_csrf_cookie_and_field() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Hr, &[]).await;
    let browser = app.browser();
    browser.page("/login", 200).await;

    let without_field = browser
        .post_raw(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(without_field.status(), 403);
    let wrong_field = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", "0".repeat(64).as_str()),
                ("email", "ann@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong_field.status(), 403);
    // A fresh browser that never loaded the form has no cookie to match.
    let forged = app
        .browser()
        .post_raw(
            "/login",
            &[
                ("csrf_token", "a".repeat(64).as_str()),
                ("email", "ann@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(sessions(&app).await, 0);
}

#[tokio::test]
async fn a_form_without_the_session_csrf_token_changes_nothing() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let before = crate::access::snapshot(&app).await;

    for (path, fields) in [
        ("/admin/settings", vec![("min_group_size", "9")]),
        (
            "/admin/users",
            vec![("email", "new@example.com"), ("role", "hr")],
        ),
        ("/admin/tokens", vec![("name", "sneaky")]),
        ("/logout", vec![]),
    ] {
        let missing = hr.post_raw(path, &fields).await;
        assert_eq!(missing.status(), 403, "POST {path} without a token");
        let mut wrong = fields.clone();
        wrong.push(("csrf_token", "0123"));
        assert_eq!(hr.post_raw(path, &wrong).await.status(), 403, "POST {path}");
    }

    assert_eq!(crate::access::snapshot(&app).await, before);
    // Still signed in: the forged sign-out did nothing either.
    assert_eq!(hr.get("/").await.status(), 200);
}

#[tokio::test]
async fn repeated_failures_are_slowed_then_refused_with_retry_after() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Hr, &[]).await;
    let browser = app.browser();

    for attempt in 1..=10 {
        let started = std::time::Instant::now();
        let response = browser
            .sign_in("ann@example.com", "wrong password, sorry")
            .await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
        // From the 5th failure on (issue #12, item 7: the README says so).
        if attempt >= 5 {
            assert!(
                started.elapsed() >= std::time::Duration::from_millis(900),
                "attempt {attempt} answered at once"
            );
        }
    }
    let refused = browser.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // The same address is refused for other accounts too.
    app.create_user("bob@example.com", Role::Hr, &[]).await;
    assert_eq!(
        browser.sign_in("bob@example.com", PASSWORD).await.status(),
        429
    );

    // Not for good: once the failures are older than the window, the right password works.
    sqlx::query("update login_failure set created_at = created_at - interval '16 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        browser.sign_in("ann@example.com", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn sessions_end_when_idle_too_long_or_too_old() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Executive, &[])
        .await;

    let idle = app.login("ann@example.com").await;
    sqlx::query("update session set last_seen_at = now() - interval '31 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(idle.get("/").await.status(), 303);

    let old = app.login("ann@example.com").await;
    assert_eq!(old.get("/").await.status(), 200);
    sqlx::query(
        "update session set created_at = now() - interval '12 hours 1 minute', last_seen_at = now()",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(old.get("/").await.status(), 303);

    // Activity keeps a session alive within both limits.
    let active = app.login("ann@example.com").await;
    sqlx::query("update session set last_seen_at = now() - interval '29 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(active.get("/").await.status(), 200);
}

/// How many seconds ago the session was last seen, as stored.
async fn seconds_since_seen(app: &TestApp) -> f64 {
    sqlx::query_scalar("select extract(epoch from now() - last_seen_at)::float8 from session")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_is_marked_seen_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Executive, &[])
        .await;
    let ann = app.login("ann@example.com").await;

    // Seen 30 seconds ago: a request does not write the row again.
    sqlx::query("update session set last_seen_at = now() - interval '30 seconds'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(ann.get("/").await.status(), 200);
    assert!(seconds_since_seen(&app).await >= 30.0);

    // Seen two minutes ago: the request marks it seen now.
    sqlx::query("update session set last_seen_at = now() - interval '2 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(ann.get("/").await.status(), 200);
    assert!(seconds_since_seen(&app).await < 30.0);
}

#[tokio::test]
async fn an_api_token_records_its_first_use_and_then_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let user_id = app.create_user("ann@example.com", Role::Hr, &[]).await;
    let (_, token) =
        attune::db::tokens::create(&mut app.pool.acquire().await.unwrap(), user_id, "t")
            .await
            .unwrap();
    let used = || async {
        let response = reqwest::Client::new()
            .get(app.url("/api/v1/metrics?period=2025-Q1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let ago: Option<f64> = sqlx::query_scalar(
            "select extract(epoch from now() - last_used_at)::float8 from api_token",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        ago
    };
    assert!(used().await.is_some_and(|ago| ago < 30.0));
    sqlx::query("update api_token set last_used_at = now() - interval '30 seconds'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(used().await.is_some_and(|ago| ago >= 30.0));
    sqlx::query("update api_token set last_used_at = now() - interval '2 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(used().await.is_some_and(|ago| ago < 30.0));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    assert_eq!(sessions(&app).await, 1);

    let out = hr.post("/logout", &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()["location"], "/login");
    assert_eq!(sessions(&app).await, 0);
    assert_eq!(hr.get("/").await.status(), 303);
}

async fn token_for(app: &TestApp, email: &str) -> String {
    let mut conn = app.pool.acquire().await.unwrap();
    let user = attune::db::users::find_by_email(&mut conn, email)
        .await
        .unwrap()
        .unwrap();
    attune::db::tokens::create(&mut conn, user.user_id, "t")
        .await
        .unwrap()
        .1
}

async fn api_status(browser: &Browser, token: &str) -> u16 {
    browser
        .client
        .get(browser.url("/api/v1/metrics?period=2025"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_everywhere_and_their_tokens_end_for_good() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let ann_id = app.create_user("ann@example.com", Role::Manager, &[]).await;
    let ann = app.login("ann@example.com").await;
    let token = token_for(&app, "ann@example.com").await;
    assert_eq!(api_status(&ann, &token).await, 200);

    let disabled = hr
        .post(&format!("/admin/users/{ann_id}/disable"), &[])
        .await;
    assert_eq!(disabled.status(), 303);

    assert_eq!(ann.get("/").await.status(), 303);
    assert_eq!(api_status(&ann, &token).await, 401);
    assert_eq!(
        app.browser()
            .sign_in("ann@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    let user = hr.page(&format!("/admin/users/{ann_id}"), 200).await;
    assert_eq!(crate::support::text(&user, "#user-status"), "disabled");

    // Enabled again (issue #12, item 8): the same password works; the old sessions and the old
    // token stay ended, and a new token works.
    assert_eq!(
        hr.post(&format!("/admin/users/{ann_id}/enable"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(ann.get("/").await.status(), 303);
    assert_eq!(api_status(&ann, &token).await, 401, "not revived");
    let new_token = token_for(&app, "ann@example.com").await;
    assert_eq!(api_status(&ann, &new_token).await, 200);
    // Disabled again and enabled again from the command line: the same.
    assert_eq!(
        app.cli(&["user", "disable", "ann@example.com"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        app.cli(&["user", "enable", "ann@example.com"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(api_status(&ann, &new_token).await, 401);
    assert_eq!(
        app.browser()
            .sign_in("ann@example.com", PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let created = hr.post("/admin/tokens", &[("name", "report script")]).await;
    assert_eq!(created.status(), 200);
    let html = scraper::Html::parse_document(&created.text().await.unwrap());
    let token = crate::support::text(&html, "#new-token code.secret");
    assert!(token.starts_with("attune_"));
    assert_eq!(api_status(&hr, &token).await, 200);
    // The list never shows the token again.
    let listed = hr.get("/admin/tokens").await.text().await.unwrap();
    assert!(!listed.contains(&token));

    let id: i64 = sqlx::query_scalar("select api_token_id from api_token")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let revoked = hr.post(&format!("/admin/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(api_status(&hr, &token).await, 401);
    let tokens = hr.page("/admin/tokens", 200).await;
    assert_eq!(
        crate::support::text(
            &tokens,
            r#"tr.token-row[data-name="report script"] td.status"#
        ),
        "revoked"
    );
}

#[tokio::test]
async fn with_secure_cookies_every_response_carries_hsts_and_cookies_are_secure() {
    let app = TestApp::spawn_with(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    })
    .await;
    app.create_user("ann@example.com", Role::Hr, &[]).await;
    // reqwest keeps Secure cookies off plain HTTP, so sign in by hand.
    let client = app.browser().client;
    let form = client.get(app.url("/login")).send().await.unwrap();
    let login_cookie = form.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(login_cookie.contains("; Secure"), "{login_cookie}");
    let csrf = login_cookie["attune_login_csrf=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let signed_in = client
        .post(app.url("/login"))
        .header("cookie", format!("attune_login_csrf={csrf}"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", "ann@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = session_cookie(&signed_in).unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    for path in [
        "/",
        "/login",
        "/healthz",
        "/static/app.css",
        "/nope",
        "/api/v1/metrics",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let app = TestApp::spawn_with(WebConfig {
        trust_proxy: true,
        ..WebConfig::default()
    })
    .await;
    let client = app.browser().client;
    let form = client.get(app.url("/login")).send().await.unwrap();
    let html = scraper::Html::parse_document(&form.text().await.unwrap());
    let token = attr(&html, "input[name=csrf_token]", "value");
    client
        .post(app.url("/login"))
        .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "x@example.com"),
            ("password", "whatever it may be"),
        ])
        .send()
        .await
        .unwrap();
    let addr: String = sqlx::query_scalar("select client_addr from login_failure")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(addr, "198.51.100.7");
}

#[tokio::test]
async fn wrong_passwords_sent_all_at_once_get_no_more_checks_than_the_limit() {
    let app = TestApp::spawn().await;
    app.create_user("ann@example.com", Role::Hr, &[]).await;
    // Twenty browsers, each with its own sign-in form, then every attempt at the same moment.
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let browser = app.browser();
        let form = browser.page("/login", 200).await;
        let token = attr(&form, "#login-form input[name=csrf_token]", "value");
        let url = browser.url("/login");
        let client = browser.client.clone();
        attempts.spawn(async move {
            client
                .post(url)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "ann@example.com"),
                    ("password", "wrong password, sorry"),
                ])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        });
    }
    let statuses = attempts.join_all().await;

    // A 401 is an attempt whose password was checked; a 429 was refused before any check.
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 20, "{statuses:?}");
    assert!(
        (1..=10).contains(&checked),
        "at most 10 passwords checked, not {checked}: {statuses:?}"
    );
    let failures_audited: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'login.failed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(failures_audited, checked as i64);
    // The limit holds afterwards too, even with the right password.
    let browser = app.browser();
    assert_eq!(
        browser.sign_in("ann@example.com", PASSWORD).await.status(),
        if checked == 10 { 429 } else { 303 }
    );
}

#[tokio::test]
async fn the_sign_in_page_lists_the_demo_accounts_only_in_demo_mode() {
    let demo = TestApp::spawn_with(WebConfig {
        demo: true,
        ..WebConfig::default()
    })
    .await;
    let page = demo.page("/login", 200).await;
    let listed: Vec<String> = page
        .select(&scraper::Selector::parse("#demo-accounts .demo-email").unwrap())
        .map(|e| e.text().collect())
        .collect();
    let expected: Vec<&str> = attune::demo::accounts::LOGINS
        .iter()
        .map(|(email, _)| *email)
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        text(&page, "#demo-password"),
        attune::demo::accounts::PASSWORD
    );

    let real = TestApp::spawn().await;
    let page = real.page("/login", 200).await;
    assert_eq!(count(&page, "#demo-accounts"), 0);
    assert!(
        !page.html().contains(attune::demo::accounts::PASSWORD),
        "no demo password outside demo mode"
    );
}

#[tokio::test]
async fn signed_out_pages_offer_no_navigation_but_a_way_to_sign_in() {
    let app = TestApp::spawn().await;
    let login = app.page("/login", 200).await;
    assert_eq!(count(&login, "header nav a"), 0, "no Dashboard link");
    let missing = app.page("/no-such-page", 404).await;
    assert_eq!(count(&missing, "header nav a"), 0);
    assert_eq!(count(&missing, "#whoami"), 0);
    assert_eq!(attr(&missing, ".error-page a", "href"), "/login");
}

#[tokio::test]
async fn error_pages_show_who_is_signed_in_and_sign_out() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    for path in [
        "/no-such-page",
        "/admin/users/not-a-number",
        "/admin/users/999",
    ] {
        let page = hr.page(path, 404).await;
        assert!(
            text(&page, "#whoami").starts_with("hr@example.com"),
            "{path}"
        );
        assert_eq!(count(&page, "form[action=\"/logout\"] button"), 1, "{path}");
        assert_eq!(text(&page, "header nav a[href=\"/admin/users\"]"), "Users");
    }
    app.create_user("m@example.com", Role::Manager, &[]).await;
    let manager = app.login("m@example.com").await;
    let refused = manager.page("/admin/users", 403).await;
    assert!(text(&refused, "#whoami").starts_with("m@example.com"));
    assert_eq!(text(&refused, ".error-page a"), "Back to my team");
}

/// Issue #12, item 7: failures from one address do not lock the account's owner out elsewhere,
/// and an account attacked from many addresses is slowed, never refused.
#[tokio::test]
async fn failures_from_elsewhere_never_lock_the_owner_out() {
    let app = TestApp::spawn_with(WebConfig {
        trust_proxy: true,
        ..WebConfig::default()
    })
    .await;
    app.create_user("ann@example.com", Role::Hr, &[]).await;
    let attempt = |from: &'static str, password: &'static str| {
        let browser = app.browser();
        async move {
            let form = browser.page("/login", 200).await;
            let token = attr(&form, "#login-form input[name=csrf_token]", "value");
            let started = std::time::Instant::now();
            let status = browser
                .client
                .post(browser.url("/login"))
                .header("x-forwarded-for", from)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "ann@example.com"),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            (status, started.elapsed())
        }
    };

    // Ten failures from one address: that address is refused, even with the right password…
    for _ in 0..10 {
        assert_eq!(
            attempt("203.0.113.66", "wrong password, sorry").await.0,
            401
        );
    }
    assert_eq!(attempt("203.0.113.66", PASSWORD).await.0, 429);
    // … but the owner, from their own address, signs in.
    let (status, _) = attempt("198.51.100.7", PASSWORD).await;
    assert_eq!(status, 303, "the owner is not locked out");

    // Many addresses, one account: later failures wait longer, the owner still gets in at once.
    for i in 1..=3 {
        let (status, _) = attempt(
            ["192.0.2.1", "192.0.2.2", "192.0.2.3"][i - 1],
            "nope, wrong",
        )
        .await;
        assert_eq!(status, 401);
    }
    sqlx::query(
        "insert into login_failure (email, client_addr)
         select 'ann@example.com', '192.0.2.' || n from generate_series(10, 20) n",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, took) = attempt("192.0.2.99", "still wrong").await;
    assert_eq!(status, 401, "slowed, not refused");
    assert!(took >= std::time::Duration::from_secs(5), "{took:?}");
    let (status, took) = attempt("198.51.100.7", PASSWORD).await;
    assert_eq!(status, 303);
    assert!(took < std::time::Duration::from_secs(3), "{took:?}");
}
