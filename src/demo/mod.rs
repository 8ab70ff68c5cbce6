//! The demo company: a fictional business of about 150 people in seven teams over three years,
//! generated deterministically (seeded) so that `attune demo` always loads the same company and
//! loading it twice changes nothing.

pub mod accounts;
pub mod activity;

use chrono::{Days, Local, Months, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::PgPool;

use crate::db;
use crate::db::employees::NewEmployee;
use crate::period::Period;

/// What was loaded, for the start-up banner.
#[derive(Debug, Clone)]
pub struct Summary {
    pub employees: usize,
    pub teams: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A demo team: its name, size at the start, monthly chance that someone leaves, and salary.
struct TeamSpec {
    name: &'static str,
    size: usize,
    monthly_leave: f64,
    salary: f64,
    titles: &'static [&'static str],
}

const TEAMS: &[TeamSpec] = &[
    TeamSpec {
        name: "Customer Support",
        size: 26,
        monthly_leave: 0.024,
        salary: 46_000.0,
        titles: &[
            "Support Specialist",
            "Senior Support Specialist",
            "Support Lead",
        ],
    },
    TeamSpec {
        name: "Engineering",
        size: 30,
        monthly_leave: 0.009,
        salary: 98_000.0,
        titles: &[
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
        ],
    },
    TeamSpec {
        name: "Sales",
        size: 20,
        monthly_leave: 0.020,
        salary: 64_000.0,
        titles: &[
            "Account Executive",
            "Senior Account Executive",
            "Sales Manager",
        ],
    },
    TeamSpec {
        name: "Marketing",
        size: 12,
        monthly_leave: 0.012,
        salary: 71_000.0,
        titles: &["Marketing Specialist", "Content Lead", "Marketing Manager"],
    },
    TeamSpec {
        name: "Operations",
        size: 22,
        monthly_leave: 0.016,
        salary: 52_000.0,
        titles: &[
            "Operations Associate",
            "Logistics Coordinator",
            "Operations Manager",
        ],
    },
    TeamSpec {
        name: "Finance",
        size: 9,
        monthly_leave: 0.008,
        salary: 78_000.0,
        titles: &["Accountant", "Financial Analyst", "Controller"],
    },
    TeamSpec {
        name: "People & Culture",
        size: 7,
        monthly_leave: 0.010,
        salary: 67_000.0,
        titles: &["HR Generalist", "Recruiter", "People Partner"],
    },
];

const FIRST_NAMES: &[&str] = &[
    "Ava", "Ben", "Chloé", "Daniel", "Elif", "Farah", "Gabriel", "Hana", "Ivan", "Jade", "Kofi",
    "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wei", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri", "Esme", "Finn",
];
const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Berger",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quispe",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
];

/// The demo history starts three years before the current quarter.
fn history_start(today: NaiveDate) -> NaiveDate {
    Period::quarter_of(today).start() - Months::new(36)
}

/// The demo roster as of `today`: three years of history up to the current quarter.
pub fn roster(today: NaiveDate) -> Vec<NewEmployee> {
    let mut rng = ChaCha8Rng::seed_from_u64(20_240_101);
    let start = history_start(today);
    let mut employees: Vec<NewEmployee> = Vec::new();
    let mut next_id = 1001;
    let mut new_employee = |rng: &mut ChaCha8Rng, team: &TeamSpec, hire_date: NaiveDate| {
        let level = rng.random_range(0..team.titles.len());
        let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        let salary = team.salary * (1.0 + 0.18 * level as f64) * rng.random_range(0.9..1.1);
        let id = next_id;
        next_id += 1;
        NewEmployee {
            external_id: format!("E{id}"),
            team: team.name.to_string(),
            hire_date,
            termination_date: None,
            termination_type: None,
            termination_reason: None,
            regretted: None,
            manager_external_id: None,
            job_title: Some(team.titles[level].to_string()),
            job_level: Some(format!("L{}", level + 1)),
            annual_salary: Some((salary / 100.0).round() * 100.0),
            full_name: Some(format!("{first} {last}")),
            email: Some(format!(
                "{}.{}{id}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            )),
        }
    };
    for team in TEAMS {
        for _ in 0..team.size {
            let tenure_days = rng.random_range(30..2900);
            let hired = start - Days::new(tenure_days);
            employees.push(new_employee(&mut rng, team, hired));
        }
    }
    // Month by month: some people leave, most are replaced, and the company grows a little.
    let mut month = start;
    while month <= today {
        let days_in_month = (month + Months::new(1) - month).num_days() as u64;
        for (t, team) in TEAMS.iter().enumerate() {
            let active: Vec<usize> = employees
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    e.team == team.name && e.termination_date.is_none() && e.hire_date <= month
                })
                .map(|(i, _)| i)
                .collect();
            let mut leavers = 0;
            for index in active {
                // People leave more where care was low the quarter before.
                let care = activity::care(t, month - Months::new(3));
                if rng.random_bool((team.monthly_leave * (1.55 - care) / 0.8).min(0.5)) {
                    let day = month + Days::new(rng.random_range(0..days_in_month));
                    if day > today {
                        continue;
                    }
                    let voluntary = rng.random_bool(0.75);
                    let e = &mut employees[index];
                    e.termination_date = Some(day.max(e.hire_date));
                    e.termination_type = Some(
                        if voluntary {
                            "voluntary"
                        } else {
                            "involuntary"
                        }
                        .into(),
                    );
                    e.termination_reason = Some(
                        if voluntary {
                            [
                                "Better offer",
                                "Career change",
                                "Relocation",
                                "Work-life balance",
                            ][rng.random_range(0..4)]
                        } else {
                            ["Performance", "Restructuring", "Policy violation"]
                                [rng.random_range(0..3)]
                        }
                        .into(),
                    );
                    e.regretted = Some(voluntary && rng.random_bool(0.5));
                    leavers += 1;
                }
            }
            let hires = leavers + usize::from(rng.random_bool(0.12 + 0.01 * t as f64));
            for _ in 0..hires {
                let day = month + Days::new(rng.random_range(0..days_in_month));
                if day <= today {
                    employees.push(new_employee(&mut rng, team, day));
                }
            }
        }
        month = month + Months::new(1);
    }
    employees
}

/// Load the demo company. Idempotent: employees are upserted by their ids.
pub async fn load(pool: &PgPool) -> anyhow::Result<Summary> {
    let today = Local::now().date_naive();
    let employees = roster(today);
    let mut tx = pool.begin().await?;
    let teams: Vec<String> = TEAMS.iter().map(|t| t.name.to_string()).collect();
    db::teams::ensure(&mut tx, &teams).await?;
    db::employees::upsert(&mut tx, None, &employees, db::employees::ALL_COLUMNS).await?;
    let names: Vec<&str> = TEAMS.iter().map(|t| t.name).collect();
    let activity = activity::generate(&names, &employees, history_start(today), today);
    db::absences::upsert(&mut tx, None, &activity.absences).await?;
    db::promotions::upsert(&mut tx, None, &activity.promotions).await?;
    db::csat::upsert(&mut tx, None, &activity.csat).await?;
    db::pulse::upsert(&mut tx, None, &activity.pulse).await?;
    db::customers::upsert(&mut tx, None, &activity.customers).await?;
    db::measures::upsert(&mut tx, None, &activity.measures).await?;
    tx.commit().await?;
    Ok(Summary {
        employees: employees
            .iter()
            .filter(|e| e.termination_date.is_none())
            .count(),
        teams: TEAMS.len(),
        from: history_start(today),
        to: today,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_company_is_the_same_every_time() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(roster(today), roster(today));
    }

    #[test]
    fn the_demo_company_has_about_150_people_and_both_kinds_of_leavers() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let people = roster(today);
        let active = people
            .iter()
            .filter(|e| e.termination_date.is_none())
            .count();
        assert!((120..=190).contains(&active), "{active} active employees");
        for kind in ["voluntary", "involuntary"] {
            assert!(
                people
                    .iter()
                    .any(|e| e.termination_type.as_deref() == Some(kind)),
                "{kind}"
            );
        }
        assert!(people.iter().all(|e| {
            e.termination_date
                .is_none_or(|d| d >= e.hire_date && d <= today)
        }));
    }
}
