//! The team page ("My team", a manager's landing page) at `/teams/{name}`; its drill-down at
//! `/teams/{name}/people` is in `people.rs`, the words that explain each number in `explain.rs`.
//!
//! The team page opens with "What stands out" (`present::standout`, the figures that differ
//! most from the organization or the team's usual level, with the playbook's suggestions), then
//! shows the fundamentals of one team as tiles — the value, its change against
//! the previous period and the same period a year earlier (good or bad by the catalogue's
//! direction, in words and symbols), the organization's figure, an eight-period trend — then
//! the intermediate and advanced tiers as tables, a short "what changed" paragraph, and "teams
//! like yours" (what change inside teams has gone with, from the outcome links). Every number
//! opens its "how calculated" explanation.
//!
//! A manager may open only the teams in their visible set; any other name is a 404, exactly as
//! for a team that does not exist. HR and executives may open every team.

pub mod explain;
pub mod people;

use askama::Template;
use askama_web::WebTemplate;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};

use crate::accounts::Role;
use crate::cache::{ReportCache, Snapshot};
use crate::db;
use crate::period::Period;
use crate::present::chart::{self, LineChart, Scale};
use crate::present::links::{Favorability, LikeYours};
use crate::present::standout::{self, Standout};
use crate::present::{self, Missing, Verdict, labels};
use crate::report::{self, Report, Scope};
use crate::scoring::{self, Metric, MetricInfo, Scored, Tier, Unit};
use crate::web::auth::{CurrentUser, Nav, TeamScope};
use crate::web::extract::{Path, Query};
use crate::web::periods::{self, PeriodPicker};
use crate::web::view::{self, KeptPage};
use crate::web::{AppError, AppState};
use explain::{Context, How, how, what_changed};

/// How many periods the trends show.
pub const TREND_LENGTH: usize = 8;

/// The fundamentals shown as tiles, in this order: headcount and leavers, then the headline
/// rates. The other fundamentals are the counts behind them, listed in a table.
fn tiles() -> impl Iterator<Item = Metric> {
    [Metric::HeadcountEnd, Metric::Separations]
        .into_iter()
        .chain(present::HEADLINE_RATES)
}

#[derive(Debug, Deserialize)]
pub struct Params {
    period: Option<String>,
}

/// A team in the switcher.
pub struct TeamLink {
    pub name: String,
    pub href: String,
    pub current: bool,
}

/// A change against a comparison period.
pub struct Change {
    /// "vs 2024-Q4".
    pub against: String,
    /// "▼ −4.9 pts", "no change", or why there is none.
    pub delta: String,
    pub class: &'static str,
    /// "better", "worse", "similar" or "".
    pub verdict: &'static str,
}

/// One period of a tile's trend, for its data table.
pub struct TrendPoint {
    pub period: String,
    pub team: String,
    pub org: String,
}

/// A fundamental as a tile.
pub struct Tile {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    /// A month's or quarter's rate as a year's: "≈ 47 % a year".
    pub per_year: Option<String>,
    pub suppressed: bool,
    pub changes: Vec<Change>,
    pub org: String,
    pub how: How,
    pub chart: LineChart,
    /// The chart's text alternative.
    pub chart_description: String,
    pub trend: Vec<TrendPoint>,
}

/// A metric as a table row: this period, the previous one and a year earlier.
pub struct MetricRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub suppressed: bool,
    pub previous: String,
    pub year_earlier: String,
    pub how: How,
}

/// A table of metrics under a heading.
pub struct MetricTable {
    pub id: &'static str,
    pub title: &'static str,
    pub note: &'static str,
    pub rows: Vec<MetricRow>,
    /// For a manager, what is left out and why (empty when nothing is).
    pub left_out: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "team.html")]
pub struct TeamPage {
    pub nav: Nav,
    pub team: String,
    pub people_href: String,
    /// Shown when the user may open more than one team.
    pub teams: Vec<TeamLink>,
    pub period: String,
    pub span: String,
    pub unit: &'static str,
    pub year_earlier_period: String,
    /// Sends its choice to the team's page.
    pub picker: PeriodPicker,
    /// Nobody was employed in the team during the period: say what to import.
    pub empty: bool,
    /// The figures that stand out, with their suggestions (none: say nothing does).
    pub standouts: Vec<Standout>,
    pub what_changed: Vec<String>,
    /// What change inside teams has gone with, and the team's own favorability.
    pub like_yours: LikeYours,
    pub tiles: Vec<Tile>,
    /// The counts behind the tiles, then the intermediate and advanced tiers.
    pub tables: Vec<MetricTable>,
    pub min_group_size: i64,
    pub currency: String,
}

/// `GET /teams/{name}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(params): Query<Params>,
) -> Result<Html<String>, AppError> {
    let at = state.reports.at(user.data_version, &state.pool);
    // The team first: a team the user may not see is a 404 whatever else is asked.
    let teams = kept_teams(&state, &at).await?;
    let team = user
        .visible_team(&name)
        .and_then(|name| find(&teams, &name))
        .filter(|team| user.can_see_team(&team.name))
        .ok_or(AppError::NotFound)?;
    let period = periods::chosen(params.period.as_deref(), at.today)?;
    render(&state, &at, &user, team, period).await
}

/// Every team as of `at`, kept until the data changes (teams are data: an import adds them).
pub async fn kept_teams(
    state: &AppState,
    at: &Snapshot,
) -> Result<Arc<Vec<db::teams::Team>>, AppError> {
    state
        .reports
        .kept(
            at,
            "teams".to_string(),
            |teams: &Vec<db::teams::Team>| teams.iter().map(|t| 16 + t.name.len()).sum(),
            || async {
                Ok::<_, AppError>(db::teams::list(&mut *state.pool.acquire().await?).await?)
            },
        )
        .await
}

/// The team of `teams` named `name`, matched as `db::teams::find` matches (ignoring case and
/// surrounding spaces).
pub fn find<'a>(teams: &'a [db::teams::Team], name: &str) -> Option<&'a db::teams::Team> {
    let wanted = name.trim_matches(' ').to_lowercase();
    teams.iter().find(|t| t.name.to_lowercase() == wanted)
}

/// The reports the team page of `team` is drawn from (the trend's periods, `period` last), as
/// a reader with `role` who may see `teams` may see them: the page and the managers' e-mailed
/// digest read the same, from the same cache.
pub async fn reports_for(
    cache: &ReportCache,
    at: &Snapshot,
    pool: &PgPool,
    role: Role,
    teams: &TeamScope,
    team: &str,
    period: Period,
) -> Result<Vec<Report>, report::ReportError> {
    let whole = cache
        .reports_at(at, pool, &period.trailing(TREND_LENGTH))
        .await?;
    let mut reports: Vec<Report> = whole.iter().map(|r| r.only_team(team)).collect();
    crate::web::redact::for_reader(&mut reports, role, teams);
    Ok(reports)
}

/// What the team page says first: what stands out, and what changed — or, when nobody was
/// employed in the team during the period, that it is empty (and nothing else).
pub struct Opening {
    pub empty: bool,
    pub standouts: Vec<Standout>,
    pub what_changed: Vec<String>,
}

/// The opening of `team`'s page from its reports (`reports_for`); None when the team is not
/// in the last one. The managers' digest tells exactly this.
pub fn opening(reports: &[Report], team: &str, currency: &str) -> Option<Opening> {
    let current = reports.last()?;
    let scope = current.teams.get(team)?;
    let f = &scope.fundamentals;
    Some(Opening {
        empty: f.headcount_start == 0 && f.headcount_end == 0 && f.separations == 0,
        standouts: standout::what_stands_out(reports, team),
        what_changed: what_changed(&context(current, currency), scope),
    })
}

/// What every explanation of a report's page needs.
fn context<'a>(current: &Report, currency: &'a str) -> Context<'a> {
    Context {
        period: current.period,
        start: current.start,
        end: current.end,
        currency,
        min_group_size: current.min_group_size,
        turnover_cost_factor: current.settings.turnover_cost_factor,
    }
}

/// The team page of `team` (already checked visible) for `period` as of `at`: also the
/// manager's `/`. Kept rendered for readers who see the same (`web::view`).
pub async fn render(
    state: &AppState,
    at: &Snapshot,
    user: &CurrentUser,
    team: &db::teams::Team,
    period: Period,
) -> Result<Html<String>, AppError> {
    let name = format!(
        "team page {period} {:?} {:?} {:?}",
        team.name, user.role, user.teams
    );
    let page = state
        .reports
        .kept(at, name, KeptPage::weight, || async {
            let page = page(state, at, user.role, &user.teams, team, period).await?;
            KeptPage::render(&page).map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(page.for_user(user))
}

/// The team page as a reader with `role` who may see `teams` sees it.
async fn page(
    state: &AppState,
    at: &Snapshot,
    role: Role,
    visible: &TeamScope,
    team: &db::teams::Team,
    period: Period,
) -> Result<TeamPage, AppError> {
    let today = at.today;
    let reports = reports_for(
        &state.reports,
        at,
        &state.pool,
        role,
        visible,
        &team.name,
        period,
    )
    .await?;
    let currency = db::settings::currency(&mut *state.pool.acquire().await?).await?;
    let teams = switcher(&kept_teams(state, at).await?, visible, &team.name, period);
    let current = reports
        .last()
        .expect("the trend includes the period itself");
    let scope = current.teams.get(&team.name).ok_or(AppError::NotFound)?;
    let Opening {
        empty,
        standouts,
        what_changed,
    } = opening(&reports, &team.name, &currency).ok_or(AppError::NotFound)?;
    let context = context(current, &currency);
    let team_href = team_path(&team.name);
    // A manager's tables leave out what says nothing to them, and say so.
    let trimmed = role == Role::Manager;
    Ok(TeamPage {
        nav: view::nav(role),
        team: team.name.clone(),
        people_href: format!("{team_href}/people?period={period}"),
        picker: PeriodPicker::new(team_href, period, today),
        teams,
        period: period.to_string(),
        span: present::span(current.start, current.end),
        unit: labels::period_unit(period.granularity()),
        year_earlier_period: period.year_earlier().to_string(),
        empty,
        standouts,
        what_changed,
        like_yours: like_yours(&team.name, period, scope, &current.outcome_links),
        tiles: tiles()
            .map(|metric| tile(&context, metric.info(), &team.name, &reports))
            .collect(),
        tables: vec![
            table(
                &context,
                scope,
                trimmed,
                ("counts", "The counts behind these figures"),
                "Headcounts, days and responses that the rates above are computed from.",
                |m| m.tier == Tier::Fundamentals && !tiles().any(|t| t == m.metric),
            ),
            table(
                &context,
                scope,
                trimmed,
                (
                    "intermediate",
                    "Intermediate: costs, customers and productivity",
                ),
                "What turnover and absence cost, and how customers and output fared. Money is \
                 in the organization's currency.",
                |m| m.tier == Tier::Intermediate,
            ),
            table(
                &context,
                scope,
                trimmed,
                (
                    "advanced",
                    "Advanced: advocacy, resilience, impact and the empathy index",
                ),
                "Longer-term signals. eNPS is a survey figure, withheld below the minimum group \
                 size.",
                |m| m.tier == Tier::Advanced,
            ),
        ],
        min_group_size: current.min_group_size,
        currency,
    })
}

/// "Teams like yours" for `team`, from its favorability as shown (a hidden figure stays hidden)
/// and the organization's outcome links.
fn like_yours(
    team: &str,
    period: Period,
    scope: &Scope,
    links: &[scoring::OutcomeLink],
) -> LikeYours {
    fn shown(scope: &impl Scored) -> Result<f64, &'static str> {
        let metric = Metric::EmpathyFavorability;
        match (Missing::of(scope, metric), scope.get(metric)) {
            (None, Some(value)) => Ok(value),
            (None | Some(Missing::NoFigure), _) => Err("no pulse survey responses"),
            (Some(missing), _) => Err(missing.words()),
        }
    }
    let period = period.to_string();
    let previous_period = scope.previous.period.to_string();
    present::links::like_yours(
        &Favorability {
            team,
            period: &period,
            previous_period: &previous_period,
            now: shown(scope),
            before: shown(&scope.previous),
        },
        links,
    )
}

/// The team named `wanted` if this user may see it; 404 otherwise, as for no such team.
pub async fn visible_team(
    conn: &mut PgConnection,
    user: &CurrentUser,
    wanted: &str,
) -> Result<db::teams::Team, AppError> {
    let name = user.visible_team(wanted).ok_or(AppError::NotFound)?;
    db::teams::find(conn, &name)
        .await?
        .filter(|team| user.can_see_team(&team.name))
        .ok_or(AppError::NotFound)
}

/// The first team a manager may see (their landing page), if any.
pub async fn first_visible_team(
    state: &AppState,
    at: &Snapshot,
    user: &CurrentUser,
) -> Result<Option<db::teams::Team>, AppError> {
    let TeamScope::Only(names) = &user.teams else {
        return Ok(None);
    };
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort_by_key(|n| n.to_lowercase());
    match sorted.first() {
        Some(name) => Ok(find(&kept_teams(state, at).await?, name).cloned()),
        None => Ok(None),
    }
}

/// The path of a team's page.
pub fn team_path(name: &str) -> String {
    format!("/teams/{}", path_segment(name))
}

/// The teams of `every` a reader who may see `visible` may switch between (none when there is
/// only one).
fn switcher(
    every: &[db::teams::Team],
    visible: &TeamScope,
    current: &str,
    period: Period,
) -> Vec<TeamLink> {
    let mut names: Vec<String> = match visible {
        TeamScope::All => every.iter().map(|t| t.name.clone()).collect(),
        TeamScope::Only(names) => names.iter().cloned().collect(),
    };
    names.sort_by_key(|n| n.to_lowercase());
    if names.len() < 2 {
        return Vec::new();
    }
    names
        .into_iter()
        .map(|name| TeamLink {
            href: format!("{}?period={period}", team_path(&name)),
            current: name == current,
            name,
        })
        .collect()
}

fn tile(context: &Context, metric: &MetricInfo, team: &str, reports: &[Report]) -> Tile {
    let current = reports
        .last()
        .expect("the trend includes the period itself");
    let scope = &current.teams[team];
    let org = &current.org;
    let comparisons = [
        (&scope.previous, "vs"),
        (&scope.year_earlier, "vs a year earlier,"),
    ];
    let changes = comparisons
        .into_iter()
        .map(|(comparison, words)| {
            change(
                metric,
                scope,
                comparison,
                format!("{words} {}", comparison.period),
                context.currency,
            )
        })
        .collect();
    let labels: Vec<String> = reports.iter().map(|r| r.period.to_string()).collect();
    let series = |pick: &dyn Fn(&Report) -> Option<&Scope>| -> Vec<Option<f64>> {
        reports
            .iter()
            .map(|r| {
                pick(r).and_then(|s| {
                    (!s.is_suppressed(metric.metric))
                        .then(|| s.get(metric.metric))
                        .flatten()
                })
            })
            .collect()
    };
    let team_series = series(&|r| r.teams.get(team));
    let org_series = series(&|r| Some(&r.org));
    let shown = |scope: Option<&Scope>| {
        scope.map_or(Missing::NoFigure.words().to_string(), |s| {
            present::show(s, metric, context.currency)
        })
    };
    let trend: Vec<TrendPoint> = reports
        .iter()
        .map(|r| TrendPoint {
            period: r.period.to_string(),
            team: shown(r.teams.get(team)),
            org: shown(Some(&r.org)),
        })
        .collect();
    let scale = Scale::Auto(if metric.unit == Unit::Percent {
        " %"
    } else {
        ""
    });
    // Counts of people (headcount, leavers) are drawn for the team alone, on its own scale:
    // on the organization's (34 against 164–371) the team's line would be flat.
    let alone = metric.unit == Unit::Count;
    let chart_description = format!(
        "{} of {team}{} over the last {TREND_LENGTH} {}s: {}",
        metric.label,
        if alone {
            ""
        } else {
            " and of the organization"
        },
        labels::period_unit(context.period.granularity()),
        trend
            .iter()
            .map(|p| format!("{} {} (organization {})", p.period, p.team, p.org))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Tile {
        key: metric.key,
        label: metric.label,
        value: present::show(scope, metric, context.currency),
        per_year: Missing::of(scope, metric.metric)
            .is_none()
            .then(|| scope.get(metric.metric))
            .flatten()
            .and_then(|v| present::per_year(metric.metric, v, context.period.granularity())),
        suppressed: scope.is_suppressed(metric.metric),
        changes,
        org: present::show(org, metric, context.currency),
        how: how(context, metric, scope),
        chart: chart::line_chart(
            &chart::TILE,
            &labels,
            scale,
            &team_series,
            (!alone).then_some(org_series.as_slice()),
        ),
        chart_description,
        trend,
    }
}

fn change(
    metric: &MetricInfo,
    now: &impl Scored,
    before: &impl Scored,
    against: String,
    currency: &str,
) -> Change {
    if now.is_suppressed(metric.metric) || before.is_suppressed(metric.metric) {
        let missing = Missing::of(now, metric.metric)
            .or_else(|| Missing::of(before, metric.metric))
            .unwrap_or(Missing::withheld(metric.metric));
        return Change {
            against,
            delta: format!("not comparable: {}", missing.words()),
            class: Verdict::Unknown.class(),
            verdict: "",
        };
    }
    let (b, a) = (before.get(metric.metric), now.get(metric.metric));
    let verdict = present::judge(metric.direction, b, a, present::precision(metric.unit));
    let delta = match (b, a) {
        (Some(b), Some(a)) => present::delta(metric.unit, b, a, currency),
        _ => "no figure to compare".to_string(),
    };
    Change {
        against,
        delta,
        class: verdict.class(),
        verdict: if verdict == Verdict::Same {
            ""
        } else {
            verdict.word()
        },
    }
}

/// A table of the catalogue's metrics that `pick` selects. `trimmed` (a manager's page) leaves
/// out the rows with no figure in any of the three periods and the salary-based ones, and says
/// which and why.
fn table(
    context: &Context,
    scope: &Scope,
    trimmed: bool,
    (id, title): (&'static str, &'static str),
    note: &'static str,
    pick: impl Fn(&MetricInfo) -> bool,
) -> MetricTable {
    let mut empty = Vec::new();
    let mut salary = Vec::new();
    let rows = rows(context, scope, |m| {
        if !pick(m) {
            return false;
        }
        if !trimmed {
            return true;
        }
        let now = Missing::of(scope, m.metric);
        if now == Some(Missing::SalaryBased) {
            salary.push(m.label);
            return false;
        }
        let nothing = [
            now,
            Missing::of(&scope.previous, m.metric),
            Missing::of(&scope.year_earlier, m.metric),
        ]
        .iter()
        .all(|missing| missing.is_some_and(Missing::is_no_data));
        if nothing {
            empty.push(m.label);
        }
        !nothing
    });
    let mut left_out = Vec::new();
    if !empty.is_empty() {
        left_out.push(format!(
            "Not listed, as there is no data for them in these three periods: {}.",
            empty.join(", ")
        ));
    }
    if !salary.is_empty() {
        left_out.push(format!(
            "Not listed: {}. They are computed from the salaries of the few people behind them, \
             so they could give those salaries away; HR and executives see them.",
            salary.join(" and ")
        ));
    }
    MetricTable {
        id,
        title,
        note,
        rows,
        left_out,
    }
}

/// Table rows for the catalogue's metrics that `pick` selects.
fn rows(
    context: &Context,
    scope: &Scope,
    mut pick: impl FnMut(&MetricInfo) -> bool,
) -> Vec<MetricRow> {
    scoring::catalogue()
        .iter()
        .filter(|m| pick(m))
        .map(|metric| MetricRow {
            key: metric.key,
            label: metric.label,
            value: present::show(scope, metric, context.currency),
            suppressed: scope.is_suppressed(metric.metric),
            previous: present::show(&scope.previous, metric, context.currency),
            year_earlier: present::show(&scope.year_earlier, metric, context.currency),
            how: how(context, metric, scope),
        })
        .collect()
}

/// A path segment with everything but unreserved characters percent-encoded (team names in
/// URLs: "Customer Support" → "Customer%20Support").
pub fn path_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_are_encoded_for_paths() {
        assert_eq!(path_segment("Customer Support"), "Customer%20Support");
        assert_eq!(path_segment("R&D/Ops"), "R%26D%2FOps");
    }

    #[test]
    fn directions_come_from_the_catalogue() {
        use crate::scoring::Direction;
        assert_eq!(
            Metric::VoluntaryTurnoverRate.info().direction,
            Direction::LowerIsBetter
        );
    }
}
