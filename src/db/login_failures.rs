//! Failed sign-ins, for throttling: counted per account and per client address over a sliding
//! window, so that guessing is slowed, and refused for a while from an address that keeps
//! failing; an account is never locked, so nobody can lock another person out.

use std::time::Duration;

use sqlx::PgConnection;

/// How far back failures count.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// What `email` holds for a visit to the survey page with an unknown link
/// (`db::surveys::record_bad_link`): never an e-mail address, and not counted against the
/// address's sign-ins, nor sign-ins against its survey links.
pub const SURVEY_LINK: &str = "(survey link)";

/// Recent failures for an account and for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recent {
    /// Failures for the account, from any address.
    pub by_account: i64,
    /// Failures from the address, for any account.
    pub by_address: i64,
    /// Seconds until the oldest of the address's failures leaves the window.
    pub address_expires_in: i64,
}

/// Count a sign-in attempt as failed before its password is checked, and return its id with the
/// failures in the window, this one included. Recording first and counting after is what makes
/// the limit hold when attempts arrive together: of attempts racing each other, the n-th to be
/// recorded sees at least n failures, so no more than the limit ever reach the password check.
/// A successful attempt is forgotten with the account's other failures (`clear`); one refused
/// without a check is taken back (`withdraw`).
pub async fn begin(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<(i64, Recent), sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "insert into login_failure (email, client_addr) values (lower(btrim($1)), $2)
         returning login_failure_id",
    )
    .bind(email)
    .bind(client_addr)
    .fetch_one(&mut *conn)
    .await?;
    let recent = recent(conn, email, client_addr).await?;
    Ok((id, recent))
}

/// Take back an attempt recorded by `begin` that was refused without checking its password.
pub async fn withdraw(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("delete from login_failure where login_failure_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Record a failed sign-in.
pub async fn record(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into login_failure (email, client_addr) values (lower(btrim($1)), $2)")
        .bind(email)
        .bind(client_addr)
        .execute(conn)
        .await?;
    Ok(())
}

/// The failures in the window for this account and from this address.
pub async fn recent(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<Recent, sqlx::Error> {
    let (by_account, by_address, oldest): (i64, i64, Option<f64>) = sqlx::query_as(
        "with window_start as (select now() - make_interval(secs => $3) as since)
         select
             (select count(*) from login_failure, window_start
              where email = lower(btrim($1)) and created_at > since),
             (select count(*) from login_failure, window_start
              where client_addr = $2 and email <> $4 and created_at > since),
             (select extract(epoch from min(created_at) + make_interval(secs => $3) - now())::float8
              from login_failure, window_start
              where client_addr = $2 and email <> $4 and created_at > since)",
    )
    .bind(email)
    .bind(client_addr)
    .bind(WINDOW.as_secs_f64())
    .bind(SURVEY_LINK)
    .fetch_one(conn)
    .await?;
    Ok(Recent {
        by_account,
        by_address,
        address_expires_in: oldest.map_or(0, |s| s.ceil().max(1.0) as i64),
    })
}

/// Forget an account's failures after it signs in successfully, and drop expired rows.
pub async fn clear(conn: &mut PgConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "delete from login_failure
         where email = lower(btrim($1)) or created_at < now() - make_interval(secs => $2)",
    )
    .bind(email)
    .bind(WINDOW.as_secs_f64())
    .execute(conn)
    .await?;
    Ok(())
}
