-- The scheduled messages each person turned off (on their Notifications page, or with the
-- one-click unsubscribe link of a message). A kind not listed is received.
create table mail_opt_out (
    user_id    bigint not null references app_user (user_id) on delete cascade,
    -- A kind of message, e.g. 'summary.quarterly'.
    kind       text not null,
    created_at timestamptz not null default now(),
    primary key (user_id, kind)
);
