-- Facts kept by team and month, so that a report's figures cost what its periods hold in months,
-- not what the raw rows hold (src/db/facts.rs reads them; docs/performance.md explains). Every
-- period Attune reports is made of whole months. Statement-level triggers with transition tables
-- keep these tables right inside the transaction of every change to the raw rows, whoever makes it
-- (an import, an undo, an erasure, a survey's answers, psql): each change adds what the new rows
-- bring and takes away what the old rows brought, so the cost of keeping them is the cost of the
-- rows changed. Sums of money and weighted days are numeric (revenue: integer cents), so that
-- adding them up by month gives exactly the figures the raw rows give
-- (tests/integration/month_facts.rs compares the two). Rows are upserted in key order, so that
-- two transactions changing the same facts wait for each other instead of deadlocking.
--
-- Absences and customers are kept by month, quarter and year (`unit`, as date_trunc names it),
-- because what they count per period is distinct people and customers, which months cannot add
-- up to. Promotions and measures are few and read from their own tables.

-- Monday–Friday days from a to b inclusive (0 when b < a), as before (migration 0003), now without
-- a set-returning subquery: Monday–Friday days before x, counted from 0001-01-01 (a Monday), so
-- that PostgreSQL inlines it.
create function weekdays_before(x date) returns integer
language sql immutable parallel safe as $$
    select ((x - date '0001-01-01') - ((x - date '0001-01-01') % 7 + 7) % 7) / 7 * 5
           + least(((x - date '0001-01-01') % 7 + 7) % 7, 5)
$$;

create or replace function weekdays_between(a date, b date) returns integer
language sql immutable parallel safe as $$
    select case when b < a then 0 else weekdays_before(b + 1) - weekdays_before(a) end
$$;

-- The roster's events by team and month: who was hired and who left in it, and the working days
-- of those employed for part of it. Headcounts and scheduled days of any month are running sums of
-- these (src/db/facts.rs): headcount on the first day = hired before the month + hired on its
-- first day - left before the month; those employed the whole month = that headcount - those
-- hired by its first day who left before its last.
create table roster_month (
    team_id              bigint not null references team (team_id) on delete cascade,
    month                date not null,
    hires                bigint not null,
    hires_first_day      bigint not null,
    separations          bigint not null,
    separations_last_day bigint not null,
    -- Hired on or before the first day, left before the last day.
    separations_early    bigint not null,
    -- Monday–Friday days worked in the month by those not employed all of it.
    partial_days         bigint not null,
    voluntary            bigint not null,
    involuntary          bigint not null,
    regretted            bigint not null,
    first_year           bigint not null,
    separation_salaries  numeric not null,
    separations_unpriced bigint not null,
    primary key (team_id, month)
);

-- Unplanned absence by employee and month, quarter and year (an absence spanning months is split
-- by its working days), with the employee's team and whether a salary prices it, as they are now:
-- a change of either recomputes the employee's rows. By employee, because the people behind
-- absence cost are counted once per period however many months they were absent in.
create table absence_period (
    employee_id bigint not null,
    unit        text not null,
    start_date  date not null,
    team_id     bigint not null references team (team_id) on delete cascade,
    salaried    boolean not null,
    -- Σ weighted absence days (weekdays in the period × days ÷ weekdays of the whole absence).
    days        numeric not null,
    -- Σ weighted days × annual salary (0 without a salary): ÷ 260 gives absence cost.
    salary_days numeric not null,
    -- Absence-months with at least one weekday in the period.
    absences    bigint not null,
    -- `absences` before the last change (what tells whether the employee started or stopped
    -- counting among the people with a salary behind absence cost).
    absences_before bigint not null default 0,
    primary key (employee_id, unit, start_date),
    constraint absence_period_unit check (unit in ('month', 'quarter', 'year'))
);

-- The same by team: what reports read.
create table absence_team (
    team_id       bigint not null references team (team_id) on delete cascade,
    unit          text not null,
    start_date    date not null,
    days          numeric not null,
    salary_days   numeric not null,
    -- Σ weighted days of people without a salary.
    unpriced_days numeric not null,
    -- People with a salary and an absence with a weekday in the period.
    priced_people bigint not null,
    primary key (unit, start_date, team_id),
    constraint absence_team_unit check (unit in ('month', 'quarter', 'year'))
);

-- Customers' revenue (rows with revenue > 0 only: a customer is active in a period when it
-- brought revenue in it) by customer, team, and month, quarter and year of its first day.
create table customer_period (
    customer_id text not null,
    team_id     bigint references team (team_id) on delete cascade,
    unit        text not null,
    start_date  date not null,
    -- In cents (revenue has two decimals): summed as integers, exactly.
    revenue     bigint not null,
    -- Activity rows behind it (0: no longer active in the period).
    activities  bigint not null,
    constraint customer_period_unit check (unit in ('month', 'quarter', 'year'))
);
create unique index customer_period_key
    on customer_period (unit, start_date, customer_id, coalesce(team_id, 0));

create table csat_month (
    team_id   bigint not null references team (team_id) on delete cascade,
    month     date not null,
    responses bigint not null,
    positive  bigint not null,
    primary key (team_id, month)
);

-- Imported pulse responses by team and month of submission.
create table pulse_month (
    team_id             bigint not null references team (team_id) on delete cascade,
    month               date not null,
    responses           bigint not null,
    empathy_respondents bigint not null,
    favorable_answers   bigint not null,
    answers             bigint not null,
    enps_answers        bigint not null,
    enps_promoters      bigint not null,
    enps_detractors     bigint not null,
    primary key (team_id, month)
);

-- A survey round's answers by team; they count on the round's opening day (view pulse_answer).
create table pulse_round (
    survey_round_id     bigint not null references survey_round (survey_round_id) on delete cascade,
    team_id             bigint not null references team (team_id) on delete cascade,
    responses           bigint not null,
    empathy_respondents bigint not null,
    favorable_answers   bigint not null,
    answers             bigint not null,
    enps_answers        bigint not null,
    enps_promoters      bigint not null,
    enps_detractors     bigint not null,
    primary key (survey_round_id, team_id)
);

-- The statement that adds (sign 1) or takes away (sign -1) what the rows of `source` (a table, or a
-- trigger's transition table) bring to the month facts of `kind`. One text per kind, used by the
-- triggers below and by the first fill at the end.
create function month_facts_sql(kind text, source text, sign integer) returns text
language plpgsql immutable as $$
declare
    pulse_counts constant text := '
        SIGN * count(*),
        SIGN * count(*) filter (where r.heard is not null or r.supported is not null
                                       or r.valued is not null),
        SIGN * (count(*) filter (where r.heard >= 4) + count(*) filter (where r.supported >= 4)
                + count(*) filter (where r.valued >= 4)),
        SIGN * (count(r.heard) + count(r.supported) + count(r.valued)),
        SIGN * count(r.enps),
        SIGN * count(*) filter (where r.enps >= 9),
        SIGN * count(*) filter (where r.enps <= 6)';
    pulse_update constant text := '
        responses = f.responses + excluded.responses,
        empathy_respondents = f.empathy_respondents + excluded.empathy_respondents,
        favorable_answers = f.favorable_answers + excluded.favorable_answers,
        answers = f.answers + excluded.answers,
        enps_answers = f.enps_answers + excluded.enps_answers,
        enps_promoters = f.enps_promoters + excluded.enps_promoters,
        enps_detractors = f.enps_detractors + excluded.enps_detractors';
begin
    case kind
    when 'roster' then
        return format($q$
            insert into roster_month as f
            select e.team_id, m.month,
                %2$s * count(*) filter (where e.hire_date between m.month and m.last_day),
                %2$s * count(*) filter (where e.hire_date = m.month),
                %2$s * count(*) filter (where e.termination_date between m.month and m.last_day),
                %2$s * count(*) filter (where e.termination_date = m.last_day),
                %2$s * count(*) filter (where e.hire_date <= m.month
                    and e.termination_date >= m.month and e.termination_date < m.last_day),
                %2$s * coalesce(sum(weekdays_between(greatest(e.hire_date, m.month),
                        least(coalesce(e.termination_date, m.last_day), m.last_day)))
                    filter (where e.hire_date > m.month or e.termination_date < m.last_day), 0),
                %2$s * count(*) filter (where e.termination_date between m.month and m.last_day
                    and e.termination_type = 'voluntary'),
                %2$s * count(*) filter (where e.termination_date between m.month and m.last_day
                    and e.termination_type = 'involuntary'),
                %2$s * count(*) filter (where e.termination_date between m.month and m.last_day
                    and e.regretted),
                %2$s * count(*) filter (where e.termination_date between m.month and m.last_day
                    and e.termination_date - e.hire_date < 365),
                %2$s * coalesce(sum(e.annual_salary) filter (
                    where e.termination_date between m.month and m.last_day), 0),
                %2$s * count(*) filter (where e.termination_date between m.month and m.last_day
                    and e.annual_salary is null)
            from %1$s e
            cross join lateral (
                select distinct month
                from unnest(array[date_trunc('month', e.hire_date)::date,
                                  date_trunc('month', e.termination_date)::date]) as u(month)
                where month is not null) u
            cross join lateral (
                select u.month, (u.month + interval '1 month - 1 day')::date as last_day) m
            group by e.team_id, m.month
            order by e.team_id, m.month
            on conflict (team_id, month) do update set
                hires = f.hires + excluded.hires,
                hires_first_day = f.hires_first_day + excluded.hires_first_day,
                separations = f.separations + excluded.separations,
                separations_last_day = f.separations_last_day + excluded.separations_last_day,
                separations_early = f.separations_early + excluded.separations_early,
                partial_days = f.partial_days + excluded.partial_days,
                voluntary = f.voluntary + excluded.voluntary,
                involuntary = f.involuntary + excluded.involuntary,
                regretted = f.regretted + excluded.regretted,
                first_year = f.first_year + excluded.first_year,
                separation_salaries = f.separation_salaries + excluded.separation_salaries,
                separations_unpriced = f.separations_unpriced + excluded.separations_unpriced
            $q$, source, sign);
    when 'absence' then
        -- Rows of employees no longer there (an erasure's cascade) bring nothing: the employee's
        -- own trigger removes their rows. The team's people with a salary change by those whose
        -- absences go from none to some, or back.
        return format($q$
            with pieces as (
                select a.employee_id, m.month,
                    sum(d.weekdays::numeric
                        * coalesce(a.days / nullif(weekdays_between(a.start_date, a.end_date), 0), 1))
                        as days,
                    count(*) filter (where d.weekdays > 0) as absences
                from %1$s a
                cross join lateral generate_series(date_trunc('month', a.start_date),
                                                   a.end_date, interval '1 month') as g(first_day)
                cross join lateral (
                    select g.first_day::date as month,
                           (g.first_day + interval '1 month - 1 day')::date as last_day) m
                cross join lateral (
                    select weekdays_between(greatest(a.start_date, m.month),
                                            least(a.end_date, m.last_day)) as weekdays) d
                where not a.planned
                group by a.employee_id, m.month),
            periods as (
                select employee_id, 'month' as unit, month as start_date, days, absences
                from pieces
                union all
                select employee_id, unit, start_date, sum(days), sum(absences)
                from (select p.employee_id, u.unit, date_trunc(u.unit, p.month)::date as start_date,
                             p.days, p.absences
                      from pieces p
                      cross join unnest(array['quarter', 'year']) as u(unit)) x
                group by employee_id, unit, start_date),
            src as (
                select p.employee_id, p.unit, p.start_date, e.team_id,
                    e.annual_salary is not null as salaried,
                    %2$s * p.days as days,
                    %2$s * coalesce(p.days * e.annual_salary, 0) as salary_days,
                    %2$s * p.absences as absences
                from periods p
                join employee e on e.employee_id = p.employee_id),
            kept as (
                insert into absence_period as f
                    (employee_id, unit, start_date, team_id, salaried, days, salary_days, absences)
                select employee_id, unit, start_date, team_id, salaried, days, salary_days, absences
                from src
                on conflict (employee_id, unit, start_date) do update set
                    days = f.days + excluded.days,
                    salary_days = f.salary_days + excluded.salary_days,
                    absences = f.absences + excluded.absences,
                    absences_before = f.absences
                returning f.team_id, f.unit, f.start_date, f.salaried, f.absences,
                    f.absences_before),
            sums as (
                select team_id, unit, start_date, sum(days) as days,
                    sum(salary_days) as salary_days,
                    coalesce(sum(days) filter (where not salaried), 0) as unpriced_days
                from src
                group by team_id, unit, start_date),
            people as (
                select team_id, unit, start_date,
                    count(*) filter (where absences > 0 and absences_before <= 0)
                    - count(*) filter (where absences <= 0 and absences_before > 0) as priced_people
                from kept
                where salaried
                group by team_id, unit, start_date)
            insert into absence_team as t
            select s.team_id, s.unit, s.start_date, s.days, s.salary_days, s.unpriced_days,
                coalesce(p.priced_people, 0)
            from sums s
            left join people p using (team_id, unit, start_date)
            order by s.unit, s.start_date, s.team_id
            on conflict (unit, start_date, team_id) do update set
                days = t.days + excluded.days,
                salary_days = t.salary_days + excluded.salary_days,
                unpriced_days = t.unpriced_days + excluded.unpriced_days,
                priced_people = t.priced_people + excluded.priced_people
            $q$, source, sign);
    when 'customers' then
        return format($q$
            insert into customer_period as f
            select c.customer_id, c.team_id, u.unit, date_trunc(u.unit, c.period_start)::date,
                %2$s * sum((c.revenue * 100)::bigint), %2$s * count(*)
            from %1$s c
            cross join unnest(array['month', 'quarter', 'year']) as u(unit)
            where c.revenue > 0
            group by c.customer_id, c.team_id, u.unit, date_trunc(u.unit, c.period_start)
            order by 3, 4, 1, 2
            on conflict (unit, start_date, customer_id, coalesce(team_id, 0)) do update set
                revenue = f.revenue + excluded.revenue,
                activities = f.activities + excluded.activities
            $q$, source, sign);
    when 'csat' then
        return format($q$
            insert into csat_month as f
            select c.team_id, date_trunc('month', c.responded_on)::date,
                %2$s * count(*), %2$s * count(*) filter (where c.score >= 4)
            from %1$s c
            group by 1, 2
            order by 1, 2
            on conflict (team_id, month) do update set
                responses = f.responses + excluded.responses,
                positive = f.positive + excluded.positive
            $q$, source, sign);
    when 'pulse' then
        return format($q$
            insert into pulse_month as f
            select r.team_id, date_trunc('month', r.submitted_on)::date, %2$s
            from %1$s r
            group by 1, 2
            order by 1, 2
            on conflict (team_id, month) do update set %3$s
            $q$, source, replace(pulse_counts, 'SIGN', sign::text), pulse_update);
    when 'survey' then
        return format($q$
            insert into pulse_round as f
            select r.survey_round_id, r.team_id, %2$s
            from %1$s r
            where exists (select from survey_round s where s.survey_round_id = r.survey_round_id)
            group by 1, 2
            order by 1, 2
            on conflict (survey_round_id, team_id) do update set %3$s
            $q$, source, replace(pulse_counts, 'SIGN', sign::text), pulse_update);
    else
        raise exception 'no month facts of kind %', kind;
    end case;
end
$$;

-- Keeps the month facts of TG_ARGV[0] (a kind of month_facts_sql) right after a statement on its
-- table: what the old rows brought goes, what the new rows bring comes.
create function month_facts_apply() returns trigger
language plpgsql as $$
begin
    if tg_argv[0] = 'absence' then
        -- The absences' employees, locked against a change of their team or salary until this
        -- transaction ends: a transaction changing one waits, then recomputes from these rows;
        -- one that changed it first is waited for, and its team and salary read below.
        if tg_op in ('UPDATE', 'DELETE') then
            perform from employee where employee_id in (select employee_id from old_rows)
            order by employee_id for share;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
            perform from employee where employee_id in (select employee_id from new_rows)
            order by employee_id for share;
        end if;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        execute month_facts_sql(tg_argv[0], 'old_rows', -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        execute month_facts_sql(tg_argv[0], 'new_rows', 1);
    end if;
    return null;
end
$$;

-- After the roster changes: the roster's events as above, and the absence months of employees
-- whose team or salary changed (recomputed from their absences) or who are gone.
create function month_facts_employee() returns trigger
language plpgsql as $$
declare
    changed bigint[];
begin
    if tg_op in ('UPDATE', 'DELETE') then
        execute month_facts_sql('roster', 'old_rows', -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        execute month_facts_sql('roster', 'new_rows', 1);
    end if;
    if tg_op = 'UPDATE' then
        select array_agg(o.employee_id) into changed
        from old_rows o join new_rows n using (employee_id)
        where o.team_id <> n.team_id
           or (o.annual_salary is distinct from n.annual_salary);
    elsif tg_op = 'DELETE' then
        select array_agg(employee_id) into changed from old_rows;
    end if;
    if changed is not null then
        with gone as (
            delete from absence_period where employee_id = any (changed) returning *)
        insert into absence_team as t
        select team_id, unit, start_date, -sum(days), -sum(salary_days),
            -coalesce(sum(days) filter (where not salaried), 0),
            -count(*) filter (where salaried and absences > 0)
        from gone
        group by team_id, unit, start_date
        order by unit, start_date, team_id
        on conflict (unit, start_date, team_id) do update set
            days = t.days + excluded.days,
            salary_days = t.salary_days + excluded.salary_days,
            unpriced_days = t.unpriced_days + excluded.unpriced_days,
            priced_people = t.priced_people + excluded.priced_people;
        execute month_facts_sql('absence',
            '(select * from absence where employee_id = any ($1))', 1) using changed;
    end if;
    return null;
end
$$;

do $$
declare
    watched text[];
begin
    foreach watched slice 1 in array array[['absence', 'absence'], ['csat_response', 'csat'],
                                           ['customer_activity', 'customers'],
                                           ['pulse_response', 'pulse'],
                                           ['survey_answer', 'survey']] loop
        execute format('create trigger %1$I after insert on %2$I
                        referencing new table as new_rows
                        for each statement execute function month_facts_apply(%3$L)',
                       watched[1] || '_month_facts_insert', watched[1], watched[2]);
        execute format('create trigger %1$I after update on %2$I
                        referencing old table as old_rows new table as new_rows
                        for each statement execute function month_facts_apply(%3$L)',
                       watched[1] || '_month_facts_update', watched[1], watched[2]);
        execute format('create trigger %1$I after delete on %2$I
                        referencing old table as old_rows
                        for each statement execute function month_facts_apply(%3$L)',
                       watched[1] || '_month_facts_delete', watched[1], watched[2]);
    end loop;
end
$$;

create trigger employee_month_facts_insert after insert on employee
    referencing new table as new_rows
    for each statement execute function month_facts_employee();
create trigger employee_month_facts_update after update on employee
    referencing old table as old_rows new table as new_rows
    for each statement execute function month_facts_employee();
create trigger employee_month_facts_delete after delete on employee
    referencing old table as old_rows
    for each statement execute function month_facts_employee();

-- Emptying a table with TRUNCATE empties its month facts (nothing in Attune does; psql might).
create function month_facts_truncate() returns trigger
language plpgsql as $$
begin
    execute format('delete from %I', tg_argv[0]);
    return null;
end
$$;
create trigger employee_month_facts_truncate after truncate on employee
    for each statement execute function month_facts_truncate('roster_month');
create trigger absence_month_facts_truncate after truncate on absence
    for each statement execute function month_facts_truncate('absence_period');
create trigger absence_team_facts_truncate after truncate on absence
    for each statement execute function month_facts_truncate('absence_team');
create trigger customer_activity_month_facts_truncate after truncate on customer_activity
    for each statement execute function month_facts_truncate('customer_period');
create trigger csat_response_month_facts_truncate after truncate on csat_response
    for each statement execute function month_facts_truncate('csat_month');
create trigger pulse_response_month_facts_truncate after truncate on pulse_response
    for each statement execute function month_facts_truncate('pulse_month');
create trigger survey_answer_month_facts_truncate after truncate on survey_answer
    for each statement execute function month_facts_truncate('pulse_round');

-- The first fill, from the rows already there.
do $$
begin
    execute month_facts_sql('roster', 'employee', 1);
    execute month_facts_sql('absence', 'absence', 1);
    execute month_facts_sql('customers', 'customer_activity', 1);
    execute month_facts_sql('csat', 'csat_response', 1);
    execute month_facts_sql('pulse', 'pulse_response', 1);
    execute month_facts_sql('survey', 'survey_answer', 1);
end
$$;

-- The planner cannot know how few rows a transition table holds: its estimates would have
-- PostgreSQL compile these statements just in time, which costs far more than running them.
alter function month_facts_apply() set jit = off;
alter function month_facts_employee() set jit = off;
