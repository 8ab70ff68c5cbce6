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

/// Where a followed link leads, before anything is sent.
enum Arrival {
    /// The link matches no invitation: the neutral page (404), already drawn.
    Unknown(Response),
    /// The invitation, answered already or of a round no longer open: this page says so.
    Done(Link, Shown),
    /// The invitation, which may answer now.
    Open(Link),
}

/// A link's invitation, and what its pages show besides the form.
struct Link {
    visit: db::surveys::Visit,
    min_group: i64,
    /// The page's own address, where the form posts.
    action: String,
    closes_on: String,
}

impl Link {
    fn page(&self, status: StatusCode, shown: Shown) -> Response {
        let page = page(
            shown,
            self.min_group,
            self.closes_on.clone(),
            self.action.clone(),
        );
        (status, page).into_response()
    }
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

/// Follow a link: its invitation and its state, or the neutral page (after counting the visit
/// against the client's address). Refused with 429 when the address has tried too many unknown
/// links.
async fn arrive(state: &AppState, parts: &Parts, token: &str) -> Result<Arrival, AppError> {
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
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let Some(visit) = found.filter(|_| survey::plausible_token(token)) else {
        db::surveys::record_bad_link(&mut conn, &client_addr).await?;
        let page = page(Shown::Unknown, min_group, String::new(), String::new());
        return Ok(Arrival::Unknown(
            (StatusCode::NOT_FOUND, page).into_response(),
        ));
    };
    let today = chrono::Utc::now().date_naive();
    let done = if visit.answered {
        Some(Shown::AlreadyAnswered)
    } else if visit.status != "open" || visit.closes_on < today {
        Some(Shown::Closed)
    } else {
        None
    };
    let link = Link {
        min_group,
        action: format!("/s/{token}"),
        closes_on: survey::messages::long_day(visit.closes_on),
        visit,
    };
    Ok(match done {
        Some(shown) => Arrival::Done(link, shown),
        None => Arrival::Open(link),
    })
}

/// `GET /s/{token}`: the form, or what became of the link.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
) -> Result<Response, AppError> {
    Ok(match arrive(&state, &parts, &token).await? {
        Arrival::Unknown(neutral) => neutral,
        Arrival::Done(link, Shown::Closed) => link.page(StatusCode::GONE, Shown::Closed),
        Arrival::Done(link, shown) => link.page(StatusCode::OK, shown),
        Arrival::Open(link) => {
            let questions = questions(&link.visit.items, &Answer::default());
            let form = Shown::Form {
                questions,
                error: None,
            };
            link.page(StatusCode::OK, form)
        }
    })
}

/// The status of a page that refuses an answer.
fn refused(shown: &Shown) -> StatusCode {
    match shown {
        Shown::Closed => StatusCode::GONE,
        _ => StatusCode::CONFLICT,
    }
}

/// `POST /s/{token}`: record the answer (once), and say thank you.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, AppError> {
    let link = match arrive(&state, &parts, &token).await? {
        Arrival::Unknown(neutral) => return Ok(neutral),
        Arrival::Done(link, shown) => return Ok(link.page(refused(&shown), shown)),
        Arrival::Open(link) => link,
    };
    let answer = match read_answer(&body) {
        Ok(answer) => answer,
        Err(error) => {
            let shown = Shown::Form {
                questions: questions(&link.visit.items, &Answer::default()),
                error: Some(error),
            };
            return Ok(link.page(StatusCode::BAD_REQUEST, shown));
        }
    };
    let (recorded, waiting) =
        db::surveys::answer(&mut *state.pool.acquire().await?, &link.visit, &answer).await?;
    let shown = match recorded {
        Recorded::Yes => Shown::Thanks,
        Recorded::AlreadyAnswered => Shown::AlreadyAnswered,
        Recorded::Closed => Shown::Closed,
    };
    if !matches!(shown, Shown::Thanks) {
        return Ok(link.page(refused(&shown), shown));
    }
    survey::after_answer(&state.pool, link.visit.survey_round_id, waiting);
    Ok(link.page(StatusCode::OK, shown))
}
