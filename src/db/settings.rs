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

/// Store each of `changes` — (key, value before, value after) — whose value changed, each
/// audited as `setting.change` with its key, from and to, in one transaction.
pub async fn change_all(
    conn: &mut PgConnection,
    actor: &super::audit::Actor,
    changes: &[(&str, serde_json::Value, serde_json::Value)],
) -> Result<(), sqlx::Error> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    for (key, from, to) in changes.iter().filter(|(_, from, to)| from != to) {
        set(&mut tx, key, to).await?;
        super::audit::record(
            &mut tx,
            actor,
            "setting.change",
            serde_json::json!({ "key": key, "from": from, "to": to }),
        )
        .await?;
    }
    tx.commit().await
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

/// The organization's currency: an ISO 4217 code such as `EUR`, used to show money.
pub const CURRENCY: &str = "currency";
/// The currency when HR has not set one.
pub const DEFAULT_CURRENCY: &str = "USD";
/// The working days of a week, as HR declares them (see [`WorkWeek`]).
pub const WORK_WEEK: &str = "work_week";
/// The turnover cost factor HR may set: a share of annual salary from 0 up to this.
pub const MAX_TURNOVER_COST_FACTOR: f64 = 5.0;

/// The working days of a week. Absence and scheduled days are counted Monday to Friday
/// whatever is set (see docs/metrics.md); the other choices are recorded for information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkWeek {
    #[default]
    MondayToFriday,
    SundayToThursday,
    MondayToSaturday,
}

impl WorkWeek {
    pub const ALL: [WorkWeek; 3] = [
        WorkWeek::MondayToFriday,
        WorkWeek::SundayToThursday,
        WorkWeek::MondayToSaturday,
    ];

    /// The value stored and submitted by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkWeek::MondayToFriday => "mon-fri",
            WorkWeek::SundayToThursday => "sun-thu",
            WorkWeek::MondayToSaturday => "mon-sat",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            WorkWeek::MondayToFriday => "Monday to Friday",
            WorkWeek::SundayToThursday => "Sunday to Thursday",
            WorkWeek::MondayToSaturday => "Monday to Saturday",
        }
    }

    /// The work week with this stored or submitted value.
    pub fn parse(text: &str) -> Result<WorkWeek, String> {
        WorkWeek::ALL
            .into_iter()
            .find(|w| w.as_str() == text.trim())
            .ok_or_else(|| format!("\"{}\" is not a work week Attune knows", text.trim()))
    }
}

/// The currency in force (the default when unset or not a valid code).
pub async fn currency(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let stored: Option<String> = get(conn, CURRENCY).await?;
    Ok(stored
        .and_then(|c| parse_currency(&c).ok())
        .unwrap_or_else(|| DEFAULT_CURRENCY.to_string()))
}

/// The work week in force (the default when unset or unknown).
pub async fn work_week(conn: &mut PgConnection) -> Result<WorkWeek, sqlx::Error> {
    let stored: Option<String> = get(conn, WORK_WEEK).await?;
    Ok(stored
        .and_then(|w| WorkWeek::parse(&w).ok())
        .unwrap_or_default())
}

/// A currency HR may set: three letters (an ISO 4217 code), stored in capitals.
pub fn parse_currency(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(format!(
            "the currency must be a three-letter ISO code such as EUR, USD or GBP, not \"{}\"",
            text.trim()
        ))
    }
}

/// A decimal number as people type it: `0.21`, ` 0,21 `.
fn parse_decimal(text: &str) -> Option<f64> {
    let value: f64 = text.trim().replace(',', ".").parse().ok()?;
    value.is_finite().then_some(value)
}

/// A turnover cost factor HR may set: a share of annual salary from 0 to 5 (0.21 is 21 %).
pub fn parse_turnover_cost_factor(text: &str) -> Result<f64, String> {
    let value = parse_decimal(text).ok_or_else(|| {
        format!(
            "the turnover cost factor must be a number such as 0.21, not \"{}\"",
            text.trim()
        )
    })?;
    if !(0.0..=MAX_TURNOVER_COST_FACTOR).contains(&value) {
        return Err(format!(
            "the turnover cost factor must be between 0 and {MAX_TURNOVER_COST_FACTOR} (a share of annual salary: 0.21 is 21 %)"
        ));
    }
    Ok(value)
}

/// Empathy index weights HR may set, in the order of `scoring::EmpathyWeights`' fields:
/// non-negative numbers, not all zero.
pub fn parse_empathy_weights(
    texts: [(&str, &str); 6],
) -> Result<crate::scoring::EmpathyWeights, String> {
    let mut values = [0.0; 6];
    for (value, (label, text)) in values.iter_mut().zip(texts) {
        let parsed = parse_decimal(text).ok_or_else(|| {
            format!(
                "the weight of {label} must be a number, not \"{}\"",
                text.trim()
            )
        })?;
        if !(0.0..=1000.0).contains(&parsed) {
            return Err(format!("the weight of {label} must be between 0 and 1000"));
        }
        *value = parsed;
    }
    if values.iter().all(|v| *v == 0.0) {
        return Err(
            "at least one empathy index weight must be above 0, or the index could never be computed"
                .to_string(),
        );
    }
    let [
        empathy_favorability,
        enps,
        voluntary_turnover,
        absenteeism,
        promotion,
        csat,
    ] = values;
    Ok(crate::scoring::EmpathyWeights {
        empathy_favorability,
        enps,
        voluntary_turnover,
        absenteeism,
        promotion,
        csat,
    })
}

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

    #[test]
    fn a_currency_is_a_three_letter_code_stored_in_capitals() {
        assert_eq!(parse_currency(" eur "), Ok("EUR".to_string()));
        assert!(parse_currency("EURO").is_err());
        assert!(parse_currency("€").is_err());
        assert!(parse_currency("").is_err());
    }

    #[test]
    fn the_turnover_cost_factor_is_a_share_of_salary_from_zero_to_five() {
        assert_eq!(parse_turnover_cost_factor("0.21"), Ok(0.21));
        assert_eq!(parse_turnover_cost_factor(" 0,5 "), Ok(0.5));
        assert_eq!(parse_turnover_cost_factor("0"), Ok(0.0));
        assert!(parse_turnover_cost_factor("-0.1").is_err());
        assert!(parse_turnover_cost_factor("21%").is_err());
        assert!(parse_turnover_cost_factor("6").is_err());
        assert!(parse_turnover_cost_factor("NaN").is_err());
    }

    #[test]
    fn empathy_weights_are_non_negative_and_not_all_zero() {
        let named = |values: [&'static str; 6]| {
            let labels = ["a", "b", "c", "d", "e", "f"];
            std::array::from_fn(|i| (labels[i], values[i]))
        };
        let weights = parse_empathy_weights(named(["30", "15", "20", "10", "10", "15"])).unwrap();
        assert_eq!(weights, crate::scoring::EmpathyWeights::default());
        assert!(parse_empathy_weights(named(["0", "0", "0", "0", "0", "0"])).is_err());
        assert!(parse_empathy_weights(named(["-1", "15", "20", "10", "10", "15"])).is_err());
        assert!(parse_empathy_weights(named(["x", "15", "20", "10", "10", "15"])).is_err());
    }

    #[test]
    fn only_known_work_weeks_are_accepted() {
        assert_eq!(WorkWeek::parse("sun-thu"), Ok(WorkWeek::SundayToThursday));
        assert!(WorkWeek::parse("tue-sat").is_err());
    }
}
