//! The role matrix: anonymous, a manager of team Alpha, a manager of team Beta, HR and an
//! executive, against every route — the status, and that no other team's data appears.

use attune::accounts::Role;
use attune::import::Kind;
use serde_json::Value;

use crate::support::{Browser, TestApp};

/// Alpha has a child team, Alpha Kids, whose manager-of-Alpha sees it too.
const ROSTER: &str = "\
employee_id,team,hire_date,termination_date,termination_type
A1,Alpha,2020-01-01,,
A2,Alpha,2021-01-01,2025-02-01,voluntary
K1,Alpha Kids,2020-01-01,,
B1,Beta,2021-03-01,,
B2,Beta,2022-01-01,,
";

struct World {
    app: TestApp,
    anonymous: Browser,
    alpha: Browser,
    beta: Browser,
    hr: Browser,
    exec: Browser,
    tokens: Vec<(&'static str, String)>,
    manager_id: i64,
    /// A survey round opening tomorrow.
    round_id: i64,
    /// A message in the outbox that failed (HR may retry it).
    message_id: i64,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    app.import(Kind::Employees, ROSTER).await;
    sqlx::query(
        "update team set parent_team_id = (select team_id from team where name = 'Alpha')
         where name = 'Alpha Kids'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let manager_id = app
        .create_user("alpha@example.com", Role::Manager, &["Alpha"])
        .await;
    app.create_user("beta@example.com", Role::Manager, &["Beta"])
        .await;
    app.create_user("hr@example.com", Role::Hr, &[]).await;
    app.create_user("exec@example.com", Role::Executive, &[])
        .await;
    let mut tokens = Vec::new();
    for (who, email) in [
        ("alpha", "alpha@example.com"),
        ("beta", "beta@example.com"),
        ("hr", "hr@example.com"),
        ("exec", "exec@example.com"),
    ] {
        let mut conn = app.pool.acquire().await.unwrap();
        let user = attune::db::users::find_by_email(&mut conn, email)
            .await
            .unwrap()
            .unwrap();
        let (_, token) = attune::db::tokens::create(&mut conn, user.user_id, "test")
            .await
            .unwrap();
        tokens.push((who, token));
    }
    let round_id = scheduled_round(&app).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let message = attune::db::outbox::NewMessage {
        kind: "test".into(),
        dedupe_key: "test:1".into(),
        recipient: "a1@example.com".into(),
        subject: "A test".into(),
        text: "A test.".into(),
        html: None,
        headers: Vec::new(),
        attachments: Vec::new(),
    };
    attune::db::outbox::enqueue(&mut conn, &[message])
        .await
        .unwrap();
    let message_id: i64 = sqlx::query_scalar(
        "update mail_outbox set status = 'failed', last_error = 'refused' returning mail_outbox_id",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    World {
        round_id,
        message_id,
        anonymous: app.browser(),
        alpha: app.login("alpha@example.com").await,
        beta: app.login("beta@example.com").await,
        hr: app.login("hr@example.com").await,
        exec: app.login("exec@example.com").await,
        tokens,
        manager_id,
        app,
    }
}

/// A survey round opening tomorrow, for a week.
async fn scheduled_round(app: &TestApp) -> i64 {
    let today = crate::surveys::today();
    let tomorrow = today + chrono::Days::new(1);
    let mut tx = app.pool.begin().await.unwrap();
    let (round_id, opened) = attune::survey::create(
        &mut tx,
        &attune::db::audit::Actor::cli(),
        &crate::surveys::round(tomorrow, tomorrow + chrono::Days::new(7)),
        today,
        crate::surveys::BASE,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(opened, None);
    round_id
}

/// What a role gets for a kind of route.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Who {
    Anonymous,
    Alpha,
    Beta,
    Hr,
    Exec,
}

impl World {
    fn browser(&self, who: Who) -> &Browser {
        match who {
            Who::Anonymous => &self.anonymous,
            Who::Alpha => &self.alpha,
            Who::Beta => &self.beta,
            Who::Hr => &self.hr,
            Who::Exec => &self.exec,
        }
    }
}

const EVERYONE: [Who; 5] = [Who::Anonymous, Who::Alpha, Who::Beta, Who::Hr, Who::Exec];

/// The team names a role must never see in any response.
fn forbidden_teams(who: Who) -> &'static [&'static str] {
    match who {
        Who::Alpha => &["Beta"],
        Who::Beta => &["Alpha"],
        Who::Anonymous => &["Alpha", "Beta"],
        Who::Hr | Who::Exec => &[],
    }
}

#[tokio::test]
async fn every_page_answers_each_role_as_it_should_and_shows_no_other_team() {
    let w = world().await;
    let user_page = format!("/admin/users/{}", w.manager_id);
    let round_page = format!("/admin/surveys/{}", w.round_id);
    let round_preview = format!("/admin/surveys/{}/preview", w.round_id);
    // (path, status for anonymous, managers, HR, executives)
    let routes: Vec<(&str, [u16; 4])> = vec![
        ("/", [303, 200, 200, 200]),
        ("/?period=2025-Q1", [303, 200, 200, 200]),
        ("/summary", [303, 403, 200, 200]),
        ("/summary?period=2025-Q1", [303, 403, 200, 200]),
        ("/summary.pdf?period=2025-Q1", [303, 403, 200, 200]),
        ("/summary.csv?period=2025-Q1", [303, 403, 200, 200]),
        ("/admin/users", [303, 403, 200, 403]),
        (&user_page, [303, 403, 200, 403]),
        ("/admin/tokens", [303, 403, 200, 403]),
        ("/admin/audit", [303, 403, 200, 403]),
        ("/admin/settings", [303, 403, 200, 403]),
        ("/organization", [303, 403, 200, 200]),
        ("/organization?period=2025-Q1", [303, 403, 200, 200]),
        ("/admin/data", [303, 403, 200, 403]),
        ("/admin/imports", [303, 403, 200, 403]),
        ("/admin/imports/uploads/999", [303, 403, 404, 403]),
        (
            "/admin/imports/uploads/999/errors.csv",
            [303, 403, 404, 403],
        ),
        ("/admin/imports/999/undo", [303, 403, 404, 403]),
        ("/admin/surveys", [303, 403, 200, 403]),
        ("/admin/surveys/999", [303, 403, 404, 403]),
        (&round_page, [303, 403, 200, 403]),
        (&round_preview, [303, 403, 200, 403]),
        ("/admin/surveys/999/close", [303, 403, 404, 403]),
        ("/admin/surveys/999/links.csv", [303, 403, 404, 403]),
        ("/admin/surveys/999/preview", [303, 403, 404, 403]),
        ("/admin/outbox", [303, 403, 200, 403]),
        ("/participation", [303, 200, 200, 200]),
        ("/help/surveys", [303, 200, 200, 200]),
        // The respondent's page needs no sign-in; an unknown link is the same for everyone.
        ("/s/AAAAAAAAAAAAAAAAAAAAAA", [404, 404, 404, 404]),
        ("/api/openapi.json", [401, 200, 200, 200]),
        ("/static/upload.js", [200, 200, 200, 200]),
        ("/login", [200, 303, 303, 303]),
        ("/healthz", [200, 200, 200, 200]),
        ("/readyz", [200, 200, 200, 200]),
        ("/static/app.css", [200, 200, 200, 200]),
        ("/static/favicon.svg", [200, 200, 200, 200]),
        ("/no/such/page", [404, 404, 404, 404]),
    ];
    for (path, statuses) in &routes {
        for who in EVERYONE {
            let expected = match who {
                Who::Anonymous => statuses[0],
                Who::Alpha | Who::Beta => statuses[1],
                Who::Hr => statuses[2],
                Who::Exec => statuses[3],
            };
            let response = w.browser(who).get(path).await;
            assert_eq!(response.status().as_u16(), expected, "{who:?} GET {path}");
            if expected == 303 && who == Who::Anonymous {
                let location = response.headers()["location"].to_str().unwrap();
                assert!(location.starts_with("/login?next="), "{path}: {location}");
            }
            let body = response.text().await.unwrap();
            for team in forbidden_teams(who) {
                assert!(!body.contains(team), "{who:?} GET {path} shows {team}");
            }
        }
    }
}

#[tokio::test]
async fn a_manager_sees_their_team_its_child_teams_and_the_organization_only() {
    let w = world().await;

    // A manager lands on their first team, and may switch to its child team.
    let alpha = w.alpha.page("/?period=2025-Q1", 200).await;
    assert_eq!(crate::support::text(&alpha, "#team-name"), "Alpha");
    let teams: Vec<String> = alpha
        .select(&scraper::Selector::parse("#team-switcher a").unwrap())
        .map(|link| link.text().collect())
        .collect();
    assert_eq!(teams, ["Alpha", "Alpha Kids"]);
    // The organization's figure still counts everyone: 5 at the start of 2025-Q1, 4 at the end.
    assert_eq!(
        crate::support::text(&alpha, "#tile-headcount_end .org-value"),
        "4"
    );

    let beta = w.beta.page("/?period=2025-Q1", 200).await;
    assert_eq!(crate::support::text(&beta, "#team-name"), "Beta");
    assert_eq!(crate::support::count(&beta, "#team-switcher"), 0);

    // HR's overview names every team; an executive lands on the summary, which does too.
    let all = w.hr.page("/?period=2025-Q1", 200).await;
    assert_eq!(crate::support::count(&all, "tr.team-row"), 3);
    let all = w.exec.page("/?period=2025-Q1", 200).await;
    assert_eq!(crate::support::text(&all, "h1"), "Quarterly summary");
    assert_eq!(crate::support::count(&all, "#teams-table tr.team-row"), 3);
}

#[tokio::test]
async fn team_pages_answer_a_manager_only_for_their_teams_and_404_otherwise() {
    let w = world().await;
    // (path, anonymous, manager of Alpha, manager of Beta, HR, executive)
    let routes: [(&str, [u16; 5]); 8] = [
        ("/teams/Alpha?period=2025-Q1", [303, 200, 404, 200, 200]),
        ("/teams/alpha", [303, 200, 404, 200, 200]),
        (
            "/teams/Alpha%20Kids?period=2025-Q1",
            [303, 200, 404, 200, 200],
        ),
        ("/teams/Beta?period=2025-Q1", [303, 404, 200, 200, 200]),
        ("/teams/Nope", [303, 404, 404, 404, 404]),
        (
            "/teams/Alpha/people?period=2025-Q1",
            [303, 200, 404, 200, 200],
        ),
        (
            "/teams/Beta/people?period=2025-Q1",
            [303, 404, 200, 200, 200],
        ),
        ("/teams/Alpha?period=2025-Q9", [303, 400, 404, 400, 400]),
    ];
    for (path, statuses) in routes {
        for (who, expected) in EVERYONE.into_iter().zip(statuses) {
            let response = w.browser(who).get(path).await;
            assert_eq!(response.status().as_u16(), expected, "{who:?} GET {path}");
            let body = response.text().await.unwrap();
            for team in forbidden_teams(who) {
                assert!(!body.contains(team), "{who:?} GET {path} shows {team}");
            }
        }
    }
    // The drill-down names Alpha's leaver for Alpha's manager.
    let people = w
        .alpha
        .page("/teams/Alpha/people?period=2025-Q1", 200)
        .await;
    assert_eq!(crate::support::count(&people, "#leavers tr.leaver"), 1);
}

async fn api(w: &World, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut request = w.anonymous.client.get(w.anonymous.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "{path}"
    );
    (status, response.json().await.unwrap())
}

fn team_names(json: &Value) -> Vec<String> {
    json["teams"].as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn the_api_answers_each_token_with_what_its_user_may_see() {
    let w = world().await;
    let token = |who: &str| {
        w.tokens
            .iter()
            .find(|(name, _)| *name == who)
            .unwrap()
            .1
            .clone()
    };
    let period = "/api/v1/metrics?period=2025-Q1";

    let (status, body) = api(&w, None, period).await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string());
    assert_eq!(api(&w, Some("attune_nonsense"), period).await.0, 401);

    let (status, alpha) = api(&w, Some(&token("alpha")), period).await;
    assert_eq!(status, 200);
    assert_eq!(team_names(&alpha), ["Alpha", "Alpha Kids"]);
    assert_eq!(alpha["org"]["fundamentals"]["headcount_start"], 5);
    assert!(!alpha.to_string().contains("Beta"));

    let (status, beta) = api(&w, Some(&token("beta")), period).await;
    assert_eq!(status, 200);
    assert_eq!(team_names(&beta), ["Beta"]);
    assert!(!beta.to_string().contains("Alpha"));

    for who in ["hr", "exec"] {
        let (status, all) = api(&w, Some(&token(who)), period).await;
        assert_eq!(status, 200);
        assert_eq!(team_names(&all), ["Alpha", "Alpha Kids", "Beta"], "{who}");
    }

    // One team: allowed for its manager (in any case), 404 for the other, as for no team.
    let (status, one) = api(&w, Some(&token("alpha")), &format!("{period}&team=alpha")).await;
    assert_eq!(status, 200);
    assert_eq!(team_names(&one), ["Alpha"]);
    let (status, kids) = api(
        &w,
        Some(&token("alpha")),
        &format!("{period}&team=Alpha%20Kids"),
    )
    .await;
    assert_eq!(
        (status, team_names(&kids)),
        (200, vec!["Alpha Kids".to_string()])
    );
    let (status, denied) = api(&w, Some(&token("alpha")), &format!("{period}&team=Beta")).await;
    assert_eq!(status, 404);
    assert!(!denied.to_string().contains("Beta"));
    let (status, missing) = api(&w, Some(&token("alpha")), &format!("{period}&team=Nope")).await;
    assert_eq!((status, missing), (404, denied));
    assert_eq!(
        api(&w, Some(&token("beta")), &format!("{period}&team=Alpha"))
            .await
            .0,
        404
    );
    assert_eq!(
        api(&w, Some(&token("exec")), &format!("{period}&team=Beta"))
            .await
            .0,
        200
    );
    assert_eq!(
        api(&w, Some(&token("hr")), "/api/v1/metrics?period=2025-Q9")
            .await
            .0,
        400
    );
    // A signed-in browser may read the API with its session too, with the same limits.
    let response = w.beta.get(period).await;
    assert_eq!(response.status(), 200);
    let json: Value = response.json().await.unwrap();
    assert_eq!(team_names(&json), ["Beta"]);
}

#[tokio::test]
async fn only_hr_may_change_anything_and_a_refusal_changes_nothing() {
    let w = world().await;
    let id = w.manager_id.to_string();
    let tomorrow = (crate::surveys::today() + chrono::Days::new(1)).to_string();
    let next_week = (crate::surveys::today() + chrono::Days::new(8)).to_string();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/admin/users".into(),
            vec![("email", "new@example.com"), ("role", "hr")],
        ),
        (format!("/admin/users/{id}/teams"), vec![("team", "Beta")]),
        (
            format!("/admin/users/{id}/password"),
            vec![("password", "another long password")],
        ),
        (format!("/admin/users/{id}/disable"), vec![]),
        (format!("/admin/users/{id}/enable"), vec![]),
        ("/admin/tokens".into(), vec![("name", "mine")]),
        ("/admin/tokens/1/revoke".into(), vec![]),
        ("/admin/settings".into(), vec![("min_group_size", "9")]),
        (
            "/admin/settings/figures".into(),
            crate::team_pages::figures_form(&[("currency", "EUR")]),
        ),
        (
            "/admin/employees/erase".into(),
            vec![("employee_id", "A1"), ("confirm", "yes")],
        ),
        (
            "/admin/surveys".into(),
            crate::surveys::round_fields(&tomorrow, &next_week, "Heard?"),
        ),
        (
            format!("/admin/surveys/{}", w.round_id),
            crate::surveys::round_fields(&tomorrow, &next_week, "Reworded?"),
        ),
        (format!("/admin/surveys/{}/open", w.round_id), vec![]),
        (format!("/admin/surveys/{}/close", w.round_id), vec![]),
        (format!("/admin/outbox/{}/retry", w.message_id), vec![]),
    ];
    let before = snapshot(&w.app).await;
    for (path, fields) in &posts {
        for who in [Who::Anonymous, Who::Alpha, Who::Beta, Who::Exec] {
            let response = w.browser(who).post(path, fields).await;
            let expected = if who == Who::Anonymous { 303 } else { 403 };
            assert_eq!(response.status().as_u16(), expected, "{who:?} POST {path}");
        }
    }
    assert_eq!(snapshot(&w.app).await, before);
}

/// Everything the admin forms could change.
pub async fn snapshot(app: &TestApp) -> String {
    sqlx::query_scalar(
        "select concat_ws(' | ',
             (select string_agg(concat_ws(',', email, role, disabled_at, password_hash), ';' order by user_id) from app_user),
             (select string_agg(concat_ws(',', user_id, team_id), ';' order by user_id, team_id) from user_team),
             (select string_agg(concat_ws(',', api_token_id, revoked_at), ';' order by api_token_id) from api_token),
             (select string_agg(concat_ws(',', key, value), ';' order by key) from setting),
             (select string_agg(concat_ws(',', external_id, full_name), ';' order by employee_id) from employee),
             (select string_agg(concat_ws(',', survey_round_id, status, opens_on, items), ';' order by survey_round_id) from survey_round),
             (select string_agg(concat_ws(',', mail_outbox_id, status, attempts), ';' order by mail_outbox_id) from mail_outbox))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}
