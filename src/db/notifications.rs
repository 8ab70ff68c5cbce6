//! What scheduled e-mail needs from the database: who receives a kind of message, which
//! messages of a period were already created, and where each kind of data ends.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::accounts::Role;

/// Someone who receives a scheduled message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
}

/// The enabled accounts with one of `roles`, by e-mail address.
pub async fn with_roles(
    conn: &mut PgConnection,
    roles: &[Role],
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "select user_id, email from app_user
         where disabled_at is null and role = any($1)
         order by lower(email)",
    )
    .bind(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
    .fetch_all(conn)
    .await
}

/// Which of `keys` are already in the outbox (queued, sent or failed).
pub async fn already_created(
    conn: &mut PgConnection,
    keys: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select dedupe_key from mail_outbox where dedupe_key = any($1)")
        .bind(keys)
        .fetch_all(conn)
        .await
}

/// The latest date of each dated kind of data that has any rows (absences by their first day,
/// promotions by their effective date, CSAT and pulse responses by their day).
pub async fn latest_dates(
    conn: &mut PgConnection,
) -> Result<Vec<(String, NaiveDate)>, sqlx::Error> {
    sqlx::query_as(
        "select kind, day from (
             select 'absences' as kind, max(start_date) as day from absence
             union all select 'promotions', max(effective_date) from promotion
             union all select 'csat', max(responded_on) from csat_response
             union all select 'pulse', max(submitted_on) from pulse_response
         ) latest
         where day is not null",
    )
    .fetch_all(conn)
    .await
}

/// Whether any employee is on record.
pub async fn has_employees(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select from employee)")
        .fetch_one(conn)
        .await
}
