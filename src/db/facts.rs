//! Facts for scoring: counts and sums per team and period, computed set-based in PostgreSQL.
//!
//! Each query takes every requested period at once (arrays of start and end dates, unnested
//! with their index) and groups by `grouping sets ((period, team), (period))`: the second set
//! gives the organization, computed over all rows — never from the teams' rates, and counting a
//! customer active in two teams once.
//!
//! The roster, CSAT and pulse are read from their facts by team and month, absences and
//! customers from theirs by month, quarter and year (migration 0010: kept by triggers in the
//! transaction of every change), so that a period costs what it holds in months, not in raw
//! rows; promotions and measures are few and read from their own rows. [`raw`] computes the same facts from the raw rows: the reference that
//! tests/integration/month_facts.rs compares these with.

pub mod raw;

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::period::{Granularity, Period};
use crate::scoring::{Facts, MeasureFacts, RosterFacts};

pub use crate::scoring::PeriodFacts;

impl PeriodFacts {
    /// The facts of `team` (the organization for None) to fill in.
    pub(super) fn scope(&mut self, team: Option<String>) -> &mut Facts {
        match team {
            Some(name) => self.teams.entry(name).or_default(),
            None => &mut self.org,
        }
    }
}

pub(super) struct Bounds {
    pub(super) starts: Vec<NaiveDate>,
    pub(super) ends: Vec<NaiveDate>,
    pub(super) previous_starts: Vec<NaiveDate>,
    pub(super) previous_ends: Vec<NaiveDate>,
    /// Each period's length as `date_trunc` names it: month, quarter or year.
    pub(super) units: Vec<&'static str>,
}

/// The rows of the queries of each kind — period index, whether it is the organization, the
/// team, then the facts — the same whether read from the month facts or the raw rows.
pub(super) type RosterRow = (
    i64,
    bool,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    f64,
    i64,
    i64,
);
pub(super) type AbsenceRow = (i64, bool, Option<String>, f64, f64, f64, i64);
pub(super) type CsatRow = (i64, bool, Option<String>, i64, i64);
pub(super) type PulseRow = (i64, bool, Option<String>, i64, i64, i64, i64, i64, i64, i64);
pub(super) type CustomerRow = (i64, bool, Option<String>, i64, i64, i64, f64);

/// Put the rows of the roster query, from either computation, into `out`.
pub(super) fn fill_roster(out: &mut [PeriodFacts], rows: Vec<RosterRow>) {
    for (
        idx,
        is_org,
        name,
        start,
        end,
        sep,
        vol,
        invol,
        regretted,
        first_year,
        salaries,
        unpriced,
        scheduled,
    ) in rows
    {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        let f = out[(idx - 1) as usize].scope(scope);
        f.roster = RosterFacts {
            headcount_start: start,
            headcount_end: end,
            separations: sep,
            voluntary_separations: vol,
            involuntary_separations: invol,
        };
        f.regretted_separations = regretted;
        f.first_year_separations = first_year;
        f.separation_salaries = salaries;
        f.separations_unpriced = unpriced;
        f.scheduled_days = scheduled as f64;
    }
}

/// Put the rows of the absences query, from either computation, into `out`.
pub(super) fn fill_absences(out: &mut [PeriodFacts], rows: Vec<AbsenceRow>) {
    for (idx, is_org, name, days, cost, unpriced, priced_people) in rows {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        let f = out[(idx - 1) as usize].scope(scope);
        f.absence_days = days;
        f.absence_cost = cost;
        f.absence_days_unpriced = unpriced;
        f.absence_priced_people = priced_people;
    }
}

/// Put the rows of the csat query, from either computation, into `out`.
pub(super) fn fill_csat(out: &mut [PeriodFacts], rows: Vec<CsatRow>) {
    for (idx, is_org, name, responses, positive) in rows {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        let f = out[(idx - 1) as usize].scope(scope);
        f.csat_responses = responses;
        f.csat_positive = positive;
    }
}

/// Put the rows of the pulse query, from either computation, into `out`.
pub(super) fn fill_pulse(out: &mut [PeriodFacts], rows: Vec<PulseRow>) {
    for (
        idx,
        is_org,
        name,
        responses,
        respondents,
        favorable,
        answers,
        enps_answers,
        promoters,
        detractors,
    ) in rows
    {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        let f = out[(idx - 1) as usize].scope(scope);
        f.pulse.responses = responses;
        f.pulse.empathy_respondents = respondents;
        f.pulse.favorable_answers = favorable;
        f.pulse.answers = answers;
        f.pulse.enps_answers = enps_answers;
        f.pulse.enps_promoters = promoters;
        f.pulse.enps_detractors = detractors;
    }
}

/// Put the rows of the customers query, from either computation, into `out`.
pub(super) fn fill_customers(out: &mut [PeriodFacts], rows: Vec<CustomerRow>) {
    for (idx, is_org, name, before, retained, active, revenue) in rows {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        let c = &mut out[(idx - 1) as usize].scope(scope).customers;
        c.active_previous = before;
        c.retained = retained;
        c.active = active;
        c.revenue = revenue;
    }
}

/// A row's team: None for the organization's grouping set.
pub(super) fn team(is_org: bool, name: Option<String>) -> Option<Option<String>> {
    match (is_org, name) {
        (true, _) => Some(None),
        (false, Some(name)) => Some(Some(name)),
        // Rows without a team (customers, measures) count only for the organization.
        (false, None) => None,
    }
}

impl Bounds {
    pub(super) fn of(periods: &[Period]) -> Bounds {
        Bounds {
            starts: periods.iter().map(Period::start).collect(),
            ends: periods.iter().map(Period::end).collect(),
            previous_starts: periods.iter().map(|p| p.previous().start()).collect(),
            previous_ends: periods.iter().map(|p| p.previous().end()).collect(),
            units: periods
                .iter()
                .map(|p| match p.granularity() {
                    Granularity::Month => "month",
                    Granularity::Quarter => "quarter",
                    Granularity::Year => "year",
                })
                .collect(),
        }
    }
}

/// Refresh PostgreSQL's statistics of the facts reports read, inside a transaction that changed
/// many of them (a large import, an undo): the first report after it is planned with the new
/// sizes instead of waiting for autovacuum (a plan made for an empty table sorts on disk).
pub async fn analyze(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "analyze roster_month, absence_team, customer_period, csat_month, pulse_month,
                 pulse_round",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The facts of each of `periods`, in the same order.
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
    // Every team's months from the first period's start to the last one's end, with the
    // headcount on each month's first and last day as running sums of the events before it
    // (see migration 0010).
    let rows: Vec<RosterRow> = sqlx::query_as(
        "with p as (
             select start_date, end_date, idx
             from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)),
         m as (
             select g::date as month, (g + interval '1 month - 1 day')::date as last_day
             from generate_series((select min(start_date) from p), (select max(end_date) from p),
                                  interval '1 month') as g),
         before as (
             select team_id, sum(hires) as hires, sum(separations) as separations
             from roster_month
             where month < (select min(start_date) from p)
             group by team_id),
         grid as (
             select t.name, m.month, m.last_day,
                 weekdays_between(m.month, m.last_day) as weekdays,
                 coalesce(r.hires, 0) as hires,
                 coalesce(r.hires_first_day, 0) as hires_first_day,
                 coalesce(r.separations, 0) as separations,
                 coalesce(r.separations_last_day, 0) as separations_last_day,
                 coalesce(r.separations_early, 0) as separations_early,
                 coalesce(r.partial_days, 0) as partial_days,
                 coalesce(r.voluntary, 0) as voluntary,
                 coalesce(r.involuntary, 0) as involuntary,
                 coalesce(r.regretted, 0) as regretted,
                 coalesce(r.first_year, 0) as first_year,
                 coalesce(r.separation_salaries, 0) as separation_salaries,
                 coalesce(r.separations_unpriced, 0) as separations_unpriced,
                 coalesce(b.hires, 0)
                     + coalesce(sum(r.hires) over w - r.hires, sum(r.hires) over w, 0)
                     as hires_before,
                 coalesce(b.separations, 0)
                     + coalesce(sum(r.separations) over w - r.separations,
                                sum(r.separations) over w, 0)
                     as separations_before
             from team t
             cross join m
             left join before b on b.team_id = t.team_id
             left join roster_month r on r.team_id = t.team_id and r.month = m.month
             window w as (partition by t.team_id order by m.month)),
         months as (
             select *,
                 hires_before + hires_first_day - separations_before as headcount_first,
                 hires_before + hires - separations_before - (separations - separations_last_day)
                     as headcount_last
             from grid)
         select p.idx, grouping(g.name) = 1, g.name,
             coalesce(sum(g.headcount_first) filter (where g.month = p.start_date), 0)::int8,
             coalesce(sum(g.headcount_last) filter (where g.last_day = p.end_date), 0)::int8,
             sum(g.separations)::int8,
             sum(g.voluntary)::int8,
             sum(g.involuntary)::int8,
             sum(g.regretted)::int8,
             sum(g.first_year)::int8,
             sum(g.separation_salaries)::float8,
             sum(g.separations_unpriced)::int8,
             sum((g.headcount_first - g.separations_early) * g.weekdays + g.partial_days)::int8
         from p
         join months g on g.month between p.start_date and p.end_date
         group by grouping sets ((p.idx, g.name), (p.idx))",
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
             coalesce(sum(a.days), 0)::float8,
             coalesce(sum(a.salary_days)::float8 / 260, 0),
             coalesce(sum(a.unpriced_days), 0)::float8,
             coalesce(sum(a.priced_people), 0)::int8
         from unnest($1::date[], $2::text[]) with ordinality as p(start_date, unit, idx)
         join absence_team a on a.unit = p.unit and a.start_date = p.start_date
         join team t on t.team_id = a.team_id
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.units)
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
        "select p.idx, grouping(t.name) = 1, t.name, sum(c.responses)::int8, sum(c.positive)::int8
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join csat_month c on c.month between p.start_date and p.end_date
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
    // Imported responses by month; a survey round's answers on its opening day.
    let rows: Vec<PulseRow> = sqlx::query_as(
        "with answers as (
             select team_id, month as day, responses, empathy_respondents, favorable_answers,
                 answers, enps_answers, enps_promoters, enps_detractors
             from pulse_month
             union all
             select a.team_id, r.opens_on, a.responses, a.empathy_respondents,
                 a.favorable_answers, a.answers, a.enps_answers, a.enps_promoters,
                 a.enps_detractors
             from pulse_round a
             join survey_round r using (survey_round_id))
         select p.idx, grouping(t.name) = 1, t.name,
             sum(x.responses)::int8, sum(x.empathy_respondents)::int8,
             sum(x.favorable_answers)::int8, sum(x.answers)::int8, sum(x.enps_answers)::int8,
             sum(x.enps_promoters)::int8, sum(x.enps_detractors)::int8
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join answers x on x.day between p.start_date and p.end_date
         join team t on t.team_id = x.team_id
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    fill_pulse(out, rows);
    Ok(())
}

pub(super) async fn promotions(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, bool, Option<String>, i64)> = sqlx::query_as(
        "select p.idx, grouping(t.name) = 1, t.name, count(*)
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join promotion m on m.effective_date between p.start_date and p.end_date
         join employee e on e.employee_id = m.employee_id
         join team t on t.team_id = e.team_id
         group by grouping sets ((p.idx, t.name), (p.idx))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    for (idx, is_org, name, count) in rows {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        out[(idx - 1) as usize].scope(scope).promotions = count;
    }
    Ok(())
}

async fn customers(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<CustomerRow> = sqlx::query_as(
        "with wanted as (
             select idx, unit, start_date as day, true as current
             from unnest($1::date[], $2::date[], $3::text[]) with ordinality
                  as p(start_date, previous_start, unit, idx)
             union all
             select idx, unit, previous_start, false
             from unnest($1::date[], $2::date[], $3::text[]) with ordinality
                  as p(start_date, previous_start, unit, idx)
         ),
         activity as (
             select w.idx, c.customer_id, c.team_id,
                 bool_or(w.current) as active,
                 bool_or(not w.current) as active_before,
                 sum(c.revenue) filter (where w.current) as revenue_cents
             from wanted w
             join customer_period c on c.unit = w.unit and c.start_date = w.day
                  and c.activities > 0
             group by w.idx, c.customer_id, c.team_id
         ),
         -- In the organization, a customer of two teams counts once: retained when it was
         -- in one of them.
         customers as (
             select idx, bool_or(active) as active, bool_or(active_before) as active_before,
                 bool_or(active and active_before) as retained,
                 sum(revenue_cents) as revenue_cents
             from activity
             group by idx, customer_id
         )
         select a.idx, false, t.name,
             count(*) filter (where a.active_before),
             count(*) filter (where a.active_before and a.active),
             count(*) filter (where a.active),
             coalesce(sum(a.revenue_cents)::numeric / 100, 0)::float8
         from activity a
         left join team t on t.team_id = a.team_id
         group by a.idx, a.team_id, t.name
         union all
         select idx, true, null,
             count(*) filter (where active_before),
             count(*) filter (where retained),
             count(*) filter (where active),
             coalesce(sum(revenue_cents)::numeric / 100, 0)::float8
         from customers
         group by idx",
    )
    .bind(&b.starts)
    .bind(&b.previous_starts)
    .bind(&b.units)
    .fetch_all(&mut *conn)
    .await?;
    fill_customers(out, rows);
    Ok(())
}

pub(super) async fn measures(
    conn: &mut PgConnection,
    b: &Bounds,
    out: &mut [PeriodFacts],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, bool, Option<String>, String, f64, i64)> = sqlx::query_as(
        "select p.idx, grouping(t.name) = 1, t.name, m.metric, sum(m.value), count(*)
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         join measure m on m.period_start between p.start_date and p.end_date
         left join team t on t.team_id = m.team_id
         group by grouping sets ((p.idx, t.name, m.metric), (p.idx, m.metric))",
    )
    .bind(&b.starts)
    .bind(&b.ends)
    .fetch_all(&mut *conn)
    .await?;
    for (idx, is_org, name, metric, sum, count) in rows {
        let Some(scope) = team(is_org, name) else {
            continue;
        };
        out[(idx - 1) as usize]
            .scope(scope)
            .measures
            .insert(metric, MeasureFacts { sum, count });
    }
    Ok(())
}
