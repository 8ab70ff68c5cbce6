//! The organization page at `/organization` (HR and executives): a heatmap of every team ×
//! the fundamentals for one period, each cell marked better, worse or similar than the
//! organization (by the catalogue's direction, in words and symbols as well as colour), and
//! survey cells withheld for privacy marked as such.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

use crate::accounts::Role;
use crate::cache::Snapshot;
use crate::period::Period;
use crate::present::{self, Missing, Verdict, labels};
use crate::scoring::{Direction, Metric, MetricInfo, Scored, Unit};
use crate::web::auth::{CurrentUser, Nav, TeamScope};
use crate::web::extract::Query;
use crate::web::pages::team;
use crate::web::periods::{self, PeriodPicker};
use crate::web::redact::for_reader;
use crate::web::view::{self, KeptPage};
use crate::web::{AppError, AppState};

/// The columns of the heatmap, in this order (headcount, then the headline rates).
fn columns() -> impl Iterator<Item = Metric> {
    std::iter::once(Metric::HeadcountEnd).chain(present::HEADLINE_RATES)
}

/// A team's rate within this many percentage points of the organization's — or within a tenth
/// of it, whichever is larger — is "similar": small differences are noise, not news.
const SIMILAR_POINTS: f64 = 0.5;
const SIMILAR_SHARE: f64 = 0.1;

#[derive(Debug, Deserialize)]
pub struct Params {
    period: Option<String>,
}

pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    /// "lower is better", "higher is better" or "".
    pub direction: &'static str,
}

/// One cell: the value, and how it compares with the organization.
pub struct Cell {
    pub key: &'static str,
    pub value: String,
    /// better, worse, same, neutral, unknown or suppressed.
    pub class: &'static str,
    /// The comparison in words, with a symbol: "+ better", "− worse", "≈ similar".
    pub mark: String,
}

pub struct HeatRow {
    pub team: String,
    pub href: String,
    pub cells: Vec<Cell>,
}

#[derive(Template, WebTemplate)]
#[template(path = "organization.html")]
pub struct OrganizationPage {
    pub nav: Nav,
    pub picker: PeriodPicker,
    pub period: String,
    pub span: String,
    pub columns: Vec<Column>,
    pub rows: Vec<HeatRow>,
    pub org: Vec<String>,
    pub min_group_size: i64,
    pub has_data: bool,
}

/// `GET /organization`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Html<String>, AppError> {
    // Every team side by side: for HR and executives, not for managers.
    if user.role == Role::Manager {
        return Err(AppError::Forbidden(
            "The organization page compares every team, so it is for HR and executives. Your \
             teams are on your own page."
                .to_string(),
        ));
    }
    let at = state.reports.at(user.data_version, &state.pool);
    let period = periods::chosen(params.period.as_deref(), at.today)?;
    let name = format!("organization {period} {:?} {:?}", user.role, user.teams);
    let page = state
        .reports
        .kept(&at, name, KeptPage::weight, || async {
            let page = page(&state, &at, user.role, &user.teams, period).await?;
            KeptPage::render(&page).map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(page.for_user(&user))
}

/// The heatmap of `period` as a reader with `role` who may see `teams` sees it.
async fn page(
    state: &AppState,
    at: &Snapshot,
    role: Role,
    teams: &TeamScope,
    period: Period,
) -> Result<OrganizationPage, AppError> {
    let today = at.today;
    let whole = state.reports.reports_at(at, &state.pool, &[period]).await?;
    let mut report = whole[0].clone();
    for_reader(std::slice::from_mut(&mut report), role, teams);
    let currency = crate::db::settings::currency(&mut *state.pool.acquire().await?).await?;
    let metrics: Vec<&'static MetricInfo> = columns().map(Metric::info).collect();
    let org = &report.org;
    let rows = report
        .teams
        .iter()
        .map(|(name, scope)| HeatRow {
            team: name.clone(),
            href: format!("{}?period={period}", team::team_path(name)),
            cells: metrics
                .iter()
                .map(|metric| cell(metric, scope, org, &currency))
                .collect(),
        })
        .collect();
    Ok(OrganizationPage {
        nav: view::nav(role),
        picker: PeriodPicker::new("/organization".to_string(), period, today),
        period: period.to_string(),
        span: present::span(report.start, report.end),
        columns: metrics
            .iter()
            .map(|m| Column {
                key: m.key,
                label: m.label,
                direction: labels::direction(m.direction),
            })
            .collect(),
        org: metrics
            .iter()
            .map(|m| present::show(org, m, &currency))
            .collect(),
        min_group_size: report.min_group_size,
        has_data: report.org.fundamentals.headcount_start > 0
            || report.org.fundamentals.headcount_end > 0
            || report.org.fundamentals.separations > 0,
        rows,
    })
}

/// A team's cell, compared with the organization.
fn cell(metric: &MetricInfo, team: &impl Scored, org: &impl Scored, currency: &str) -> Cell {
    let value = present::show(team, metric, currency);
    let missing = Missing::of(team, metric.metric);
    // Withheld (not merely without data): marked as such.
    if let Some(withheld) = missing.filter(|m| !m.is_no_data()) {
        return Cell {
            key: metric.key,
            value,
            class: "suppressed",
            mark: format!("⊘ {}", withheld.words()),
        };
    }
    let (team_value, org_value) = (team.get(metric.metric), org.get(metric.metric));
    let tolerance = match (metric.unit, org_value) {
        (Unit::Percent, Some(o)) => SIMILAR_POINTS.max(SIMILAR_SHARE * o.abs()),
        (_, Some(o)) => present::precision(metric.unit).max(SIMILAR_SHARE * o.abs()),
        (_, None) => 0.0,
    };
    let verdict = if org.is_suppressed(metric.metric) {
        Verdict::Unknown
    } else {
        present::judge(metric.direction, org_value, team_value, tolerance)
    };
    let mark = match verdict {
        Verdict::Better => "+ better".to_string(),
        Verdict::Worse => "− worse".to_string(),
        Verdict::Same => "≈ similar".to_string(),
        Verdict::Neutral => String::new(),
        // The value already says why there is none.
        Verdict::Unknown if missing.is_some_and(|m| m != Missing::NoFigure) => String::new(),
        Verdict::Unknown if team_value.is_none() => Missing::NoData.words().to_string(),
        Verdict::Unknown => String::new(),
    };
    Cell {
        key: metric.key,
        value,
        class: if metric.direction == Direction::Neutral {
            "neutral"
        } else {
            verdict.class()
        },
        mark,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{self, Facts, Hidden, ScopeMetrics, Settings};

    /// A scope whose only figure of interest is `metric`.
    fn figures(metric: Metric, value: Option<f64>, suppressed: bool) -> ScopeMetrics {
        let settings = Settings::default();
        let ctx = scoring::Context {
            settings: &settings,
            periods_per_year: 4.0,
        };
        let mut scope = scoring::score(&Facts::default(), None, &[], ctx, &Hidden::default());
        match metric {
            Metric::TurnoverRate => scope.fundamentals.turnover_rate = value,
            Metric::EmpathyFavorability => scope.fundamentals.empathy_favorability = value,
            other => panic!("{other} is not set up by these tests"),
        }
        if suppressed {
            scope.suppressed.push(metric);
        }
        scope
    }

    #[test]
    fn a_team_is_compared_with_the_organization_by_the_metrics_direction() {
        let turnover = Metric::TurnoverRate.info();
        let org = figures(Metric::TurnoverRate, Some(10.0), false);
        let low = cell(
            turnover,
            &figures(Metric::TurnoverRate, Some(4.0), false),
            &org,
            "USD",
        );
        assert_eq!((low.class, low.mark.as_str()), ("better", "+ better"));
        let high = cell(
            turnover,
            &figures(Metric::TurnoverRate, Some(14.0), false),
            &org,
            "USD",
        );
        assert_eq!(high.class, "worse");
        let close = cell(
            turnover,
            &figures(Metric::TurnoverRate, Some(10.8), false),
            &org,
            "USD",
        );
        assert_eq!((close.class, close.mark.as_str()), ("same", "≈ similar"));
    }

    #[test]
    fn a_withheld_survey_figure_is_marked_not_shown() {
        let favorability = Metric::EmpathyFavorability.info();
        let org = figures(Metric::EmpathyFavorability, Some(70.0), false);
        let hidden = cell(
            favorability,
            &figures(Metric::EmpathyFavorability, None, true),
            &org,
            "USD",
        );
        assert_eq!(hidden.class, "suppressed");
        assert_eq!(hidden.value, Missing::TooFewResponses.words());
    }
}
