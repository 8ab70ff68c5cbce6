//! The import record: one row per file imported, with its content hash, so that the same file
//! imported twice is recognised.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// One import as listed in the history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Import {
    pub import_id: i64,
    pub kind: String,
    pub file_name: String,
    pub content_hash: String,
    pub status: String,
    pub rows_total: i32,
    pub rows_accepted: i32,
    pub rows_rejected: i32,
    pub created_at: DateTime<Utc>,
}

/// The succeeded import of exactly this content, if there is one.
pub async fn find_succeeded(
    conn: &mut PgConnection,
    kind: &str,
    content_hash: &str,
) -> Result<Option<Import>, sqlx::Error> {
    sqlx::query_as(
        "select import_id, kind, file_name, content_hash, status, rows_total, rows_accepted,
                rows_rejected, created_at
         from import where kind = $1 and content_hash = $2 and status = 'succeeded'
         order by import_id desc limit 1",
    )
    .bind(kind)
    .bind(content_hash)
    .fetch_optional(conn)
    .await
}

/// Record a new import as running; it becomes visible only when its transaction commits.
pub async fn start(
    conn: &mut PgConnection,
    kind: &str,
    file_name: &str,
    content_hash: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into import (kind, file_name, content_hash) values ($1, $2, $3) returning import_id",
    )
    .bind(kind)
    .bind(file_name)
    .bind(content_hash)
    .fetch_one(conn)
    .await
}

/// Mark an import succeeded with its row counts.
pub async fn finish(
    conn: &mut PgConnection,
    import_id: i64,
    rows_total: usize,
    rows_accepted: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update import set status = 'succeeded', rows_total = $2, rows_accepted = $3,
                rows_rejected = $2 - $3, finished_at = now()
         where import_id = $1",
    )
    .bind(import_id)
    .bind(rows_total as i32)
    .bind(rows_accepted as i32)
    .execute(conn)
    .await?;
    Ok(())
}
