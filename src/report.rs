//! The report: every metric of a period for the organization and each team, in the JSON shape
//! that `attune report`, the API and the dashboards share (a contract: see README.md).
//!
//! Building a report: collect the facts of every period it needs (the period, the one before
//! and the same one a year earlier for comparisons, and thirteen quarters for resilience and
//! outcome links) in one batch of queries; decide what privacy hides (`scoring::privacy`); then
//! score each scope.
//! How the report reads for people (including `--format text`) is in `present`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::PgConnection;

use crate::db;
use crate::period::{Granularity, Period};
use crate::scoring::coverage::{Coverage, KindCoverage, PeriodCoverage};
use crate::scoring::privacy::{self, Hiding};
use crate::scoring::{
    self, Advanced, Context, DataKind, EmpathyIndexPart, Facts, Fundamentals, Hidden, HiddenWhy,
    Intermediate, Metric, OutcomeLink, PeriodFacts, QuarterFigures, Reason, Scored, Settings,
};

/// The whole report of one period.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub period: Period,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub org: Scope,
    pub teams: BTreeMap<String, Scope>,
    /// Across teams and quarters: favorability against outcomes one, two and three quarters
    /// later (lag by lag), with their intervals (see `scoring::links`).
    pub outcome_links: Vec<OutcomeLink>,
    /// The minimum group size survey figures were suppressed below.
    pub min_group_size: i64,
    /// The settings the figures were computed with, so that whoever explains them need not
    /// read them again (not in the JSON, which has `min_group_size`).
    #[serde(skip)]
    #[schemars(skip)]
    pub settings: Settings,
}

/// The metrics of one scope (the organization or one team), by tier, with their comparisons.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Scope {
    pub fundamentals: Fundamentals,
    pub intermediate: Intermediate,
    pub advanced: Advanced,
    /// Metrics withheld for privacy (too few survey responses); their values are null.
    pub suppressed: Vec<Metric>,
    /// Why each metric without a value has none, by key: `no_data` (not covered, or nothing to
    /// count; for `empathy_index`, its known parts are not enough), `too_few_responses`,
    /// `not_reported_for_months`, `period_not_finished`, `salary_based` or `too_few_people`.
    /// Every `null` metric has one, except `resilience_quarters` while turnover has not
    /// recovered and `customer_lifetime_value` (and its growth) while no customer was lost.
    /// Pages show the matching words; see docs/metrics.md, "Why a figure is missing".
    pub reasons: BTreeMap<Metric, Reason>,
    /// How much of the period each kind of data covers (docs/metrics.md, "Coverage"): a
    /// metric is known only where every kind it is computed from covers the whole period.
    pub coverage: BTreeMap<DataKind, KindCoverage>,
    /// The salary-based figures over too few people to show to anyone but HR
    /// (`privacy::decide_salary`; `web::redact` withholds them). Not in the JSON.
    #[serde(skip)]
    #[schemars(skip)]
    pub salary_protected: Vec<Metric>,
    pub empathy_index_parts: Vec<EmpathyIndexPart>,
    /// The same metrics for the previous period.
    pub previous: Comparison,
    /// The same metrics for the same period a year earlier.
    pub year_earlier: Comparison,
}

/// A scope's metrics in a comparison period.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Comparison {
    pub period: Period,
    pub fundamentals: Fundamentals,
    pub intermediate: Intermediate,
    pub advanced: Advanced,
    pub suppressed: Vec<Metric>,
    /// Why each metric of the comparison period without a value has none, as the scope's
    /// `reasons`.
    pub reasons: BTreeMap<Metric, Reason>,
    /// As the scope's `coverage`, for the comparison's period.
    pub coverage: BTreeMap<DataKind, KindCoverage>,
    /// As the scope's `salary_protected`.
    #[serde(skip)]
    #[schemars(skip)]
    pub salary_protected: Vec<Metric>,
}

impl Report {
    /// This report with `team` as its only team (the organization stays whole): what
    /// `build_many` gives when asked for that team.
    pub fn only_team(&self, team: &str) -> Report {
        Report {
            period: self.period,
            start: self.start,
            end: self.end,
            org: self.org.clone(),
            teams: self
                .teams
                .get_key_value(team)
                .map(|(name, scope)| (name.clone(), scope.clone()))
                .into_iter()
                .collect(),
            outcome_links: self.outcome_links.clone(),
            min_group_size: self.min_group_size,
            settings: self.settings.clone(),
        }
    }
}

impl Scored for Scope {
    fn tiers(&self) -> (&Fundamentals, &Intermediate, &Advanced) {
        (&self.fundamentals, &self.intermediate, &self.advanced)
    }

    fn withheld(&self) -> &[Metric] {
        &self.suppressed
    }

    fn reason(&self, metric: Metric) -> Option<Reason> {
        self.reasons.get(&metric).copied()
    }
}

impl Scored for Comparison {
    fn tiers(&self) -> (&Fundamentals, &Intermediate, &Advanced) {
        (&self.fundamentals, &self.intermediate, &self.advanced)
    }

    fn withheld(&self) -> &[Metric] {
        &self.suppressed
    }

    fn reason(&self, metric: Metric) -> Option<Reason> {
        self.reasons.get(&metric).copied()
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

/// Set a count (a figure never null) of the organization to what its covered teams count, so
/// that it matches the rate made of it.
fn set_count(metrics: &mut scoring::ScopeMetrics, metric: Metric, value: f64) {
    let (f, i) = (&mut metrics.fundamentals, &mut metrics.intermediate);
    let whole = value.round() as i64;
    match metric {
        Metric::HeadcountStart => f.headcount_start = whole,
        Metric::HeadcountEnd => f.headcount_end = whole,
        Metric::HeadcountAvg => f.headcount_avg = value,
        Metric::Separations => f.separations = whole,
        Metric::AbsenceDays => f.absence_days = value,
        Metric::ScheduledDays => f.scheduled_days = value,
        Metric::Promotions => f.promotions = whole,
        Metric::CsatResponses => f.csat_responses = whole,
        Metric::PulseResponses => f.pulse_responses = whole,
        Metric::TurnoverCostUnpriced => i.turnover_cost_unpriced = whole,
        Metric::AbsenceCostUnpricedDays => i.absence_cost_unpriced_days = value,
        _ => {}
    }
}

/// How many quarters resilience looks back over.
const RESILIENCE_QUARTERS: u32 = 8;

/// The reports of several periods at once (`team` narrows the teams listed; the organization is
/// always over everyone).
pub async fn build_many(
    conn: &mut PgConnection,
    periods: &[Period],
    team: Option<&str>,
) -> Result<Vec<Report>, ReportError> {
    let today = chrono::Local::now().date_naive();
    build_many_on(conn, periods, team, today).await
}

/// The name of the team called `name` (matched as `db::teams::find` does).
pub async fn team_named(conn: &mut PgConnection, name: &str) -> Result<String, ReportError> {
    Ok(db::teams::find(conn, name)
        .await?
        .ok_or_else(|| ReportError::UnknownTeam(name.trim().to_string()))?
        .name)
}

/// `build_many` as made on `today` (a quarter not over by then has no known outcomes yet).
pub async fn build_many_on(
    conn: &mut PgConnection,
    periods: &[Period],
    team: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<Report>, ReportError> {
    build_many_from(conn, periods, team, today, FactsFrom::Months).await
}

/// Where a report's facts are read from: what Attune keeps by team and month, or the raw rows
/// (the reference the first is tested against: `db::facts::raw`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsFrom {
    Months,
    RawRows,
}

/// `build_many_on`, with the facts read `from` where it says.
pub async fn build_many_from(
    conn: &mut PgConnection,
    periods: &[Period],
    team: Option<&str>,
    today: NaiveDate,
    from: FactsFrom,
) -> Result<Vec<Report>, ReportError> {
    let team_name = match team {
        Some(name) => Some(team_named(conn, name).await?),
        None => None,
    };
    let settings = db::settings::scoring(conn).await?;
    let parents = db::teams::parents(conn).await?;

    let mut needed: Vec<Period> = Vec::new();
    let mut seen = HashSet::new();
    for period in periods {
        for p in periods_needed(*period) {
            if seen.insert(p) {
                needed.push(p);
            }
        }
    }
    let collected = match from {
        FactsFrom::Months => db::facts::collect(conn, &needed).await?,
        FactsFrom::RawRows => db::facts::raw::collect(conn, &needed).await?,
    };
    let mut facts: HashMap<Period, PeriodFacts> = needed.into_iter().zip(collected).collect();
    let covers = apply_coverage(&db::coverage::load(conn).await?, &mut facts);
    let scorer = Scorer {
        facts: &facts,
        covers: &covers,
        settings: &settings,
        hiding: privacy::decide(&facts, &parents, settings.min_group_size, today),
        salary: privacy::decide_salary(&facts, &parents),
        today,
    };
    // The outcome links of every period read the same team-quarters: score them once.
    let mut link_quarters: Vec<Period> = periods
        .iter()
        .flat_map(|p| end_quarter(*p).trailing(scoring::QUARTERS_NEEDED))
        .collect();
    let mut seen = HashSet::new();
    link_quarters.retain(|q| seen.insert(*q));
    let figures = scorer.quarter_figures(&link_quarters);
    Ok(periods
        .iter()
        .map(|period| scorer.report(*period, team_name.as_deref(), &figures))
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

/// The periods whose facts a report of `period` uses.
fn periods_needed(period: Period) -> Vec<Period> {
    let mut needed = vec![
        period,
        period.previous(),
        period.previous().previous(),
        period.year_earlier(),
        period.year_earlier().previous(),
    ];
    // Thirteen quarters: resilience of the period and its comparisons, and outcome links.
    needed.extend(end_quarter(period).trailing(13));
    needed.extend(end_quarter(period.year_earlier()).trailing(RESILIENCE_QUARTERS as usize));
    // Privacy weighs each year against its quarters, so both come along.
    let years: Vec<i32> = needed
        .iter()
        .filter(|p| p.granularity() != Granularity::Month)
        .map(|p| p.start().year())
        .collect();
    for year in years {
        needed.extend(Period::year(year));
        needed.extend((1..=4).filter_map(|q| Period::quarter(year, q)));
    }
    needed
}

/// How the data covers each period, with each scope's facts marked with the kinds covering its
/// period and the one before (a period whose previous one was not collected takes its teams).
fn apply_coverage(
    coverage: &Coverage,
    facts: &mut HashMap<Period, PeriodFacts>,
) -> HashMap<Period, PeriodCoverage> {
    let covers: HashMap<Period, PeriodCoverage> = facts
        .iter()
        .map(|(period, f)| (*period, coverage.of_period(*period, f)))
        .collect();
    for (period, f) in facts.iter_mut() {
        let before = period.previous();
        let previous = match covers.get(&before) {
            Some(previous) => previous.clone(),
            None => coverage.of_period(before, f),
        };
        scoring::coverage::mark(f, &covers[period], &previous);
    }
    covers
}

/// The quarter a period ends in (resilience and outcome links work in quarters).
fn end_quarter(period: Period) -> Period {
    Period::quarter_of(period.end())
}

/// The last outcome quarter of `period`'s links: its last quarter once that is over, else the
/// one before (a quarter under way has no known leavers, absences or CSAT yet).
fn last_known_quarter(period: Period, today: NaiveDate) -> Period {
    let last = end_quarter(period);
    if last.end() < today {
        last
    } else {
        last.previous()
    }
}

fn periods_per_year(period: Period) -> f64 {
    match period.granularity() {
        Granularity::Year => 1.0,
        Granularity::Quarter => 4.0,
        Granularity::Month => 12.0,
    }
}

/// Scores scopes from collected facts, with privacy decided once for every period.
struct Scorer<'a> {
    facts: &'a HashMap<Period, PeriodFacts>,
    covers: &'a HashMap<Period, PeriodCoverage>,
    settings: &'a Settings,
    hiding: Hiding,
    /// The salary-based figures too few people's salaries to show but to HR.
    salary: Hiding,
    /// The day the report is made: a quarter not over by then has no known outcomes.
    today: NaiveDate,
}

impl<'a> Scorer<'a> {
    fn facts_of(&self, period: Period, team: Option<&str>) -> Option<&'a Facts> {
        self.facts.get(&period)?.of(team)
    }

    fn score(&self, period: Period, team: Option<&str>) -> scoring::ScopeMetrics {
        let empty = Facts::default();
        let facts = self.facts_of(period, team).unwrap_or(&empty);
        let previous = self.facts_of(period.previous(), team);
        let series: Vec<Option<f64>> = end_quarter(period)
            .trailing(RESILIENCE_QUARTERS as usize)
            .into_iter()
            .map(|q| {
                self.facts_of(q, team)
                    .filter(|f| f.covered.knows(Metric::TurnoverRate))
                    .and_then(|f| scoring::fundamentals(&f.roster).turnover_rate)
            })
            .collect();
        let hidden = Hidden {
            current: self.hiding.of(period, team),
            previous: self.hiding.of(period.previous(), team),
        };
        let ctx = Context {
            settings: self.settings,
            periods_per_year: periods_per_year(period),
        };
        let mut metrics = scoring::score(facts, previous, &series, ctx, &hidden);
        if team.is_none() {
            self.count_covered_teams(period, &mut metrics, ctx, &hidden);
        }
        metrics
    }

    /// The organization's figures of the kinds that cover only some of its teams: computed
    /// over the teams covered for the whole period (their facts added up), never over teams
    /// without the data. A figure no team's data covers stays null (`no_data`).
    fn count_covered_teams(
        &self,
        period: Period,
        metrics: &mut scoring::ScopeMetrics,
        ctx: Context<'_>,
        hidden: &Hidden,
    ) {
        let Some(now) = self.covers.get(&period) else {
            return;
        };
        let before = self.covers.get(&period.previous());
        let covered = self
            .facts_of(period, None)
            .map(|f| f.covered)
            .unwrap_or_default();
        let mut scored: HashMap<Vec<String>, scoring::ScopeMetrics> = HashMap::new();
        let mut filled = Vec::new();
        for metric in Metric::all().filter(|m| !covered.knows(*m)) {
            let needs = metric.needs();
            let mut teams: Option<Vec<String>> = None;
            let sets = needs.kinds.iter().flat_map(|kind| {
                let previous = before.filter(|_| needs.previous_period);
                std::iter::once(now.org_teams.get(kind))
                    .chain(previous.map(|b| b.org_teams.get(kind)))
            });
            for set in sets {
                let set = set.cloned().unwrap_or_default();
                teams = Some(match teams {
                    None => set,
                    Some(teams) => teams.into_iter().filter(|t| set.contains(t)).collect(),
                });
            }
            let Some(teams) = teams.filter(|t| !t.is_empty()) else {
                continue;
            };
            let sub = scored.entry(teams).or_insert_with_key(|teams| {
                let sum = |period: Period| {
                    let mut sum = Facts::default();
                    for team in teams {
                        if let Some(f) = self.facts_of(period, Some(team)) {
                            sum.add(f);
                        }
                    }
                    sum
                };
                let previous = self
                    .facts
                    .contains_key(&period.previous())
                    .then(|| sum(period.previous()));
                scoring::score(&sum(period), previous.as_ref(), &[], ctx, hidden)
            });
            filled.push((metric, sub.get(metric)));
        }
        let any = !filled.is_empty();
        for (metric, value) in filled {
            let slot = metrics
                .fundamentals
                .slot(metric)
                .or_else(|| metrics.intermediate.slot(metric))
                .or_else(|| metrics.advanced.slot(metric));
            match slot {
                Some(slot) => {
                    *slot = value;
                    metrics.no_data.retain(|m| *m != metric);
                }
                None => set_count(metrics, metric, value.unwrap_or_default()),
            }
        }
        if any {
            metrics.recompute_empathy_index(ctx);
        }
    }

    /// Why each figure of `scored` (the scope `team` in `period`) without a value has none.
    fn reasons(
        &self,
        scored: &scoring::ScopeMetrics,
        period: Period,
        team: Option<&str>,
    ) -> BTreeMap<Metric, Reason> {
        let empty = Facts::default();
        let hidden = HiddenWhy {
            current: &self.hiding.why_of(period, team),
            previous: &self.hiding.why_of(period.previous(), team),
        };
        let mut reasons = scoring::reasons(
            scored,
            hidden,
            self.facts_of(period, team).unwrap_or(&empty),
            self.facts_of(period.previous(), team),
        );
        // A figure whose data does not cover the period has none, whatever else is true of it.
        for metric in &scored.no_data {
            reasons.insert(*metric, Reason::NoData);
        }
        reasons
    }

    fn scope(&self, period: Period, team: Option<&str>) -> Scope {
        let m = self.score(period, team);
        let comparison = |p: Period| {
            let c = self.score(p, team);
            Comparison {
                period: p,
                reasons: self.reasons(&c, p, team),
                fundamentals: c.fundamentals,
                intermediate: c.intermediate,
                advanced: c.advanced,
                suppressed: c.suppressed,
                coverage: self.coverage_of(p, team),
                salary_protected: self.salary.of(p, team),
            }
        };
        Scope {
            reasons: self.reasons(&m, period, team),
            fundamentals: m.fundamentals,
            intermediate: m.intermediate,
            advanced: m.advanced,
            suppressed: m.suppressed,
            coverage: self.coverage_of(period, team),
            salary_protected: self.salary.of(period, team),
            empathy_index_parts: m.empathy_index_parts,
            previous: comparison(period.previous()),
            year_earlier: comparison(period.year_earlier()),
        }
    }

    /// How the data covers `period` for `team` (None: the organization).
    fn coverage_of(&self, period: Period, team: Option<&str>) -> BTreeMap<DataKind, KindCoverage> {
        self.covers
            .get(&period)
            .and_then(|c| match team {
                None => Some(c.org.clone()),
                Some(name) => c.teams.get(name).cloned(),
            })
            .unwrap_or_default()
    }

    fn report(&self, period: Period, team: Option<&str>, figures: &[QuarterFigures]) -> Report {
        let names: Vec<String> = self.facts[&period]
            .teams
            .keys()
            .filter(|name| team.is_none_or(|wanted| wanted == name.as_str()))
            .cloned()
            .collect();
        Report {
            period,
            start: period.start(),
            end: period.end(),
            org: self.scope(period, None),
            teams: names
                .iter()
                .map(|name| (name.clone(), self.scope(period, Some(name))))
                .collect(),
            outcome_links: scoring::links(figures, last_known_quarter(period, self.today)),
            min_group_size: self.settings.min_group_size,
            settings: self.settings.clone(),
        }
    }

    /// Each team's figures in `quarters`, as the outcome links read them. Favorability counts
    /// only where it is shown to everyone: suppressed or withheld, it is unknown here.
    fn quarter_figures(&self, quarters: &[Period]) -> Vec<QuarterFigures> {
        let mut figures = Vec::new();
        for &quarter in quarters {
            let Some(pf) = self.facts.get(&quarter) else {
                continue;
            };
            for (name, facts) in &pf.teams {
                let m = self.score(quarter, Some(name));
                let f = &m.fundamentals;
                let shown = !m.suppressed.contains(&Metric::EmpathyFavorability);
                figures.push(QuarterFigures {
                    team: name.clone(),
                    quarter,
                    empathy_favorability: f.empathy_favorability.filter(|_| shown),
                    voluntary_turnover_rate: f.voluntary_turnover_rate,
                    voluntary_leavers: facts.roster.voluntary_separations,
                    headcount_avg: f.headcount_avg,
                    absenteeism_rate: f.absenteeism_rate,
                    csat: f.csat,
                });
            }
        }
        figures
    }
}

#[cfg(test)]
mod link_quarter_tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn outcomes_of_a_quarter_under_way_are_not_known() {
        let q3: Period = "2026-Q3".parse().unwrap();
        let q4: Period = "2026-Q4".parse().unwrap();
        let december: Period = "2026-12".parse().unwrap();
        assert_eq!(last_known_quarter(q4, day("2026-12-02")), q3);
        assert_eq!(last_known_quarter(december, day("2026-12-02")), q3);
        assert_eq!(last_known_quarter(q4, day("2026-12-31")), q3);
        assert_eq!(last_known_quarter(q4, day("2027-01-01")), q4);
        assert_eq!(last_known_quarter(q3, day("2026-12-02")), q3);
    }
}
