//! The help pages: `docs/importing.md` and `docs/metrics.md`, served by Attune itself.

use attune::accounts::Role;

use crate::support::{TestApp, attr, count, text};

#[tokio::test]
async fn the_guides_are_pages_with_working_links_for_every_role() {
    let app = TestApp::spawn().await;
    app.create_user("m@example.com", Role::Manager, &[]).await;
    let manager = app.login("m@example.com").await;

    let importing = manager.page("/help/importing", 200).await;
    assert_eq!(text(&importing, "title"), "Importing data · Attune");
    assert_eq!(text(&importing, "#help h1"), "Importing data");
    assert_eq!(text(&importing, "#help h2#employees"), "Employees");
    // Links to the other guide lead to its page, anchors included.
    assert!(count(&importing, "#help a[href='/help/metrics#absences']") >= 1);
    assert_eq!(count(&importing, "#help a[href$='.md']"), 0);

    let metrics = manager.page("/help/metrics", 200).await;
    assert_eq!(text(&metrics, "#help h1"), "Metrics");
    assert!(count(&metrics, "#help table") > 0, "tables are rendered");
    assert_eq!(attr(&metrics, "footer a", "href"), "/help/metrics");

    manager.page("/help/nothing-here", 404).await;
    let signed_out = app.get("/help/metrics").await;
    assert_eq!(signed_out.status(), 303);
}

#[tokio::test]
async fn the_import_page_links_to_the_import_guide() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let page = hr.page("/admin/imports", 200).await;
    assert_eq!(attr(&page, "main .how a", "href"), "/help/importing");
}
