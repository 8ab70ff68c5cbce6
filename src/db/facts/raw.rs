//! The facts computed from the raw rows at every request, as Attune did before it kept them by
//! team and month (migration 0010): the reference the month facts are tested against
//! (tests/integration/month_facts.rs), coverage rules and privacy included. Nothing else uses
//! it. Promotions, customers and measures are read from their rows by both.

use sqlx::PgConnection;

use super::{
    AbsenceRow, Bounds, CsatRow, CustomerRow, PulseRow, RosterRow, fill_absences, fill_csat,
    fill_customers, fill_pulse, fill_roster, measures, promotions,
};
use crate::period::Period;
use crate::scoring::PeriodFacts;

/// The facts of each of `periods`, in the same order, from the raw rows.
pub async fn collect(
    conn: &mut PgConnection,
    periods: &[Period],
) -> Result<Vec<PeriodFacts>, sqlx::Error> {
    let bounds = Bounds::of(periods);
    let mut result = vec![PeriodFacts::default(); periods.len()];
    roster(conn, &bounds, &mut result).await?;
    absences(conn, &bounds, &mut result).await?;
    promotions(conn, &bounds, &mut result).await?;
    csat(conn, &bounds, &mut result).await?;
    pulse(conn, &bounds, &mut result).await?;
    customers(conn, &bounds, &mut result).await?;
    measures(conn, &bounds, &mut result).await?;
    Ok(result)
}

async fn roster(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<RosterRow> = sqlx::query_as(
        "select p.idx, grouping(t.name) = 1, t.name,
             count(e.employee_id) filter (where e.hire_date <= p.start_date
                 and (e.termination_date is null or e.termination_date >= p.start_date)),
             count(e.employee_id) filter (where e.hire_date <= p.end_date
                 and (e.termination_date is null or e.termination_date >= p.end_date)),
             count(e.employee_id) filter (where s.left_in_period),
             count(e.employee_id) filter (where s.left_in_period and e.termination_type = 'voluntary'),
             count(e.employee_id) filter (where s.left_in_period and e.termination_type = 'involuntary'),
             count(e.employee_id) filter (where s.left_in_period and e.regretted),
             count(e.employee_id) filter (where s.left_in_period
                 and e.termination_date - e.hire_date < 365),
             coalesce(sum(e.annual_salary) filter (where s.left_in_period), 0)::float8,
             count(e.employee_id) filter (where s.left_in_period and e.annual_salary is null),
             coalesce(sum(weekdays_between(greatest(e.hire_date, p.start_date),
                 least(coalesce(e.termination_date, p.end_date), p.end_date)))
                 filter (where e.employee_id is not null), 0)::int8
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         cross join team t
         left join employee e on e.team_id = t.team_id
         cross join lateral (select e.termination_date between p.start_date and p.end_date
                             as left_in_period) s
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    fill_roster(out, rows);
    Ok(())
}

async fn absences(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<AbsenceRow> = sqlx::query_as(
        "select p.idx, grouping(t.name) = 1, t.name,
             coalesce(sum(w.weight), 0)::float8,
             coalesce(sum(w.weight * e.annual_salary)::float8 / 260, 0),
             coalesce(sum(w.weight) filter (where e.annual_salary is null), 0)::float8,
             count(distinct e.employee_id) filter (where e.annual_salary is not null and w.weight > 0)
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join absence a on not a.planned and a.start_date <= p.end_date and a.end_date >= p.start_date
         join employee e on e.employee_id = a.employee_id
         join team t on t.team_id = e.team_id
         cross join lateral (
             select weekdays_between(greatest(a.start_date, p.start_date),
                                     least(a.end_date, p.end_date))::numeric
                    * coalesce(a.days / nullif(weekdays_between(a.start_date, a.end_date), 0), 1)
                    as weight) w
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    fill_absences(out, rows);
    Ok(())
}

async fn csat(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<CsatRow> = sqlx::query_as(
        "select p.idx, grouping(t.name) = 1, t.name, count(*), count(*) filter (where c.score >= 4)
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join csat_response c on c.responded_on between p.start_date and p.end_date
         join team t on t.team_id = c.team_id
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    fill_csat(out, rows);
    Ok(())
}

async fn pulse(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<PulseRow> = sqlx::query_as(
        "select p.idx, grouping(t.name) = 1, t.name,
             count(*),
             count(*) filter (where r.heard is not null or r.supported is not null
                                    or r.valued is not null),
             (count(*) filter (where r.heard >= 4) + count(*) filter (where r.supported >= 4)
                 + count(*) filter (where r.valued >= 4)),
             count(r.heard) + count(r.supported) + count(r.valued),
             count(r.enps),
             count(*) filter (where r.enps >= 9),
             count(*) filter (where r.enps <= 6)
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join pulse_answer r on r.submitted_on between p.start_date and p.end_date
         join team t on t.team_id = r.team_id
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    fill_pulse(out, rows);
    Ok(())
}

async fn customers(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<CustomerRow> = sqlx::query_as(
        "with activity as (
             select p.idx, c.customer_id, t.name as team,
                 bool_or(c.period_start between p.start_date and p.end_date) as active,
                 bool_or(c.period_start between p.previous_start and p.previous_end) as active_before,
                 sum(c.revenue) filter (where c.period_start between p.start_date and p.end_date) as revenue
             from unnest($1::date[], $2::date[], $3::date[], $4::date[]) with ordinality
                  as p(start_date, end_date, previous_start, previous_end, idx)
             join customer_activity c on c.revenue > 0
                  and c.period_start between p.previous_start and p.end_date
             left join team t on t.team_id = c.team_id
             group by p.idx, c.customer_id, t.name
         )
         select idx, grouping(team) = 1, team,
             count(distinct customer_id) filter (where active_before),
             count(distinct customer_id) filter (where active_before and active),
             count(distinct customer_id) filter (where active),
             coalesce(sum(revenue), 0)::float8
         from activity
         group by grouping sets ((idx, team), (idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .bind(&b.previous_starts)
    .bind(&b.previous_ends)
    .fetch_all(&mut *conn)
    .await?;
    fill_customers(out, rows);
    Ok(())
}
