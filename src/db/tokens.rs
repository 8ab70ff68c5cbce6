//! Personal API tokens: shown once when created, stored as SHA-256 digests, acting with their
//! user's role and teams until revoked or the user is disabled.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::version::{self, DataVersion};
use super::{sessions, users};
use crate::accounts::{Role, secret};

/// A token as listed (never the token itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiToken {
    pub api_token_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The account behind a valid token.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    /// The teams they may see by name, if their role limits them (`users::visible_teams`).
    pub teams: Vec<String>,
    /// The data version, read in the same statement (a request needs both).
    pub data_version: DataVersion,
}

/// Create a token for a user; returns its id and the token, which is not stored and cannot be
/// shown again.
pub async fn create(
    conn: &mut PgConnection,
    user_id: i64,
    name: &str,
) -> Result<(i64, String), sqlx::Error> {
    let token = secret::new_api_token();
    let id = sqlx::query_scalar(
        "insert into api_token (token_hash, user_id, name) values ($1, $2, btrim($3))
         returning api_token_id",
    )
    .bind(secret::digest(&token))
    .bind(user_id)
    .bind(name)
    .fetch_one(conn)
    .await?;
    Ok((id, token))
}

/// A user's tokens, newest first.
pub async fn list(conn: &mut PgConnection, user_id: i64) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query_as(
        "select api_token_id, name, created_at, last_used_at, revoked_at from api_token
         where user_id = $1 order by created_at desc, api_token_id desc",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Revoke a user's live tokens with this id, or else with this name (ignoring case). Returns
/// the ids revoked (none: no such live token of this user).
pub async fn revoke(
    conn: &mut PgConnection,
    user_id: i64,
    id_or_name: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let id: Option<i64> = id_or_name.trim().parse().ok();
    sqlx::query_scalar(
        "update api_token set revoked_at = now(), updated_at = now()
         where user_id = $1 and revoked_at is null
           and (api_token_id = $2 or ($2 is null and lower(name) = lower(btrim($3))))
         returning api_token_id",
    )
    .bind(user_id)
    .bind(id)
    .bind(id_or_name)
    .fetch_all(conn)
    .await
}

/// The user a token acts for, while the token is live and the user enabled, with the teams
/// they may see (`users::visible_teams`) and the data version (`version::current`); records the use (at most once every
/// `sessions::TOUCH_EVERY`, for the reason given there).
pub async fn authenticate(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<TokenUser>, sqlx::Error> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        format!(
            "with live as (
                 select k.api_token_id, k.last_used_at, u.user_id, u.email, u.role
                 from api_token k join app_user u using (user_id)
                 where k.token_hash = $1 and k.revoked_at is null and u.disabled_at is null
             ), touched as (
                 update api_token k set last_used_at = now()
                 from live
                 where k.api_token_id = live.api_token_id
                   and (live.last_used_at is null
                        or live.last_used_at < now() - make_interval(secs => $2))
             )
             select user_id, email, role, {}, {} from live",
            users::visible_teams_array("live.user_id"),
            version::COLUMNS
        )
    });
    type Row = (i64, String, String, Vec<String>, i64, i64);
    let row: Option<Row> = sqlx::query_as(QUERY.as_str())
        .bind(secret::digest(token))
        .bind(sessions::TOUCH_EVERY.as_secs_f64())
        .fetch_optional(conn)
        .await?;
    Ok(
        row.and_then(|(user_id, email, role, teams, database, version)| {
            Some(TokenUser {
                user_id,
                email,
                role: role.parse().ok()?,
                teams,
                data_version: DataVersion { database, version },
            })
        }),
    )
}
