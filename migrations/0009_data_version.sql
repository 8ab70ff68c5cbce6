-- The data version: a number that changes whenever something a report reads changes, so that
-- every Attune instance on this database can keep the reports it computed until it does
-- (src/cache.rs). Statement-level triggers on every table a report reads mark the transaction;
-- the version is bumped once per transaction, at its commit, by a deferred trigger. Bumping it
-- at each statement instead would hold the version's row lock for the whole transaction (an
-- import of millions of rows would make every other writer wait), and a sequence is not
-- transactional (a reader could see the new version before the new rows, and keep old figures
-- under it).

create table data_version (
    singleton boolean primary key default true constraint data_version_one_row check (singleton),
    version   bigint not null
);
insert into data_version (version) values (0);

-- The transactions that changed what reports read and have not committed yet: one row each,
-- deleted as the version is bumped, at commit.
create table data_version_pending (
    txid xid8 primary key
);

create function data_version_touch() returns trigger
language plpgsql as $$
begin
    insert into data_version_pending (txid) values (pg_current_xact_id()) on conflict do nothing;
    return null;
end
$$;

create function data_version_bump() returns trigger
language plpgsql as $$
begin
    update data_version set version = version + 1;
    delete from data_version_pending where txid = new.txid;
    return null;
end
$$;

create constraint trigger data_version_bump
    after insert on data_version_pending
    deferrable initially deferred
    for each row execute function data_version_bump();

-- Every table a report reads (the view pulse_answer reads survey_answer and survey_round), and
-- import coverage (migration 0008) where it exists. A statement trigger runs once per
-- statement, however many rows it changes (also when it changes none: the version then moves
-- for nothing, which only costs a recomputation). A table that reports come to read later gets
-- its trigger in the migration that creates it, in the same way.
do $$
declare
    tracked text;
begin
    foreach tracked in array array['team', 'employee', 'absence', 'promotion', 'csat_response',
                                   'pulse_response', 'survey_answer', 'survey_round',
                                   'customer_activity', 'measure', 'setting', 'import',
                                   'coverage'] loop
        if tracked <> 'coverage' or to_regclass('coverage') is not null then
            execute format('create trigger %I after insert or update or delete or truncate on %I
                            for each statement execute function data_version_touch()',
                           tracked || '_data_version', tracked);
        end if;
    end loop;
end
$$;
