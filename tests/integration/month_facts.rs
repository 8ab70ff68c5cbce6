//! The facts kept by team and month (migration 0010) against the raw-row computation they
//! replace (`db::facts::raw`): on a generated company, for every month, quarter and year around
//! its history, after every kind of change — imports, an undo, an erasure, a team move, a
//! deletion, edits by psql, a survey round's answers and its deletion — the facts are equal, and
//! so is every figure of the reports built from either, coverage and privacy rules included, under
//! two settings of the minimum group size.

use attune::db;
use attune::period::Period;
use attune::report::{self, FactsFrom};
use chrono::{Datelike, NaiveDate};

use crate::support::{TestApp, attune_command};

fn ok(output: &std::process::Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every month, quarter and year from `from` to `to`.
fn periods(from: NaiveDate, to: NaiveDate) -> Vec<Period> {
    let mut all = Vec::new();
    let mut month = Period::month(from.year(), from.month()).unwrap();
    while month.start() <= to {
        all.push(month);
        let quarter = Period::quarter_of(month.start());
        if !all.contains(&quarter) {
            all.push(quarter);
        }
        let year = Period::year(month.start().year()).unwrap();
        if !all.contains(&year) {
            all.push(year);
        }
        month = month.next();
    }
    all
}

async fn assert_same_facts(app: &TestApp, periods: &[Period], step: &str) {
    let mut conn = app.pool.acquire().await.unwrap();
    let kept = db::facts::collect(&mut conn, periods).await.unwrap();
    let raw = db::facts::raw::collect(&mut conn, periods).await.unwrap();
    for ((period, kept), raw) in periods.iter().zip(&kept).zip(&raw) {
        assert_eq!(kept, raw, "{step}: the facts of {period}");
    }
    // Something was counted: the comparison is not of empty facts.
    assert!(
        kept.iter()
            .any(|f| f.org.roster.headcount_end > 0 && f.org.csat_responses > 0),
        "{step}"
    );
}

async fn assert_same_reports(app: &TestApp, periods: &[Period], today: NaiveDate, step: &str) {
    let mut conn = app.pool.acquire().await.unwrap();
    let teams: Vec<String> = sqlx::query_scalar("select name from team order by name")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    for team in std::iter::once(None).chain(teams.iter().map(|t| Some(t.as_str()))) {
        let kept = report::build_many_from(&mut conn, periods, team, today, FactsFrom::Months)
            .await
            .unwrap();
        let raw = report::build_many_from(&mut conn, periods, team, today, FactsFrom::RawRows)
            .await
            .unwrap();
        for (kept, raw) in kept.iter().zip(&raw) {
            assert_eq!(
                serde_json::to_value(kept).unwrap(),
                serde_json::to_value(raw).unwrap(),
                "{step}: the report of {} for {team:?}",
                kept.period
            );
        }
    }
}

async fn execute(app: &TestApp, sql: &str) -> u64 {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&app.pool)
        .await
        .unwrap()
        .rows_affected()
}

#[tokio::test]
async fn month_facts_equal_the_raw_rows_through_every_kind_of_change() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("company");
    let printed = ok(&attune_command()
        .args([
            "generate",
            "--employees",
            "240",
            "--years",
            "2",
            "--seed",
            "5",
            "--until",
            "2025-11-20",
            "--out",
            &out.display().to_string(),
        ])
        .output()
        .unwrap());
    let mut imports = 0;
    for line in printed.lines() {
        if let Some(command) = line.trim().strip_prefix("attune ") {
            let args: Vec<&str> = command.split(' ').collect();
            ok(&app.cli(&args));
            imports += 1;
        }
    }
    assert_eq!(imports, 7, "{printed}");

    let from = NaiveDate::from_ymd_opt(2023, 9, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    let all = periods(from, to);
    let today = NaiveDate::from_ymd_opt(2025, 12, 15).unwrap();
    assert_same_facts(&app, &all, "after the imports").await;

    // A survey round's answers count on its opening day.
    execute(
        &app,
        "insert into survey_round (opens_on, closes_on, status, items, created_by)
         values ('2025-06-16', '2025-06-27', 'closed', '{}', 'test');
         insert into survey_answer (survey_round_id, team_id, heard, supported, valued, enps)
         select (select max(survey_round_id) from survey_round), t.team_id,
                1 + (g % 5), case when g % 3 = 0 then null else 1 + (g * 7 % 5) end,
                1 + (g * 3 % 5), case when g % 4 = 0 then null else g % 11 end
         from team t cross join generate_series(1, 9) g",
    )
    .await;
    assert_same_facts(&app, &all, "after a round's answers").await;

    // Edits made outside Attune, with psql: a team move, salaries, an absence's length, CSAT
    // scores and dates, pulse answers, a termination, customers served by two teams or by none,
    // activity without revenue.
    execute(
        &app,
        "update employee set team_id = (select min(team_id) from team)
         where employee_id in (select employee_id from employee
                               where team_id <> (select min(team_id) from team)
                               order by employee_id limit 7);
         update employee set annual_salary = null
         where employee_id in (select employee_id from employee order by employee_id desc limit 5);
         update employee set annual_salary = 91234.56
         where annual_salary is null and employee_id in
             (select employee_id from employee order by employee_id limit 30);
         update employee set termination_date = '2025-03-31', termination_type = 'voluntary',
             regretted = true
         where employee_id = (select min(employee_id) from employee
                              where termination_date is null and hire_date < '2025-01-01');
         update absence set days = 1.5 where absence_id in
             (select absence_id from absence where end_date > start_date + 3 limit 20);
         update absence set end_date = end_date + 40 where absence_id in
             (select absence_id from absence order by absence_id limit 10);
         update csat_response set score = 6 - score, responded_on = responded_on - 20
         where csat_response_id % 17 = 0;
         update pulse_response set heard = null, enps = 10 where pulse_response_id % 13 = 0;
         insert into customer_activity (customer_id, period_start, period_end, revenue, team_id)
         select customer_id, period_start, period_end, revenue / 3,
             case when customer_activity_id % 2 = 0 then null
                  else (select max(team_id) from team where team_id <> c.team_id) end
         from customer_activity c
         where customer_id in (select distinct customer_id from customer_activity
                               order by customer_id limit 40)
           and customer_activity_id % 3 <> 0;
         update customer_activity set revenue = 0 where customer_activity_id % 11 = 0;",
    )
    .await;
    assert_same_facts(&app, &all, "after edits by psql").await;

    // An erasure (the person's salary goes) and a deletion (their absences go with them).
    let erased: String = sqlx::query_scalar(
        "select e.external_id from employee e join absence a using (employee_id)
         where e.annual_salary is not null and not a.planned order by e.employee_id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    ok(&app.cli(&["employee", "erase", &erased]));
    let deleted = execute(
        &app,
        "delete from employee where employee_id in
             (select employee_id from absence group by employee_id order by count(*) desc limit 3)",
    )
    .await;
    assert_eq!(deleted, 3);
    assert_same_facts(&app, &all, "after an erasure and a deletion").await;
    assert_same_reports(&app, &all[..12], today, "after an erasure and a deletion").await;

    // Undoing the CSAT import and the round's deletion take their rows away.
    let csat_import: i64 =
        sqlx::query_scalar("select max(import_id) from import where kind = 'csat'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    ok(&app.cli(&["imports", "undo", &csat_import.to_string(), "--yes"]));
    execute(&app, "delete from survey_round").await;
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from csat_month where responses <> 0")
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        0,
        "no CSAT is left to count"
    );
    // The CSAT file again, to have CSAT to compare.
    let csat_file = out.join("csat.csv").display().to_string();
    ok(&app.cli(&["import", "csat", &csat_file]));
    assert_same_facts(
        &app,
        &all,
        "after an undo, a round's deletion and a new import",
    )
    .await;

    // Every figure of every report, under the default minimum group size and a larger one.
    assert_same_reports(&app, &all, today, "default settings").await;
    let mut conn = app.pool.acquire().await.unwrap();
    db::settings::set(&mut conn, db::settings::MIN_GROUP_SIZE, &12_i64)
        .await
        .unwrap();
    drop(conn);
    assert_same_reports(&app, &all, today, "minimum group size 12").await;
}

#[tokio::test]
async fn weekdays_between_counts_as_it_did_before_migration_0010() {
    let app = TestApp::spawn().await;
    // The definition of migration 0003, against the one that replaced it, for every pair of
    // days over three months around a year's end (and both orders).
    let differing: i64 = sqlx::query_scalar(
        "select count(*)
         from generate_series(date '1999-11-20', date '2000-02-10', '1 day') as a(a),
              generate_series(date '1999-11-20', date '2000-02-10', '1 day') as b(b)
         where weekdays_between(a::date, b::date) is distinct from (
             case when b < a then 0 else
                 ((b::date - a::date + 1) / 7) * 5
                 + (select count(*)::integer
                    from generate_series(0, ((b::date - a::date + 1) % 7) - 1) as i
                    where extract(isodow from a::date + i) < 6)
             end)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(differing, 0);
}
