-- Accounts, sessions, API tokens, login throttling, the audit log and settings.

create table app_user (
    user_id       bigint generated always as identity primary key,
    email         text not null,
    -- argon2id, as a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    password_hash text not null,
    role          text not null,
    disabled_at   timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint app_user_role_known check (role in ('hr', 'manager', 'executive')),
    constraint app_user_email_plausible check (email = btrim(email) and email like '%_@_%')
);
-- E-mail addresses are compared case-insensitively.
create unique index app_user_email_key on app_user (lower(email));

-- The teams a manager is assigned to (their child teams are visible too).
create table user_team (
    user_id    bigint not null references app_user (user_id) on delete cascade,
    team_id    bigint not null references team (team_id) on delete cascade,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint user_team_pkey primary key (user_id, team_id)
);
create index user_team_team_idx on user_team (team_id);

-- A signed-in browser. Only the SHA-256 hash of the random session id is stored, so a copy of
-- this table cannot be used to take over a session.
create table session (
    session_id   bigint generated always as identity primary key,
    session_hash text not null,
    user_id      bigint not null references app_user (user_id) on delete cascade,
    csrf_token   text not null,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint session_hash_key unique (session_hash)
);
create index session_user_idx on session (user_id);

-- A personal API token (for GET /api/v1/…). Only its SHA-256 hash is stored.
create table api_token (
    api_token_id bigint generated always as identity primary key,
    token_hash   text not null,
    user_id      bigint not null references app_user (user_id) on delete cascade,
    name         text not null,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint api_token_hash_key unique (token_hash),
    constraint api_token_name_not_blank check (btrim(name) <> '')
);
create index api_token_user_idx on api_token (user_id);

-- Failed sign-ins, counted per account and per client address over a sliding window.
create table login_failure (
    login_failure_id bigint generated always as identity primary key,
    -- The address as typed, lowercased: it need not belong to an account.
    email            text not null,
    client_addr      text not null,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
create index login_failure_email_idx on login_failure (email, created_at);
create index login_failure_addr_idx on login_failure (client_addr, created_at);

-- Who did what, when, from where.
create table audit_event (
    audit_event_id bigint generated always as identity primary key,
    at             timestamptz not null default now(),
    -- The acting user, when there is one (kept after the user is deleted: see actor).
    actor_user_id  bigint references app_user (user_id) on delete set null,
    -- The actor as text: a user's e-mail address, 'cli', or the address typed at a failed login.
    actor          text not null,
    action         text not null,
    detail         jsonb not null default '{}',
    client_addr    text,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index audit_event_at_idx on audit_event (at desc, audit_event_id desc);

-- Settings HR can change, one JSON value per key; a missing key means the default.
create table setting (
    key        text primary key,
    value      jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
