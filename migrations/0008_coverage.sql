-- Coverage: which days (and, where a file is per team, which teams) the data of each kind
-- covers. A figure is known only where its data covers the whole period (docs/metrics.md,
-- "Coverage"). An import records its coverage; undoing the import deletes it. The demo writes
-- its own rows (no import); collected survey rounds cover pulse without rows here (see
-- src/db/coverage.rs).

create table coverage (
    coverage_id bigint generated always as identity primary key,
    -- The import that stated this coverage; null for the demo's own data.
    import_id   bigint references import (import_id) on delete cascade,
    kind        text not null,
    -- Null: the whole organization, teams added later included.
    team_id     bigint references team (team_id) on delete cascade,
    first_day   date not null,
    -- Null: open-ended (a roster covers headcount and turnover from then on).
    last_day    date,
    created_at  timestamptz not null default now(),
    constraint coverage_kind_known check (
        kind in ('employees', 'absences', 'promotions', 'csat', 'pulse', 'customers', 'measures')),
    constraint coverage_days_ordered check (last_day is null or last_day >= first_day)
);
create index coverage_import_idx on coverage (import_id);
