-- Teams, the employee roster and the record of every import.

create table team (
    team_id        bigint generated always as identity primary key,
    name           text not null,
    parent_team_id bigint references team (team_id) on delete set null,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint team_name_not_blank check (btrim(name) <> '' and name = btrim(name))
);
-- Team names are compared case-insensitively after trimming.
create unique index team_name_key on team (lower(name));

create table import (
    import_id     bigint generated always as identity primary key,
    kind          text not null,
    file_name     text not null,
    content_hash  text not null,
    status        text not null default 'running',
    rows_total    integer not null default 0,
    rows_accepted integer not null default 0,
    rows_rejected integer not null default 0,
    created_at    timestamptz not null default now(),
    finished_at   timestamptz,
    constraint import_status_known check (status in ('running', 'succeeded', 'failed', 'undone'))
);
create index import_kind_hash_idx on import (kind, content_hash);

create table employee (
    employee_id        bigint generated always as identity primary key,
    -- The employee id from the HR system: what every import refers to.
    external_id        text not null,
    team_id            bigint not null references team (team_id),
    hire_date          date not null,
    -- The last day worked; null while employed.
    termination_date   date,
    termination_type   text,
    termination_reason text,
    regretted          boolean,
    manager_external_id text,
    job_title          text,
    job_level          text,
    annual_salary      numeric(14, 2),
    full_name          text,
    email              text,
    last_import_id     bigint references import (import_id) on delete set null,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint employee_external_id_key unique (external_id),
    constraint employee_termination_after_hire
        check (termination_date is null or termination_date >= hire_date),
    constraint employee_termination_type_known
        check (termination_type is null or termination_type in ('voluntary', 'involuntary')),
    constraint employee_salary_not_negative check (annual_salary is null or annual_salary >= 0)
);
create index employee_team_idx on employee (team_id);
