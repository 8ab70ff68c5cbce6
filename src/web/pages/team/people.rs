//! The drill-down of a team at `/teams/{name}/people`: the period's leavers and promotions by
//! name and the absence rate by month; never absence types or survey answers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::{Params, team_path, visible_team};
use crate::db;
use crate::present::chart::{self, BarChart};
use crate::present::{self, Missing};
use crate::scoring::{self, Unit};
use crate::web::auth::{CurrentUser, Nav};
use crate::web::extract::{Path, Query};
use crate::web::periods::{self, PeriodPicker};
use crate::web::{AppError, AppState};

/// A leaver, as the drill-down lists them.
pub struct PersonRow {
    pub name: String,
    pub job_title: String,
    pub date: String,
}

/// A promotion, as the drill-down lists it.
pub struct PromotionRow {
    pub name: String,
    pub from_title: String,
    pub to_title: String,
    pub date: String,
}

/// The absence rate of one month.
pub struct MonthRow {
    pub month: String,
    pub rate: String,
    pub absence_days: String,
    pub scheduled_days: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "team_people.html")]
pub struct PeoplePage {
    pub nav: Nav,
    pub team: String,
    pub team_href: String,
    pub picker: PeriodPicker,
    pub period: String,
    pub span: String,
    pub leavers: Vec<PersonRow>,
    pub promotions: Vec<PromotionRow>,
    pub months: Vec<MonthRow>,
    pub absence_chart: BarChart,
    pub absence_chart_description: String,
}

/// `GET /teams/{name}/people`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(params): Query<Params>,
) -> Result<PeoplePage, AppError> {
    // The team first: a team the user may not see is a 404 whatever else is asked.
    let mut conn = state.pool.acquire().await?;
    let team = visible_team(&mut conn, &user, &name).await?;
    let today = chrono::Local::now().date_naive();
    let period = periods::chosen(params.period.as_deref(), today)?;
    let (start, end) = (period.start(), period.end());
    let leavers = db::people::leavers(&mut conn, team.team_id, start, end).await?;
    let promotions = db::people::promotions(&mut conn, team.team_id, start, end).await?;
    let months = period.months();
    let facts = db::facts::collect(&mut conn, &months).await?;
    let month_rows: Vec<(String, Option<f64>, f64, f64)> = months
        .iter()
        .zip(&facts)
        .map(|(month, pf)| {
            let f = pf.teams.get(&team.name).cloned().unwrap_or_default();
            (
                month.start().format("%b %Y").to_string(),
                scoring::rate(f.absence_days, f.scheduled_days),
                f.absence_days,
                f.scheduled_days,
            )
        })
        .collect();
    let rates: Vec<Option<f64>> = month_rows.iter().map(|m| m.1).collect();
    let short_labels: Vec<String> = months
        .iter()
        .map(|m| m.start().format("%b").to_string())
        .collect();
    let unknown = || Missing::NoFigure.words().to_string();
    let name_of = |n: Option<String>| n.unwrap_or_else(|| "(name erased)".to_string());
    let team_href = team_path(&team.name);
    Ok(PeoplePage {
        nav: user.nav(),
        picker: PeriodPicker::new(format!("{team_href}/people"), period, today),
        team_href,
        team: team.name,
        period: period.to_string(),
        span: present::span(start, end),
        leavers: leavers
            .into_iter()
            .map(|l| PersonRow {
                name: name_of(l.full_name),
                job_title: l.job_title.unwrap_or_else(unknown),
                date: present::day(l.termination_date),
            })
            .collect(),
        promotions: promotions
            .into_iter()
            .map(|p| PromotionRow {
                name: name_of(p.full_name),
                from_title: p.from_title.unwrap_or_else(unknown),
                to_title: p.to_title.unwrap_or_else(unknown),
                date: present::day(p.effective_date),
            })
            .collect(),
        absence_chart_description: month_rows
            .iter()
            .map(|m| format!("{}: {}", m.0, present::value(Unit::Percent, m.1, "")))
            .collect::<Vec<_>>()
            .join("; "),
        absence_chart: chart::bar_chart(&rates, &short_labels),
        months: month_rows
            .into_iter()
            .map(|(month, rate, absence, scheduled)| MonthRow {
                month,
                rate: present::value(Unit::Percent, rate, ""),
                absence_days: present::number(absence, 1),
                scheduled_days: present::number(scheduled, 0),
            })
            .collect(),
    })
}
