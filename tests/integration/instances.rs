//! Two `attune serve` processes on one database (issue #12): the web tier keeps no state of its
//! own, so a session opened on one is good on the other, and an import through one is seen by
//! the other at once.

use attune::accounts::Role;
use attune::web::auth::SESSION_COOKIE;
use reqwest::header::{COOKIE, SET_COOKIE};

use crate::connections::{serve, stop};
use crate::support::{Browser, PASSWORD, TestApp, attr};

/// A client that sends exactly the cookie it is given, to the instance on `port`.
async fn get(port: u16, path: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_instances_share_sessions_and_see_each_others_imports_at_once() {
    let app = TestApp::spawn().await;
    app.create_user("hr@example.com", Role::Hr, &[]).await;
    let bot = app.create_user("bot@example.com", Role::Hr, &[]).await;
    let token = {
        let mut conn = app.pool.acquire().await.unwrap();
        attune::db::tokens::create(&mut conn, bot, "test")
            .await
            .unwrap()
            .1
    };
    let (first, first_port) = serve(&app, &[]);
    let (second, second_port) = serve(&app, &[]);

    // Signed in on the first instance…
    let browser = Browser::new(format!("http://127.0.0.1:{first_port}"));
    let signed_in = browser.sign_in("hr@example.com", PASSWORD).await;
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();

    // … the cookie is good on the second.
    let page = get(second_port, "/admin/imports", &cookie).await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        get(second_port, "/teams/Alpha", &cookie).await.status(),
        404
    );

    // An import through the first instance's API is on the second at once.
    let imported = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{first_port}/api/v1/imports/employees?file_name=shared.csv"
        ))
        .bearer_auth(&token)
        .body("employee_id,team,hire_date\nE1,Alpha,2024-01-01\nE2,Alpha,2024-02-01\n")
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    assert_eq!(
        get(second_port, "/teams/Alpha", &cookie).await.status(),
        200
    );
    let history = scraper::Html::parse_document(
        &get(second_port, "/admin/imports", &cookie)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        history
            .root_element()
            .text()
            .any(|t| t.contains("shared.csv")),
        "the second instance lists the import"
    );

    // Signing out on the second ends the session on the first too.
    let dashboard =
        scraper::Html::parse_document(&get(second_port, "/", &cookie).await.text().await.unwrap());
    let csrf = attr(&dashboard, "form.signout input[name=csrf_token]", "value");
    let signed_out = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("http://127.0.0.1:{second_port}/logout"))
        .header(COOKIE, &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 303);
    assert_eq!(get(first_port, "/", &cookie).await.status(), 303);

    stop(first);
    stop(second);
}
