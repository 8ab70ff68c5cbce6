-- Files uploaded in the web UI between their preview and their confirmation. Kept in the
-- database (not in a web server's memory or disk) so that any instance can confirm them.
create table import_upload (
    import_upload_id bigint generated always as identity primary key,
    kind             text not null,
    file_name        text not null,
    content          bytea not null,
    skip_invalid     boolean not null default false,
    date_format      text,
    uploaded_by      bigint references app_user (user_id) on delete cascade,
    created_at       timestamptz not null default now(),
    constraint import_upload_date_format_known check (date_format is null or date_format in ('dmy', 'mdy'))
);
