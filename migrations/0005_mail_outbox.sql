-- The e-mail outbox. Every message Attune sends is first written here, in the same transaction
-- as what caused it (a survey round opening, a reminder falling due…), and a background worker
-- of `attune serve` sends it: several instances may run, each message is taken by one of them
-- (`for update skip locked`) and recorded as sent in the same transaction that held it.

create table mail_outbox (
    mail_outbox_id  bigint generated always as identity primary key,
    -- What kind of message this is, e.g. 'survey.invitation' or 'survey.reminder'.
    kind            text not null,
    -- At most one message per key, ever: creating the same message twice (after a restart, or
    -- by two instances at once) adds nothing.
    dedupe_key      text not null,
    recipient       text not null,
    subject         text not null,
    -- The content is kept only until the message is sent (it may hold personal links).
    body_text       text,
    body_html       text,
    -- Extra headers, as [[name, value], …] (e.g. List-Unsubscribe).
    headers         jsonb not null default '[]',
    status          text not null default 'queued',
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- The SMTP server's (or the address parser's) last refusal, for HR.
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint mail_outbox_dedupe_key unique (dedupe_key),
    constraint mail_outbox_status_known check (status in ('queued', 'sent', 'failed')),
    constraint mail_outbox_body_until_sent check (status = 'sent' or body_text is not null),
    constraint mail_outbox_headers_array check (jsonb_typeof(headers) = 'array')
);
-- What the worker looks for: queued messages that are due.
create index mail_outbox_due_idx on mail_outbox (next_attempt_at, mail_outbox_id)
    where status = 'queued';
-- The rate limit counts what was sent in the last minute.
create index mail_outbox_sent_at_idx on mail_outbox (sent_at) where sent_at is not null;
create index mail_outbox_recipient_idx on mail_outbox (lower(recipient));

-- Files attached to a message (e.g. a PDF report); deleted once the message is sent.
create table mail_attachment (
    mail_attachment_id bigint generated always as identity primary key,
    mail_outbox_id     bigint not null references mail_outbox (mail_outbox_id) on delete cascade,
    file_name          text not null,
    content_type       text not null,
    content            bytea not null,
    created_at         timestamptz not null default now()
);
create index mail_attachment_message_idx on mail_attachment (mail_outbox_id);
