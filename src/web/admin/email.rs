//! `/admin/email`: HR's settings of scheduled e-mail (the organization's time zone, the delay of
//! the quarterly summary, how often managers get their digest), the quarterly summary that
//! waits for data with a "send it anyway" button, a "send me a test now" button per kind of
//! message, who receives what, and the history of what was sent to whom (never the content).
//! Every change and every test is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::Role;
use crate::db::{self, notifications, outbox, settings};
use crate::mail::due::{self, Clock};
use crate::mail::{choices, digest};
use crate::web::auth::{CurrentUser, Nav, VerifiedForm};
use crate::web::extract::Query;
use crate::web::pages::login::see_other;
use crate::web::{AppError, AppState};

/// How many messages the history shows.
const HISTORY: i64 = 100;

#[derive(Template, WebTemplate)]
#[template(path = "admin/email.html")]
pub struct EmailPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub message: Option<String>,
    pub schedule: ScheduleForm,
    pub schedule_error: Option<String>,
    pub max_delay: i64,
    pub default_delay: i64,
    pub kinds: Vec<&'static choices::Kind>,
    pub people: Vec<PersonRow>,
    pub history: Vec<HistoryRow>,
    pub public_url: String,
    pub digest_choices: Vec<(&'static str, &'static str)>,
    /// The quarterly summary that is due but waits for data: its quarter and what is missing.
    pub waiting: Option<(String, Vec<String>)>,
}

/// The schedule form, as shown and as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub summary_delay_days: String,
    #[serde(default)]
    pub digest_every: String,
}

/// One account and what it receives: one cell per kind.
pub struct PersonRow {
    pub email: String,
    pub role: &'static str,
    /// "on", "off" or "—" (not for this role), in the order of `kinds`.
    pub cells: Vec<&'static str>,
}

/// One message of the history.
pub struct HistoryRow {
    pub when: String,
    pub kind: String,
    pub recipient: String,
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    saved: Option<String>,
    test: Option<String>,
    released: Option<String>,
}

/// `GET /admin/email`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<EmailPage, AppError> {
    user.require(Role::Hr)?;
    let message = if params.saved.is_some() {
        Some("Saved.".to_string())
    } else if let Some(quarter) = params.released.as_deref() {
        Some(format!(
            "The quarterly summary of {quarter} goes out as it is (within a minute when e-mail \
             is on)."
        ))
    } else {
        params.test.as_deref().and_then(choices::kind).map(|k| {
            format!(
                "A test “{}” is on its way to {} (it is sent within a minute when e-mail is on).",
                k.label, user.email
            )
        })
    };
    let mut conn = state.pool.acquire().await?;
    let schedule = ScheduleForm {
        time_zone: due::time_zone(&mut conn).await?,
        summary_delay_days: due::summary_delay_days(&mut conn).await?.to_string(),
        digest_every: digest::every(&mut conn).await?.as_str().to_string(),
    };
    page(&mut conn, &user, message, schedule, None).await
}

async fn page(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    message: Option<String>,
    schedule: ScheduleForm,
    schedule_error: Option<String>,
) -> Result<EmailPage, AppError> {
    let kinds: Vec<&'static choices::Kind> = choices::KINDS.iter().collect();
    let people = notifications::who_receives(conn)
        .await?
        .into_iter()
        .map(|(email, role, off)| {
            let role: Role = role.parse().unwrap_or(Role::Manager);
            PersonRow {
                email,
                role: role.label(),
                cells: kinds
                    .iter()
                    .map(|k| {
                        if !k.roles.contains(&role) {
                            "—"
                        } else if off.iter().any(|o| o == k.key) {
                            "off"
                        } else {
                            "on"
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let history = outbox::list(conn, None, HISTORY, 0)
        .await?
        .into_iter()
        .map(|m| HistoryRow {
            when: m
                .sent_at
                .unwrap_or(m.created_at)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string(),
            kind: choices::kind(&m.kind).map_or(m.kind.clone(), |k| k.label.to_string()),
            recipient: m.recipient,
            status: m.status,
        })
        .collect();
    Ok(EmailPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        message,
        schedule,
        schedule_error,
        max_delay: due::MAX_SUMMARY_DELAY_DAYS,
        default_delay: due::DEFAULT_SUMMARY_DELAY_DAYS,
        kinds,
        people,
        history,
        public_url: choices::public_url(conn).await?,
        digest_choices: digest::Every::ALL
            .into_iter()
            .map(|e| (e.as_str(), e.label()))
            .collect(),
        waiting: waiting(conn).await?,
    })
}

/// The quarterly summary that waits for data today, as the page shows it.
async fn waiting(conn: &mut sqlx::PgConnection) -> Result<Option<(String, Vec<String>)>, AppError> {
    let today = due::today(conn, &Clock::System).await?;
    Ok(due::waiting_summary(conn, today)
        .await?
        .map(|(quarter, missing)| (quarter.to_string(), missing)))
}

/// `POST /admin/email/schedule`: the time zone and the summary's delay. Each changed setting
/// is stored and audited; a refused form is shown again (400) and changes nothing.
pub async fn save_schedule(
    State(state): State<AppState>,
    submitted: VerifiedForm<ScheduleForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let parsed = match due::parse_time_zone(&mut conn, &form.time_zone).await {
        Ok(zone) => due::parse_summary_delay_days(&form.summary_delay_days)
            .and_then(|d| digest::Every::parse(&form.digest_every).map(|e| (zone, d, e))),
        Err(e) => Err(e),
    };
    let (zone, delay, every) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let error = super::users::capitalize(&e);
            let page = page(&mut conn, &user, None, form, Some(error)).await?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let changes = [
        (
            due::TIME_ZONE,
            json!(due::time_zone(&mut conn).await?),
            json!(zone),
        ),
        (
            due::SUMMARY_DELAY_DAYS,
            json!(due::summary_delay_days(&mut conn).await?),
            json!(delay),
        ),
        (
            digest::EVERY,
            json!(digest::every(&mut conn).await?.as_str()),
            json!(every.as_str()),
        ),
    ];
    settings::change_all(&mut conn, &user.actor(), &changes).await?;
    Ok(see_other("/admin/email?saved=1"))
}

#[derive(Debug, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    kind: String,
}

/// `POST /admin/email/test`: a message of this kind, as it would be sent now, to the HR user
/// who asked (its subject starts with "Test:"). Audited.
pub async fn send_test(
    State(state): State<AppState>,
    submitted: VerifiedForm<TestForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    let Some(kind) = choices::kind(&form.kind) else {
        return Err(AppError::BadRequest(format!(
            "There is no kind of message called “{}”.",
            form.kind
        )));
    };
    due::send_test(&state.pool, kind.key, user.user_id, &user.email).await?;
    let mut conn = state.pool.acquire().await?;
    db::audit::record(
        &mut conn,
        &user.actor(),
        "mail.test",
        json!({ "kind": kind.key }),
    )
    .await?;
    Ok(see_other(&format!("/admin/email?test={}", kind.key)))
}

#[derive(Debug, Deserialize)]
pub struct SendAnywayForm {
    #[serde(default)]
    quarter: String,
    /// The confirmation box: "yes" when ticked.
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/email/send-anyway`: HR sends the quarterly summary that waits for data as it
/// is (as `attune mail run-due --send-anyway`): released, audited as
/// `mail.summary_send_anyway`, and made at once. The confirmation box must be ticked, and the
/// quarter must be the one that waits today.
pub async fn send_anyway(
    State(state): State<AppState>,
    submitted: VerifiedForm<SendAnywayForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let today = due::today(&mut conn, &Clock::System).await?;
    let Some((quarter, _)) = due::waiting_summary(&mut conn, today).await? else {
        return Err(AppError::Conflict(
            "No quarterly summary waits for data now: it was sent, or it is not due yet."
                .to_string(),
        ));
    };
    if form.quarter.trim() != quarter.to_string() {
        return Err(AppError::Conflict(format!(
            "The summary that waits is the one of {quarter}, not “{}”: reload the page.",
            form.quarter.trim()
        )));
    }
    if form.confirm != "yes" {
        return Err(AppError::BadRequest(
            "Tick the box to confirm that the summary goes out with data missing.".to_string(),
        ));
    }
    due::send_summary_anyway(&mut conn, quarter, &user.actor()).await?;
    drop(conn);
    due::run_with(&state.pool, &state.reports, today).await?;
    Ok(see_other(&format!("/admin/email?released={quarter}")))
}
