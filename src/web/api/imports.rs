//! `POST /api/v1/imports/{kind}`: an import through the JSON API, with the same `prepare` and
//! `commit_streaming` as the command line (`web::admin::imports` has HR's import pages). The
//! body goes to a temporary file as it arrives, and is checked and written from there, so the
//! server holds neither the file nor its rows in memory.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::{Role, secret};
use crate::db::coverage::Range;
use crate::import::covers::Covers;
use crate::import::effect::Effect;
use crate::import::{self, Kind, Known, Options, Outcome, Prepared, RowError};
use crate::web::admin::imports::parse_date_format;
use crate::web::auth::CurrentUser;
use crate::web::extract::{Path, Query};
use crate::web::{AppError, AppState};

#[derive(Debug, Deserialize)]
pub struct ApiParams {
    dry_run: Option<bool>,
    skip_invalid: Option<bool>,
    date_format: Option<String>,
    file_name: Option<String>,
    /// The range the file covers, FROM..TO (see `import::covers`).
    covers: Option<String>,
}

/// The JSON answer of `POST /api/v1/imports/{kind}`: the outcome and what the preview found.
/// Pairs are objects with named fields (never JSON arrays of mixed items), so the answer can
/// be described in OpenAPI 3.0.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApiResult {
    /// imported, already_imported, dry_run or rejected.
    pub status: &'static str,
    pub import_id: Option<i64>,
    pub kind: Kind,
    pub file_name: String,
    /// SHA-256 of the file's bytes, hex: the same file is recognised when it comes again.
    pub content_hash: String,
    pub encoding: &'static str,
    pub delimiter: &'static str,
    /// How the file's columns map onto Attune's.
    pub columns: Vec<ColumnMapping>,
    /// The file's columns that Attune does not store.
    pub ignored_columns: Vec<String>,
    /// The day/month order used for dates like 03/04/2024, per column where it mattered.
    pub date_orders: Vec<DateOrderUsed>,
    pub rows_total: usize,
    pub rows_valid: usize,
    /// The first rows as they will be stored: Attune's column name → value.
    pub sample: Vec<BTreeMap<&'static str, String>>,
    /// The first row errors, in line order (`errors_total` counts them all).
    pub errors: Vec<RowError>,
    pub errors_total: usize,
    /// Things worth knowing that are not errors (e.g. absence types counted as unplanned).
    pub notes: Vec<String>,
    /// Rows imported as they are that look wrong, by line ("line 7: …"; e.g. an absence dated
    /// after the employee left): warnings, not errors.
    pub warnings: Vec<String>,
    /// What importing the valid rows changes (employees files only): new and updated
    /// employees, teams created and teams that grow or shrink today, manager ids that match
    /// nobody.
    pub effect: Option<Effect>,
    /// What the import records as covered (the stated `covers`, or the default from the rows'
    /// dates): the figures of the kind are known over these days (docs/metrics.md, "Coverage").
    pub coverage: Vec<Range>,
}

/// A column of the file and the Attune column it fills.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ColumnMapping {
    /// The header as written in the file.
    pub column: String,
    /// Attune's canonical column (see docs/importing.md).
    pub maps_to: &'static str,
}

/// The order of day and month used for a date column.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DateOrderUsed {
    /// Attune's canonical column.
    pub column: &'static str,
    /// "day/month/year" or "month/day/year".
    pub order: &'static str,
}

impl ApiResult {
    fn new(status: &'static str, import_id: Option<i64>, prepared: Prepared) -> ApiResult {
        ApiResult {
            status,
            import_id,
            kind: prepared.kind,
            file_name: prepared.file_name,
            content_hash: prepared.content_hash,
            encoding: prepared.encoding,
            delimiter: prepared.delimiter,
            columns: prepared
                .columns
                .into_iter()
                .map(|(maps_to, column)| ColumnMapping { column, maps_to })
                .collect(),
            ignored_columns: prepared.ignored_columns,
            date_orders: prepared
                .date_orders
                .into_iter()
                .map(|(column, order)| DateOrderUsed { column, order })
                .collect(),
            rows_total: prepared.rows_total,
            rows_valid: prepared.rows_valid,
            sample: prepared
                .sample
                .into_iter()
                .map(|row| row.into_iter().collect())
                .collect(),
            errors: prepared.errors,
            errors_total: prepared.errors_total,
            notes: prepared.notes,
            warnings: prepared.warnings,
            effect: prepared.effect,
            coverage: prepared.coverage,
        }
    }
}

/// `POST /api/v1/imports/{kind}`: the CSV is the body. HR tokens (or an HR session with the
/// `X-CSRF-Token` header).
pub async fn api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    Query(params): Query<ApiParams>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    if let Some(expected) = &user.csrf_token {
        // A browser session: cookies ride along on any request, so demand the CSRF token.
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !secret::equal(sent, expected) {
            return Err(AppError::csrf());
        }
    }
    user.require(Role::Hr)?;
    let kind = Kind::from_name(&kind).ok_or(AppError::NotFound)?;
    let options = Options {
        skip_invalid: params.skip_invalid.unwrap_or(false),
        date_order: parse_date_format(params.date_format.as_deref().unwrap_or(""))?,
        covers: match params
            .covers
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(str::parse::<Covers>)
            .transpose()
        {
            Ok(covers) => covers,
            Err(e) => {
                let error =
                    serde_json::json!({ "error": format!("covers: {e}"), "field": "covers" });
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(error)).into_response());
            }
        },
    };
    let file_name = params
        .file_name
        .unwrap_or_else(|| format!("{}.csv", kind.name()));
    let file = spool(body, state.config.max_upload_bytes).await?;
    let known = Known::load(&state.pool, kind).await?;
    let dry_run = params.dry_run.unwrap_or(false);
    let (pool, actor, runtime) = (
        state.pool.clone(),
        user.actor(),
        tokio::runtime::Handle::current(),
    );
    // Reading, checking and writing a large file takes a while: not on the server's own
    // threads (and the file's reader is not `Send`, so it stays on this one). If the request
    // is given up meanwhile (its timeout), `alive` goes and the import is rolled back.
    let (alive, given_up) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::task::spawn_blocking(move || {
        let file_error = |e: import::FileError| AppError::BadRequest(format!("{file_name}: {e}"));
        if dry_run {
            let prepared =
                import::prepare(kind, &file_name, &*file, options, &known).map_err(file_error)?;
            return Ok::<_, AppError>((prepared, None));
        }
        // One pass over the rows checks them and copies the valid ones into a staging table.
        let imported = runtime.block_on(async {
            tokio::select! {
                imported = import::import(
                    &pool, kind, &file_name, &*file, options, &known, &actor,
                ) => Some(imported),
                _ = given_up => None,
            }
        });
        match imported {
            Some(imported) => {
                let (prepared, outcome) = imported?.map_err(file_error)?;
                Ok((prepared, Some(outcome)))
            }
            None => Err(AppError::Unavailable),
        }
    })
    .await;
    drop(alive);
    let (prepared, outcome) =
        done.map_err(|e| AppError::Internal(format!("the import task failed: {e}")))??;
    let (status, code, import_id) = match outcome {
        None => ("dry_run", StatusCode::OK, None),
        Some(outcome) => match outcome {
            Outcome::Imported { import_id, .. } => ("imported", StatusCode::OK, Some(import_id)),
            Outcome::AlreadyImported { import_id } => {
                ("already_imported", StatusCode::OK, Some(import_id))
            }
            Outcome::Rejected => ("rejected", StatusCode::UNPROCESSABLE_ENTITY, None),
        },
    };
    let result = ApiResult::new(status, import_id, prepared);
    Ok((code, axum::Json(result)).into_response())
}

/// Write the request's body to a temporary file as it arrives (deleted when the returned path is
/// dropped). A body past the upload limit is a 413, as when its declared length is.
async fn spool(mut body: Body, limit_bytes: usize) -> Result<tempfile::TempPath, AppError> {
    use http_body_util::BodyExt;
    use tokio::io::AsyncWriteExt;

    let failed = |e: std::io::Error| AppError::Internal(format!("storing the upload: {e}"));
    let path = tempfile::NamedTempFile::new()
        .map_err(failed)?
        .into_temp_path();
    let mut file = tokio::fs::File::create(&path).await.map_err(failed)?;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            let e = e.into_inner();
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e.as_ref());
            while let Some(error) = cause {
                if error.is::<http_body_util::LengthLimitError>() {
                    return AppError::PayloadTooLarge { limit_bytes };
                }
                cause = error.source();
            }
            AppError::BadRequest(format!("the upload could not be read to its end: {e}"))
        })?;
        if let Ok(data) = frame.into_data() {
            file.write_all(&data).await.map_err(failed)?;
        }
    }
    file.flush().await.map_err(failed)?;
    Ok(path)
}
