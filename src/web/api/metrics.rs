//! The JSON API: `GET /api/v1/metrics?period=P[&team=NAME]`, the report of `attune report
//! --format json`, limited to what the caller may see. Errors are JSON too (see
//! `web::api_errors_as_json`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::report::Report;
use crate::web::auth::CurrentUser;
use crate::web::extract::Query;
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
) -> Result<Json<Report>, AppError> {
    let today = chrono::Local::now().date_naive();
    let period = periods::chosen(params.period.as_deref(), today)?;
    let team = match params
        .team
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(wanted) => Some(user.visible_team(wanted).ok_or(AppError::NotFound)?),
        None => None,
    };
    let mut report = state
        .reports
        .build(&state.pool, period, team.as_deref())
        .await?;
    user.redact(&mut report);
    Ok(Json(report))
}
