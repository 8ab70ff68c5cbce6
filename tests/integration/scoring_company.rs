//! Every exact metric of the Scoring issue, for a small hand-built company with every data kind,
//! for a year, a quarter and a month, at team and org level. The expected values were computed
//! by hand from the definitions in docs/metrics.md.

use attune::import::Kind;
use attune::period::Period;
use serde_json::{Value, json};

use crate::support::TestApp;

const EMPLOYEES: &str = "\
employee_id,team,hire_date,termination_date,termination_type,regretted,annual_salary
A1,Alpha,2020-01-01,,,,52000
A2,Alpha,2020-01-01,2025-02-14,voluntary,yes,60000
A3,Alpha,2024-10-01,2025-03-31,voluntary,no,
A4,Alpha,2019-01-01,,,,65000
B1,Beta,2018-01-01,,,,70000
B2,Beta,2021-06-01,2025-05-30,involuntary,,48000
B3,Beta,2025-01-01,,,,50000
G1,Gamma,2022-01-01,,,,
";

/// A1's first absence spans the new year: 3 days over 5 working days, 1.2 in 2024 and 1.8 in
/// 2025. A4's spans a weekend (2 working days). B1's vacation is planned; "Doctor visit" is not
/// in the mapping, so it counts as unplanned.
const ABSENCES: &str = "\
employee_id,start_date,end_date,days,type
A1,2024-12-30,2025-01-03,3,Sick
A1,2025-02-03,2025-02-04,,sick
A4,2025-03-07,2025-03-10,,Unauthorised
B1,2025-01-13,2025-01-17,,Vacation
B1,2025-04-07,2025-04-07,0.5,Doctor visit
";

const PROMOTIONS: &str = "\
employee_id,effective_date,from_title,to_title
A1,2025-03-01,Analyst,Senior Analyst
B3,2025-06-15,Associate,Specialist
";

const CSAT: &str = "\
responded_at,team,score,response_id
2025-01-10T09:30:00Z,Alpha,5,r1
2025-02-11,alpha,4,r2
2025-03-12,Alpha,2,r3
2025-02-01,Beta,3,r4
2025-04-02,Beta,5,r5
";

/// 2025-Q1: Alpha 6 responses, Beta 2 (below 5: hidden), Gamma 5 — hidden too, because Beta
/// alone could otherwise be computed from the organization minus Alpha and Gamma.
const PULSE: &str = "\
submitted_at,team,heard,supported,valued,enps
2025-01-05,Alpha,5,4,4,10
2025-01-06,Alpha,4,4,3,9
2025-02-07,Alpha,2,3,,6
2025-02-08,Alpha,5,5,5,8
2025-03-09,Alpha,4,,4,7
2025-03-10,Alpha,1,2,2,0
2025-01-05,Beta,5,5,5,10
2025-02-05,Beta,4,4,4,9
2025-01-05,Gamma,3,3,3,5
2025-01-06,Gamma,4,4,4,9
2025-02-05,Gamma,5,5,5,10
2025-02-06,Gamma,2,2,2,3
2025-03-05,Gamma,4,5,4,8
";

const CUSTOMERS: &str = "\
customer_id,period,revenue,team
C1,2024-Q4,1000,Alpha
C2,2024-Q4,500,Alpha
C3,2024-Q4,800,Beta
C1,2025-Q1,1200,Alpha
C3,2025-Q1,900,Beta
C4,2025-Q1,300,Alpha
";

const MEASURES: &str = "\
team,period,metric,value
Alpha,2025-Q1,output_units,600
Beta,2025-Q1,output_units,300
,2025-Q1,review_rating,4.2
,2025-01,review_rating,4.6
Alpha,2025-01,ideas_submitted,4
Alpha,2025-02,ideas_implemented,1
";

async fn company() -> TestApp {
    let app = TestApp::spawn().await;
    for (kind, csv) in [
        (Kind::Employees, EMPLOYEES),
        (Kind::Absences, ABSENCES),
        (Kind::Promotions, PROMOTIONS),
        (Kind::Csat, CSAT),
        (Kind::Pulse, PULSE),
        (Kind::Customers, CUSTOMERS),
        (Kind::Measures, MEASURES),
    ] {
        // Each file covers 2024 and 2025 whole (the roster: from its earliest hire date on).
        if kind == Kind::Employees {
            app.import(kind, csv).await;
        } else {
            app.import_covering(kind, csv, "2024-01..2025-12").await;
        }
    }
    app
}

async fn report(app: &TestApp, period: &str) -> Value {
    let mut conn = app.pool.acquire().await.unwrap();
    let period: Period = period.parse().unwrap();
    serde_json::to_value(
        attune::report::build(&mut conn, period, None)
            .await
            .unwrap(),
    )
    .unwrap()
}

/// Assert each (key, expected) of one tier of one scope; None means null.
fn check(scope: &Value, tier: &str, expected: &[(&str, Option<f64>)]) {
    for (key, want) in expected {
        let got = &scope[tier][key];
        match want {
            None => assert!(got.is_null(), "{tier}.{key}: expected null, got {got}"),
            Some(want) => {
                let got = got
                    .as_f64()
                    .unwrap_or_else(|| panic!("{tier}.{key}: expected {want}, got {got}"));
                assert!(
                    (got - want).abs() < 1e-9,
                    "{tier}.{key}: expected {want}, got {got}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_first_quarter_of_2025_for_each_team_and_the_organization() {
    let app = company().await;

    let r = report(&app, "2025-Q1").await;

    let (org, alpha, beta, gamma) = (
        &r["org"],
        &r["teams"]["Alpha"],
        &r["teams"]["Beta"],
        &r["teams"]["Gamma"],
    );
    check(
        alpha,
        "fundamentals",
        &[
            ("headcount_start", Some(4.0)),
            ("headcount_end", Some(3.0)),
            ("headcount_avg", Some(3.5)),
            ("separations", Some(2.0)),
            ("turnover_rate", Some(200.0 / 3.5)),
            ("voluntary_turnover_rate", Some(200.0 / 3.5)),
            ("involuntary_turnover_rate", Some(0.0)),
            ("absence_days", Some(5.8)),
            ("scheduled_days", Some(225.0)),
            ("absenteeism_rate", Some(100.0 * 5.8 / 225.0)),
            ("promotions", Some(1.0)),
            ("promotion_rate", Some(100.0 / 3.5)),
            ("csat_responses", Some(3.0)),
            ("csat", Some(200.0 / 3.0)),
            ("pulse_responses", Some(6.0)),
            ("empathy_favorability", Some(62.5)),
        ],
    );
    check(
        beta,
        "fundamentals",
        &[
            ("headcount_start", Some(3.0)),
            ("headcount_end", Some(3.0)),
            ("separations", Some(0.0)),
            ("turnover_rate", Some(0.0)),
            ("absence_days", Some(0.0)),
            ("scheduled_days", Some(192.0)),
            ("absenteeism_rate", Some(0.0)),
            ("csat_responses", Some(1.0)),
            ("csat", Some(0.0)),
            ("pulse_responses", Some(2.0)),
            ("empathy_favorability", None),
        ],
    );
    check(
        gamma,
        "fundamentals",
        &[
            ("scheduled_days", Some(64.0)),
            ("csat", None),
            ("pulse_responses", Some(5.0)),
            ("empathy_favorability", None),
        ],
    );
    assert_eq!(
        beta["suppressed"],
        serde_json::json!(["empathy_favorability", "enps", "enps_change"])
    );
    assert_eq!(
        gamma["suppressed"],
        serde_json::json!(["empathy_favorability", "enps", "enps_change"]),
        "the next-smallest team is hidden too, so Beta cannot be recovered by subtraction"
    );
    assert_eq!(
        alpha["suppressed"],
        serde_json::json!(["enps_change"]),
        "no eNPS the quarter before"
    );
    check(
        org,
        "fundamentals",
        &[
            ("headcount_start", Some(8.0)),
            ("headcount_end", Some(7.0)),
            ("headcount_avg", Some(7.5)),
            ("separations", Some(2.0)),
            ("turnover_rate", Some(200.0 / 7.5)),
            ("voluntary_turnover_rate", Some(200.0 / 7.5)),
            ("involuntary_turnover_rate", Some(0.0)),
            ("absence_days", Some(5.8)),
            ("scheduled_days", Some(481.0)),
            ("absenteeism_rate", Some(100.0 * 5.8 / 481.0)),
            ("promotions", Some(1.0)),
            ("promotion_rate", Some(100.0 / 7.5)),
            ("csat_responses", Some(4.0)),
            ("csat", Some(50.0)),
            // 25 favorable answers of 37: Alpha 10/16, Beta 6/6, Gamma 9/15.
            ("pulse_responses", Some(13.0)),
            ("empathy_favorability", Some(2500.0 / 37.0)),
        ],
    );

    // Intermediate: A2 (60,000) and A3 (no salary) left; 0.21 × 60,000 = 12,600.
    check(
        alpha,
        "intermediate",
        &[
            ("turnover_cost", Some(12_600.0)),
            ("turnover_cost_unpriced", Some(1.0)),
            // A1: 3.8 days × 52,000 / 260; A4: 2 days × 65,000 / 260.
            ("absence_cost", Some(3.8 * 200.0 + 2.0 * 250.0)),
            ("regretted_turnover_rate", Some(100.0 / 3.5)),
            ("first_year_turnover", Some(50.0)),
            // C1 stayed, C2 left, C4 is new.
            ("customer_retention_rate", Some(50.0)),
            ("customer_churn_rate", Some(50.0)),
            ("productivity", Some(600.0 / 3.5)),
            ("revenue_per_employee", Some(1500.0 / 3.5)),
            ("ideas_per_100_employees", Some(400.0 / 3.5)),
            ("idea_implementation_rate", Some(25.0)),
        ],
    );
    check(
        org,
        "intermediate",
        &[
            ("turnover_cost", Some(12_600.0)),
            ("customer_retention_rate", Some(200.0 / 3.0)),
            ("review_rating", Some(4.4)),
            ("productivity", Some(900.0 / 7.5)),
        ],
    );

    // Advanced: Alpha eNPS = (2 promoters − 2 detractors) / 6 = 0; organization (6 − 4) / 13.
    check(
        alpha,
        "advanced",
        &[
            ("enps", Some(0.0)),
            ("enps_change", None),
            // 750 per customer / 0.5 churn.
            ("customer_lifetime_value", Some(1500.0)),
        ],
    );
    check(
        org,
        "advanced",
        &[
            ("enps", Some(200.0 / 13.0)),
            ("customer_lifetime_value", Some(2400.0)),
        ],
    );
    check(
        beta,
        "advanced",
        &[("enps", None), ("customer_lifetime_value", None)],
    );
    assert!(
        org["advanced"]["empathy_index"]
            .as_f64()
            .is_some_and(|v| (0.0..=100.0).contains(&v))
    );
}

#[tokio::test]
async fn the_year_2025_and_january_2025() {
    let app = company().await;

    let year = report(&app, "2025").await;
    check(
        &year["org"],
        "fundamentals",
        &[
            ("headcount_start", Some(8.0)),
            ("headcount_end", Some(5.0)),
            ("separations", Some(3.0)),
            ("turnover_rate", Some(300.0 / 6.5)),
            ("involuntary_turnover_rate", Some(100.0 / 6.5)),
            ("absence_days", Some(6.3)),
            ("scheduled_days", Some(1510.0)),
            ("absenteeism_rate", Some(630.0 / 1510.0)),
            ("promotions", Some(2.0)),
            ("csat_responses", Some(5.0)),
            ("csat", Some(60.0)),
        ],
    );
    check(
        &year["teams"]["Beta"],
        "fundamentals",
        &[
            ("headcount_avg", Some(2.5)),
            ("turnover_rate", Some(40.0)),
            ("absence_days", Some(0.5)),
            ("scheduled_days", Some(630.0)),
            ("promotion_rate", Some(40.0)),
            ("csat", Some(50.0)),
        ],
    );
    check(
        &year["teams"]["Beta"],
        "intermediate",
        &[
            ("turnover_cost", Some(0.21 * 48_000.0)),
            ("first_year_turnover", Some(0.0)),
            ("absence_cost", Some(0.5 * 70_000.0 / 260.0)),
        ],
    );

    let january = report(&app, "2025-01").await;
    check(
        &january["teams"]["Alpha"],
        "fundamentals",
        &[
            ("headcount_start", Some(4.0)),
            ("separations", Some(0.0)),
            ("turnover_rate", Some(0.0)),
            ("absence_days", Some(1.8)),
            ("scheduled_days", Some(92.0)),
            ("absenteeism_rate", Some(180.0 / 92.0)),
            ("csat_responses", Some(1.0)),
            ("csat", Some(100.0)),
            ("pulse_responses", Some(2.0)),
            ("empathy_favorability", None),
        ],
    );
    check(
        &january["org"],
        "fundamentals",
        &[("scheduled_days", Some(184.0)), ("absence_days", Some(1.8))],
    );
    // December 2024 holds the other 1.2 days of A1's absence.
    let december = report(&app, "2024-12").await;
    check(
        &december["teams"]["Alpha"],
        "fundamentals",
        &[("absence_days", Some(1.2))],
    );
    // Comparisons ride along: January's previous period is December.
    assert_eq!(january["org"]["previous"]["period"], "2024-12");
    check(
        &january["org"]["previous"],
        "fundamentals",
        &[("absence_days", Some(1.2))],
    );
    assert_eq!(january["org"]["year_earlier"]["period"], "2024-01");
}

#[tokio::test]
async fn outcome_links_need_twenty_team_quarters() {
    let app = company().await;

    let r = report(&app, "2025-Q2").await;

    let links = r["outcome_links"].as_array().unwrap();
    // Three outcomes at lags of one, two and three quarters, lag by lag.
    let order: Vec<(u64, &str)> = links
        .iter()
        .map(|l| (l["lag"].as_u64().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            (1, "voluntary_turnover_rate"),
            (1, "absenteeism_rate"),
            (1, "csat"),
            (2, "voluntary_turnover_rate"),
            (2, "absenteeism_rate"),
            (2, "csat"),
            (3, "voluntary_turnover_rate"),
            (3, "absenteeism_rate"),
            (3, "csat"),
        ]
    );
    // Only Alpha's 2025-Q1 favorability is shown: one pair at lag 1, far below twenty, so
    // nothing is estimated; the hidden favorability of other team-quarters never counts.
    let turnover = &links[0];
    assert_eq!((&turnover["n"], &turnover["teams"]), (&json!(1), &json!(1)));
    for key in [
        "correlation",
        "ci_low",
        "ci_high",
        "rate_ratio_per_10_points",
        "rate_ratio_ci_low",
        "rate_ratio_ci_high",
        "more_team_quarters_needed",
    ] {
        assert!(turnover[key].is_null(), "{key}: {}", turnover[key]);
    }
    assert_eq!(turnover["evidence"], false);
    assert_eq!(
        turnover["within_team"],
        json!({"correlation": null, "ci_low": null, "ci_high": null, "n": 0, "teams": 0,
               "evidence": false, "more_team_quarters_needed": null})
    );
    assert!(turnover["note"].as_str().unwrap().contains("not proof"));
    assert_eq!(
        links[3]["n"], 0,
        "no favorability shown two quarters before 2025-Q2"
    );
}

#[tokio::test]
async fn no_survey_figure_can_be_recovered_from_overlapping_periods() {
    let app = company().await;
    // Two more Alpha responses in 2025-Q2: hidden in Q2, but the year 2025 (8 responses) minus
    // Q1 (6, shown) would give them away — so Q1 is hidden as well.
    app.import(
        Kind::Pulse,
        "submitted_at,team,heard,supported,valued,enps\n2025-04-02,Alpha,1,1,1,0\n2025-05-03,Alpha,2,2,2,1\n",
    )
    .await;

    let year = report(&app, "2025").await;
    let q1 = report(&app, "2025-Q1").await;
    let january = report(&app, "2025-01").await;

    check(
        &year["teams"]["Alpha"],
        "fundamentals",
        &[
            ("pulse_responses", Some(8.0)),
            ("empathy_favorability", Some(1000.0 / 22.0)),
        ],
    );
    check(
        &q1["teams"]["Alpha"],
        "fundamentals",
        &[
            ("pulse_responses", Some(6.0)),
            ("empathy_favorability", None),
        ],
    );
    assert!(
        q1["teams"]["Alpha"]["suppressed"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("empathy_favorability"))
    );
    // Months are never reported for surveys: they could be subtracted from their quarter.
    check(
        &january["org"],
        "fundamentals",
        &[
            ("pulse_responses", Some(5.0)),
            ("empathy_favorability", None),
        ],
    );
    check(&january["org"], "advanced", &[("enps", None)]);
}
