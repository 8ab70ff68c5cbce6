//! Browser sessions, stored in PostgreSQL so that they survive restarts and several instances
//! share them. The cookie carries a random id; the table keeps only its SHA-256 digest. Idle and
//! absolute timeouts are enforced by the queries themselves.

use std::sync::LazyLock;
use std::time::Duration;

use sqlx::PgConnection;

use super::users;
use super::version::{self, DataVersion};
use crate::accounts::{Role, secret};

/// How long a session lives.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Without a request for this long, the session ends.
    pub idle: Duration,
    /// Whatever the activity, the session ends this long after sign-in.
    pub absolute: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// A new session: the secret for the cookie (never stored) and the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
}

/// The signed-in account behind a live session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    pub csrf_token: String,
    /// The teams they may see by name, if their role limits them (`users::visible_teams`).
    pub teams: Vec<String>,
    /// The data version, read in the same statement (a request needs both).
    pub data_version: DataVersion,
}

/// Open a session for a user, and clear away sessions that have expired.
pub async fn create(
    conn: &mut PgConnection,
    user_id: i64,
    timeouts: Timeouts,
) -> Result<NewSession, sqlx::Error> {
    sqlx::query(
        "delete from session
         where last_seen_at < now() - make_interval(secs => $1)
            or created_at < now() - make_interval(secs => $2)",
    )
    .bind(timeouts.idle.as_secs_f64())
    .bind(timeouts.absolute.as_secs_f64())
    .execute(&mut *conn)
    .await?;
    let session = NewSession {
        secret: secret::random_hex(),
        csrf_token: secret::random_hex(),
    };
    sqlx::query("insert into session (session_hash, user_id, csrf_token) values ($1, $2, $3)")
        .bind(secret::digest(&session.secret))
        .bind(user_id)
        .bind(&session.csrf_token)
        .execute(conn)
        .await?;
    Ok(session)
}

/// How stale a session's `last_seen_at` may get before a request writes it again (or a tenth of
/// the idle timeout, if that is less): a page asked for many times a second would otherwise
/// write (and lock) the same row each time, and every concurrent request of that session would
/// wait for the one before it to commit. The idle timeout is therefore counted from a request
/// at most this much earlier than the last one.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// The user of a live session (neither idle nor too old, its account enabled), with the teams
/// they may see (`users::visible_teams`) and the data version (`version::current`), all in one
/// statement, marking it as seen now (at
/// most once every [`TOUCH_EVERY`]); `None` for an unknown or expired session.
pub async fn authenticate(
    conn: &mut PgConnection,
    secret: &str,
    timeouts: Timeouts,
) -> Result<Option<SessionUser>, sqlx::Error> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        format!(
            "with live as (
                 select s.session_hash, s.last_seen_at, u.user_id, u.email, u.role, s.csrf_token
                 from session s join app_user u using (user_id)
                 where s.session_hash = $1
                   and u.disabled_at is null
                   and s.last_seen_at >= now() - make_interval(secs => $2)
                   and s.created_at >= now() - make_interval(secs => $3)
             ), touched as (
                 update session s set last_seen_at = now()
                 from live
                 where s.session_hash = live.session_hash
                   and live.last_seen_at < now() - make_interval(secs => $4)
             )
             select user_id, email, role, csrf_token, {}, {} from live",
            users::visible_teams_array("live.user_id"),
            version::COLUMNS
        )
    });
    type Row = (i64, String, String, String, Vec<String>, i64, i64);
    let row: Option<Row> = sqlx::query_as(QUERY.as_str())
        .bind(secret::digest(secret))
        .bind(timeouts.idle.as_secs_f64())
        .bind(timeouts.absolute.as_secs_f64())
        .bind((timeouts.idle / 10).min(TOUCH_EVERY).as_secs_f64())
        .fetch_optional(conn)
        .await?;
    Ok(row.and_then(
        |(user_id, email, role, csrf_token, teams, database, version)| {
            Some(SessionUser {
                user_id,
                email,
                role: role.parse().ok()?,
                csrf_token,
                teams,
                data_version: DataVersion { database, version },
            })
        },
    ))
}

/// End one session (sign out).
pub async fn delete(conn: &mut PgConnection, secret: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from session where session_hash = $1")
        .bind(secret::digest(secret))
        .execute(conn)
        .await?;
    Ok(())
}
