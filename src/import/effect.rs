//! What importing a roster file will change, for the preview: how many employees are new,
//! updated or unchanged, which teams are created, which existing teams grow or shrink today and
//! by how many, and which manager ids match nobody. It is worked out in `prepare` from the roster
//! as it is (read by [`Known::load`]), row by row, so a preview costs no more than the rows it
//! reads and writes nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Known;
use crate::db::employees::NewEmployee;

/// How many manager ids that match nobody are listed (all are counted).
const MAX_LISTED_MANAGERS: usize = 10;

/// What a roster import will change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Effect {
    /// Valid rows whose employee id is not in the roster yet.
    pub new_employees: usize,
    /// Valid rows of employees in the roster whose record changes.
    pub updated_employees: usize,
    /// Valid rows of employees in the roster that change nothing.
    pub unchanged_employees: usize,
    /// Teams the file names that do not exist yet, with the people they will have today.
    pub teams_created: Vec<TeamChange>,
    /// Existing teams whose headcount today changes.
    pub teams_changed: Vec<TeamChange>,
    /// Manager ids of the file that are no employee id, neither in the roster nor in the file
    /// (the first few, sorted).
    pub unknown_managers: Vec<String>,
    pub unknown_managers_total: usize,
    /// Rows of the file of people employed today who will have no e-mail address: they cannot
    /// be invited to pulse surveys (docs/surveys.md).
    pub without_email: usize,
}

impl Effect {
    /// The effect in plain sentences, each with a key (for the page's element ids), as the
    /// preview on the web and on the command line shows it. Only what happens is said.
    pub fn sentences(&self) -> Vec<(&'static str, String)> {
        let mut lines = Vec::new();
        let people = |n: usize| match n {
            0 => "nobody".to_string(),
            1 => "1 person".to_string(),
            n => format!("{n} people"),
        };
        lines.push((
            "employees",
            format!(
                "{} new employee{}, {} updated, {} unchanged.",
                self.new_employees,
                if self.new_employees == 1 { "" } else { "s" },
                self.updated_employees,
                self.unchanged_employees
            ),
        ));
        if !self.teams_created.is_empty() {
            let teams: Vec<String> = self
                .teams_created
                .iter()
                .map(|t| format!("{} ({} today)", t.team, people(t.after)))
                .collect();
            lines.push((
                "teams-created",
                format!(
                    "{} created: {}.",
                    if teams.len() == 1 { "Team" } else { "Teams" },
                    teams.join(", ")
                ),
            ));
        }
        if !self.teams_changed.is_empty() {
            let teams: Vec<String> = self
                .teams_changed
                .iter()
                .map(|t| format!("{} {} → {} ({})", t.team, t.before, t.after, t.difference()))
                .collect();
            lines.push((
                "teams-changed",
                format!("Teams that grow or shrink today: {}.", teams.join("; ")),
            ));
        }
        if self.unknown_managers_total > 0 {
            let more = self.unknown_managers_total - self.unknown_managers.len();
            lines.push((
                "unknown-managers",
                format!(
                    "Manager ids that match no employee: {}{}. Put the managers' own employee \
                     ids in the manager column, or import the managers too.",
                    self.unknown_managers.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        if self.without_email > 0 {
            lines.push((
                "without-email",
                format!(
                    "{} employed today {} no e-mail address, so they will not be invited to \
                     pulse surveys. Give them an address in the email column to invite them.",
                    people(self.without_email),
                    if self.without_email == 1 {
                        "has"
                    } else {
                        "have"
                    },
                ),
            ));
        }
        lines
    }
}

/// A team's headcount today, before and after the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TeamChange {
    pub team: String,
    pub before: usize,
    pub after: usize,
}

impl TeamChange {
    /// The change with its sign, as the preview shows it: "+2", "−1".
    pub fn difference(&self) -> String {
        if self.after >= self.before {
            format!("+{}", self.after - self.before)
        } else {
            format!("−{}", self.before - self.after)
        }
    }
}

/// The effect being worked out, one valid row at a time.
#[derive(Debug)]
pub(crate) struct Tally<'a> {
    known: &'a Known,
    /// The canonical columns the file has: an update changes only these.
    present: Vec<&'static str>,
    today: NaiveDate,
    new_employees: usize,
    updated_employees: usize,
    unchanged_employees: usize,
    /// Lower-case team name → (the name as stored or first written, change of today's headcount).
    teams: HashMap<String, (String, i64)>,
    ids: HashSet<String>,
    managers: BTreeSet<String>,
    without_email: usize,
}

impl<'a> Tally<'a> {
    pub(crate) fn new(known: &'a Known, present: Vec<&'static str>, today: NaiveDate) -> Tally<'a> {
        Tally {
            known,
            present,
            today,
            new_employees: 0,
            updated_employees: 0,
            unchanged_employees: 0,
            teams: HashMap::new(),
            ids: HashSet::new(),
            managers: BTreeSet::new(),
            without_email: 0,
        }
    }

    /// The team's name as stored (teams match ignoring case and surrounding spaces).
    fn team_name(&self, name: &str) -> String {
        let key = name.trim().to_lowercase();
        self.known
            .teams
            .get(&key)
            .cloned()
            .unwrap_or_else(|| name.trim().to_string())
    }

    fn move_headcount(&mut self, team: &str, by: i64) {
        let name = self.team_name(team);
        self.teams.entry(name.to_lowercase()).or_insert((name, 0)).1 += by;
    }

    /// Count one valid row of a roster file.
    pub(crate) fn employee(&mut self, row: &NewEmployee) {
        self.ids.insert(row.external_id.clone());
        if let Some(manager) = &row.manager_external_id {
            self.managers.insert(manager.clone());
        }
        let before = self.known.roster.get(&row.external_id);
        let after = self.updated(before, row);
        match before {
            None => self.new_employees += 1,
            Some(before) if self.comparable(before) == self.comparable(&after) => {
                self.unchanged_employees += 1
            }
            Some(_) => self.updated_employees += 1,
        }
        if let Some(before) = before.filter(|e| employed(e, self.today)) {
            self.move_headcount(&before.team, -1);
        } else if before.is_none() {
            // A new employee's team must appear even if they are not employed today.
            self.move_headcount(&after.team, 0);
        }
        if employed(&after, self.today) {
            self.move_headcount(&after.team, 1);
            if after.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
                self.without_email += 1;
            }
        }
    }

    /// The employee as the import will store them: the file's columns replace the stored
    /// ones, the others stay — and a hire after the stored leaving date is a rehire, which
    /// clears the leaving (as `db::employees::upsert` does).
    fn updated(&self, before: Option<&NewEmployee>, row: &NewEmployee) -> NewEmployee {
        let Some(before) = before else {
            return row.clone();
        };
        let has = |column: &str| self.present.contains(&column);
        let rehired = !has("termination_date")
            && before
                .termination_date
                .is_some_and(|left| row.hire_date > left);
        let leaving = |column: &str, new: &Option<String>, old: &Option<String>| {
            if has(column) {
                new.clone()
            } else if rehired {
                None
            } else {
                old.clone()
            }
        };
        NewEmployee {
            external_id: row.external_id.clone(),
            team: if has("team") { &row.team } else { &before.team }.clone(),
            hire_date: if has("hire_date") {
                row.hire_date
            } else {
                before.hire_date
            },
            termination_date: if has("termination_date") {
                row.termination_date
            } else if rehired {
                None
            } else {
                before.termination_date
            },
            termination_type: leaving(
                "termination_type",
                &row.termination_type,
                &before.termination_type,
            ),
            termination_reason: leaving(
                "termination_reason",
                &row.termination_reason,
                &before.termination_reason,
            ),
            regretted: if has("regretted") {
                row.regretted
            } else if rehired {
                None
            } else {
                before.regretted
            },
            manager_external_id: pick(
                has("manager_id"),
                &row.manager_external_id,
                &before.manager_external_id,
            ),
            job_title: pick(has("job_title"), &row.job_title, &before.job_title),
            job_level: pick(has("job_level"), &row.job_level, &before.job_level),
            annual_salary: if has("annual_salary") {
                row.annual_salary
            } else {
                before.annual_salary
            },
            full_name: pick(has("full_name"), &row.full_name, &before.full_name),
            email: pick(has("email"), &row.email, &before.email),
        }
    }

    /// An employee as stored: the team by its stored name, the salary in cents.
    fn comparable(&self, employee: &NewEmployee) -> NewEmployee {
        NewEmployee {
            team: self.team_name(&employee.team),
            annual_salary: employee.annual_salary.map(|s| (s * 100.0).round() / 100.0),
            ..employee.clone()
        }
    }

    /// The effect of every row counted.
    pub(crate) fn finish(self) -> Effect {
        let mut before: HashMap<String, usize> = HashMap::new();
        for employee in self.known.roster.values() {
            let key = self.team_name(&employee.team).to_lowercase();
            if self.teams.contains_key(&key) && employed(employee, self.today) {
                *before.entry(key).or_default() += 1;
            }
        }
        let (mut created, mut changed) = (Vec::new(), Vec::new());
        for (key, (team, delta)) in &self.teams {
            let was = before.get(key).copied().unwrap_or(0);
            let change = TeamChange {
                team: team.clone(),
                before: was,
                after: (was as i64 + delta).max(0) as usize,
            };
            if !self.known.teams.contains_key(key) {
                created.push(change);
            } else if change.before != change.after {
                changed.push(change);
            }
        }
        created.sort_by(|a, b| a.team.cmp(&b.team));
        changed.sort_by(|a, b| a.team.cmp(&b.team));
        let unknown: Vec<String> = self
            .managers
            .iter()
            .filter(|m| !self.ids.contains(*m) && !self.known.roster.contains_key(*m))
            .cloned()
            .collect();
        Effect {
            new_employees: self.new_employees,
            updated_employees: self.updated_employees,
            unchanged_employees: self.unchanged_employees,
            teams_created: created,
            teams_changed: changed,
            unknown_managers_total: unknown.len(),
            unknown_managers: unknown.into_iter().take(MAX_LISTED_MANAGERS).collect(),
            without_email: self.without_email,
        }
    }
}

fn pick(has: bool, new: &Option<String>, old: &Option<String>) -> Option<String> {
    if has { new } else { old }.clone()
}

/// Employed on `day`: hired by then and not gone before it (the last day counts, as for
/// headcount).
fn employed(employee: &NewEmployee, day: NaiveDate) -> bool {
    employee.hire_date <= day && employee.termination_date.is_none_or(|left| left >= day)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::NaiveDate;

    use super::{Effect, Tally, TeamChange};
    use crate::db::employees::NewEmployee;
    use crate::import::Known;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn person(id: &str, team: &str, hired: &str, left: Option<&str>) -> NewEmployee {
        NewEmployee {
            external_id: id.to_string(),
            team: team.to_string(),
            hire_date: day(hired),
            termination_date: left.map(day),
            termination_type: left.map(|_| "voluntary".to_string()),
            termination_reason: None,
            regretted: None,
            manager_external_id: None,
            job_title: None,
            job_level: None,
            annual_salary: Some(50000.0),
            full_name: None,
            email: None,
        }
    }

    fn known(roster: &[NewEmployee]) -> Known {
        let mut teams = HashMap::new();
        for e in roster {
            teams.insert(e.team.to_lowercase(), e.team.clone());
        }
        Known {
            roster: roster
                .iter()
                .map(|e| (e.external_id.clone(), e.clone()))
                .collect(),
            teams,
            ..Known::default()
        }
    }

    fn effect(known: &Known, present: &[&'static str], rows: &[NewEmployee]) -> Effect {
        let mut tally = Tally::new(known, present.to_vec(), day("2026-06-15"));
        for row in rows {
            tally.employee(row);
        }
        tally.finish()
    }

    const ALL: &[&str] = &[
        "employee_id",
        "team",
        "hire_date",
        "termination_date",
        "termination_type",
        "annual_salary",
        "manager_id",
    ];

    #[test]
    fn new_updated_and_unchanged_employees_and_the_teams_they_move() {
        let roster = [
            person("E1", "Alpha", "2020-01-01", None),
            person("E2", "Alpha", "2020-01-01", None),
            person("E3", "Beta", "2021-01-01", None),
            person("E4", "Beta", "2019-01-01", Some("2022-01-01")),
        ];
        let known = known(&roster);
        let mut moved = person("E2", "beta ", "2020-01-01", None);
        moved.manager_external_id = Some("E1".to_string());
        let mut leaves = person("E3", "Beta", "2021-01-01", Some("2026-03-31"));
        leaves.manager_external_id = Some("M-404".to_string());
        let rows = [
            person("E1", "ALPHA", "2020-01-01", None), // unchanged (team by another case)
            moved,                                     // Alpha → Beta
            leaves,                                    // left Beta before today
            person("E9", "Gamma", "2026-01-05", None), // new, in a new team
            person("E10", "Delta", "2027-01-01", None), // new, not started yet
        ];
        let effect = effect(&known, ALL, &rows);
        assert_eq!(
            (
                effect.new_employees,
                effect.updated_employees,
                effect.unchanged_employees
            ),
            (2, 2, 1)
        );
        assert_eq!(
            effect.teams_created,
            [
                TeamChange {
                    team: "Delta".into(),
                    before: 0,
                    after: 0
                },
                TeamChange {
                    team: "Gamma".into(),
                    before: 0,
                    after: 1
                },
            ]
        );
        // Beta gains E2 and loses E3: no change; Alpha loses E2.
        assert_eq!(
            effect.teams_changed,
            [TeamChange {
                team: "Alpha".into(),
                before: 2,
                after: 1
            }]
        );
        assert_eq!(effect.teams_changed[0].difference(), "−1");
        assert_eq!(effect.unknown_managers, ["M-404"]);
        assert_eq!(effect.unknown_managers_total, 1);
        let sentences: Vec<String> = effect.sentences().into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            sentences,
            [
                "2 new employees, 2 updated, 1 unchanged.",
                "Teams created: Delta (nobody today), Gamma (1 person today).",
                "Teams that grow or shrink today: Alpha 2 → 1 (−1).",
                "Manager ids that match no employee: M-404. Put the managers' own employee ids \
                 in the manager column, or import the managers too.",
                "3 people employed today have no e-mail address, so they will not be invited \
                 to pulse surveys. Give them an address in the email column to invite them.",
            ]
        );
        assert_eq!(effect.without_email, 3, "E1, E2 and E9 are employed today");
    }

    #[test]
    fn a_file_without_a_column_keeps_what_is_stored_and_a_later_hire_is_a_rehire() {
        let known = known(&[person("E4", "Beta", "2019-01-01", Some("2022-01-01"))]);
        // No salary column: the stored salary stays, so this changes nothing.
        let mut same = person("E4", "Beta", "2019-01-01", Some("2022-01-01"));
        same.annual_salary = None;
        let unchanged = effect(
            &known,
            &[
                "employee_id",
                "team",
                "hire_date",
                "termination_date",
                "termination_type",
            ],
            &[same],
        );
        assert_eq!(unchanged.unchanged_employees, 1);
        assert!(unchanged.teams_changed.is_empty());
        // No termination columns and a hire after the leaving: back in Beta today.
        let rehired = effect(
            &known,
            &["employee_id", "team", "hire_date"],
            &[person("E4", "Beta", "2025-02-01", None)],
        );
        assert_eq!(rehired.updated_employees, 1);
        assert_eq!(
            rehired.teams_changed,
            [TeamChange {
                team: "Beta".into(),
                before: 0,
                after: 1
            }]
        );
        assert_eq!(rehired.teams_changed[0].difference(), "+1");
    }

    #[test]
    fn managers_in_the_file_or_the_roster_are_known_and_the_rest_are_listed_once() {
        let known = known(&[person("E1", "Alpha", "2020-01-01", None)]);
        let mut rows: Vec<NewEmployee> = Vec::new();
        for (id, manager) in [
            ("E5", "E1"),
            ("E6", "E5"),
            ("E7", "22"),
            ("E8", "22"),
            ("E9", "4"),
        ] {
            let mut row = person(id, "Alpha", "2024-01-01", None);
            row.manager_external_id = Some(manager.to_string());
            rows.push(row);
        }
        let effect = effect(&known, ALL, &rows);
        assert_eq!(effect.unknown_managers, ["22", "4"]);
        assert_eq!(effect.unknown_managers_total, 2);
    }
}
