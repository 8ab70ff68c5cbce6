-- Pulse survey rounds that Attune runs itself: rounds, invitations with single-use links, and
-- anonymous answers. docs/surveys.md explains what a database reader can and cannot infer.
--
-- Anonymity by design: invitations (who was invited, whether they answered) and answers share
-- no key, no timestamp and no order. An answer first waits in `survey_answer_queue` (written in
-- the same transaction that records its invitation as answered), then is moved, in shuffled
-- batches, by another transaction into `survey_answer` with a random id; at the same time the
-- round's "answered" marks are rewritten in shuffled order, so that neither `xmin` nor `ctid`
-- follows the order in which people answered.

create table survey_round (
    survey_round_id bigint generated always as identity primary key,
    -- The first and last day on which answers are accepted (inclusive, UTC).
    opens_on        date not null,
    closes_on       date not null,
    status          text not null default 'scheduled',
    -- The wording of the four items, {"heard", "supported", "valued", "enps"}: HR may reword
    -- them until the round opens.
    items           jsonb not null,
    -- Only these teams are invited (null: everyone on the roster).
    team_ids        bigint[],
    -- A repeating round creates the next one when it closes.
    repeat          text not null default 'none',
    -- The reminder goes this many days before the closing day (0: no reminder).
    reminder_days   integer not null default 3,
    -- The next round of a repeating one, once created.
    next_round_id   bigint references survey_round (survey_round_id) on delete set null,
    created_by      text not null,
    opened_at       timestamptz,
    closed_at       timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint survey_round_status_known check (status in ('scheduled', 'open', 'closed')),
    constraint survey_round_repeat_known check (repeat in ('none', 'monthly', 'quarterly')),
    constraint survey_round_dates_ordered check (closes_on >= opens_on),
    constraint survey_round_reminder_days_range check (reminder_days between 0 and 60),
    constraint survey_round_items_object check (jsonb_typeof(items) = 'object')
);
create index survey_round_status_idx on survey_round (status, opens_on);

-- Who was invited to a round: everyone on the roster on the opening day with an e-mail address
-- (of the round's teams). The team is the person's team on the opening day.
create table survey_invitation (
    survey_invitation_id bigint generated always as identity primary key,
    survey_round_id      bigint not null references survey_round (survey_round_id) on delete cascade,
    -- Erasing a person deletes their invitations.
    employee_id          bigint not null references employee (employee_id) on delete cascade,
    team_id              bigint not null references team (team_id),
    email                text not null,
    -- The SHA-256 digest of the link's token (what a visit is looked up by).
    token_digest         text not null,
    -- The token itself, kept so that HR can download the links and reminders can carry them;
    -- removed when the round closes.
    token                text,
    constraint survey_invitation_token_digest_key unique (token_digest),
    constraint survey_invitation_once unique (survey_round_id, employee_id)
);
create index survey_invitation_employee_idx on survey_invitation (employee_id);
create index survey_invitation_round_team_idx on survey_invitation (survey_round_id, team_id);

-- That an invitation was answered: one row per answered invitation, nothing else. Kept apart
-- from the invitation so that the whole round's marks can be rewritten in shuffled order.
create table survey_answered (
    survey_invitation_id bigint primary key
        references survey_invitation (survey_invitation_id) on delete cascade
);

-- Answers waiting to be written in a shuffled batch: no id, no timestamp.
create table survey_answer_queue (
    survey_round_id bigint not null references survey_round (survey_round_id) on delete cascade,
    team_id         bigint not null references team (team_id),
    heard           smallint,
    supported       smallint,
    valued          smallint,
    enps            smallint,
    constraint survey_answer_queue_items_range check (
        (heard is null or heard between 1 and 5)
        and (supported is null or supported between 1 and 5)
        and (valued is null or valued between 1 and 5)
        and (enps is null or enps between 0 and 10))
);
create index survey_answer_queue_round_idx on survey_answer_queue (survey_round_id);

-- The answers: the round, the team on the opening day, the values (null: skipped) and a random
-- id. They count as pulse responses dated on the round's opening day (src/db/facts.rs).
create table survey_answer (
    survey_answer_id uuid primary key default gen_random_uuid(),
    survey_round_id  bigint not null references survey_round (survey_round_id) on delete cascade,
    team_id          bigint not null references team (team_id),
    heard            smallint,
    supported        smallint,
    valued           smallint,
    enps             smallint,
    constraint survey_answer_items_range check (
        (heard is null or heard between 1 and 5)
        and (supported is null or supported between 1 and 5)
        and (valued is null or valued between 1 and 5)
        and (enps is null or enps between 0 and 10))
);
create index survey_answer_round_team_idx on survey_answer (survey_round_id, team_id);

-- Every pulse response, imported (`pulse_response`) or collected by a round (`survey_answer`,
-- dated on the round's opening day): what the figures count, the same way for both.
create view pulse_answer as
    select team_id, submitted_on, heard, supported, valued, enps, false as collected
    from pulse_response
    union all
    select a.team_id, r.opens_on, a.heard, a.supported, a.valued, a.enps, true
    from survey_answer a join survey_round r using (survey_round_id);
