//! The shape of a synthetic company: its teams (each doing one of seven business functions),
//! how much activity it records, and its roster, simulated month by month with leavers and
//! the hires that replace them.

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::db::employees::NewEmployee;
use crate::period::Period;

/// A business function teams are made of: its share of the people, its monthly chance that
/// someone leaves, its salary and its job titles from junior to senior.
#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    /// Its relative size: the demo company's team of this function has this many people.
    pub size: usize,
    pub monthly_leave: f64,
    pub salary: f64,
    pub titles: &'static [&'static str],
    /// Answers customers (CSAT responses) and owns customer accounts.
    pub customer_facing: bool,
}

/// The seven functions: the demo company has one team of each.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "Customer Support",
        size: 26,
        monthly_leave: 0.024,
        salary: 46_000.0,
        titles: &[
            "Support Specialist",
            "Senior Support Specialist",
            "Support Lead",
        ],
        customer_facing: true,
    },
    Function {
        name: "Engineering",
        size: 30,
        monthly_leave: 0.009,
        salary: 98_000.0,
        titles: &[
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
        ],
        customer_facing: false,
    },
    Function {
        name: "Sales",
        size: 20,
        monthly_leave: 0.020,
        salary: 64_000.0,
        titles: &[
            "Account Executive",
            "Senior Account Executive",
            "Sales Manager",
        ],
        customer_facing: true,
    },
    Function {
        name: "Marketing",
        size: 12,
        monthly_leave: 0.012,
        salary: 71_000.0,
        titles: &["Marketing Specialist", "Content Lead", "Marketing Manager"],
        customer_facing: false,
    },
    Function {
        name: "Operations",
        size: 22,
        monthly_leave: 0.016,
        salary: 52_000.0,
        titles: &[
            "Operations Associate",
            "Logistics Coordinator",
            "Operations Manager",
        ],
        customer_facing: true,
    },
    Function {
        name: "Finance",
        size: 9,
        monthly_leave: 0.008,
        salary: 78_000.0,
        titles: &["Accountant", "Financial Analyst", "Controller"],
        customer_facing: false,
    },
    Function {
        name: "People & Culture",
        size: 7,
        monthly_leave: 0.010,
        salary: 67_000.0,
        titles: &["HR Generalist", "Recruiter", "People Partner"],
        customer_facing: false,
    },
];

/// Where a generated company's teams sit: a team is a function in a city.
const CITIES: &[&str] = &[
    "Lisbon",
    "Berlin",
    "Toronto",
    "Nairobi",
    "Singapore",
    "Austin",
    "Warsaw",
    "Dublin",
    "Osaka",
    "Bogotá",
    "Melbourne",
    "Casablanca",
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

/// A team: its name, its function and how many people it has when the history starts.
#[derive(Debug, Clone)]
pub struct Team {
    pub name: String,
    pub function: &'static Function,
    pub size: usize,
}

/// How much a company records besides its roster, per person and month.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// Multiplies the chance of an absence (unplanned and planned) in a month.
    pub absence: f64,
    /// The share of people who answer the monthly pulse survey.
    pub pulse_participation: f64,
    /// CSAT responses per member of a customer-facing team and month.
    pub csat_per_member: f64,
    /// Customer accounts, spread over the customer-facing teams.
    pub customers: u32,
}

/// A synthetic company: teams, history and seeds. The same company always gives the same
/// roster and activity.
#[derive(Debug, Clone)]
pub struct Company {
    pub teams: Vec<Team>,
    /// The first day of the history (a month's first day).
    pub start: NaiveDate,
    /// The last day anything happens.
    pub until: NaiveDate,
    pub rates: Rates,
    /// Prefix of the CSAT and pulse response ids, so that two companies' responses differ.
    pub response_prefix: &'static str,
    roster_seed: u64,
    pub(super) activity_seed: u64,
}

impl Company {
    /// The demo company: one team of each function, three years up to `today`'s quarter.
    pub fn demo(today: NaiveDate) -> Company {
        Company {
            teams: FUNCTIONS
                .iter()
                .map(|function| Team {
                    name: function.name.to_string(),
                    function,
                    size: function.size,
                })
                .collect(),
            start: Period::quarter_of(today).start() - Months::new(36),
            until: today,
            rates: Rates {
                absence: 1.0,
                pulse_participation: 0.65,
                csat_per_member: 1.5,
                customers: 80,
            },
            response_prefix: "demo-",
            roster_seed: 20_240_101,
            activity_seed: 77_2024,
        }
    }

    /// A company of about `employees` people (one team per 250, at least three) with `years`
    /// of history up to `until`. Its activity is sized like a mid-sized company's exports: at
    /// 10,000 people over five years about 400k absences, 2M CSAT responses and 250k pulse
    /// responses.
    pub fn generated(employees: usize, years: u32, seed: u64, until: NaiveDate) -> Company {
        let count = (employees as f64 / 250.0).round().max(3.0) as usize;
        let functions: Vec<&'static Function> = (0..count)
            .map(|i| &FUNCTIONS[i % FUNCTIONS.len()])
            .collect();
        let total_weight: usize = functions.iter().map(|f| f.size).sum();
        // Sizes in proportion to the function's weight; the rounding remainder goes to the
        // first teams, so that the sizes add up to `employees` exactly.
        let mut sizes: Vec<usize> = functions
            .iter()
            .map(|f| employees * f.size / total_weight)
            .collect();
        let short = employees - sizes.iter().sum::<usize>();
        for size in sizes.iter_mut().take(short) {
            *size += 1;
        }
        let teams = functions
            .iter()
            .zip(sizes)
            .enumerate()
            .map(|(i, (function, size))| {
                let round = i / FUNCTIONS.len();
                let city = CITIES[round % CITIES.len()];
                let name = match round / CITIES.len() {
                    0 => format!("{} {city}", function.name),
                    n => format!("{} {city} {}", function.name, n + 1),
                };
                Team {
                    name,
                    function,
                    size,
                }
            })
            .collect();
        let first_month = NaiveDate::from_ymd_opt(until.year(), until.month(), 1)
            .expect("the first of a month exists");
        Company {
            teams,
            start: first_month - Months::new(12 * years),
            until,
            rates: Rates {
                absence: 2.5,
                pulse_participation: 0.445,
                csat_per_member: 5.85,
                customers: (employees as u32 / 10).max(20),
            },
            response_prefix: "",
            roster_seed: seed,
            activity_seed: seed ^ 0x5eed_acc7_1717,
        }
    }

    /// The customer accounts' ids, each with its team (an index into `teams`).
    pub fn customers(&self) -> Vec<(String, usize)> {
        let facing: Vec<usize> = (0..self.teams.len())
            .filter(|t| self.teams[*t].function.customer_facing)
            .collect();
        let width = self.rates.customers.to_string().len().max(3);
        (1..=self.rates.customers)
            .map(|c| (format!("C{c:0width$}"), facing[c as usize % facing.len()]))
            .collect()
    }

    /// The roster over the whole history: who was hired, when, and who left, when and why.
    /// Month by month some people leave (more where care was low the quarter before), most are
    /// replaced, and the company grows a little.
    pub fn roster(&self) -> Vec<NewEmployee> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.roster_seed);
        let mut employees: Vec<NewEmployee> = Vec::new();
        // Per team, the indices of the people who may still leave, in hiring order.
        let mut active: Vec<Vec<usize>> = vec![Vec::new(); self.teams.len()];
        let hire = |employees: &mut Vec<NewEmployee>, rng: &mut ChaCha8Rng, team, hire_date| {
            let id = 1001 + employees.len();
            employees.push(new_employee(rng, id, team, hire_date));
            employees.len() - 1
        };
        for (t, team) in self.teams.iter().enumerate() {
            for _ in 0..team.size {
                let tenure_days = rng.random_range(30..2900);
                let hired = self.start - Days::new(tenure_days);
                active[t].push(hire(&mut employees, &mut rng, team, hired));
            }
        }
        let mut leavers_of_month = Vec::new();
        let mut month = self.start;
        while month <= self.until {
            let days_in_month = (month + Months::new(1) - month).num_days() as u64;
            for (t, team) in self.teams.iter().enumerate() {
                let care = super::activity::care(t, month - Months::new(3));
                let chance = (team.function.monthly_leave * (1.55 - care) / 0.8).min(0.5);
                leavers_of_month.clear();
                for &index in &active[t] {
                    if !rng.random_bool(chance) {
                        continue;
                    }
                    let day = month + Days::new(rng.random_range(0..days_in_month));
                    if day > self.until {
                        continue;
                    }
                    leave(&mut rng, &mut employees[index], day);
                    leavers_of_month.push(index);
                }
                active[t].retain(|index| !leavers_of_month.contains(index));
                let grows = rng.random_bool(0.12 + 0.01 * (t % FUNCTIONS.len()) as f64);
                for _ in 0..leavers_of_month.len() + usize::from(grows) {
                    let day = month + Days::new(rng.random_range(0..days_in_month));
                    if day <= self.until {
                        let index = hire(&mut employees, &mut rng, team, day);
                        active[t].push(index);
                    }
                }
            }
            month = month + Months::new(1);
        }
        employees
    }
}

/// A new hire of `team`, with a random level, name and salary.
fn new_employee(rng: &mut ChaCha8Rng, id: usize, team: &Team, hire_date: NaiveDate) -> NewEmployee {
    let titles = team.function.titles;
    let level = rng.random_range(0..titles.len());
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let salary = team.function.salary * (1.0 + 0.18 * level as f64) * rng.random_range(0.9..1.1);
    NewEmployee {
        external_id: format!("E{id}"),
        team: team.name.clone(),
        hire_date,
        termination_date: None,
        termination_type: None,
        termination_reason: None,
        regretted: None,
        manager_external_id: None,
        job_title: Some(titles[level].to_string()),
        job_level: Some(format!("L{}", level + 1)),
        annual_salary: Some((salary / 100.0).round() * 100.0),
        full_name: Some(format!("{first} {last}")),
        email: Some(format!(
            "{}.{}{id}@example.com",
            ascii_lowercase(first),
            ascii_lowercase(last)
        )),
    }
}

/// A name as it goes into an e-mail address: lowercase, accents dropped.
fn ascii_lowercase(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ö' => 'o',
            'ú' | 'ü' => 'u',
            other => other,
        })
        .collect()
}

/// `employee` leaves on `day`: voluntarily (three in four) or not, for a reason.
fn leave(rng: &mut ChaCha8Rng, employee: &mut NewEmployee, day: NaiveDate) {
    let voluntary = rng.random_bool(0.75);
    employee.termination_date = Some(day.max(employee.hire_date));
    employee.termination_type = Some(
        if voluntary {
            "voluntary"
        } else {
            "involuntary"
        }
        .into(),
    );
    employee.termination_reason = Some(
        if voluntary {
            [
                "Better offer",
                "Career change",
                "Relocation",
                "Work-life balance",
            ][rng.random_range(0..4)]
        } else {
            ["Performance", "Restructuring", "Policy violation"][rng.random_range(0..3)]
        }
        .into(),
    );
    employee.regretted = Some(voluntary && rng.random_bool(0.5));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_generated_company_has_one_team_per_250_people_with_unique_names() {
        let company = Company::generated(10_000, 5, 1, day("2026-03-15"));
        assert_eq!(company.teams.len(), 40);
        assert_eq!(company.teams.iter().map(|t| t.size).sum::<usize>(), 10_000);
        let mut names: Vec<String> = company
            .teams
            .iter()
            .map(|t| t.name.to_lowercase())
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 40);
        assert_eq!(company.teams[0].name, "Customer Support Lisbon");
        assert_eq!(company.teams[39].name, "Operations Austin");
        assert_eq!(company.start, day("2021-03-01"));
    }

    #[test]
    fn a_small_company_still_has_three_teams_and_a_huge_one_keeps_names_unique() {
        assert_eq!(
            Company::generated(40, 1, 1, day("2026-03-15")).teams.len(),
            3
        );
        let huge = Company::generated(30_000, 1, 1, day("2026-03-15"));
        let mut names: Vec<&str> = huge.teams.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 120);
    }

    #[test]
    fn customers_belong_to_customer_facing_teams() {
        let company = Company::generated(2_000, 1, 1, day("2026-03-15"));
        let customers = company.customers();
        assert_eq!(customers.len(), 200);
        assert_eq!(customers[0].0, "C001");
        assert!(
            customers
                .iter()
                .all(|(_, t)| company.teams[*t].function.customer_facing)
        );
    }

    #[test]
    fn leavers_leave_after_they_were_hired_and_before_the_end() {
        let until = day("2026-03-15");
        let roster = Company::generated(1_000, 2, 3, until).roster();
        assert!(roster.iter().all(|e| {
            e.termination_date
                .is_none_or(|d| d >= e.hire_date && d <= until)
                && e.hire_date <= until
        }));
        let leavers = roster
            .iter()
            .filter(|e| e.termination_date.is_some())
            .count();
        // Between about 8 % and 40 % a year leave, and are replaced.
        assert!((160..=800).contains(&leavers), "{leavers} leavers");
        let active = roster.len() - leavers;
        assert!((950..=1_100).contains(&active), "{active} active");
    }
}
