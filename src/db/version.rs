//! The data version (migration 0009): a number PostgreSQL bumps when a transaction that changed
//! anything a report reads commits, so that computed reports can be kept until it moves
//! (`crate::cache`), by every instance serving the database.

use sqlx::PgConnection;

/// Which state of which database a report was computed from. The database's own id is part of
/// it: a restore (`attune restore`) swaps in another database, whose version may be one this
/// process has seen already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataVersion {
    pub database: i64,
    pub version: i64,
}

/// The current data version: one small query.
pub async fn current(conn: &mut PgConnection) -> Result<DataVersion, sqlx::Error> {
    let (database, version) = sqlx::query_as(
        "select (select oid from pg_database where datname = current_database())::int8,
                version
         from data_version",
    )
    .fetch_one(conn)
    .await?;
    Ok(DataVersion { database, version })
}
