//! Settings HR can change, stored as one JSON value per key. A key that was never set has the
//! default its caller gives, so new settings need no migration.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgConnection;

/// The minimum group size: survey-derived figures of a group with fewer responses are
/// suppressed.
pub const MIN_GROUP_SIZE: &str = "min_group_size";
/// The minimum group size when HR has not set one.
pub const DEFAULT_MIN_GROUP_SIZE: i64 = 5;
/// The minimum group size can never be set below this.
pub const MIN_GROUP_SIZE_FLOOR: i64 = 3;

/// The stored value of `key`, if it is set and has the expected type.
pub async fn get<T: DeserializeOwned>(
    conn: &mut PgConnection,
    key: &str,
) -> Result<Option<T>, sqlx::Error> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("select value from setting where key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Store `value` under `key`.
pub async fn set<T: Serialize>(
    conn: &mut PgConnection,
    key: &str,
    value: &T,
) -> Result<(), sqlx::Error> {
    let value = serde_json::to_value(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "insert into setting (key, value) values ($1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = now()",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// A whole number setting, or `default` when unset.
pub async fn get_i64(conn: &mut PgConnection, key: &str, default: i64) -> Result<i64, sqlx::Error> {
    Ok(get(conn, key).await?.unwrap_or(default))
}

/// A decimal number setting, or `default` when unset.
pub async fn get_f64(conn: &mut PgConnection, key: &str, default: f64) -> Result<f64, sqlx::Error> {
    Ok(get(conn, key).await?.unwrap_or(default))
}

/// Store a whole number setting.
pub async fn set_i64(conn: &mut PgConnection, key: &str, value: i64) -> Result<(), sqlx::Error> {
    set(conn, key, &value).await
}

/// Store a decimal number setting.
pub async fn set_f64(conn: &mut PgConnection, key: &str, value: f64) -> Result<(), sqlx::Error> {
    set(conn, key, &value).await
}

/// The minimum group size in force (never below the floor, whatever is stored).
pub async fn min_group_size(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    Ok(get_i64(conn, MIN_GROUP_SIZE, DEFAULT_MIN_GROUP_SIZE)
        .await?
        .max(MIN_GROUP_SIZE_FLOOR))
}

/// A minimum group size HR may set: a whole number of at least the floor.
pub fn parse_min_group_size(text: &str) -> Result<i64, String> {
    let value: i64 = text.trim().parse().map_err(|_| {
        format!(
            "the minimum group size must be a whole number, not \"{}\"",
            text.trim()
        )
    })?;
    if value < MIN_GROUP_SIZE_FLOOR {
        return Err(format!(
            "the minimum group size cannot be below {MIN_GROUP_SIZE_FLOOR}: smaller groups could identify people"
        ));
    }
    if value > 1000 {
        return Err("the minimum group size cannot be above 1000".to_string());
    }
    Ok(value)
}

/// The share of a leaver's annual salary that replacing them costs.
pub const TURNOVER_COST_FACTOR: &str = "turnover_cost_factor";
/// The empathy index weights (a JSON object like `scoring::EmpathyWeights`).
pub const EMPATHY_WEIGHTS: &str = "empathy_weights";

/// Everything scoring takes from the settings, with defaults for what HR has not set.
pub async fn scoring(conn: &mut PgConnection) -> Result<crate::scoring::Settings, sqlx::Error> {
    let defaults = crate::scoring::Settings::default();
    Ok(crate::scoring::Settings {
        min_group_size: min_group_size(&mut *conn).await?,
        turnover_cost_factor: get_f64(
            &mut *conn,
            TURNOVER_COST_FACTOR,
            defaults.turnover_cost_factor,
        )
        .await?,
        empathy_weights: get(&mut *conn, EMPATHY_WEIGHTS)
            .await?
            .unwrap_or(defaults.empathy_weights),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_group_size_is_never_below_three() {
        assert_eq!(parse_min_group_size(" 7 "), Ok(7));
        assert_eq!(parse_min_group_size("3"), Ok(3));
        assert!(parse_min_group_size("2").is_err());
        assert!(parse_min_group_size("five").is_err());
        assert!(parse_min_group_size("4.5").is_err());
    }
}
