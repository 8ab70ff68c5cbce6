//! The data version (migration 0009): a number PostgreSQL bumps when a transaction that changed
//! anything a report reads commits, so that computed reports can be kept until it moves
//! (`crate::cache`), by every instance serving the database.

use std::sync::LazyLock;

use sqlx::PgConnection;

/// Which state of which database a report was computed from. The database's own id is part of
/// it: a restore (`attune restore`) swaps in another database, whose version may be one this
/// process has seen already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataVersion {
    pub database: i64,
    pub version: i64,
}

/// The data version as two `int8` columns (the database, the version), for statements that
/// read it along with something else: a request reads it with its session.
pub const COLUMNS: &str = "(select oid from pg_database where datname = current_database())::int8,
     (select version from data_version)";

/// The current data version: one small query.
pub async fn current(conn: &mut PgConnection) -> Result<DataVersion, sqlx::Error> {
    static QUERY: LazyLock<String> = LazyLock::new(|| format!("select {COLUMNS}"));
    let (database, version) = sqlx::query_as(QUERY.as_str()).fetch_one(conn).await?;
    Ok(DataVersion { database, version })
}
