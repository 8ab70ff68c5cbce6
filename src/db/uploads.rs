//! Uploaded files awaiting confirmation (web imports: upload → preview → confirm).

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

/// Store an upload; uploads older than a day are dropped on the way.
pub async fn create(
    conn: &mut PgConnection,
    kind: &str,
    file_name: &str,
    content: &[u8],
    skip_invalid: bool,
    date_format: Option<&str>,
    uploaded_by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query("delete from import_upload where created_at < now() - interval '1 day'")
        .execute(&mut *conn)
        .await?;
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

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Upload>, sqlx::Error> {
    sqlx::query_as(
        "select import_upload_id, kind, file_name, content, skip_invalid, date_format
         from import_upload where import_upload_id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("delete from import_upload where import_upload_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
