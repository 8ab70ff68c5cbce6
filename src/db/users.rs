//! User accounts: their role, their teams, and whether they are disabled.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::audit::{self, Actor};
use crate::accounts::Role;

/// An account as listed for HR and the CLI.
#[derive(Debug, Clone)]
pub struct User {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The teams assigned to the user (managers), by name.
    pub teams: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    user_id: i64,
    email: String,
    role: String,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    teams: Vec<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> User {
        User {
            user_id: row.user_id,
            email: row.email,
            // The check constraint app_user_role_known allows only the three roles.
            role: row.role.parse().unwrap_or(Role::Manager),
            disabled_at: row.disabled_at,
            created_at: row.created_at,
            teams: row.teams,
        }
    }
}

const SELECT_USER: &str = "select u.user_id, u.email, u.role, u.disabled_at, u.created_at,
        array(select t.name from user_team ut join team t using (team_id)
              where ut.user_id = u.user_id order by lower(t.name)) as teams
    from app_user u";

/// How many accounts exist (none: the first HR account still has to be created).
pub async fn count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(conn)
        .await
}

/// Create an account; `None` when the e-mail address (ignoring case) is taken.
pub async fn create(
    conn: &mut PgConnection,
    email: &str,
    password_hash: &str,
    role: Role,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "insert into app_user (email, password_hash, role) values (btrim($1), $2, $3)
         on conflict (lower(email)) do nothing
         returning user_id",
    )
    .bind(email)
    .bind(password_hash)
    .bind(role.as_str())
    .fetch_optional(conn)
    .await
}

/// Every account, by e-mail address.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<User>, sqlx::Error> {
    let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_USER} order by lower(u.email)"
    )))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(User::from).collect())
}

/// The account with this e-mail address (ignoring case).
pub async fn find_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<User>, sqlx::Error> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_USER} where lower(u.email) = lower(btrim($1))"
    )))
    .bind(email)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(User::from))
}

/// The account with this id.
pub async fn find(conn: &mut PgConnection, user_id: i64) -> Result<Option<User>, sqlx::Error> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_USER} where u.user_id = $1"
    )))
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(User::from))
}

/// What signing in needs: the account's id and password hash, only while it is enabled.
pub async fn credentials(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "select user_id, password_hash from app_user
         where lower(email) = lower(btrim($1)) and disabled_at is null",
    )
    .bind(email)
    .fetch_optional(conn)
    .await
}

/// Disable an account, end all its sessions and revoke its API tokens for good (enabling it
/// again does not bring them back). Returns whether it was enabled.
pub async fn disable(conn: &mut PgConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let changed: Option<i64> = sqlx::query_scalar(
        "with disabled as (
             update app_user set disabled_at = now(), updated_at = now()
             where user_id = $1 and disabled_at is null
             returning user_id
         ), ended as (
             delete from session where user_id = $1
         ), revoked as (
             update api_token set revoked_at = now()
             where user_id = $1 and revoked_at is null
         )
         select user_id from disabled",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(changed.is_some())
}

/// Enable a disabled account. Returns whether it was disabled.
///
/// Tokens that were live when it was disabled stay dead (also those of accounts disabled before
/// `disable` revoked them): the user makes new ones.
pub async fn enable(conn: &mut PgConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let changed: Option<i64> = sqlx::query_scalar(
        "with enabled as (
             update app_user set disabled_at = null, updated_at = now()
             where user_id = $1 and disabled_at is not null
             returning user_id
         ), revoked as (
             update api_token set revoked_at = now()
             where user_id in (select user_id from enabled) and revoked_at is null
         )
         select user_id from enabled",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(changed.is_some())
}

/// Disable (`disabled`) or enable `user`'s account and record it in the audit log, as HR's page
/// and the command line both do; disabling ends its sessions. Returns whether it changed (not
/// when it was so already).
pub async fn set_disabled(
    conn: &mut PgConnection,
    actor: &Actor,
    user: &User,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let (changed, action) = if disabled {
        (disable(&mut *conn, user.user_id).await?, "user.disable")
    } else {
        (enable(&mut *conn, user.user_id).await?, "user.enable")
    };
    if changed {
        let detail = serde_json::json!({ "user_id": user.user_id, "email": user.email });
        audit::record(conn, actor, action, detail).await?;
    }
    Ok(changed)
}

/// Replace the password hash and end the account's sessions (they were opened with the old
/// password).
pub async fn set_password(
    conn: &mut PgConnection,
    user_id: i64,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "with changed as (
             update app_user set password_hash = $2, updated_at = now() where user_id = $1
         )
         delete from session where user_id = $1",
    )
    .bind(user_id)
    .bind(password_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// Those of `names` that are no team (compared ignoring case and surrounding spaces).
pub async fn unknown_teams(
    conn: &mut PgConnection,
    names: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select btrim(n) from unnest($1::text[]) as n
         where not exists (select from team t where lower(t.name) = lower(btrim(n)))",
    )
    .bind(names)
    .fetch_all(conn)
    .await
}

/// Assign exactly these teams (by name; unknown names are ignored, see `unknown_teams`).
pub async fn set_teams(
    conn: &mut PgConnection,
    user_id: i64,
    names: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "with wanted as (
             select t.team_id from team t
             where lower(t.name) in (select lower(btrim(n)) from unnest($2::text[]) as n)
         ), removed as (
             delete from user_team
             where user_id = $1 and team_id not in (select team_id from wanted)
         )
         insert into user_team (user_id, team_id)
         select $1, team_id from wanted
         on conflict on constraint user_team_pkey do nothing",
    )
    .bind(user_id)
    .bind(names)
    .execute(conn)
    .await?;
    Ok(())
}

/// The names of the teams a user may see: those assigned, and every team under them (any
/// depth), for managers. Other roles see all teams; callers decide by role.
pub async fn visible_teams(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    // The SQL is made of constants only.
    let sql = format!("select {}", visible_teams_array("$1"));
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// `visible_teams` as an SQL expression (a `text[]`, by name) of the user id `user_id` (a
/// column or a parameter), for statements that also read the user: signing in by session or
/// token reads the user and their teams at once.
pub fn visible_teams_array(user_id: &str) -> String {
    format!(
        "array(with recursive visible (team_id) as (
             select team_id from user_team where user_id = {user_id}
             union
             select child.team_id from team child join visible v on child.parent_team_id = v.team_id
         )
         select t.name from team t join visible using (team_id) order by lower(t.name))"
    )
}
