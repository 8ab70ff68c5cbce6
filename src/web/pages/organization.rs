//! The organization page at `/organization` (HR and executives): a heatmap of every team ×
//! the fundamentals for one period, each cell marked better, worse or similar than the
//! organization (by the catalogue's direction, in words and symbols as well as colour), and
//! survey cells withheld for privacy marked as such.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::accounts::Role;
use crate::scoring::{self, Direction, MetricInfo, Unit};
use crate::web::auth::{CurrentUser, Nav};
use crate::web::figures::{self, Figures, NOT_ENOUGH_RESPONSES, Verdict};
use crate::web::pages::team;
use crate::web::periods::{self, PeriodPicker};
use crate::web::{AppError, AppState};

/// The columns of the heatmap, in this order.
const COLUMNS: [&str; 8] = [
    "headcount_end",
    "turnover_rate",
    "voluntary_turnover_rate",
    "involuntary_turnover_rate",
    "absenteeism_rate",
    "promotion_rate",
    "csat",
    "empathy_favorability",
];

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
) -> Result<OrganizationPage, AppError> {
    // Every team side by side: for HR and executives, not for managers.
    if user.role == Role::Manager {
        return Err(AppError::Forbidden(
            "The organization page compares every team, so it is for HR and executives. Your \
             teams are on your own page."
                .to_string(),
        ));
    }
    let today = chrono::Local::now().date_naive();
    let period = periods::chosen(params.period.as_deref(), today)?;
    let mut conn = state.pool.acquire().await?;
    let mut report = crate::report::build(&mut conn, period, None).await?;
    user.redact(&mut report);
    let currency = crate::db::settings::currency(&mut conn).await?;
    let metrics: Vec<&'static MetricInfo> = COLUMNS
        .iter()
        .filter_map(|key| scoring::info(key))
        .collect();
    let org = Figures::of_scope(&report.org);
    let rows = report
        .teams
        .iter()
        .map(|(name, scope)| {
            let figures = Figures::of_scope(scope);
            HeatRow {
                team: name.clone(),
                href: format!("{}?period={period}", team::team_path(name)),
                cells: metrics
                    .iter()
                    .map(|metric| cell(metric, &figures, &org, &currency))
                    .collect(),
            }
        })
        .collect();
    Ok(OrganizationPage {
        nav: user.nav(),
        picker: PeriodPicker::new("/organization".to_string(), period, today),
        period: period.to_string(),
        span: figures::span(report.start, report.end),
        columns: metrics
            .iter()
            .map(|m| Column {
                key: m.key,
                label: m.label,
                direction: match m.direction {
                    Direction::HigherIsBetter => "higher is better",
                    Direction::LowerIsBetter => "lower is better",
                    Direction::Neutral => "",
                },
            })
            .collect(),
        org: metrics.iter().map(|m| org.show(m, &currency)).collect(),
        min_group_size: report.min_group_size,
        has_data: report.org.fundamentals.headcount_start > 0
            || report.org.fundamentals.headcount_end > 0
            || report.org.fundamentals.separations > 0,
        rows,
    })
}

/// A team's cell, compared with the organization.
fn cell(metric: &MetricInfo, team: &Figures, org: &Figures, currency: &str) -> Cell {
    let value = team.show(metric, currency);
    if team.is_suppressed(metric.key) {
        return Cell {
            key: metric.key,
            value,
            class: "suppressed",
            mark: format!("⊘ {NOT_ENOUGH_RESPONSES}"),
        };
    }
    let (team_value, org_value) = (team.get(metric.key), org.get(metric.key));
    let tolerance = match (metric.unit, org_value) {
        (Unit::Percent, Some(o)) => SIMILAR_POINTS.max(SIMILAR_SHARE * o.abs()),
        (_, Some(o)) => figures::precision(metric.unit).max(SIMILAR_SHARE * o.abs()),
        (_, None) => 0.0,
    };
    let verdict = if org.is_suppressed(metric.key) {
        Verdict::Unknown
    } else {
        figures::judge(metric.direction, org_value, team_value, tolerance)
    };
    let mark = match verdict {
        Verdict::Better => "+ better".to_string(),
        Verdict::Worse => "− worse".to_string(),
        Verdict::Same => "≈ similar".to_string(),
        Verdict::Neutral => String::new(),
        Verdict::Unknown if team_value.is_none() => "no data".to_string(),
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
    use std::collections::HashMap;

    fn figures(key: &'static str, value: Option<f64>, suppressed: bool) -> Figures {
        Figures {
            values: HashMap::from([(key, value)]),
            suppressed: if suppressed { vec![key] } else { vec![] },
        }
    }

    #[test]
    fn a_team_is_compared_with_the_organization_by_the_metrics_direction() {
        let turnover = scoring::info("turnover_rate").unwrap();
        let org = figures("turnover_rate", Some(10.0), false);
        let low = cell(
            turnover,
            &figures("turnover_rate", Some(4.0), false),
            &org,
            "USD",
        );
        assert_eq!((low.class, low.mark.as_str()), ("better", "+ better"));
        let high = cell(
            turnover,
            &figures("turnover_rate", Some(14.0), false),
            &org,
            "USD",
        );
        assert_eq!(high.class, "worse");
        let close = cell(
            turnover,
            &figures("turnover_rate", Some(10.8), false),
            &org,
            "USD",
        );
        assert_eq!((close.class, close.mark.as_str()), ("same", "≈ similar"));
    }

    #[test]
    fn a_withheld_survey_figure_is_marked_not_shown() {
        let favorability = scoring::info("empathy_favorability").unwrap();
        let org = figures("empathy_favorability", Some(70.0), false);
        let hidden = cell(
            favorability,
            &figures("empathy_favorability", None, true),
            &org,
            "USD",
        );
        assert_eq!(hidden.class, "suppressed");
        assert_eq!(hidden.value, NOT_ENOUGH_RESPONSES);
    }
}
