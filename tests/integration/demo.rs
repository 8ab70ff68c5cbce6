//! The demo company: every data kind, and loading it twice changes nothing.

use crate::support::TestApp;

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for sql in [
        "select count(*) from team",
        "select count(*) from employee",
        "select count(*) from absence",
        "select count(*) from promotion",
        "select count(*) from csat_response",
        "select count(*) from pulse_response",
        "select count(*) from customer_activity",
        "select count(*) from measure",
    ] {
        counts.push(sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap());
    }
    counts
}

#[tokio::test]
async fn the_demo_company_has_every_kind_and_loads_idempotently() {
    let app = TestApp::spawn().await;

    let summary = attune::demo::load(&app.pool).await.unwrap();
    let first = counts(&app).await;
    attune::demo::load(&app.pool).await.unwrap();
    let second = counts(&app).await;

    assert_eq!(first, second, "loading twice duplicates nothing");
    assert_eq!(first[0], 7, "seven teams");
    assert!(
        (120..=200).contains(&summary.employees),
        "{} employees",
        summary.employees
    );
    for (kind, count) in [
        "absences",
        "promotions",
        "csat",
        "pulse",
        "customers",
        "measures",
    ]
    .iter()
    .zip(&first[2..])
    {
        assert!(*count > 0, "the demo has {kind}");
    }
}
