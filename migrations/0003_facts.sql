-- The facts behind the fundamentals, intermediate and advanced tiers: absences, promotions,
-- customer satisfaction, pulse surveys, customer activity and other team measures.
-- Every fact row remembers the import that brought it, so that an import can be undone.

-- Monday–Friday days from a to b inclusive (0 when b < a).
create function weekdays_between(a date, b date) returns integer
language sql immutable parallel safe as $$
    select case when b < a then 0 else
        ((b - a + 1) / 7) * 5
        + (select count(*)::integer
           from generate_series(0, ((b - a + 1) % 7) - 1) as i
           where extract(isodow from a + i) < 6)
    end
$$;

create table absence (
    absence_id   bigint generated always as identity primary key,
    employee_id  bigint not null references employee (employee_id) on delete cascade,
    start_date   date not null,
    end_date     date not null,
    days         numeric(8, 2),
    absence_type text not null,
    planned      boolean not null,
    import_id    bigint references import (import_id) on delete cascade,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint absence_end_after_start check (end_date >= start_date),
    constraint absence_days_positive check (days is null or days > 0)
);
-- One absence per employee, dates and type ("Sick" and "sick" are one type).
create unique index absence_natural_key
    on absence (employee_id, start_date, end_date, lower(absence_type));

create table promotion (
    promotion_id   bigint generated always as identity primary key,
    employee_id    bigint not null references employee (employee_id) on delete cascade,
    effective_date date not null,
    from_title     text,
    to_title       text,
    from_level     text,
    to_level       text,
    import_id      bigint references import (import_id) on delete cascade,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint promotion_natural_key unique (employee_id, effective_date)
);

create table csat_response (
    csat_response_id bigint generated always as identity primary key,
    team_id          bigint not null references team (team_id),
    responded_on     date not null,
    score            smallint not null,
    response_id      text,
    customer_id      text,
    comment          text,
    import_id        bigint references import (import_id) on delete cascade,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint csat_response_score_range check (score between 1 and 5),
    constraint csat_response_response_id_key unique (response_id)
);
create index csat_response_team_day_idx on csat_response (team_id, responded_on);

-- Anonymous by design: no employee id, name or email is ever stored with a response.
create table pulse_response (
    pulse_response_id bigint generated always as identity primary key,
    team_id           bigint not null references team (team_id),
    submitted_on      date not null,
    heard             smallint,
    supported         smallint,
    valued            smallint,
    enps              smallint,
    response_id       text,
    import_id         bigint references import (import_id) on delete cascade,
    created_at        timestamptz not null default now(),
    constraint pulse_response_items_range check (
        (heard is null or heard between 1 and 5)
        and (supported is null or supported between 1 and 5)
        and (valued is null or valued between 1 and 5)
        and (enps is null or enps between 0 and 10)),
    constraint pulse_response_response_id_key unique (response_id)
);
create index pulse_response_team_day_idx on pulse_response (team_id, submitted_on);

-- Revenue by customer and period; a row counts in the period that contains its first day.
create table customer_activity (
    customer_activity_id bigint generated always as identity primary key,
    customer_id          text not null,
    period_start         date not null,
    period_end           date not null,
    revenue              numeric(16, 2) not null,
    team_id              bigint references team (team_id),
    import_id            bigint references import (import_id) on delete cascade,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    constraint customer_activity_period check (period_end >= period_start)
);
-- One row per customer, period and team (a customer served by two teams has two rows).
create unique index customer_activity_natural_key
    on customer_activity (customer_id, period_start, period_end, coalesce(team_id, 0));

-- Any other team KPI (output_units, review_rating, ideas_submitted …); team null = whole org.
create table measure (
    measure_id   bigint generated always as identity primary key,
    team_id      bigint references team (team_id),
    period_start date not null,
    period_end   date not null,
    metric       text not null,
    value        double precision not null,
    import_id    bigint references import (import_id) on delete cascade,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint measure_period check (period_end >= period_start),
    constraint measure_metric_format check (metric ~ '^[a-z][a-z0-9_]*$')
);
create unique index measure_natural_key
    on measure (coalesce(team_id, 0), metric, period_start, period_end);

-- Undo of an employees import: the state each employee had before that import changed it
-- (null previous = the import created the employee).
create table employee_change (
    employee_change_id bigint generated always as identity primary key,
    import_id          bigint not null references import (import_id) on delete cascade,
    employee_id        bigint not null references employee (employee_id) on delete cascade,
    previous           jsonb,
    created_at         timestamptz not null default now()
);
create index employee_change_import_idx on employee_change (import_id);

-- HR's own absence type names, overriding the built-in planned/unplanned mapping.
create table absence_type (
    name       text primary key,
    planned    boolean not null,
    created_at timestamptz not null default now(),
    constraint absence_type_name_lower check (name = lower(btrim(name)) and name <> '')
);

-- Who imported: a user's email, or 'cli'.
alter table import add column created_by text;
