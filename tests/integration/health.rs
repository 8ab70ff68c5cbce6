//! Probes and the headers every response carries.

use crate::support::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer_when_the_database_does() {
    let app = TestApp::spawn().await;

    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readyz_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.pool.close().await;

    assert_eq!(app.get("/readyz").await.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;

    for path in [
        "/",
        "/healthz",
        "/static/app.css",
        "/no/such/page",
        "/?period=nonsense",
        "/login",
        "/admin/users",
        "/api/v1/metrics",
    ] {
        for response in [app.get(path).await, hr.get(path).await] {
            let headers = response.headers();
            assert_eq!(
                headers["content-security-policy"],
                attune::web::CONTENT_SECURITY_POLICY,
                "{path}"
            );
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
            assert!(headers.get("strict-transport-security").is_none(), "{path}");
        }
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_helpful_404() {
    let app = TestApp::spawn().await;

    let html = app.page("/no/such/page", 404).await;

    assert_eq!(crate::support::text(&html, "h1"), "Page not found");
}
