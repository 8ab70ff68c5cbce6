//! The demo company's activity besides its roster: absences, promotions, customer satisfaction,
//! pulse surveys, customers and team measures. Each team has a "care" level that drifts from
//! quarter to quarter; it drives pulse answers, and (a quarter later) turnover, absence and
//! customer satisfaction — so the dashboards have a story to tell.

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

/// Everything the demo company did, generated from its roster.
#[derive(Debug, Default)]
pub struct Activity {
    pub absences: Vec<NewAbsence>,
    pub promotions: Vec<NewPromotion>,
    pub csat: Vec<NewCsatResponse>,
    pub pulse: Vec<NewPulseResponse>,
    pub customers: Vec<NewCustomerActivity>,
    pub measures: Vec<NewMeasure>,
}

/// Teams that answer customers (CSAT) and own accounts (customers).
const CUSTOMER_FACING: [&str; 3] = ["Customer Support", "Sales", "Operations"];

pub fn generate(
    teams: &[&str],
    roster: &[NewEmployee],
    start: NaiveDate,
    today: NaiveDate,
) -> Activity {
    let mut rng = ChaCha8Rng::seed_from_u64(77_2024);
    let mut activity = Activity::default();
    let team_index = |name: &str| teams.iter().position(|t| *t == name).unwrap_or(0);
    let mut month = start;
    let mut month_number = 0;
    while month <= today {
        let next_month = month + Months::new(1);
        let days_in_month = (next_month - month).num_days() as u64;
        let last_day = (next_month - Days::new(1)).min(today);
        let active: Vec<&NewEmployee> = roster
            .iter()
            .filter(|e| e.hire_date <= month && e.termination_date.is_none_or(|d| d >= last_day))
            .collect();
        for e in &active {
            let t = team_index(&e.team);
            let previous_care = care(t, month - Months::new(3));
            // Unplanned absence: more where care was low last quarter.
            if rng.random_bool((0.10 + 0.22 * (1.0 - previous_care)).min(0.9)) {
                let first = month + Days::new(rng.random_range(0..days_in_month));
                let length = rng.random_range(0..3);
                let last = first + Days::new(length);
                if last <= today {
                    activity.absences.push(NewAbsence {
                        employee_id: e.external_id.clone(),
                        start_date: first,
                        end_date: last,
                        days: None,
                        absence_type: ["Sick", "Sick leave", "Unauthorised"]
                            [rng.random_range(0..3)]
                        .to_string(),
                        planned: false,
                    });
                }
            }
            // Planned leave, which never counts as absenteeism.
            if rng.random_bool(0.15) {
                let first = month + Days::new(rng.random_range(0..days_in_month));
                let last = first + Days::new(rng.random_range(2..9));
                if last <= today {
                    activity.absences.push(NewAbsence {
                        employee_id: e.external_id.clone(),
                        start_date: first,
                        end_date: last,
                        days: None,
                        absence_type: "Vacation".to_string(),
                        planned: true,
                    });
                }
            }
            // Promotions: more likely where care is high.
            if rng.random_bool(0.004 + 0.012 * care(t, month)) {
                let day = month + Days::new(rng.random_range(0..days_in_month));
                if day <= today && day > e.hire_date {
                    activity.promotions.push(NewPromotion {
                        employee_id: e.external_id.clone(),
                        effective_date: day,
                        from_title: e.job_title.clone(),
                        to_title: e.job_title.as_ref().map(|t| format!("Senior {t}")),
                        from_level: e.job_level.clone(),
                        to_level: None,
                    });
                }
            }
        }
        for (t, team) in teams.iter().enumerate() {
            let members = active.iter().filter(|e| e.team == *team).count();
            let now_care = care(t, month);
            // Pulse: about two in three answer each month.
            for _ in 0..members {
                if !rng.random_bool(0.65) {
                    continue;
                }
                let day = month + Days::new(rng.random_range(0..days_in_month));
                if day > today {
                    continue;
                }
                let item = |rng: &mut ChaCha8Rng| {
                    let favorable = rng.random_bool(now_care);
                    if favorable {
                        rng.random_range(4..=5)
                    } else {
                        rng.random_range(1..=3)
                    }
                };
                let heard = item(&mut rng);
                let supported = item(&mut rng);
                let valued = item(&mut rng);
                let enps = if rng.random_bool(now_care) {
                    rng.random_range(7..=10)
                } else {
                    rng.random_range(0..=8)
                };
                let n = activity.pulse.len();
                activity.pulse.push(NewPulseResponse {
                    submitted_on: day,
                    team: team.to_string(),
                    heard: Some(heard),
                    supported: Some(supported),
                    valued: if rng.random_bool(0.95) {
                        Some(valued)
                    } else {
                        None
                    },
                    enps: Some(enps),
                    response_id: Some(format!("demo-pulse-{n}")),
                });
            }
            let previous_care = care(t, month - Months::new(3));
            if CUSTOMER_FACING.contains(team) {
                for _ in 0..rng.random_range(25..45) {
                    let day = month + Days::new(rng.random_range(0..days_in_month));
                    if day > today {
                        continue;
                    }
                    let happy = rng.random_bool((0.45 + 0.5 * previous_care).min(0.98));
                    let n = activity.csat.len();
                    activity.csat.push(NewCsatResponse {
                        responded_on: day,
                        team: team.to_string(),
                        score: if happy {
                            rng.random_range(4..=5)
                        } else {
                            rng.random_range(1..=3)
                        },
                        response_id: Some(format!("demo-csat-{n}")),
                        customer_id: Some(format!("C{:03}", rng.random_range(1..=80))),
                        comment: None,
                    });
                }
            }
            if members > 0 && last_day >= month {
                activity.measures.push(NewMeasure {
                    team: Some(team.to_string()),
                    period_start: month,
                    period_end: last_day,
                    metric: "output_units".into(),
                    value: (members as f64 * rng.random_range(18.0..24.0) * (0.8 + 0.3 * now_care))
                        .round(),
                });
                if month_number % 3 == 0 {
                    activity.measures.push(NewMeasure {
                        team: Some(team.to_string()),
                        period_start: month,
                        period_end: last_day,
                        metric: "ideas_submitted".into(),
                        value: (members as f64 * 0.3 * now_care * 3.0).round(),
                    });
                    activity.measures.push(NewMeasure {
                        team: Some(team.to_string()),
                        period_start: month,
                        period_end: last_day,
                        metric: "ideas_implemented".into(),
                        value: (members as f64 * 0.1 * now_care * 3.0).round(),
                    });
                    activity.measures.push(NewMeasure {
                        team: Some(team.to_string()),
                        period_start: month,
                        period_end: last_day,
                        metric: "volunteer_hours".into(),
                        value: (members as f64 * rng.random_range(0.5..2.5)).round(),
                    });
                }
            }
        }
        // Customers: 80 accounts, each owned by a customer-facing team; a few leave each month.
        for c in 1..=80u32 {
            let churned_until = (c * 7919 + month_number * 31) % 100 < 4;
            if churned_until {
                continue;
            }
            activity.customers.push(NewCustomerActivity {
                customer_id: format!("C{c:03}"),
                period_start: month,
                period_end: last_day,
                revenue: (rng.random_range(800.0..4_000.0_f64) * 100.0).round() / 100.0,
                team: Some(CUSTOMER_FACING[c as usize % 3].to_string()),
            });
        }
        // Organization-wide measures.
        let quarter = Period::quarter_of(month);
        if month == quarter.start() {
            for (metric, value) in [
                (
                    "review_rating",
                    (3.6 + rng.random_range(0.0..1.2_f64) * 10.0).round() / 10.0,
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
        month = next_month;
        month_number += 1;
    }
    activity
}
