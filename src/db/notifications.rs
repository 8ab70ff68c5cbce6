//! What scheduled e-mail needs from the database: who receives a kind of message (and who
//! turned which kind off), which messages of a period were already created, and where each
//! kind of data ends (its recorded coverage).

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::accounts::Role;

/// Someone who receives a scheduled message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
}

/// The enabled accounts with one of `roles` that have not turned `kind` off, by e-mail
/// address.
pub async fn receiving(
    conn: &mut PgConnection,
    roles: &[Role],
    kind: &str,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "select u.user_id, u.email from app_user u
         where u.disabled_at is null and u.role = any($1)
           and not exists (select from mail_opt_out o where o.user_id = u.user_id and o.kind = $2)
         order by lower(u.email)",
    )
    .bind(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
    .bind(kind)
    .fetch_all(conn)
    .await
}

/// A manager who receives a kind, with the teams assigned to them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Manager {
    pub user_id: i64,
    pub email: String,
    /// The names of the teams assigned to them (not the teams under those), by name.
    pub teams: Vec<String>,
}

/// The enabled managers that have not turned `kind` off, with their teams, by e-mail address.
pub async fn managers(conn: &mut PgConnection, kind: &str) -> Result<Vec<Manager>, sqlx::Error> {
    sqlx::query_as(
        "select u.user_id, u.email,
                array(select t.name from user_team ut join team t using (team_id)
                      where ut.user_id = u.user_id order by lower(t.name)) as teams
         from app_user u
         where u.disabled_at is null and u.role = $2
           and not exists (select from mail_opt_out o where o.user_id = u.user_id and o.kind = $1)
         order by lower(u.email)",
    )
    .bind(kind)
    .bind(Role::Manager.as_str())
    .fetch_all(conn)
    .await
}

/// The kinds this user turned off.
pub async fn opted_out(conn: &mut PgConnection, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select kind from mail_opt_out where user_id = $1 order by kind")
        .bind(user_id)
        .fetch_all(conn)
        .await
}

/// Of `kinds`, turn `off` off and the others on, for this user.
pub async fn set_opted_out(
    conn: &mut PgConnection,
    user_id: i64,
    kinds: &[&str],
    off: &[&str],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "delete from mail_opt_out where user_id = $1 and kind = any($2) and not kind = any($3)",
    )
    .bind(user_id)
    .bind(kinds)
    .bind(off)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into mail_opt_out (user_id, kind) select $1, unnest($2::text[])
         on conflict do nothing",
    )
    .bind(user_id)
    .bind(off)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Turn one kind off (an unsubscribe link); false if it was already off.
pub async fn opt_out(
    conn: &mut PgConnection,
    user_id: i64,
    kind: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "insert into mail_opt_out (user_id, kind) values ($1, $2) on conflict do nothing",
    )
    .bind(user_id)
    .bind(kind)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Every enabled account with its role and the kinds it turned off, by e-mail address (HR's
/// "who receives what").
pub async fn who_receives(
    conn: &mut PgConnection,
) -> Result<Vec<(String, String, Vec<String>)>, sqlx::Error> {
    sqlx::query_as(
        "select u.email, u.role,
                array(select o.kind from mail_opt_out o where o.user_id = u.user_id order by o.kind)
         from app_user u where u.disabled_at is null order by lower(u.email)",
    )
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

/// Whether any message whose dedupe key starts with `prefix` is in the outbox (say, a
/// quarter's summary to anyone: `summary.quarterly:2025-Q1:`).
pub async fn any_created(conn: &mut PgConnection, prefix: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select from mail_outbox where starts_with(dedupe_key, $1))")
        .bind(prefix)
        .fetch_one(conn)
        .await
}

/// Where each kind of data the summary's figures use ends (absences, promotions, CSAT and
/// pulse responses): the last day its recorded coverage reaches (`coverage`, and the quarters
/// of the survey rounds Attune ran) — for data imported per team, the earliest such day among
/// those teams —; for a kind with rows but no coverage recorded (imported before coverage
/// was), the day of its latest row. Kinds with neither are left out.
pub async fn data_ends(conn: &mut PgConnection) -> Result<Vec<(String, NaiveDate)>, sqlx::Error> {
    sqlx::query_as(
        "with ranges as (
             select c.kind, c.team_id, c.last_day from coverage c
             where c.kind in ('absences', 'promotions', 'csat', 'pulse') and c.last_day is not null
             union all
             select 'pulse', i.team_id,
                    (date_trunc('quarter', r.opens_on) + interval '3 months' - interval '1 day')::date
             from survey_round r join survey_invitation i using (survey_round_id)
             where r.status in ('open', 'closed')
         ),
         org as (
             select kind, max(last_day) as last_day from ranges where team_id is null group by kind
         ),
         per_team as (
             select kind, team_id, max(last_day) as last_day from ranges
             where team_id is not null group by kind, team_id
         ),
         covered as (
             select k.kind,
                    coalesce((select min(greatest(t.last_day, o.last_day)) from per_team t
                              where t.kind = k.kind), o.last_day) as day
             from (select distinct kind from ranges) k left join org o using (kind)
         ),
         latest_row as (
             select 'absences' as kind, max(start_date) as day from absence
             union all select 'promotions', max(effective_date) from promotion
             union all select 'csat', max(responded_on) from csat_response
             union all select 'pulse', max(submitted_on) from pulse_response
         )
         select kind, day from covered
         union all
         select kind, day from latest_row
         where day is not null and kind not in (select kind from covered)
         order by kind",
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
