//! The JSON API: `GET /api/v1/metrics?period=P[&team=NAME]`, the report of `attune report
//! --format json`, limited to what the caller may see. Errors are JSON too (see
//! `web::api_errors_as_json`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::web::auth::CurrentUser;
use crate::web::extract::Query;
use crate::web::pages::team;
use crate::web::periods;
use crate::web::{AppError, AppState};

#[derive(Debug, Deserialize)]
pub struct Params {
    period: Option<String>,
    team: Option<String>,
}

/// The report of a period (by default the latest complete quarter). A manager sees the
/// organization and only their own teams; asking for another team is a 404, exactly as for a
/// team that does not exist. A manager's salary-based figures are null and listed in
/// `suppressed` (see `web::redact`).
pub async fn metrics(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let at = state.reports.at(user.data_version, &state.pool);
    let period = periods::chosen(params.period.as_deref(), at.today)?;
    let team = match params
        .team
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(wanted) => {
            let name = user.visible_team(wanted).ok_or(AppError::NotFound)?;
            let teams = team::kept_teams(&state, &at).await?;
            let found = team::find(&teams, &name).ok_or(AppError::NotFound)?;
            Some(found.name.clone())
        }
        None => None,
    };
    // The JSON as this kind of reader sees it, kept until the data changes.
    let name = format!("metrics {period} {team:?} {:?} {:?}", user.role, user.teams);
    let json = state
        .reports
        .kept(&at, name, Bytes::len, || async {
            let whole = state
                .reports
                .reports_at(&at, &state.pool, &[period])
                .await?;
            let mut report = match &team {
                Some(name) => whole[0].only_team(name),
                None => whole[0].clone(),
            };
            user.redact(&mut report);
            serde_json::to_vec(&report)
                .map(Bytes::from)
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        (*json).clone(),
    )
        .into_response())
}
