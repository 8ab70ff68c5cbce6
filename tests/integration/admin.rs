//! HR's pages: users, teams, passwords, settings, erasure and the audit log.

use attune::accounts::Role;
use attune::import::Kind;

use crate::support::{TestApp, attr, count, text};

const ROSTER: &str = "\
employee_id,team,hire_date,full_name,email,annual_salary,job_title,termination_date,termination_type,termination_reason,manager_id
A1,Alpha,2020-01-01,Ann Smith,ann@corp.example,50000,Engineer,,,,A2
A2,Alpha,2019-01-01,Bo Chen,bo@corp.example,70000,Lead,2025-02-01,voluntary,moved away,
B1,Beta,2021-03-01,Cy Diaz,cy@corp.example,40000,Agent,,,,
";

#[tokio::test]
async fn hr_adds_a_manager_with_teams_who_then_signs_in_and_sees_them() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;

    let created = hr
        .post(
            "/admin/users",
            &[
                ("email", "mia@example.com"),
                ("role", "manager"),
                ("team", "Alpha"),
                ("password", "mia's own long password"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let users = hr.page("/admin/users", 200).await;
    let row = r#"tr.user-row[data-email="mia@example.com"]"#;
    assert_eq!(text(&users, &format!("{row} td.role")), "Manager");
    assert_eq!(text(&users, &format!("{row} td.teams")), "Alpha");

    let mia = app.browser();
    assert_eq!(
        mia.sign_in("mia@example.com", "mia's own long password")
            .await
            .status(),
        303
    );
    // A manager lands on their team's page.
    let dashboard = mia.page("/?period=2025-Q1", 200).await;
    assert_eq!(text(&dashboard, "#team-name"), "Alpha");
    assert_eq!(count(&dashboard, "#team-switcher"), 0);
    assert_eq!(text(&dashboard, "#whoami"), "mia@example.com · Manager");
    // Managers get no administration links.
    assert_eq!(count(&dashboard, r#"a[href="/admin/users"]"#), 0);

    // HR reassigns her to Beta.
    let id: i64 =
        sqlx::query_scalar("select user_id from app_user where email = 'mia@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let moved = hr
        .post(&format!("/admin/users/{id}/teams"), &[("team", "Beta")])
        .await;
    assert_eq!(moved.status(), 303);
    let dashboard = mia.page("/?period=2025-Q1", 200).await;
    assert_eq!(text(&dashboard, "#team-name"), "Beta");
}

#[tokio::test]
async fn a_generated_password_is_shown_once_and_works() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let created = hr
        .post(
            "/admin/users",
            &[("email", "leo@example.com"), ("role", "executive")],
        )
        .await;
    assert_eq!(created.status(), 200);
    let html = scraper::Html::parse_document(&created.text().await.unwrap());
    let password = text(&html, "#generated-password code.secret");
    assert_eq!(password.chars().count(), 20);
    assert_eq!(
        app.browser()
            .sign_in("leo@example.com", &password)
            .await
            .status(),
        303
    );
    let id = attr(&html, "#user-teams", "action");
    let again = hr
        .get(id.trim_end_matches("/teams"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&password));
}

#[tokio::test]
async fn bad_accounts_are_explained_and_not_created() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;

    for (fields, message) in [
        (
            vec![
                ("email", "x@example.com"),
                ("role", "manager"),
                ("password", "short"),
            ],
            "too short",
        ),
        (
            vec![
                ("email", "x@example.com"),
                ("role", "manager"),
                ("password", "password1234"),
            ],
            "most common",
        ),
        (
            vec![
                ("email", "x@example.com"),
                ("role", "manager"),
                ("team", "Gamma"),
                ("password", "a fine long password"),
            ],
            "no team named Gamma",
        ),
        (
            vec![("email", "not-an-address"), ("role", "manager")],
            "not an e-mail address",
        ),
        (
            vec![("email", "x@example.com"), ("role", "admin")],
            "unknown role",
        ),
        (
            vec![("email", "HR@example.com"), ("role", "hr")],
            "already an account",
        ),
    ] {
        let response = hr.post("/admin/users", &fields).await;
        assert_eq!(response.status(), 400, "{fields:?}");
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert!(
            text(&html, ".error-message").contains(message),
            "{fields:?}"
        );
    }
    let users: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn hr_cannot_disable_their_own_account() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let id: i64 = sqlx::query_scalar("select user_id from app_user")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    assert_eq!(
        hr.post(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status(),
        400
    );
    assert_eq!(hr.get("/").await.status(), 200);
}

#[tokio::test]
async fn hr_sets_the_minimum_group_size_but_never_below_three() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let page = hr.page("/admin/settings", 200).await;
    assert_eq!(attr(&page, "#min-group-size", "value"), "5");

    let saved = hr.post("/admin/settings", &[("min_group_size", "7")]).await;
    assert_eq!(saved.status(), 303);
    let page = hr.page("/admin/settings", 200).await;
    assert_eq!(attr(&page, "#min-group-size", "value"), "7");

    for bad in ["2", "0", "-4", "seven", ""] {
        let refused = hr.post("/admin/settings", &[("min_group_size", bad)]).await;
        assert_eq!(refused.status(), 400, "{bad:?}");
    }
    let mut conn = app.pool.acquire().await.unwrap();
    assert_eq!(
        attune::db::settings::min_group_size(&mut conn)
            .await
            .unwrap(),
        7
    );
}

#[tokio::test]
async fn erasing_a_person_keeps_the_counts_but_nothing_that_identifies_them() {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    let hr = app.login_hr().await;
    let before = hr.page("/?period=2025-Q1", 200).await;

    let unconfirmed = hr
        .post("/admin/employees/erase", &[("employee_id", "A2")])
        .await;
    assert_eq!(unconfirmed.status(), 400);
    let erased = hr
        .post(
            "/admin/employees/erase",
            &[("employee_id", "A2"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(erased.status(), 303);

    let (external_id, remaining): (String, Option<String>) = sqlx::query_as(
        "select external_id,
             concat_ws(',', full_name, email, annual_salary, job_title, termination_reason)
         from employee where hire_date = '2019-01-01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(external_id.starts_with("erased-"), "{external_id}");
    assert_eq!(remaining.as_deref(), Some(""), "no personal field is left");
    // Whom they managed now points at the new id, not the old one.
    let manager: String =
        sqlx::query_scalar("select manager_external_id from employee where external_id = 'A1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(manager, external_id);
    let after = hr.page("/?period=2025-Q1", 200).await;
    assert_eq!(
        text(&after, "tr.org-row td.turnover"),
        text(&before, "tr.org-row td.turnover")
    );
    let audit = hr.page("/admin/audit", 200).await;
    assert_eq!(text(&audit, "tr.audit-row td.action"), "employee.erase");
    assert!(!text(&audit, "tr.audit-row td.detail").contains("A2"));

    let again = hr
        .post(
            "/admin/employees/erase",
            &[("employee_id", "A2"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn the_audit_log_is_paged_newest_first() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let mut conn = app.pool.acquire().await.unwrap();
    for i in 0..60 {
        attune::db::audit::record(
            &mut conn,
            &attune::db::audit::Actor::cli(),
            "test.event",
            serde_json::json!({ "n": i }),
        )
        .await
        .unwrap();
    }

    let first = hr.page("/admin/audit", 200).await;
    assert_eq!(count(&first, "tr.audit-row"), 50);
    assert_eq!(text(&first, "tr.audit-row td.detail"), "n: 59");
    let second = hr.page("/admin/audit?page=2", 200).await;
    // 60 events plus the sign-in: 11 on the second page, the oldest being the sign-in.
    assert_eq!(count(&second, "tr.audit-row"), 11);
    assert_eq!(text(&second, "tr.audit-row:last-child td.action"), "login");
    hr.page("/admin/audit?page=x", 400).await;
}

#[tokio::test]
async fn the_navigation_follows_the_role() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    let exec = app.login("exec@example.com").await;

    let hr_page = hr.page("/", 200).await;
    for link in [
        "/admin/users",
        "/admin/tokens",
        "/admin/audit",
        "/admin/settings",
    ] {
        assert_eq!(
            count(&hr_page, &format!(r#"nav a[href="{link}"]"#)),
            1,
            "{link}"
        );
    }
    let exec_page = exec.page("/", 200).await;
    assert_eq!(count(&exec_page, r#"nav a[href^="/admin"]"#), 0);
    assert_eq!(count(&exec_page, "form.signout"), 1);
}

#[tokio::test]
async fn the_tokens_page_explains_itself_when_there_are_none() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    let page = hr.page("/admin/tokens", 200).await;

    assert_eq!(count(&page, "table#tokens"), 0);
    assert_eq!(
        text(&page, "#tokens-empty"),
        "You have no API tokens yet. Create one below for each script or tool that should read \
         metrics or import files; each is shown once, when it is created."
    );
    // Tokens import as well as read, and the page says so.
    let subtitle = text(&page, ".subtitle");
    assert!(
        subtitle.contains("import files (POST /api/v1/imports/{kind})"),
        "{subtitle}"
    );
}
