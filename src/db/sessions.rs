//! Browser sessions, stored in PostgreSQL so that they survive restarts and several instances
//! share them. The cookie carries a random id; the table keeps only its SHA-256 digest. Idle and
//! absolute timeouts are enforced by the queries themselves.

use std::time::Duration;

use sqlx::PgConnection;

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

/// The user of a live session (neither idle nor too old, its account enabled), marking it
/// as seen now; `None` for an unknown or expired session.
pub async fn authenticate(
    conn: &mut PgConnection,
    secret: &str,
    timeouts: Timeouts,
) -> Result<Option<SessionUser>, sqlx::Error> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "update session s set last_seen_at = now()
         from app_user u
         where s.session_hash = $1
           and u.user_id = s.user_id
           and u.disabled_at is null
           and s.last_seen_at >= now() - make_interval(secs => $2)
           and s.created_at >= now() - make_interval(secs => $3)
         returning u.user_id, u.email, u.role, s.csrf_token",
    )
    .bind(secret::digest(secret))
    .bind(timeouts.idle.as_secs_f64())
    .bind(timeouts.absolute.as_secs_f64())
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(user_id, email, role, csrf_token)| {
        Some(SessionUser {
            user_id,
            email,
            role: role.parse().ok()?,
            csrf_token,
        })
    }))
}

/// End one session (sign out).
pub async fn delete(conn: &mut PgConnection, secret: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from session where session_hash = $1")
        .bind(secret::digest(secret))
        .execute(conn)
        .await?;
    Ok(())
}
