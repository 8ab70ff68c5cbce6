//! `/participation`: how many people were invited to the recent survey rounds and how many
//! answered — the organization and each team the user may see (a manager: their teams), live
//! while a round is open, withheld for groups below the minimum group size of invitations.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::db;
use crate::present;
use crate::survey;
use crate::web::auth::{CurrentUser, Nav};
use crate::web::{AppError, AppState};

/// How many rounds the page shows (the newest first, scheduled ones left out).
const ROUNDS: usize = 4;

/// One group's participation, as shown.
pub struct Row {
    pub team: String,
    pub invited: String,
    pub answered: String,
    pub rate: String,
    pub org: bool,
}

/// One round.
pub struct RoundView {
    pub id: i64,
    pub dates: String,
    pub status: String,
    pub rows: Vec<Row>,
}

#[derive(Template, WebTemplate)]
#[template(path = "participation.html")]
pub struct ParticipationPage {
    pub nav: Nav,
    pub rounds: Vec<RoundView>,
    pub min_group: i64,
}

/// `GET /participation` (signed in, any role).
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<ParticipationPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let min_group = db::settings::min_group_size(&mut conn).await?;
    let mut rounds = Vec::new();
    for round in db::surveys::list(&mut conn)
        .await?
        .into_iter()
        .filter(|r| r.status != "scheduled")
        .take(ROUNDS)
    {
        let rows = db::surveys::participation(&mut conn, round.survey_round_id).await?;
        let rows = survey::participation(&rows, min_group)
            .into_iter()
            .filter(|p| p.team.as_deref().is_none_or(|t| user.can_see_team(t)))
            .map(|p| Row {
                org: p.team.is_none(),
                team: p.team.unwrap_or_else(|| "Organization".into()),
                invited: p.invited.to_string(),
                answered: p
                    .answered
                    .map_or_else(|| "withheld".into(), |a| a.to_string()),
                rate: p.rate.map_or_else(
                    || "withheld".into(),
                    |r| present::number::percent(Some(r * 100.0)),
                ),
            })
            .collect();
        rounds.push(RoundView {
            id: round.survey_round_id,
            dates: present::number::span(round.opens_on, round.closes_on),
            status: match round.status.as_str() {
                "open" => "open: figures change as people answer".into(),
                other => other.to_string(),
            },
            rows,
        });
    }
    Ok(ParticipationPage {
        nav: user.nav(),
        rounds,
        min_group,
    })
}
