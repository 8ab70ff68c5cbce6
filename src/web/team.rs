//! The team page ("My team", a manager's landing page) at `/teams/{name}`, and its drill-down
//! at `/teams/{name}/people`.
//!
//! The team page shows the fundamentals of one team as tiles — the value, its change against
//! the previous period and the same period a year earlier (good or bad by the catalogue's
//! direction, in words and symbols), the organization's figure, an eight-period trend — then
//! the intermediate and advanced tiers as tables, and a short "what changed" paragraph. Every
//! number opens its "how calculated" explanation. The drill-down lists the period's leavers
//! and promotions by name and the absence rate by month; never absence types or survey answers.
//!
//! A manager may open only the teams in their visible set; any other name is a 404, exactly as
//! for a team that does not exist. HR and executives may open every team.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::PgConnection;

use super::auth::{CurrentUser, Nav, TeamScope};
use super::charts::{self, BarChart, LineChart};
use super::figures::{self, Figures, NOT_ENOUGH_RESPONSES, Verdict};
use super::periods::{self, PeriodPicker};
use super::redact::{WITHHELD_SALARY_BASED, is_salary_based};
use super::{AppError, AppState};
use crate::db;
use crate::period::{Granularity, Period};
use crate::report::{self, Report, Scope};
use crate::scoring::{self, MetricInfo, Tier, Unit};

/// How many periods the trends show.
const TREND_LENGTH: usize = 8;

/// The fundamentals shown as tiles, in this order; the other fundamentals are the counts
/// behind them, listed in a table.
const TILES: [&str; 9] = [
    "headcount_end",
    "separations",
    "turnover_rate",
    "voluntary_turnover_rate",
    "involuntary_turnover_rate",
    "absenteeism_rate",
    "promotion_rate",
    "csat",
    "empathy_favorability",
];

/// The rates the "what changed" paragraph talks about.
const TOLD: [&str; 7] = [
    "turnover_rate",
    "voluntary_turnover_rate",
    "involuntary_turnover_rate",
    "absenteeism_rate",
    "promotion_rate",
    "csat",
    "empathy_favorability",
];

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

/// The "how calculated" of one number: the catalogue's definition and, where the report has
/// them, the actual figures it was computed from.
pub struct How {
    pub definition: &'static str,
    pub computation: String,
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
    pub what_changed: Vec<String>,
    pub tiles: Vec<Tile>,
    /// The counts behind the tiles, then the intermediate and advanced tiers.
    pub tables: Vec<MetricTable>,
    pub min_group_size: i64,
    pub currency: String,
    /// Salary-based figures are withheld from this user (a manager).
    pub salary_withheld: bool,
}

/// `GET /teams/{name}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(params): Query<Params>,
) -> Result<TeamPage, AppError> {
    // The team first: a team the user may not see is a 404 whatever else is asked.
    let mut conn = state.pool.acquire().await?;
    let team = visible_team(&mut conn, &user, &name).await?;
    let today = chrono::Local::now().date_naive();
    let period = periods::chosen(params.period.as_deref(), today)?;
    render(&mut conn, &user, &team, period, today).await
}

/// The team page of `team` (already checked visible) for `period`: also the manager's `/`.
pub async fn render(
    conn: &mut PgConnection,
    user: &CurrentUser,
    team: &db::teams::Team,
    period: Period,
    today: NaiveDate,
) -> Result<TeamPage, AppError> {
    let periods = period.trailing(TREND_LENGTH);
    let mut reports = report::build_many(&mut *conn, &periods, Some(&team.name)).await?;
    user.redact_all(&mut reports);
    let currency = db::settings::currency(&mut *conn).await?;
    let settings = db::settings::scoring(&mut *conn).await?;
    let teams = switcher(&mut *conn, user, &team.name, period).await?;
    let current = reports
        .last()
        .expect("the trend includes the period itself");
    let scope = current.teams.get(&team.name).ok_or(AppError::NotFound)?;
    let context = Context {
        period,
        start: current.start,
        end: current.end,
        currency: &currency,
        min_group_size: current.min_group_size,
        turnover_cost_factor: settings.turnover_cost_factor,
    };
    let f = &scope.fundamentals;
    let team_href = team_path(&team.name);
    Ok(TeamPage {
        nav: user.nav(),
        team: team.name.clone(),
        people_href: format!("{team_href}/people?period={period}"),
        picker: PeriodPicker::new(team_href, period, today),
        teams,
        period: period.to_string(),
        span: figures::span(current.start, current.end),
        unit: periods::unit(period),
        year_earlier_period: period.year_earlier().to_string(),
        empty: f.headcount_start == 0 && f.headcount_end == 0 && f.separations == 0,
        what_changed: what_changed(&context, scope),
        tiles: TILES
            .iter()
            .filter_map(|key| scoring::info(key))
            .map(|metric| tile(&context, metric, &team.name, &reports))
            .collect(),
        tables: vec![
            MetricTable {
                id: "counts",
                title: "The counts behind these figures",
                note: "Headcounts, days and responses that the rates above are computed from.",
                rows: rows(&context, scope, |m| {
                    m.tier == Tier::Fundamentals && !TILES.contains(&m.key)
                }),
            },
            MetricTable {
                id: "intermediate",
                title: "Intermediate: costs, customers and productivity",
                note: "What turnover and absence cost, and how customers and output fared. \
                       Money is in the organization's currency.",
                rows: rows(&context, scope, |m| m.tier == Tier::Intermediate),
            },
            MetricTable {
                id: "advanced",
                title: "Advanced: advocacy, resilience, impact and the empathy index",
                note: "Longer-term signals. eNPS is a survey figure, withheld below the \
                       minimum group size.",
                rows: rows(&context, scope, |m| m.tier == Tier::Advanced),
            },
        ],
        min_group_size: current.min_group_size,
        currency,
        salary_withheld: !user.sees_salary_figures(),
    })
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
    conn: &mut PgConnection,
    user: &CurrentUser,
) -> Result<Option<db::teams::Team>, AppError> {
    let TeamScope::Only(names) = &user.teams else {
        return Ok(None);
    };
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort_by_key(|n| n.to_lowercase());
    match sorted.first() {
        Some(name) => Ok(db::teams::find(conn, name).await?),
        None => Ok(None),
    }
}

/// The path of a team's page.
pub fn team_path(name: &str) -> String {
    format!("/teams/{}", figures::path_segment(name))
}

/// The teams this user may switch between (none when there is only one).
async fn switcher(
    conn: &mut PgConnection,
    user: &CurrentUser,
    current: &str,
    period: Period,
) -> Result<Vec<TeamLink>, AppError> {
    let mut names: Vec<String> = match &user.teams {
        TeamScope::All => db::teams::list(conn)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
        TeamScope::Only(names) => names.iter().cloned().collect(),
    };
    names.sort_by_key(|n| n.to_lowercase());
    if names.len() < 2 {
        return Ok(Vec::new());
    }
    Ok(names
        .into_iter()
        .map(|name| TeamLink {
            href: format!("{}?period={period}", team_path(&name)),
            current: name == current,
            name,
        })
        .collect())
}

/// What every explanation of the page needs.
struct Context<'a> {
    period: Period,
    start: NaiveDate,
    end: NaiveDate,
    currency: &'a str,
    min_group_size: i64,
    turnover_cost_factor: f64,
}

fn tile(context: &Context, metric: &MetricInfo, team: &str, reports: &[Report]) -> Tile {
    let current = reports
        .last()
        .expect("the trend includes the period itself");
    let scope = &current.teams[team];
    let now = Figures::of_scope(scope);
    let org = Figures::of_scope(&current.org);
    let comparisons = [
        (&scope.previous, "vs"),
        (&scope.year_earlier, "vs a year earlier,"),
    ];
    let changes = comparisons
        .into_iter()
        .map(|(comparison, words)| {
            let before = Figures::of_comparison(comparison);
            change(
                metric,
                &now,
                &before,
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
                    let f = Figures::of_scope(s);
                    (!f.is_suppressed(metric.key))
                        .then(|| f.get(metric.key))
                        .flatten()
                })
            })
            .collect()
    };
    let team_series = series(&|r| r.teams.get(team));
    let org_series = series(&|r| Some(&r.org));
    let shown = |scope: Option<&Scope>| {
        scope.map_or("–".to_string(), |s| {
            Figures::of_scope(s).show(metric, context.currency)
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
    let suffix = if metric.unit == Unit::Percent {
        " %"
    } else {
        ""
    };
    let chart_description = format!(
        "{} of {team} and of the organization over the last {TREND_LENGTH} {}s: {}",
        metric.label,
        periods::unit(context.period),
        trend
            .iter()
            .map(|p| format!("{} {} (organization {})", p.period, p.team, p.org))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Tile {
        key: metric.key,
        label: metric.label,
        value: now.show(metric, context.currency),
        suppressed: now.is_suppressed(metric.key),
        changes,
        org: org.show(metric, context.currency),
        how: how(context, metric, scope),
        chart: charts::line_chart(&team_series, &org_series, &labels, suffix),
        chart_description,
        trend,
    }
}

fn change(
    metric: &MetricInfo,
    now: &Figures,
    before: &Figures,
    against: String,
    currency: &str,
) -> Change {
    if now.is_suppressed(metric.key) || before.is_suppressed(metric.key) {
        return Change {
            against,
            delta: format!("not comparable: {}", Figures::withheld_because(metric.key)),
            class: Verdict::Unknown.class(),
            verdict: "",
        };
    }
    let (b, a) = (before.get(metric.key), now.get(metric.key));
    let verdict = figures::judge(metric.direction, b, a, figures::precision(metric.unit));
    let delta = match (b, a) {
        (Some(b), Some(a)) => figures::delta(metric.unit, b, a, currency),
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

/// Table rows for the catalogue's metrics that `pick` selects.
fn rows(context: &Context, scope: &Scope, pick: impl Fn(&MetricInfo) -> bool) -> Vec<MetricRow> {
    let now = Figures::of_scope(scope);
    let previous = Figures::of_comparison(&scope.previous);
    let year_earlier = Figures::of_comparison(&scope.year_earlier);
    scoring::catalogue()
        .iter()
        .filter(|m| pick(m))
        .map(|metric| MetricRow {
            key: metric.key,
            label: metric.label,
            value: now.show(metric, context.currency),
            suppressed: now.is_suppressed(metric.key),
            previous: previous.show(metric, context.currency),
            year_earlier: year_earlier.show(metric, context.currency),
            how: how(context, metric, scope),
        })
        .collect()
}

/// A count with its noun: "1 leaver", "3 leavers".
fn count(n: i64, one: &str, many: &str) -> String {
    let noun = if n == 1 { one } else { many };
    format!("{} {noun}", figures::number(n as f64, 0))
}

/// The number of people behind a rate over the average headcount (rates are exact ratios of
/// whole numbers, so rounding recovers the count).
fn people_behind(rate: Option<f64>, base: f64) -> Option<i64> {
    rate.map(|r| (r * base / 100.0).round() as i64)
}

/// The "how calculated" of a metric for this scope and period.
fn how(context: &Context, metric: &MetricInfo, scope: &Scope) -> How {
    let f = &scope.fundamentals;
    let i = &scope.intermediate;
    let span = figures::span(context.start, context.end);
    let avg = figures::number(f.headcount_avg, 1);
    let no_headcount =
        "Nobody was employed on the period's first or last day, so there is no rate.".to_string();
    let over_headcount = |people: Option<i64>, one: &str, many: &str| match people {
        Some(n) => format!(
            "{} ÷ {avg} average headcount × 100, {span}.",
            count(n, one, many)
        ),
        None => no_headcount.clone(),
    };
    let computation = if scope.suppressed.contains(&metric.key) && is_salary_based(metric.key) {
        format!(
            "Not shown: {WITHHELD_SALARY_BASED}. This figure is computed from the salaries of \
             the few people behind it, so it could give them away; HR and executives see it."
        )
    } else if scope.suppressed.contains(&metric.key) {
        format!(
            "Not shown: {NOT_ENOUGH_RESPONSES}. Survey figures need at least {} responses \
             (and a small team can also be hidden so that it cannot be worked out from the \
             others), so that no answer can be traced to a person. This team had {} in the \
             period.",
            context.min_group_size,
            count(f.pulse_responses, "pulse response", "pulse responses")
        )
    } else {
        match metric.key {
            "headcount_start" => format!(
                "{} active on {}.",
                count(f.headcount_start, "employee", "employees"),
                figures::day(context.start)
            ),
            "headcount_end" => format!(
                "{} active on {} (a termination date is the last day worked).",
                count(f.headcount_end, "employee", "employees"),
                figures::day(context.end)
            ),
            "headcount_avg" => format!(
                "({} at the start + {} at the end) ÷ 2 = {avg}.",
                f.headcount_start, f.headcount_end
            ),
            "separations" => format!(
                "{} whose last day worked fell in {span}.",
                count(f.separations, "leaver", "leavers")
            ),
            "turnover_rate" => {
                over_headcount(f.turnover_rate.map(|_| f.separations), "leaver", "leavers")
            }
            "voluntary_turnover_rate" => over_headcount(
                people_behind(f.voluntary_turnover_rate, f.headcount_avg),
                "voluntary leaver",
                "voluntary leavers",
            ),
            "involuntary_turnover_rate" => over_headcount(
                people_behind(f.involuntary_turnover_rate, f.headcount_avg),
                "involuntary leaver",
                "involuntary leavers",
            ),
            "absence_days" => format!(
                "{} unplanned absence days on working days (Monday to Friday) in {span}.",
                figures::number(f.absence_days, 1)
            ),
            "scheduled_days" => format!(
                "{} working days (Monday to Friday) on which the team's people were employed, {span}.",
                figures::number(f.scheduled_days, 1)
            ),
            "absenteeism_rate" => match f.absenteeism_rate {
                Some(_) => format!(
                    "{} unplanned absence days ÷ {} scheduled days × 100, {span}.",
                    figures::number(f.absence_days, 1),
                    figures::number(f.scheduled_days, 1)
                ),
                None => {
                    "Nobody was scheduled to work in the period, so there is no rate.".to_string()
                }
            },
            "promotions" => format!(
                "{} effective in {span}.",
                count(f.promotions, "promotion", "promotions")
            ),
            "promotion_rate" => over_headcount(
                f.promotion_rate.map(|_| f.promotions),
                "promotion",
                "promotions",
            ),
            "csat_responses" => format!(
                "{} dated in {span}.",
                count(f.csat_responses, "customer response", "customer responses")
            ),
            "csat" => match people_behind(f.csat, f.csat_responses as f64) {
                Some(positive) => format!(
                    "{} of {} scored 4 or 5, {span}.",
                    figures::number(positive as f64, 0),
                    count(f.csat_responses, "customer response", "customer responses")
                ),
                None => format!(
                    "No customer satisfaction responses for this team in {span}: import CSAT \
                     responses to see this figure."
                ),
            },
            "pulse_responses" => format!(
                "{} submitted in {span}.",
                count(f.pulse_responses, "pulse response", "pulse responses")
            ),
            "empathy_favorability" => match f.empathy_favorability {
                Some(_) => format!(
                    "From {} in {span}: answers of 4 or 5 ÷ all answers to the three empathy \
                     items × 100.",
                    count(f.pulse_responses, "pulse response", "pulse responses")
                ),
                None => format!(
                    "No answers to the empathy items for this team in {span}: import pulse \
                     survey responses to see this figure."
                ),
            },
            "turnover_cost" if f.separations == 0 => {
                format!("No leavers in {span}, so there is nothing to cost.")
            }
            "turnover_cost" => {
                // Never the sum of salaries: with one leaver it is their salary.
                let priced = f.separations - i.turnover_cost_unpriced;
                format!(
                    "Turnover cost factor {} × the annual salaries of the {} with a salary on \
                     record, {span}.{}",
                    figures::number(context.turnover_cost_factor, 2),
                    count(priced, "leaver", "leavers"),
                    if i.turnover_cost_unpriced > 0 {
                        format!(
                            " {} without a salary on record could not be priced.",
                            count(i.turnover_cost_unpriced, "leaver", "leavers")
                        )
                    } else {
                        String::new()
                    }
                )
            }
            "absence_cost" => format!(
                "{} unplanned absence days priced at each absent person's annual salary ÷ 260, \
                 {span}.{}",
                figures::number(f.absence_days - i.absence_cost_unpriced_days, 1),
                if i.absence_cost_unpriced_days > 0.0 {
                    format!(
                        " {} absence days of people without a salary on record are not priced.",
                        figures::number(i.absence_cost_unpriced_days, 1)
                    )
                } else {
                    String::new()
                }
            ),
            "regretted_turnover_rate" => over_headcount(
                people_behind(i.regretted_turnover_rate, f.headcount_avg),
                "regretted leaver",
                "regretted leavers",
            ),
            "first_year_turnover" => {
                match people_behind(i.first_year_turnover, f.separations as f64) {
                    Some(n) => format!(
                        "{} of {} had under a year of tenure, {span}.",
                        figures::number(n as f64, 0),
                        count(f.separations, "leaver", "leavers")
                    ),
                    None => format!("No leavers in {span}, so there is no share."),
                }
            }
            "revenue_per_employee" => match i.revenue_per_employee {
                Some(v) => format!(
                    "{} of customer revenue ÷ {avg} average headcount, {span}.",
                    figures::money(v * f.headcount_avg, context.currency)
                ),
                None => format!("No customer revenue for this team in {span}."),
            },
            "empathy_index" if !scope.empathy_index_parts.is_empty() => format!(
                "Weighted mean of the parts available in {span}: {}.",
                scope
                    .empathy_index_parts
                    .iter()
                    .map(|p| format!(
                        "{} scores {} (weight {})",
                        part_label(p.part),
                        figures::number(p.score, 1),
                        figures::number(p.weight, 0)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => {
                let values = Figures::of_scope(scope);
                if values.get(metric.key).is_some() {
                    format!("Computed over {span}.")
                } else {
                    format!(
                        "Not known for {span}: the data it needs has not been imported for this \
                         team, or a divisor is zero."
                    )
                }
            }
        }
    };
    How {
        definition: metric.definition,
        computation,
    }
}

fn part_label(part: &str) -> &str {
    match part {
        "empathy_favorability" => "empathy favorability",
        "enps" => "eNPS",
        "voluntary_turnover" => "voluntary turnover",
        "absenteeism" => "absenteeism",
        "promotion" => "promotions",
        "csat" => "customer satisfaction",
        other => other,
    }
}

/// A few plain sentences about the period: headcount, the largest changes against the
/// previous period (better or worse), and what privacy withheld.
fn what_changed(context: &Context, scope: &Scope) -> Vec<String> {
    let f = &scope.fundamentals;
    let mut sentences = Vec::new();
    let previous_period = scope.previous.period;
    if f.headcount_start == f.headcount_end {
        sentences.push(format!(
            "Headcount stayed at {} during {}.",
            figures::number(f.headcount_end as f64, 0),
            context.period
        ));
    } else {
        sentences.push(format!(
            "Headcount went from {} to {} during {}, with {}.",
            figures::number(f.headcount_start as f64, 0),
            figures::number(f.headcount_end as f64, 0),
            context.period,
            count(f.separations, "leaver", "leavers")
        ));
    }
    let now = Figures::of_scope(scope);
    let before = Figures::of_comparison(&scope.previous);
    let mut changes: Vec<(f64, usize, String)> = Vec::new();
    let mut withheld = Vec::new();
    for (order, key) in TOLD.iter().enumerate() {
        let Some(metric) = scoring::info(key) else {
            continue;
        };
        if now.is_suppressed(key) {
            withheld.push(metric.label);
            continue;
        }
        if before.is_suppressed(key) {
            continue;
        }
        let (Some(b), Some(a)) = (before.get(key), now.get(key)) else {
            continue;
        };
        let verdict = figures::judge(metric.direction, Some(b), Some(a), 0.05);
        if matches!(verdict, Verdict::Same | Verdict::Unknown) {
            continue;
        }
        let verb = if a > b { "rose" } else { "fell" };
        let judgement = match verdict {
            Verdict::Better => " — better",
            Verdict::Worse => " — worse",
            _ => "",
        };
        let (shown_b, shown_a) = (
            figures::value(metric.unit, Some(b), context.currency),
            figures::value(metric.unit, Some(a), context.currency),
        );
        let text = format!(
            "{} {verb} from {shown_b} in {previous_period} to {shown_a}{judgement}.",
            metric.label
        );
        // The rates told are all percentages: the largest swings in points come first.
        changes.push(((a - b).abs(), order, text));
    }
    if changes.is_empty() {
        sentences.push(format!(
            "No rate changed noticeably against {previous_period}, or there is no earlier \
             figure to compare with."
        ));
    } else {
        changes.sort_by(|x, y| y.0.total_cmp(&x.0));
        changes.truncate(4);
        changes.sort_by_key(|c| c.1);
        sentences.extend(changes.into_iter().map(|c| c.2));
    }
    for label in withheld {
        sentences.push(format!(
            "{label} is not shown for {}: {NOT_ENOUGH_RESPONSES}.",
            context.period
        ));
    }
    sentences
}

// ---------------------------------------------------------------------------------------------
// The drill-down.

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
pub async fn people(
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
    let months = months_of(period);
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
    let unknown = || "–".to_string();
    let name_of = |n: Option<String>| n.unwrap_or_else(|| "(name erased)".to_string());
    let team_href = team_path(&team.name);
    Ok(PeoplePage {
        nav: user.nav(),
        picker: PeriodPicker::new(format!("{team_href}/people"), period, today),
        team_href,
        team: team.name,
        period: period.to_string(),
        span: figures::span(start, end),
        leavers: leavers
            .into_iter()
            .map(|l| PersonRow {
                name: name_of(l.full_name),
                job_title: l.job_title.unwrap_or_else(unknown),
                date: figures::day(l.termination_date),
            })
            .collect(),
        promotions: promotions
            .into_iter()
            .map(|p| PromotionRow {
                name: name_of(p.full_name),
                from_title: p.from_title.unwrap_or_else(unknown),
                to_title: p.to_title.unwrap_or_else(unknown),
                date: figures::day(p.effective_date),
            })
            .collect(),
        absence_chart_description: month_rows
            .iter()
            .map(|m| format!("{}: {}", m.0, figures::value(Unit::Percent, m.1, "")))
            .collect::<Vec<_>>()
            .join("; "),
        absence_chart: charts::bar_chart(&rates, &short_labels),
        months: month_rows
            .into_iter()
            .map(|(month, rate, absence, scheduled)| MonthRow {
                month,
                rate: figures::value(Unit::Percent, rate, ""),
                absence_days: figures::number(absence, 1),
                scheduled_days: figures::number(scheduled, 0),
            })
            .collect(),
    })
}

/// The months of a period, oldest first.
fn months_of(period: Period) -> Vec<Period> {
    use chrono::Datelike;
    let start = period.start();
    let first = Period::month(start.year(), start.month()).expect("a period starts in a month");
    let count = match period.granularity() {
        Granularity::Month => 1,
        Granularity::Quarter => 3,
        Granularity::Year => 12,
    };
    std::iter::successors(Some(first), |m| Some(m.next()))
        .take(count)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_has_twelve_months_and_a_quarter_three() {
        let year: Period = "2025".parse().unwrap();
        let months: Vec<String> = months_of(year).iter().map(Period::to_string).collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2025-01");
        assert_eq!(months[11], "2025-12");
        let quarter: Period = "2025-Q2".parse().unwrap();
        let months: Vec<String> = months_of(quarter).iter().map(Period::to_string).collect();
        assert_eq!(months, ["2025-04", "2025-05", "2025-06"]);
    }

    #[test]
    fn the_people_behind_a_rate_are_recovered_by_rounding() {
        assert_eq!(people_behind(Some(100.0 * 3.0 / 42.5), 42.5), Some(3));
        assert_eq!(people_behind(None, 42.5), None);
    }

    #[test]
    fn directions_come_from_the_catalogue() {
        use crate::scoring::Direction;
        assert_eq!(
            scoring::info("voluntary_turnover_rate").unwrap().direction,
            Direction::LowerIsBetter
        );
    }
}
