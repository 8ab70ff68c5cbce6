//! Teams: created on first mention by an import, matched case-insensitively after trimming.

use std::collections::HashMap;

use sqlx::PgConnection;

/// A team as listed on pages and in reports.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Team {
    pub team_id: i64,
    pub name: String,
}

/// Make sure every named team exists; a name that differs only in case from an existing team
/// is that team.
pub async fn ensure(conn: &mut PgConnection, names: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into team (name)
         select distinct on (lower(btrim(n))) btrim(n) from unnest($1::text[]) as n
         order by lower(btrim(n))
         on conflict (lower(name)) do nothing",
    )
    .bind(names)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every team, by name.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<Team>, sqlx::Error> {
    sqlx::query_as("select team_id, name from team order by lower(name)")
        .fetch_all(conn)
        .await
}

/// The team with this name (case-insensitive, trimmed), if any.
pub async fn find(conn: &mut PgConnection, name: &str) -> Result<Option<Team>, sqlx::Error> {
    sqlx::query_as("select team_id, name from team where lower(name) = lower(btrim($1))")
        .bind(name)
        .fetch_optional(conn)
        .await
}

/// Each team's parent team name, if it has one.
pub async fn parents(
    conn: &mut PgConnection,
) -> Result<HashMap<String, Option<String>>, sqlx::Error> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "select t.name, p.name from team t left join team p on p.team_id = t.parent_team_id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}
