//! Coverage: which days the data of each kind covers, for the whole organization or for one
//! team (docs/metrics.md, "Coverage"). A figure is known only where every kind it is computed
//! from ([`Metric::needs`]) covers the scope's whole period; a period covered in part is
//! `partial`, and its figure unknown.
//!
//! Pure: [`Coverage`] is built from the stored ranges (`db::coverage::load`), and answers how
//! many days of a period a kind covers for a team or for the organization.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Metric, PeriodFacts};
use crate::period::Period;

/// A kind of data that imports bring, and that coverage is recorded for. Its key is the
/// import kind's name (`employees`, `absences`…) and the JSON key of a scope's `coverage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataKind {
    Employees,
    Absences,
    Promotions,
    Csat,
    Pulse,
    Customers,
    Measures,
}

impl DataKind {
    pub const ALL: [DataKind; 7] = [
        DataKind::Employees,
        DataKind::Absences,
        DataKind::Promotions,
        DataKind::Csat,
        DataKind::Pulse,
        DataKind::Customers,
        DataKind::Measures,
    ];

    /// The stored and JSON name: `"absences"`.
    pub fn key(self) -> &'static str {
        match self {
            DataKind::Employees => "employees",
            DataKind::Absences => "absences",
            DataKind::Promotions => "promotions",
            DataKind::Csat => "csat",
            DataKind::Pulse => "pulse",
            DataKind::Customers => "customers",
            DataKind::Measures => "measures",
        }
    }

    /// The kind named `key`.
    pub fn from_key(key: &str) -> Option<DataKind> {
        DataKind::ALL.into_iter().find(|k| k.key() == key)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl Serialize for DataKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl schemars::JsonSchema for DataKind {
    fn schema_name() -> Cow<'static, str> {
        "DataKind".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys: Vec<&str> = DataKind::ALL.iter().map(|k| k.key()).collect();
        schemars::json_schema!({
            "type": "string",
            "enum": keys,
            "description": "A kind of imported data (docs/importing.md)",
        })
    }
}

impl std::fmt::Display for DataKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// A set of data kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KindSet(u8);

impl KindSet {
    pub const NONE: KindSet = KindSet(0);
    pub const ALL: KindSet = KindSet(0b111_1111);

    pub fn with(self, kind: DataKind) -> KindSet {
        KindSet(self.0 | kind.bit())
    }

    pub fn contains(self, kind: DataKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether every kind of `kinds` is in the set.
    pub fn holds(self, kinds: &[DataKind]) -> bool {
        kinds.iter().all(|k| self.contains(*k))
    }
}

impl FromIterator<DataKind> for KindSet {
    fn from_iter<I: IntoIterator<Item = DataKind>>(iter: I) -> KindSet {
        iter.into_iter().fold(KindSet::NONE, KindSet::with)
    }
}

/// The kinds whose data covers a scope's whole period, and the whole period before it (for
/// the figures that compare with it: customer retention, eNPS change). Facts carry it; facts
/// made without coverage (tests, examples) count as covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered {
    pub period: KindSet,
    pub previous: KindSet,
}

impl Default for Covered {
    fn default() -> Covered {
        Covered {
            period: KindSet::ALL,
            previous: KindSet::ALL,
        }
    }
}

impl Covered {
    /// Whether the data `metric` is computed from is covered.
    pub fn knows(&self, metric: Metric) -> bool {
        let needs = metric.needs();
        self.period.holds(needs.kinds)
            && (!needs.previous_period || self.previous.holds(needs.kinds))
    }
}

/// What a metric is computed from: these kinds over the period, and over the previous period
/// too where `previous_period` (docs/metrics.md, "Coverage").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub kinds: &'static [DataKind],
    pub previous_period: bool,
}

/// One stored range: `kind`'s data covers `team` (None: the whole organization) from `first`
/// to `last` (None: open-ended), both inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: DataKind,
    pub team: Option<String>,
    pub first: NaiveDate,
    pub last: Option<NaiveDate>,
}

/// How much of a period a kind covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Extent {
    /// The days of the period.
    pub days: i64,
    /// The days of it the data covers.
    pub covered_days: i64,
}

/// Whether a kind covers a period: all of it, part of it or none of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Full,
    Partial,
    None,
}

impl Extent {
    pub fn state(self) -> State {
        if self.covered_days >= self.days && self.days > 0 {
            State::Full
        } else if self.covered_days > 0 {
            State::Partial
        } else {
            State::None
        }
    }

    pub fn is_full(self) -> bool {
        self.state() == State::Full
    }

    fn of(mask: &[bool]) -> Extent {
        Extent {
            days: mask.len() as i64,
            covered_days: mask.iter().filter(|d| **d).count() as i64,
        }
    }
}

/// A range's first day and last day (None: open-ended).
type Days = (NaiveDate, Option<NaiveDate>);

/// Every stored range, by kind: those of the whole organization and those of each team.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    org: BTreeMap<DataKind, Vec<Days>>,
    teams: BTreeMap<DataKind, HashMap<String, Vec<Days>>>,
}

impl Coverage {
    pub fn new(spans: impl IntoIterator<Item = Span>) -> Coverage {
        let mut coverage = Coverage::default();
        for span in spans {
            let range = (span.first, span.last);
            match span.team {
                None => coverage.org.entry(span.kind).or_default().push(range),
                Some(team) => coverage
                    .teams
                    .entry(span.kind)
                    .or_default()
                    .entry(team)
                    .or_default()
                    .push(range),
            }
        }
        coverage
    }

    /// The days of `period` that `kind` covers for `team` — its own ranges and the whole
    /// organization's —, or for None, the days the organization's own ranges cover.
    pub fn extent(&self, kind: DataKind, team: Option<&str>, period: Period) -> Extent {
        Extent::of(&self.mask(kind, team, period))
    }

    /// The days of `period` that `kind` covers for every one of `teams` (with no team: the
    /// days the organization's own ranges cover).
    pub fn extent_of_all<'a>(
        &self,
        kind: DataKind,
        teams: impl IntoIterator<Item = &'a str>,
        period: Period,
    ) -> Extent {
        let mut all: Option<Vec<bool>> = None;
        for team in teams {
            let own = self.mask(kind, Some(team), period);
            all = Some(match all {
                None => own,
                Some(all) => all.iter().zip(own).map(|(a, b)| *a && b).collect(),
            });
        }
        Extent::of(&all.unwrap_or_else(|| self.mask(kind, None, period)))
    }

    /// Per day of `period`, whether `kind` covers it for `team` (or the organization's own
    /// ranges, for None).
    fn mask(&self, kind: DataKind, team: Option<&str>, period: Period) -> Vec<bool> {
        let (start, end) = (period.start(), period.end());
        let days = (end - start).num_days() + 1;
        let mut mask = vec![false; days as usize];
        let own = team.and_then(|t| self.teams.get(&kind)?.get(t));
        let ranges = self
            .org
            .get(&kind)
            .into_iter()
            .flatten()
            .chain(own.into_iter().flatten());
        for (first, last) in ranges {
            let from = (*first).max(start);
            let to = last.map_or(end, |l| l.min(end));
            if from > to {
                continue;
            }
            let offset = (from - start).num_days() as usize;
            let count = (to - from).num_days() as usize + 1;
            mask[offset..offset + count].fill(true);
        }
        mask
    }
}

/// How one kind covers a scope's period, as the report shows it (docs/metrics.md, "Coverage").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct KindCoverage {
    /// The days of the period.
    pub days: i64,
    /// The days the kind's data covers: for a team, its own and the organization's ranges;
    /// for the organization, the days covered for every team taking part.
    pub covered_days: i64,
    /// Covered in part: some days (a team), or some days or some teams (the organization). A
    /// team's figures of the kind are then null; the organization's count only the teams
    /// covered for the whole period.
    pub partial: bool,
    /// The organization only: the teams taking part (anyone employed in the period, or rows
    /// of the kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<usize>,
    /// The organization only: how many of them the kind covers for the whole period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams_covered: Option<usize>,
}

/// What coverage says about one period: each scope's coverage by kind, and for the
/// organization, the teams each kind covers whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodCoverage {
    pub org: BTreeMap<DataKind, KindCoverage>,
    pub teams: BTreeMap<String, BTreeMap<DataKind, KindCoverage>>,
    /// Per kind, the teams taking part that the kind covers for the whole period.
    pub org_teams: BTreeMap<DataKind, Vec<String>>,
}

impl PeriodCoverage {
    /// The kinds covering the whole period for `team` (None: for every team of the
    /// organization taking part).
    pub fn kinds(&self, team: Option<&str>) -> KindSet {
        let scope = match team {
            None => Some(&self.org),
            Some(name) => self.teams.get(name),
        };
        scope
            .into_iter()
            .flatten()
            .filter(|(_, c)| c.covered_days == c.days && c.days > 0)
            .map(|(kind, _)| *kind)
            .collect()
    }
}

impl Coverage {
    /// How every kind covers `period` for each team of `facts` and for the organization.
    pub fn of_period(&self, period: Period, facts: &PeriodFacts) -> PeriodCoverage {
        let mut result = PeriodCoverage::default();
        for kind in DataKind::ALL {
            let taking_part: Vec<&str> = facts
                .teams
                .iter()
                .filter(|(_, f)| f.has_roster() || f.has_rows(kind))
                .map(|(name, _)| name.as_str())
                .collect();
            let mut covered = Vec::new();
            for name in facts.teams.keys() {
                let extent = self.extent(kind, Some(name), period);
                if extent.is_full() && taking_part.contains(&name.as_str()) {
                    covered.push(name.clone());
                }
                result.teams.entry(name.clone()).or_default().insert(
                    kind,
                    KindCoverage {
                        days: extent.days,
                        covered_days: extent.covered_days,
                        partial: extent.state() == State::Partial,
                        teams: None,
                        teams_covered: None,
                    },
                );
            }
            let all = self.extent_of_all(kind, taking_part.iter().copied(), period);
            result.org.insert(
                kind,
                KindCoverage {
                    days: all.days,
                    covered_days: all.covered_days,
                    partial: !all.is_full() && (all.covered_days > 0 || !covered.is_empty()),
                    teams: Some(taking_part.len()),
                    teams_covered: Some(covered.len()),
                },
            );
            result.org_teams.insert(kind, covered);
        }
        result
    }
}

/// Mark each scope's facts with the kinds covering its period (`now`) and the previous one
/// (`previous`), so that scoring leaves the figures of the others null.
pub fn mark(facts: &mut PeriodFacts, now: &PeriodCoverage, previous: &PeriodCoverage) {
    facts.org.covered = Covered {
        period: now.kinds(None),
        previous: previous.kinds(None),
    };
    for (name, f) in &mut facts.teams {
        f.covered = Covered {
            period: now.kinds(Some(name)),
            previous: previous.kinds(Some(name)),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn period(text: &str) -> Period {
        text.parse().unwrap()
    }

    fn span(kind: DataKind, team: Option<&str>, first: &str, last: Option<&str>) -> Span {
        Span {
            kind,
            team: team.map(str::to_string),
            first: day(first),
            last: last.map(day),
        }
    }

    #[test]
    fn an_import_of_the_whole_organization_covers_every_team_even_one_added_later() {
        let coverage = Coverage::new([span(
            DataKind::Absences,
            None,
            "2025-01-01",
            Some("2025-06-30"),
        )]);
        let q1 = period("2025-Q1");
        for team in [None, Some("Sales"), Some("A team nobody imported")] {
            let extent = coverage.extent(DataKind::Absences, team, q1);
            assert_eq!(
                extent,
                Extent {
                    days: 90,
                    covered_days: 90
                },
                "{team:?}"
            );
            assert_eq!(extent.state(), State::Full);
        }
    }

    #[test]
    fn a_teams_own_range_covers_that_team_only() {
        let coverage = Coverage::new([span(
            DataKind::Pulse,
            Some("Sales"),
            "2025-01-01",
            Some("2025-03-31"),
        )]);
        let q1 = period("2025-Q1");
        assert!(
            coverage
                .extent(DataKind::Pulse, Some("Sales"), q1)
                .is_full()
        );
        assert_eq!(
            coverage
                .extent(DataKind::Pulse, Some("Production"), q1)
                .state(),
            State::None
        );
        assert_eq!(
            coverage.extent(DataKind::Pulse, None, q1).state(),
            State::None,
            "the organization's own ranges cover nothing"
        );
        assert_eq!(
            coverage
                .extent(DataKind::Absences, Some("Sales"), q1)
                .state(),
            State::None,
            "another kind"
        );
    }

    #[test]
    fn a_period_covered_in_part_is_partial_with_its_covered_days() {
        // February 2025 has 28 days: January and February covered of the quarter's 90.
        let coverage = Coverage::new([span(
            DataKind::Promotions,
            None,
            "2025-01-01",
            Some("2025-02-28"),
        )]);
        let extent = coverage.extent(DataKind::Promotions, Some("Sales"), period("2025-Q1"));
        assert_eq!(
            extent,
            Extent {
                days: 90,
                covered_days: 59
            }
        );
        assert_eq!(extent.state(), State::Partial);
        assert!(
            coverage
                .extent(DataKind::Promotions, Some("Sales"), period("2025-02"))
                .is_full()
        );
    }

    #[test]
    fn an_open_ended_roster_covers_every_period_from_its_first_day() {
        let coverage = Coverage::new([span(DataKind::Employees, None, "2019-05-14", None)]);
        assert!(
            coverage
                .extent(DataKind::Employees, None, period("2031-Q4"))
                .is_full()
        );
        assert_eq!(
            coverage
                .extent(DataKind::Employees, None, period("2019-Q2"))
                .covered_days,
            48,
            "May 14 to June 30"
        );
        assert_eq!(
            coverage
                .extent(DataKind::Employees, None, period("2019-Q1"))
                .state(),
            State::None
        );
    }

    #[test]
    fn overlapping_ranges_count_each_day_once() {
        let coverage = Coverage::new([
            span(
                DataKind::Csat,
                Some("Sales"),
                "2025-01-01",
                Some("2025-02-15"),
            ),
            span(
                DataKind::Csat,
                Some("Sales"),
                "2025-02-01",
                Some("2025-03-31"),
            ),
            span(DataKind::Csat, None, "2025-03-01", Some("2025-03-31")),
        ]);
        assert_eq!(
            coverage.extent(DataKind::Csat, Some("Sales"), period("2025-Q1")),
            Extent {
                days: 90,
                covered_days: 90
            }
        );
    }

    #[test]
    fn the_days_covered_for_all_teams_are_those_every_team_has() {
        let coverage = Coverage::new([
            span(
                DataKind::Absences,
                Some("A"),
                "2025-01-01",
                Some("2025-03-31"),
            ),
            span(
                DataKind::Absences,
                Some("B"),
                "2025-02-01",
                Some("2025-03-31"),
            ),
        ]);
        let q1 = period("2025-Q1");
        assert_eq!(
            coverage.extent_of_all(DataKind::Absences, ["A", "B"], q1),
            Extent {
                days: 90,
                covered_days: 59
            }
        );
        assert_eq!(
            coverage
                .extent_of_all(DataKind::Absences, ["A", "B", "C"], q1)
                .covered_days,
            0
        );
        assert_eq!(
            coverage
                .extent_of_all(DataKind::Absences, [], q1)
                .covered_days,
            0,
            "with no team, the organization's own ranges"
        );
    }

    #[test]
    fn a_metric_is_known_only_where_every_kind_it_needs_is_covered() {
        let roster_only = Covered {
            period: KindSet::NONE.with(DataKind::Employees),
            previous: KindSet::ALL,
        };
        assert!(roster_only.knows(Metric::TurnoverRate));
        assert!(
            !roster_only.knows(Metric::AbsenteeismRate),
            "needs absences too"
        );
        assert!(
            !roster_only.knows(Metric::PromotionRate),
            "needs promotions too"
        );
        assert!(!roster_only.knows(Metric::Csat));
        assert!(roster_only.knows(Metric::HeadcountEnd));
    }

    #[test]
    fn customer_retention_needs_the_previous_period_covered_too() {
        let this_period_only = Covered {
            period: KindSet::ALL,
            previous: KindSet::NONE.with(DataKind::Employees),
        };
        assert!(!this_period_only.knows(Metric::CustomerRetentionRate));
        assert!(!this_period_only.knows(Metric::EnpsChange));
        assert!(this_period_only.knows(Metric::Enps));
        assert!(this_period_only.knows(Metric::RevenuePerEmployee));
        assert!(Covered::default().knows(Metric::CustomerLifetimeValueGrowth));
    }

    #[test]
    fn each_kind_reads_back_from_its_key() {
        for kind in DataKind::ALL {
            assert_eq!(DataKind::from_key(kind.key()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.key());
        }
        assert_eq!(DataKind::from_key("salaries"), None);
    }
}
