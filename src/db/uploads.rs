//! Uploaded files awaiting confirmation (web imports: upload → preview → confirm).

use std::time::Duration;

use sqlx::PgConnection;

/// An uploaded file and the options chosen with it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upload {
    pub import_upload_id: i64,
    pub kind: String,
    pub file_name: String,
    pub content: Vec<u8>,
    pub skip_invalid: bool,
    pub date_format: Option<String>,
}

/// How long an upload waits for its confirmation by default (`--upload-expiry-hours`).
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);

/// Store an upload.
pub async fn create(
    conn: &mut PgConnection,
    kind: &str,
    file_name: &str,
    content: &[u8],
    skip_invalid: bool,
    date_format: Option<&str>,
    uploaded_by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into import_upload (kind, file_name, content, skip_invalid, date_format, uploaded_by)
         values ($1, $2, $3, $4, $5, $6) returning import_upload_id",
    )
    .bind(kind)
    .bind(file_name)
    .bind(content)
    .bind(skip_invalid)
    .bind(date_format)
    .bind(uploaded_by)
    .fetch_one(conn)
    .await
}

/// The upload, unless it is older than `expiry` (then it is as good as gone).
pub async fn find(
    conn: &mut PgConnection,
    id: i64,
    expiry: Duration,
) -> Result<Option<Upload>, sqlx::Error> {
    sqlx::query_as(
        "select import_upload_id, kind, file_name, content, skip_invalid, date_format
         from import_upload
         where import_upload_id = $1 and created_at > now() - make_interval(secs => $2)",
    )
    .bind(id)
    .bind(expiry.as_secs_f64())
    .fetch_optional(conn)
    .await
}

/// Drop the uploads older than `expiry` (`attune serve` does so every few minutes). Returns
/// how many.
pub async fn expire(conn: &mut PgConnection, expiry: Duration) -> Result<u64, sqlx::Error> {
    sqlx::query("delete from import_upload where created_at < now() - make_interval(secs => $1)")
        .bind(expiry.as_secs_f64())
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
}

/// Drop every upload awaiting confirmation (an erasure: any of them may name the person).
pub async fn discard_all(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    sqlx::query("delete from import_upload")
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("delete from import_upload where import_upload_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
