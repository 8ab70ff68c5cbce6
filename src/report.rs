//! The report: every metric of a period for the organization and each team, in the JSON shape
//! that `attune report`, the API and the dashboards share (a contract: see README.md).

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;

use crate::db;
use crate::period::Period;
use crate::scoring::{self, Fundamentals, RosterFacts};

/// The whole report of one period.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: Period,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub org: Scope,
    pub teams: BTreeMap<String, Scope>,
}

/// The metrics of one scope (the organization or one team), by tier.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub fundamentals: Fundamentals,
    pub intermediate: Intermediate,
    pub advanced: Advanced,
    /// Metrics withheld for privacy (too few survey responses); their values are null.
    pub suppressed: Vec<&'static str>,
}

/// The intermediate tier (cost and return); filled in by the Scoring work.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Intermediate {}

/// The advanced tier (advocacy, lifetime value, resilience, empathy index); filled in by the
/// Scoring work.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Advanced {}

impl Scope {
    fn from_facts(roster: &RosterFacts) -> Scope {
        Scope {
            fundamentals: scoring::fundamentals(roster),
            intermediate: Intermediate::default(),
            advanced: Advanced::default(),
            suppressed: Vec::new(),
        }
    }
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("there is no team named \"{0}\"")]
    UnknownTeam(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The reports of several periods at once, each over every team (`team` narrows the teams
/// listed; the organization is always over everyone).
pub async fn build_many(
    conn: &mut PgConnection,
    periods: &[Period],
    team: Option<&str>,
) -> Result<Vec<Report>, ReportError> {
    let team_name = match team {
        Some(name) => Some(
            db::teams::find(conn, name)
                .await?
                .ok_or_else(|| ReportError::UnknownTeam(name.trim().to_string()))?
                .name,
        ),
        None => None,
    };
    let facts = db::facts::roster(conn, periods).await?;
    Ok(periods
        .iter()
        .zip(facts)
        .map(|(period, by_team)| {
            let org = Scope::from_facts(&by_team.values().copied().sum());
            let teams = by_team
                .iter()
                .filter(|(name, _)| team_name.as_ref().is_none_or(|wanted| wanted == *name))
                .map(|(name, facts)| (name.clone(), Scope::from_facts(facts)))
                .collect();
            Report {
                period: *period,
                start: period.start(),
                end: period.end(),
                org,
                teams,
            }
        })
        .collect())
}

/// The report of one period.
pub async fn build(
    conn: &mut PgConnection,
    period: Period,
    team: Option<&str>,
) -> Result<Report, ReportError> {
    let mut reports = build_many(conn, &[period], team).await?;
    Ok(reports.remove(0))
}

/// A number for people: rates with one decimal and a percent sign, "–" for unknown.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1} %"))
}

/// The report as a plain-text table (`attune report --format text`).
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Attune report {} ({} to {})\n",
        report.period, report.start, report.end
    );
    let _ = writeln!(
        out,
        "{:<28} {:>8} {:>8} {:>8} {:>6} {:>10} {:>10} {:>10}",
        "Scope", "HC start", "HC end", "HC avg", "Left", "Turnover", "Voluntary", "Involunt."
    );
    let rows = std::iter::once(("Organization", &report.org)).chain(
        report
            .teams
            .iter()
            .map(|(name, scope)| (name.as_str(), scope)),
    );
    for (name, scope) in rows {
        let f = &scope.fundamentals;
        let _ = writeln!(
            out,
            "{:<28} {:>8} {:>8} {:>8.1} {:>6} {:>10} {:>10} {:>10}",
            truncate(name, 28),
            f.headcount_start,
            f.headcount_end,
            f.headcount_avg,
            f.separations,
            percent(f.turnover_rate),
            percent(f.voluntary_turnover_rate),
            percent(f.involuntary_turnover_rate),
        );
    }
    out.push_str(
        "\nTurnover = separations / average headcount ((start + end) / 2); \
         see docs/metrics.md.\n",
    );
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(width - 1).collect();
        short.push('…');
        short
    }
}
