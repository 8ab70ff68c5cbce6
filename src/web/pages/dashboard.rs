//! The dashboard at `/`: every team's headcount and turnover for a period (by default the latest
//! complete quarter), with the trend over the eight periods up to it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::Role;
use crate::period::Period;
use crate::present::chart::{self, BarChart, Sparkline};
use crate::present::{self, labels};
use crate::report::{Report, Scope};
use crate::scoring::Metric;
use crate::web::auth::{CurrentUser, Nav, TeamScope};
use crate::web::extract::Query;
use crate::web::pages::{summary, team};
use crate::web::periods;
use crate::web::redact::for_reader;
use crate::web::view::{self, KeptPage};
use crate::web::{AppError, AppState};

/// How many periods the trend shows.
pub const TREND_LENGTH: usize = 8;

#[derive(Debug, Deserialize)]
pub struct Params {
    period: Option<String>,
}

/// One row of the table: a team, or the organization.
pub struct Row {
    pub name: String,
    /// The team's own page (empty for the organization).
    pub href: String,
    pub headcount_end: i64,
    pub headcount_avg: String,
    pub separations: i64,
    pub turnover: String,
    pub voluntary: String,
    pub involuntary: String,
    pub trend: Sparkline,
    pub trend_values: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub nav: Nav,
    /// Whether any team has data at all (otherwise: say what to import).
    pub has_data: bool,
    /// A manager to whom HR has not assigned a team yet.
    pub no_teams_assigned: bool,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub previous_period: String,
    pub next_period: String,
    pub trend_title: String,
    pub trend_labels: Vec<String>,
    pub org: Row,
    pub org_chart: BarChart,
    pub teams: Vec<Row>,
}

/// `GET /`: a manager lands on the page of their first team ("My team"), an executive on the
/// quarterly summary; HR and a manager without a team get the overview of every team they may
/// see.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let at = state.reports.at(user.data_version, &state.pool);
    if user.role == Role::Executive {
        let params = summary::Params {
            period: params.period,
        };
        return Ok(summary::render(&state, &at, &user, &params)
            .await?
            .into_response());
    }
    let period = periods::chosen(params.period.as_deref(), at.today)?;
    let first_team = match user.role {
        Role::Manager => team::first_visible_team(&state, &at, &user).await?,
        _ => None,
    };
    if let Some(team) = first_team {
        let page = team::render(&state, &at, &user, &team, period).await?;
        return Ok(page.into_response());
    }
    let name = format!("dashboard {period} {:?} {:?}", user.role, user.teams);
    let page = state
        .reports
        .kept(&at, name, KeptPage::weight, || async {
            let periods = period.trailing(TREND_LENGTH);
            let whole = state.reports.reports_at(&at, &state.pool, &periods).await?;
            let has_data = whole.last().is_some_and(|r| !r.teams.is_empty());
            let mut reports = whole.to_vec();
            // A manager sees the organization and their own teams only, and no salary-based
            // figure.
            for_reader(&mut reports, user.role, &user.teams);
            let mut page = page(period, &reports);
            page.nav = view::nav(user.role);
            page.has_data = has_data;
            page.no_teams_assigned = user.teams == TeamScope::Only(Default::default());
            KeptPage::render(&page).map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(page.for_user(&user).into_response())
}

fn page(period: Period, reports: &[Report]) -> DashboardPage {
    let current = reports
        .last()
        .expect("the trend includes the period itself");
    let labels: Vec<String> = reports.iter().map(|r| r.period.to_string()).collect();
    let org_series: Vec<Option<f64>> = reports
        .iter()
        .map(|r| r.org.fundamentals.turnover_rate)
        .collect();
    let teams = current
        .teams
        .iter()
        .map(|(name, scope)| {
            let series: Vec<Option<f64>> = reports
                .iter()
                .map(|r| r.teams.get(name).and_then(|s| s.fundamentals.turnover_rate))
                .collect();
            let mut team_row = row(name, scope, &series, &labels);
            team_row.href = format!("{}?period={period}", team::team_path(name));
            team_row
        })
        .collect();
    let unit = labels::period_unit(period.granularity());
    DashboardPage {
        nav: Nav::anonymous(),
        has_data: !current.teams.is_empty(),
        no_teams_assigned: false,
        period: period.to_string(),
        period_start: present::day(current.start),
        period_end: present::day(current.end),
        previous_period: period.previous().to_string(),
        next_period: period.next().to_string(),
        trend_title: format!("Turnover over the last {TREND_LENGTH} {unit}s"),
        org: row("Organization", &current.org, &org_series, &labels),
        org_chart: chart::bar_chart(&org_series, &labels),
        trend_labels: labels,
        teams,
    }
}

fn row(name: &str, scope: &Scope, series: &[Option<f64>], labels: &[String]) -> Row {
    let f = &scope.fundamentals;
    Row {
        name: name.to_string(),
        href: String::new(),
        headcount_end: f.headcount_end,
        headcount_avg: present::number(f.headcount_avg, 1),
        separations: f.separations,
        turnover: present::show(scope, Metric::TurnoverRate.info(), ""),
        voluntary: present::show(scope, Metric::VoluntaryTurnoverRate.info(), ""),
        involuntary: present::show(scope, Metric::InvoluntaryTurnoverRate.info(), ""),
        trend: chart::sparkline(series, labels, 120, 32),
        trend_values: series.iter().map(|v| present::percent(*v)).collect(),
    }
}
