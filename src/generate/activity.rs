//! A company's activity besides its roster: absences, promotions, customer satisfaction, pulse
//! surveys, customers and team measures, month by month. Each team has a "care" level that
//! drifts from quarter to quarter; it drives pulse answers, and (a quarter later) turnover,
//! absence and customer satisfaction — so the dashboards have a story to tell.

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::company::Company;
use crate::db::absences::NewAbsence;
use crate::db::csat::NewCsatResponse;
use crate::db::customers::NewCustomerActivity;
use crate::db::employees::NewEmployee;
use crate::db::measures::NewMeasure;
use crate::db::promotions::NewPromotion;
use crate::db::pulse::NewPulseResponse;
use crate::period::Period;

/// How empathetic a team's leadership is in the quarter containing `day` (0–1).
pub fn care(team_index: usize, day: NaiveDate) -> f64 {
    const BASE: [f64; 7] = [0.58, 0.80, 0.66, 0.74, 0.62, 0.84, 0.78];
    let quarter = (day.year() * 4 + day.month0() as i32 / 3) as f64;
    (BASE[team_index % BASE.len()] + 0.12 * (quarter * 0.9 + team_index as f64 * 1.7).sin())
        .clamp(0.3, 0.95)
}

/// What a company did in some span of time (one month, or all of them gathered).
#[derive(Debug, Default)]
pub struct Activity {
    pub absences: Vec<NewAbsence>,
    pub promotions: Vec<NewPromotion>,
    pub csat: Vec<NewCsatResponse>,
    pub pulse: Vec<NewPulseResponse>,
    pub customers: Vec<NewCustomerActivity>,
    pub measures: Vec<NewMeasure>,
}

impl Activity {
    /// Add another span's activity to this one.
    pub fn extend(&mut self, other: Activity) {
        self.absences.extend(other.absences);
        self.promotions.extend(other.promotions);
        self.csat.extend(other.csat);
        self.pulse.extend(other.pulse);
        self.customers.extend(other.customers);
        self.measures.extend(other.measures);
    }
}

/// The company's activity one month at a time, from its first month to the one holding
/// `until`: a month's rows are all that is held at once, however long the history.
pub struct History<'a> {
    company: &'a Company,
    roster: &'a [NewEmployee],
    customers: Vec<(String, usize)>,
    rng: ChaCha8Rng,
    /// Per employee: their team (an index into the company's teams).
    team_of: Vec<usize>,
    /// Per employee: their current level (promotions raise it).
    level_of: Vec<usize>,
    /// Per employee: the last day of their latest absence, so that absences never overlap.
    absent_until: Vec<Option<NaiveDate>>,
    month: NaiveDate,
    month_number: u32,
    csat_count: usize,
    pulse_count: usize,
}

impl<'a> History<'a> {
    /// The activity of `company`, whose roster is `roster` (see [`Company::roster`]).
    pub fn new(company: &'a Company, roster: &'a [NewEmployee]) -> History<'a> {
        let index: HashMap<&str, usize> = company
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), i))
            .collect();
        let team_of: Vec<usize> = roster
            .iter()
            .map(|e| index.get(e.team.as_str()).copied().unwrap_or(0))
            .collect();
        let level_of = roster
            .iter()
            .zip(&team_of)
            .map(|(e, t)| {
                let titles = company.teams[*t].function.titles;
                titles
                    .iter()
                    .position(|title| e.job_title.as_deref() == Some(*title))
                    .unwrap_or(0)
            })
            .collect();
        History {
            company,
            roster,
            customers: company.customers(),
            rng: ChaCha8Rng::seed_from_u64(company.activity_seed),
            team_of,
            level_of,
            absent_until: vec![None; roster.len()],
            month: company.start,
            month_number: 0,
            csat_count: 0,
            pulse_count: 0,
        }
    }

    /// How many months the history has.
    pub fn total(company: &Company) -> u32 {
        let (start, until) = (company.start, company.until);
        ((until.year() - start.year()) * 12 + until.month() as i32 - start.month() as i32 + 1)
            .max(0) as u32
    }

    /// One absence of `index` from `first` for `length` more days, unless it would overlap
    /// another of theirs or end after the history.
    fn absence(
        &mut self,
        index: usize,
        first: NaiveDate,
        length: u64,
        absence_type: &str,
        planned: bool,
    ) -> Option<NewAbsence> {
        let last = first + Days::new(length);
        if last > self.company.until || self.absent_until[index].is_some_and(|d| d >= first) {
            return None;
        }
        self.absent_until[index] = Some(last);
        Some(NewAbsence {
            employee_id: self.roster[index].external_id.clone(),
            start_date: first,
            end_date: last,
            days: None,
            absence_type: absence_type.to_string(),
            planned,
        })
    }

    /// The month starting on `month`.
    fn generate(&mut self, month: NaiveDate) -> Activity {
        let company = self.company;
        let until = company.until;
        let rates = company.rates;
        let mut activity = Activity::default();
        let next_month = month + Months::new(1);
        let days_in_month = (next_month - month).num_days() as u64;
        let last_day = (next_month - Days::new(1)).min(until);
        let mut members = vec![0usize; company.teams.len()];
        for index in 0..self.roster.len() {
            let e = &self.roster[index];
            if e.hire_date > month || e.termination_date.is_some_and(|d| d < last_day) {
                continue;
            }
            let t = self.team_of[index];
            members[t] += 1;
            let previous_care = care(t, month - Months::new(3));
            // Unplanned absence: more where care was low last quarter.
            let unplanned = (0.10 + 0.22 * (1.0 - previous_care)) * rates.absence;
            if self.rng.random_bool(unplanned.min(0.9)) {
                let first = month + Days::new(self.rng.random_range(0..days_in_month));
                let length = self.rng.random_range(0..3);
                let kind = ["Sick", "Sick leave", "Unauthorised"][self.rng.random_range(0..3)];
                activity
                    .absences
                    .extend(self.absence(index, first, length, kind, false));
            }
            // Planned leave, which never counts as absenteeism.
            if self.rng.random_bool((0.15 * rates.absence).min(0.9)) {
                let first = month + Days::new(self.rng.random_range(0..days_in_month));
                let length = self.rng.random_range(2..9);
                activity
                    .absences
                    .extend(self.absence(index, first, length, "Vacation", true));
            }
            // Promotions: more likely where care is high; a step up the function's titles.
            if self.rng.random_bool(0.004 + 0.012 * care(t, month)) {
                let day = month + Days::new(self.rng.random_range(0..days_in_month));
                let titles = company.teams[t].function.titles;
                let level = self.level_of[index];
                if day <= until && day > e.hire_date && level + 1 < titles.len() {
                    self.level_of[index] = level + 1;
                    activity.promotions.push(NewPromotion {
                        employee_id: e.external_id.clone(),
                        effective_date: day,
                        from_title: Some(titles[level].to_string()),
                        to_title: Some(titles[level + 1].to_string()),
                        from_level: Some(format!("L{}", level + 1)),
                        to_level: Some(format!("L{}", level + 2)),
                    });
                }
            }
        }
        for (t, team) in company.teams.iter().enumerate() {
            let now_care = care(t, month);
            self.pulse(&mut activity, t, members[t], month, days_in_month, now_care);
            if team.function.customer_facing {
                self.csat(&mut activity, t, members[t], month, days_in_month);
            }
            if members[t] > 0 {
                self.team_measures(&mut activity, t, members[t], month, last_day, now_care);
            }
        }
        // Customers: each owned by a customer-facing team; a few leave each month.
        for (c, (customer_id, team)) in self.customers.iter().enumerate() {
            let churned = ((c as u32 + 1) * 7919 + self.month_number * 31) % 100 < 4;
            if churned {
                continue;
            }
            activity.customers.push(NewCustomerActivity {
                customer_id: customer_id.clone(),
                period_start: month,
                period_end: last_day,
                revenue: (self.rng.random_range(800.0..4_000.0_f64) * 100.0).round() / 100.0,
                team: Some(company.teams[*team].name.clone()),
            });
        }
        if month == Period::quarter_of(month).start() {
            self.organization_measures(&mut activity, month, last_day);
        }
        activity
    }

    /// Pulse: a share of the team answers each month, more favourably where care is high.
    fn pulse(
        &mut self,
        activity: &mut Activity,
        t: usize,
        members: usize,
        month: NaiveDate,
        days_in_month: u64,
        now_care: f64,
    ) {
        let rng = &mut self.rng;
        let item = |rng: &mut ChaCha8Rng| {
            if rng.random_bool(now_care) {
                rng.random_range(4..=5)
            } else {
                rng.random_range(1..=3)
            }
        };
        for _ in 0..members {
            if !rng.random_bool(self.company.rates.pulse_participation) {
                continue;
            }
            let day = month + Days::new(rng.random_range(0..days_in_month));
            if day > self.company.until {
                continue;
            }
            let heard = item(rng);
            let supported = item(rng);
            let valued = item(rng);
            let enps = if rng.random_bool(now_care) {
                rng.random_range(7..=10)
            } else {
                rng.random_range(0..=8)
            };
            self.pulse_count += 1;
            activity.pulse.push(NewPulseResponse {
                submitted_on: day,
                team: self.company.teams[t].name.clone(),
                heard: Some(heard),
                supported: Some(supported),
                valued: rng.random_bool(0.95).then_some(valued),
                enps: Some(enps),
                response_id: Some(format!(
                    "{}pulse-{}",
                    self.company.response_prefix, self.pulse_count
                )),
            });
        }
    }

    /// CSAT: customers rate a customer-facing team, better where care was high last quarter.
    fn csat(
        &mut self,
        activity: &mut Activity,
        t: usize,
        members: usize,
        month: NaiveDate,
        days_in_month: u64,
    ) {
        let rng = &mut self.rng;
        let previous_care = care(t, month - Months::new(3));
        let expected = members as f64 * self.company.rates.csat_per_member;
        let responses = (expected * rng.random_range(0.8..1.2)).round() as usize;
        for _ in 0..responses {
            let day = month + Days::new(rng.random_range(0..days_in_month));
            if day > self.company.until {
                continue;
            }
            let happy = rng.random_bool((0.45 + 0.5 * previous_care).min(0.98));
            let score = if happy {
                rng.random_range(4..=5)
            } else {
                rng.random_range(1..=3)
            };
            let customer = rng.random_range(0..self.customers.len());
            // Now and then a customer leaves a comment (with a comma, as people write them).
            let comment = rng.random_bool(0.05).then(|| {
                if happy {
                    "Quick, friendly help".to_string()
                } else {
                    "Slow answer, had to ask twice".to_string()
                }
            });
            self.csat_count += 1;
            activity.csat.push(NewCsatResponse {
                responded_on: day,
                team: self.company.teams[t].name.clone(),
                score,
                response_id: Some(format!(
                    "{}csat-{}",
                    self.company.response_prefix, self.csat_count
                )),
                customer_id: Some(self.customers[customer].0.clone()),
                comment,
            });
        }
    }

    /// A team's own measures: output every month, ideas and volunteering every quarter.
    fn team_measures(
        &mut self,
        activity: &mut Activity,
        t: usize,
        members: usize,
        month: NaiveDate,
        last_day: NaiveDate,
        now_care: f64,
    ) {
        let team = Some(self.company.teams[t].name.clone());
        let people = members as f64;
        let mut measure = |metric: &str, value: f64| {
            activity.measures.push(NewMeasure {
                team: team.clone(),
                period_start: month,
                period_end: last_day,
                metric: metric.into(),
                value,
            });
        };
        let output = people * self.rng.random_range(18.0..24.0) * (0.8 + 0.3 * now_care);
        measure("output_units", output.round());
        if self.month_number.is_multiple_of(3) {
            measure("ideas_submitted", (people * 0.3 * now_care * 3.0).round());
            measure("ideas_implemented", (people * 0.1 * now_care * 3.0).round());
            let hours = people * self.rng.random_range(0.5..2.5);
            measure("volunteer_hours", hours.round());
        }
    }

    /// Organization-wide measures, at the start of each quarter.
    fn organization_measures(
        &mut self,
        activity: &mut Activity,
        month: NaiveDate,
        last_day: NaiveDate,
    ) {
        let rng = &mut self.rng;
        for (metric, value) in [
            (
                "review_rating",
                ((3.6 + rng.random_range(0.0..1.2_f64)) * 10.0).round() / 10.0,
            ),
            ("review_count", rng.random_range(20.0..60.0_f64).round()),
            ("launches", rng.random_range(1.0..4.0_f64).round()),
            ("partnerships", rng.random_range(0.0..3.0_f64).round()),
            ("co2e_tonnes", rng.random_range(30.0..45.0_f64).round()),
        ] {
            activity.measures.push(NewMeasure {
                team: None,
                period_start: month,
                period_end: last_day,
                metric: metric.to_string(),
                value,
            });
        }
    }
}

impl Iterator for History<'_> {
    /// A month's first day and its activity.
    type Item = (NaiveDate, Activity);

    fn next(&mut self) -> Option<(NaiveDate, Activity)> {
        let month = self.month;
        if month > self.company.until {
            return None;
        }
        let activity = self.generate(month);
        self.month = month + Months::new(1);
        self.month_number += 1;
        Some((month, activity))
    }
}
