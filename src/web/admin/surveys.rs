//! HR's survey pages: the rounds (status, dates, participation), creating one, changing it
//! before it opens, opening it now, closing it early (after a confirmation), its links as CSV,
//! a preview of the respondent's page, and the outbox (queued, sent, failed, retry). Every
//! action is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::json;

use crate::accounts::Role;
use crate::db::{self, surveys::NewRound};
use crate::present;
use crate::survey::{self, Repeat, SurveyError};
use crate::web::admin::users::TeamsForm;
use crate::web::auth::{CurrentUser, EmptyForm, Nav, VerifiedForm};
use crate::web::extract::Path;
use crate::web::pages::login::see_other;
use crate::web::pages::respond::{self, RespondPage, Shown};
use crate::web::{AppError, AppState};

/// A round as the list shows it.
pub struct RoundRow {
    pub id: i64,
    pub opens_on: String,
    pub closes_on: String,
    pub status: String,
    pub repeat: &'static str,
    pub invited: String,
    pub answered: String,
    pub rate: String,
}

/// One row of a round's participation table.
pub struct ParticipationRow {
    pub team: String,
    pub invited: String,
    pub answered: String,
    pub rate: String,
}

/// A team checkbox.
pub struct TeamChoice {
    pub name: String,
    pub checked: bool,
}

/// One repeat option.
pub struct RepeatChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The round form, as shown and as typed.
pub struct RoundForm {
    pub opens_on: String,
    pub closes_on: String,
    pub reminder_days: String,
    pub heard: String,
    pub supported: String,
    pub valued: String,
    pub enps: String,
    pub repeats: Vec<RepeatChoice>,
    pub teams: Vec<TeamChoice>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/surveys.html")]
pub struct SurveysPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub rounds: Vec<RoundRow>,
    pub form: RoundForm,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/survey.html")]
pub struct SurveyPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub id: i64,
    pub status: String,
    pub opens_on: String,
    pub closes_on: String,
    pub repeat: &'static str,
    pub reminder: String,
    pub teams: String,
    pub items: db::surveys::Items,
    pub participation: Vec<ParticipationRow>,
    pub min_group: i64,
    pub next_round: Option<i64>,
    /// The edit form, while the round has not opened.
    pub form: Option<RoundForm>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/survey_close.html")]
pub struct ClosePage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub id: i64,
    pub closes_on: String,
    pub answered: String,
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn repeat_label(text: &str) -> &'static str {
    Repeat::parse(text).map_or("Once", Repeat::label)
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(
        || "withheld".to_string(),
        |r| present::number::percent(Some(r * 100.0)),
    )
}

fn count(value: Option<i64>) -> String {
    value.map_or_else(|| "withheld".to_string(), |v| v.to_string())
}

async fn team_choices(
    conn: &mut sqlx::PgConnection,
    checked: &[i64],
) -> Result<Vec<TeamChoice>, sqlx::Error> {
    Ok(db::teams::list(conn)
        .await?
        .into_iter()
        .map(|t| TeamChoice {
            checked: checked.contains(&t.team_id),
            name: t.name,
        })
        .collect())
}

fn repeats(selected: &str) -> Vec<RepeatChoice> {
    Repeat::ALL
        .into_iter()
        .map(|r| RepeatChoice {
            value: r.as_str(),
            label: r.label(),
            selected: r.as_str() == selected,
        })
        .collect()
}

async fn blank_form(conn: &mut sqlx::PgConnection) -> Result<RoundForm, sqlx::Error> {
    let items = survey::default_items();
    let opens = today() + chrono::Days::new(1);
    Ok(RoundForm {
        opens_on: opens.to_string(),
        closes_on: (opens + chrono::Days::new(13)).to_string(),
        reminder_days: survey::DEFAULT_REMINDER_DAYS.to_string(),
        heard: items.heard,
        supported: items.supported,
        valued: items.valued,
        enps: items.enps,
        repeats: repeats("none"),
        teams: team_choices(conn, &[]).await?,
        error: None,
    })
}

/// The list of rounds with the creation form (`form` as typed, after a refusal).
async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<RoundForm>,
) -> Result<SurveysPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let mut rounds = Vec::new();
    for round in db::surveys::list(&mut conn).await? {
        let rows = db::surveys::participation(&mut conn, round.survey_round_id).await?;
        let org = survey::participation(&rows, min_group).remove(0);
        let scheduled = round.status == "scheduled";
        rounds.push(RoundRow {
            id: round.survey_round_id,
            opens_on: round.opens_on.to_string(),
            closes_on: round.closes_on.to_string(),
            repeat: repeat_label(&round.repeat),
            invited: if scheduled {
                "—".into()
            } else {
                org.invited.to_string()
            },
            answered: if scheduled {
                "—".into()
            } else {
                count(org.answered)
            },
            rate: if scheduled {
                "—".into()
            } else {
                percent(org.rate)
            },
            status: round.status,
        });
    }
    let form = match form {
        Some(form) => form,
        None => blank_form(&mut conn).await?,
    };
    Ok(SurveysPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        rounds,
        form,
    })
}

/// `GET /admin/surveys`
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<SurveysPage, AppError> {
    user.require(Role::Hr)?;
    list_page(&state, &user, None).await
}

/// Read the round form: the round, or the form as typed with what is wrong.
async fn read_form(
    conn: &mut sqlx::PgConnection,
    form: &TeamsForm,
) -> Result<Result<NewRound, RoundForm>, sqlx::Error> {
    let teams = form.teams();
    let mut team_ids = Vec::new();
    let mut unknown = Vec::new();
    for name in &teams {
        match db::teams::find(conn, name).await? {
            Some(team) => team_ids.push(team.team_id),
            None => unknown.push(name.clone()),
        }
    }
    let typed = |error: String, choices: Vec<TeamChoice>| RoundForm {
        opens_on: form.field("opens_on"),
        closes_on: form.field("closes_on"),
        reminder_days: form.field("reminder_days"),
        heard: form.field("heard"),
        supported: form.field("supported"),
        valued: form.field("valued"),
        enps: form.field("enps"),
        repeats: repeats(&form.field("repeat")),
        teams: choices,
        error: Some(error),
    };
    let date = |name: &str, label: &str| -> Result<NaiveDate, String> {
        let text = form.field(name);
        text.trim().parse().map_err(|_| {
            format!(
                "The {label} must be a date like 2026-03-01, not \"{}\".",
                text.trim()
            )
        })
    };
    let parsed = (|| -> Result<NewRound, String> {
        if let Some(name) = unknown.first() {
            return Err(format!("There is no team named \"{name}\"."));
        }
        let opens_on = date("opens_on", "opening day")?;
        let closes_on = date("closes_on", "closing day")?;
        let reminder = form.field("reminder_days");
        let reminder_days: i32 = reminder.trim().parse().map_err(|_| {
            format!(
                "The reminder must be a number of days (0 for none), not \"{}\".",
                reminder.trim()
            )
        })?;
        let repeat = Repeat::parse(&form.field("repeat")).map_err(|e| format!("The {e}."))?;
        Ok(NewRound {
            opens_on,
            closes_on,
            items: db::surveys::Items {
                heard: form.field("heard").trim().to_string(),
                supported: form.field("supported").trim().to_string(),
                valued: form.field("valued").trim().to_string(),
                enps: form.field("enps").trim().to_string(),
            },
            team_ids: (!team_ids.is_empty()).then(|| team_ids.clone()),
            repeat: repeat.as_str().to_string(),
            reminder_days,
        })
    })();
    match parsed.and_then(|round| {
        survey::check(&round, today())
            .map(|()| round)
            .map_err(|e| sentence(&e.to_string()))
    }) {
        Ok(round) => Ok(Ok(round)),
        Err(error) => {
            let choices = team_choices(conn, &team_ids).await?;
            Ok(Err(typed(error, choices)))
        }
    }
}

/// A message as a sentence: capitalized, with a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn survey_error(err: SurveyError) -> AppError {
    match err {
        SurveyError::NotFound(_) => AppError::NotFound,
        SurveyError::WrongStatus(..) => AppError::Conflict(sentence(&err.to_string())),
        SurveyError::Invalid(text) => AppError::BadRequest(sentence(&text)),
        SurveyError::Db(e) => AppError::Database(e),
    }
}

/// `POST /admin/surveys`: create a round (it opens at once if it opens today).
pub async fn create(State(state): State<AppState>, form: TeamsForm) -> Result<Response, AppError> {
    form.user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let round = match read_form(&mut conn, &form).await? {
        Ok(round) => round,
        Err(typed) => {
            drop(conn);
            let page = list_page(&state, &form.user, Some(typed)).await?;
            return Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let base = crate::mail::choices::public_url(&mut conn).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let (round_id, _) = survey::create(&mut tx, &form.user.actor(), &round, today(), &base)
        .await
        .map_err(survey_error)?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/surveys/{round_id}")))
}

async fn round_page(
    state: &AppState,
    user: &CurrentUser,
    round_id: i64,
    form: Option<RoundForm>,
) -> Result<SurveyPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let Some(round) = db::surveys::get(&mut conn, round_id).await? else {
        return Err(AppError::NotFound);
    };
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let rows = db::surveys::participation(&mut conn, round_id).await?;
    let participation = survey::participation(&rows, min_group)
        .into_iter()
        .map(|p| ParticipationRow {
            team: p.team.unwrap_or_else(|| "Organization".into()),
            invited: p.invited.to_string(),
            answered: count(p.answered),
            rate: percent(p.rate),
        })
        .collect();
    let checked = round.team_ids.clone().unwrap_or_default();
    let all_teams = db::teams::list(&mut conn).await?;
    let teams = match &round.team_ids {
        None => "Everyone".to_string(),
        Some(ids) => all_teams
            .iter()
            .filter(|t| ids.contains(&t.team_id))
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let form = if round.status == "scheduled" {
        Some(match form {
            Some(form) => form,
            None => RoundForm {
                opens_on: round.opens_on.to_string(),
                closes_on: round.closes_on.to_string(),
                reminder_days: round.reminder_days.to_string(),
                heard: round.items.heard.clone(),
                supported: round.items.supported.clone(),
                valued: round.items.valued.clone(),
                enps: round.items.enps.clone(),
                repeats: repeats(&round.repeat),
                teams: team_choices(&mut conn, &checked).await?,
                error: None,
            },
        })
    } else {
        None
    };
    Ok(SurveyPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        id: round_id,
        opens_on: round.opens_on.to_string(),
        closes_on: round.closes_on.to_string(),
        repeat: repeat_label(&round.repeat),
        reminder: if round.reminder_days == 0 {
            "none".into()
        } else {
            format!("{} days before the closing day", round.reminder_days)
        },
        teams,
        items: round.items,
        participation,
        min_group,
        next_round: round.next_round_id,
        status: round.status,
        form,
    })
}

/// `GET /admin/surveys/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(round_id): Path<i64>,
) -> Result<SurveyPage, AppError> {
    user.require(Role::Hr)?;
    round_page(&state, &user, round_id, None).await
}

/// `POST /admin/surveys/{id}`: change a round before it opens.
pub async fn edit(
    State(state): State<AppState>,
    Path(round_id): Path<i64>,
    form: TeamsForm,
) -> Result<Response, AppError> {
    form.user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let round = match read_form(&mut conn, &form).await? {
        Ok(round) => round,
        Err(typed) => {
            drop(conn);
            let page = round_page(&state, &form.user, round_id, Some(typed)).await?;
            return Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    survey::edit(&mut tx, &form.user.actor(), round_id, &round, today())
        .await
        .map_err(survey_error)?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/surveys/{round_id}")))
}

/// `POST /admin/surveys/{id}/open`: open a scheduled round now.
pub async fn open(
    State(state): State<AppState>,
    Path(round_id): Path<i64>,
    submitted: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    let user = submitted.user;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let base = crate::mail::choices::public_url(&mut conn).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    survey::open(&mut tx, &user.actor(), round_id, today(), &base)
        .await
        .map_err(survey_error)?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/surveys/{round_id}")))
}

/// The round `round_id` if it is open: otherwise 404 (no such round) or the survey error saying
/// `why` only an open round will do.
async fn open_round(
    conn: &mut sqlx::PgConnection,
    round_id: i64,
    why: &'static str,
) -> Result<db::surveys::Round, AppError> {
    let Some(round) = db::surveys::get(conn, round_id).await? else {
        return Err(AppError::NotFound);
    };
    if round.status != "open" {
        return Err(survey_error(SurveyError::WrongStatus(
            round_id,
            round.status,
            why,
        )));
    }
    Ok(round)
}

/// `GET /admin/surveys/{id}/close`: ask before closing early.
pub async fn confirm_close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(round_id): Path<i64>,
) -> Result<ClosePage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let round = open_round(&mut conn, round_id, "only an open round can be closed").await?;
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let rows = db::surveys::participation(&mut conn, round_id).await?;
    let org = survey::participation(&rows, min_group).remove(0);
    Ok(ClosePage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        id: round_id,
        closes_on: round.closes_on.to_string(),
        answered: match org.answered {
            Some(answered) => format!("{answered} of {} invited have answered", org.invited),
            None => "Too few people were invited to show how many answered".into(),
        },
    })
}

/// `POST /admin/surveys/{id}/close`: close an open round now.
pub async fn close(
    State(state): State<AppState>,
    Path(round_id): Path<i64>,
    submitted: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    let user = submitted.user;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    survey::close(&mut conn, &user.actor(), round_id, today())
        .await
        .map_err(survey_error)?;
    Ok(see_other(&format!("/admin/surveys/{round_id}")))
}

/// `GET /admin/surveys/{id}/links.csv`: the links of an open round (e-mail, link), audited.
pub async fn links_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(round_id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    open_round(
        &mut conn,
        round_id,
        "links exist only while a round is open",
    )
    .await?;
    let base = crate::mail::choices::public_url(&mut conn).await?;
    let links = db::surveys::links(&mut conn, round_id).await?;
    db::audit::record(
        &mut conn,
        &user.actor(),
        "survey.links",
        json!({ "round": round_id, "links": links.len() }),
    )
    .await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let written: Result<(), csv::Error> = (|| {
        out.write_record(["email", "link"])?;
        for (email, token) in &links {
            out.write_record([
                present::spreadsheet::escape(email),
                survey::link(&base, token),
            ])?;
        }
        Ok(())
    })();
    written.map_err(|e| AppError::Internal(e.to_string()))?;
    let body = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"survey-{round_id}-links.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /admin/surveys/{id}/preview`: the respondent's page as the people invited see it.
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(round_id): Path<i64>,
) -> Result<RespondPage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let Some(round) = db::surveys::get(&mut conn, round_id).await? else {
        return Err(AppError::NotFound);
    };
    let min_group = db::settings::min_group_size(&mut conn).await?;
    Ok(RespondPage {
        nav: user.nav(),
        state: Shown::Form {
            questions: respond::questions(&round.items, &Default::default()),
            error: None,
        },
        min_group,
        closes_on: survey::messages::long_day(round.closes_on),
        action: String::new(),
        preview: true,
    })
}

/// A message as the outbox page lists it.
pub struct MessageRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub when: String,
    pub attempts: i32,
    pub error: String,
    pub failed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/outbox.html")]
pub struct OutboxPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub messages: Vec<MessageRow>,
}

/// `GET /admin/outbox`: the e-mail Attune sends (never its content).
pub async fn outbox(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<OutboxPage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let counts = db::outbox::counts(&mut conn).await?;
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let messages = db::outbox::list(&mut conn, None, 200, 0)
        .await?
        .into_iter()
        .map(|m| MessageRow {
            id: m.mail_outbox_id,
            when: match m.status.as_str() {
                "sent" => m.sent_at.map_or_else(String::new, when),
                "queued" => format!("next try {}", when(m.next_attempt_at)),
                _ => when(m.next_attempt_at),
            },
            failed: m.status == "failed",
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(OutboxPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        queued: counts.queued,
        sent: counts.sent,
        failed: counts.failed,
        messages,
    })
}

/// `POST /admin/outbox/{id}/retry`: queue a failed message again.
pub async fn retry(
    State(state): State<AppState>,
    Path(message_id): Path<i64>,
    submitted: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    let user = submitted.user;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    if !db::outbox::retry(&mut conn, message_id).await? {
        return Err(AppError::Conflict(
            "Only a message that failed can be sent again.".into(),
        ));
    }
    db::audit::record(
        &mut conn,
        &user.actor(),
        "mail.retry",
        json!({ "message": message_id }),
    )
    .await?;
    Ok(see_other("/admin/outbox"))
}
