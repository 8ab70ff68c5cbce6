//! The e-mail outbox: messages are queued here (in the transaction that decides to send them)
//! and taken one at a time by the sending worker (`crate::mail::worker`), which holds the row
//! locked (`for update skip locked`) while it talks to the SMTP server and records the result
//! in that same transaction. A message is therefore sent by one instance only, and a process
//! killed mid-send leaves it queued (its transaction rolls back) for the next attempt.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The channel `enqueue` notifies, so that an idle worker wakes up at once.
pub const CHANNEL: &str = "attune_mail";

/// A message to send. Every kind of message (survey invitations and reminders, reports,
/// digests…) is one of these.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// What kind of message this is, e.g. `survey.invitation` (shown to HR, and used to choose
    /// which messages a person receives).
    pub kind: String,
    /// At most one message is ever queued per key, e.g. `survey.invitation:12:345` or
    /// `summary:2025-Q1:hr@example.com`: queuing it again changes nothing.
    pub dedupe_key: String,
    /// One e-mail address.
    pub recipient: String,
    pub subject: String,
    /// The plain-text body (always sent).
    pub text: String,
    /// An HTML alternative of the same content.
    pub html: Option<String>,
    /// Extra headers, e.g. `List-Unsubscribe` (ASCII names and values).
    pub headers: Vec<(String, String)>,
    pub attachments: Vec<Attachment>,
}

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub file_name: String,
    /// A MIME type, e.g. `application/pdf`.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Drop the messages not yet sent (queued, or failed and waiting for HR's retry) whose dedupe
/// key starts with one of `prefixes`: a closed survey round's invitations and reminders, whose
/// links no longer work. Sent messages stay as history. Returns how many were dropped.
pub async fn drop_unsent(conn: &mut PgConnection, prefixes: &[String]) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "delete from mail_outbox
         where status in ('queued', 'failed')
           and exists (select 1 from unnest($1::text[]) p where starts_with(dedupe_key, p))",
    )
    .bind(prefixes)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Queue messages (one statement for all of them); a message whose dedupe key was queued
/// before is left out. Returns how many were queued. Idle workers are woken when the
/// transaction commits.
pub async fn enqueue(conn: &mut PgConnection, messages: &[NewMessage]) -> Result<u64, sqlx::Error> {
    if messages.is_empty() {
        return Ok(0);
    }
    let headers: Vec<serde_json::Value> = messages
        .iter()
        .map(|m| serde_json::json!(m.headers))
        .collect();
    let queued: Vec<(i64, String)> = sqlx::query_as(
        "insert into mail_outbox (kind, dedupe_key, recipient, subject, body_text, body_html, headers)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::jsonb[])
         on conflict (dedupe_key) do nothing
         returning mail_outbox_id, dedupe_key",
    )
    .bind(messages.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>())
    .bind(messages.iter().map(|m| m.dedupe_key.as_str()).collect::<Vec<_>>())
    .bind(messages.iter().map(|m| m.recipient.as_str()).collect::<Vec<_>>())
    .bind(messages.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>())
    .bind(messages.iter().map(|m| m.text.as_str()).collect::<Vec<_>>())
    .bind(messages.iter().map(|m| m.html.as_deref()).collect::<Vec<_>>())
    .bind(headers)
    .fetch_all(&mut *conn)
    .await?;
    let with_files: Vec<(i64, &Attachment)> = queued
        .iter()
        .filter_map(|(id, key)| {
            let message = messages.iter().find(|m| &m.dedupe_key == key)?;
            Some(message.attachments.iter().map(move |a| (*id, a)))
        })
        .flatten()
        .collect();
    if !with_files.is_empty() {
        sqlx::query(
            "insert into mail_attachment (mail_outbox_id, file_name, content_type, content)
             select * from unnest($1::int8[], $2::text[], $3::text[], $4::bytea[])",
        )
        .bind(with_files.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(
            with_files
                .iter()
                .map(|(_, a)| a.file_name.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            with_files
                .iter()
                .map(|(_, a)| a.content_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            with_files
                .iter()
                .map(|(_, a)| a.content.as_slice())
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await?;
    }
    if !queued.is_empty() {
        sqlx::query("select pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *conn)
            .await?;
    }
    Ok(queued.len() as u64)
}

/// A queued message the worker has taken (and holds locked in its transaction).
#[derive(Debug, Clone)]
pub struct Due {
    pub mail_outbox_id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub headers: Vec<(String, String)>,
    pub attempts: i32,
    pub attachments: Vec<Attachment>,
}

/// Take the next due message, locking it for this transaction; messages other instances hold
/// are skipped.
pub async fn take_due(conn: &mut PgConnection) -> Result<Option<Due>, sqlx::Error> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        serde_json::Value,
        i32,
    );
    let row: Option<Row> = sqlx::query_as(
        "select mail_outbox_id, kind, dedupe_key, recipient, subject, body_text, body_html,
                headers, attempts
         from mail_outbox
         where status = 'queued' and next_attempt_at <= now()
         order by next_attempt_at, mail_outbox_id
         limit 1
         for update skip locked",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, kind, dedupe_key, recipient, subject, text, html, headers, attempts)) = row
    else {
        return Ok(None);
    };
    let attachments: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "select file_name, content_type, content from mail_attachment
         where mail_outbox_id = $1 order by mail_attachment_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(Due {
        mail_outbox_id: id,
        kind,
        dedupe_key,
        recipient,
        subject,
        text: text.unwrap_or_default(),
        html,
        headers: serde_json::from_value(headers).unwrap_or_default(),
        attempts,
        attachments: attachments
            .into_iter()
            .map(|(file_name, content_type, content)| Attachment {
                file_name,
                content_type,
                content,
            })
            .collect(),
    }))
}

/// How many messages were sent in the last minute (by every instance), and when the oldest of
/// them leaves that minute (in milliseconds from now).
pub async fn sent_last_minute(conn: &mut PgConnection) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "select count(*),
                coalesce(ceil(extract(epoch from min(sent_at) + interval '1 minute' - now()) * 1000), 0)::int8
         from mail_outbox where sent_at > now() - interval '1 minute'",
    )
    .fetch_one(conn)
    .await
}

/// Record a message as sent, and drop its content (bodies and attachments): nothing sent is
/// kept but who received what kind of message, when.
pub async fn mark_sent(conn: &mut PgConnection, mail_outbox_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update mail_outbox set status = 'sent', sent_at = now(), attempts = attempts + 1,
             body_text = null, body_html = null, last_error = null, updated_at = now()
         where mail_outbox_id = $1",
    )
    .bind(mail_outbox_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from mail_attachment where mail_outbox_id = $1")
        .bind(mail_outbox_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Record a failed attempt: the message is tried again after `retry_after` (doubling with each
/// attempt, at most an hour), or is marked failed when the failure is permanent or the
/// attempts are used up.
pub async fn record_failure(
    conn: &mut PgConnection,
    mail_outbox_id: i64,
    error: &str,
    permanent: bool,
    retry_after: std::time::Duration,
    max_attempts: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update mail_outbox set
             attempts = attempts + 1,
             last_error = $2,
             status = case when $3 or attempts + 1 >= $5 then 'failed' else 'queued' end,
             next_attempt_at = now() + least(make_interval(secs => $4 * power(2, attempts)),
                                             interval '1 hour'),
             updated_at = now()
         where mail_outbox_id = $1 and status = 'queued'",
    )
    .bind(mail_outbox_id)
    .bind(error.chars().take(2000).collect::<String>())
    .bind(permanent)
    .bind(retry_after.as_secs_f64())
    .bind(max_attempts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Queue a failed message again, now (HR's "retry"). False if it is not a failed message.
pub async fn retry(conn: &mut PgConnection, mail_outbox_id: i64) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "update mail_outbox set status = 'queued', attempts = 0, next_attempt_at = now(),
             updated_at = now()
         where mail_outbox_id = $1 and status = 'failed'",
    )
    .bind(mail_outbox_id)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() > 0 {
        sqlx::query("select pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *conn)
            .await?;
    }
    Ok(result.rows_affected() > 0)
}

/// One message as HR's outbox page lists it (never its content).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub mail_outbox_id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Messages, failed first, then queued, then the most recently sent; `status` narrows to one.
pub async fn list(
    conn: &mut PgConnection,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "select mail_outbox_id, kind, recipient, subject, status, attempts, last_error,
                next_attempt_at, sent_at, created_at
         from mail_outbox
         where $1::text is null or status = $1
         order by case status when 'failed' then 0 when 'queued' then 1 else 2 end,
                  coalesce(sent_at, next_attempt_at) desc, mail_outbox_id desc
         limit $2 offset $3",
    )
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
}

/// How many messages are queued, sent and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

/// The outbox's counts by status.
pub async fn counts(conn: &mut PgConnection) -> Result<Counts, sqlx::Error> {
    let (queued, sent, failed) = sqlx::query_as(
        "select count(*) filter (where status = 'queued'),
                count(*) filter (where status = 'sent'),
                count(*) filter (where status = 'failed')
         from mail_outbox",
    )
    .fetch_one(conn)
    .await?;
    Ok(Counts {
        queued,
        sent,
        failed,
    })
}

/// Forget the recipient of every message to `email` (erasing a person): the messages stay, so
/// that counts hold, addressed to nobody; those not yet sent will not be.
pub async fn erase_recipient(conn: &mut PgConnection, email: &str) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "update mail_outbox set recipient = 'erased',
             body_text = case when status = 'sent' then null else '' end,
             status = case when status = 'sent' then 'sent' else 'failed' end,
             last_error = case when status = 'sent' then last_error else 'the recipient was erased' end,
             body_html = null, updated_at = now()
         where lower(recipient) = lower($1)",
    )
    .bind(email)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}
