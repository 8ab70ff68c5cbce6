//! The respondent's page, `/s/{token}`: no sign-in, one form, works without JavaScript. A link
//! that matches no invitation gets the same neutral page whatever it looks like, and such
//! visits are throttled per client address like failed sign-ins.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::accounts::secret;
use crate::db::{self, surveys::Answer, surveys::Items, surveys::Recorded};
use crate::survey;
use crate::web::auth::{self, Nav};
use crate::web::extract::Path;
use crate::web::{AppError, AppState};

/// After this many visits with unknown links within the sign-in window, an address is refused
/// (429) until some of them expire.
const REFUSE_AFTER: i64 = 10;

/// One choice of a scale.
pub struct Choice {
    pub value: String,
    pub label: &'static str,
    pub checked: bool,
}

/// One item of the form.
pub struct Question {
    pub name: &'static str,
    pub text: String,
    /// Words for the ends of the scale.
    pub scale: &'static str,
    pub choices: Vec<Choice>,
    pub wide: bool,
}

/// What the page says.
pub enum Shown {
    /// The form (again, with an error, when something was wrong).
    Form {
        questions: Vec<Question>,
        error: Option<String>,
    },
    Thanks,
    AlreadyAnswered,
    Closed,
    /// The link matches nothing (or was mistyped): one neutral page.
    Unknown,
}

#[derive(Template, WebTemplate)]
#[template(path = "respond.html")]
pub struct RespondPage {
    pub nav: Nav,
    pub state: Shown,
    pub min_group: i64,
    pub closes_on: String,
    /// The form posts here (the page's own address); empty for a preview.
    pub action: String,
    pub preview: bool,
}

const AGREEMENT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// The four questions, with the given values chosen (None: "Skip").
pub fn questions(items: &Items, answer: &Answer) -> Vec<Question> {
    let agreement = |name: &'static str, text: &str, chosen: Option<i16>| Question {
        name,
        text: text.to_string(),
        scale: "1 = strongly disagree, 5 = strongly agree",
        choices: (1..=5)
            .map(|v: i16| Choice {
                value: v.to_string(),
                label: AGREEMENT[(v - 1) as usize],
                checked: chosen == Some(v),
            })
            .chain(std::iter::once(skip(chosen.is_none())))
            .collect(),
        wide: false,
    };
    vec![
        agreement("heard", &items.heard, answer.heard),
        agreement("supported", &items.supported, answer.supported),
        agreement("valued", &items.valued, answer.valued),
        Question {
            name: "enps",
            text: items.enps.clone(),
            scale: "0 = not at all likely, 10 = extremely likely",
            choices: (0..=10)
                .map(|v: i16| Choice {
                    value: v.to_string(),
                    label: NUMBERS[v as usize],
                    checked: answer.enps == Some(v),
                })
                .chain(std::iter::once(skip(answer.enps.is_none())))
                .collect(),
            wide: true,
        },
    ]
}

const NUMBERS: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

fn skip(checked: bool) -> Choice {
    Choice {
        value: String::new(),
        label: "Skip this question",
        checked,
    }
}

/// Read the form: each item empty (skipped) or a value in its range.
pub fn read_answer(body: &[u8]) -> Result<Answer, String> {
    let pairs = auth::form_pairs(body);
    let field = |name: &str, range: std::ops::RangeInclusive<i16>| -> Result<Option<i16>, String> {
        match pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()) {
            None | Some("") => Ok(None),
            Some(text) => text
                .parse::<i16>()
                .ok()
                .filter(|v| range.contains(v))
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "One answer was not one of the choices ({name}: \"{text}\"). Please choose again."
                    )
                }),
        }
    };
    Ok(Answer {
        heard: field("heard", 1..=5)?,
        supported: field("supported", 1..=5)?,
        valued: field("valued", 1..=5)?,
        enps: field("enps", 0..=10)?,
    })
}

fn page(state: Shown, min_group: i64, closes_on: String, action: String) -> RespondPage {
    RespondPage {
        nav: Nav::anonymous(),
        state,
        min_group,
        closes_on,
        action,
        preview: false,
    }
}

fn long_day(date: chrono::NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// The invitation of a link, or the neutral page (after counting the visit against the
/// client's address). Refused with 429 when the address has tried too many unknown links.
async fn find(
    state: &AppState,
    parts: &Parts,
    token: &str,
) -> Result<Result<db::surveys::Visit, Response>, AppError> {
    let client_addr = auth::client_addr(parts, &state.config);
    let mut conn = state.pool.acquire().await?;
    if db::surveys::recent_bad_links(&mut conn, &client_addr).await? >= REFUSE_AFTER {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 15 * 60,
        });
    }
    // Anything that cannot be a token is looked up too (as its digest): the answer takes the
    // same path and time whatever the link looks like.
    let found = db::surveys::visit(&mut conn, &secret::digest(token)).await?;
    match found.filter(|_| survey::plausible_token(token)) {
        Some(visit) => Ok(Ok(visit)),
        None => {
            db::surveys::record_bad_link(&mut conn, &client_addr).await?;
            let min_group = db::settings::min_group_size(&mut conn).await?;
            Ok(Err((
                StatusCode::NOT_FOUND,
                page(Shown::Unknown, min_group, String::new(), String::new()),
            )
                .into_response()))
        }
    }
}

/// `GET /s/{token}`: the form, or what became of the link.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
) -> Result<Response, AppError> {
    let visit = match find(&state, &parts, &token).await? {
        Ok(visit) => visit,
        Err(neutral) => return Ok(neutral),
    };
    let mut conn = state.pool.acquire().await?;
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let action = format!("/s/{token}");
    let closes_on = long_day(visit.closes_on);
    let today = chrono::Utc::now().date_naive();
    let shown = if visit.answered {
        Shown::AlreadyAnswered
    } else if visit.status != "open" || visit.closes_on < today {
        Shown::Closed
    } else {
        Shown::Form {
            questions: questions(&visit.items, &Answer::default()),
            error: None,
        }
    };
    let status = match shown {
        Shown::Closed => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    Ok((status, page(shown, min_group, closes_on, action)).into_response())
}

/// `POST /s/{token}`: record the answer (once), and say thank you.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, AppError> {
    let visit = match find(&state, &parts, &token).await? {
        Ok(visit) => visit,
        Err(neutral) => return Ok(neutral),
    };
    let mut conn = state.pool.acquire().await?;
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let action = format!("/s/{token}");
    let closes_on = long_day(visit.closes_on);
    let today = chrono::Utc::now().date_naive();
    if visit.answered {
        return Ok((
            StatusCode::CONFLICT,
            page(Shown::AlreadyAnswered, min_group, closes_on, action),
        )
            .into_response());
    }
    if visit.status != "open" || visit.closes_on < today {
        return Ok((
            StatusCode::GONE,
            page(Shown::Closed, min_group, closes_on, action),
        )
            .into_response());
    }
    let answer = match read_answer(&body) {
        Ok(answer) => answer,
        Err(error) => {
            let shown = Shown::Form {
                questions: questions(&visit.items, &Answer::default()),
                error: Some(error),
            };
            return Ok((
                StatusCode::BAD_REQUEST,
                page(shown, min_group, closes_on, action),
            )
                .into_response());
        }
    };
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let recorded = db::surveys::answer(&mut tx, &visit, &answer).await?;
    tx.commit().await?;
    drop(conn);
    let refused = match recorded {
        Recorded::Yes => None,
        Recorded::AlreadyAnswered => Some((StatusCode::CONFLICT, Shown::AlreadyAnswered)),
        Recorded::Closed => Some((StatusCode::GONE, Shown::Closed)),
    };
    if let Some((status, shown)) = refused {
        return Ok((status, page(shown, min_group, closes_on, action)).into_response());
    }
    survey::after_answer(&state.pool, visit.survey_round_id).await?;
    Ok(page(Shown::Thanks, min_group, closes_on, action).into_response())
}
