//! `POST /api/v1/imports/{kind}`: an import through the JSON API, with the same `prepare` and
//! `commit` as the command line and HR's import pages (`web::admin::imports`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::{Role, secret};
use crate::import::{self, Kind, Known, Options, Outcome, Prepared};
use crate::web::admin::imports::parse_date_format;
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState};

#[derive(Debug, Deserialize)]
pub struct ApiParams {
    dry_run: Option<bool>,
    skip_invalid: Option<bool>,
    date_format: Option<String>,
    file_name: Option<String>,
}

/// The JSON answer of `POST /api/v1/imports/{kind}`: the outcome and the preview's fields.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApiResult {
    /// imported, already_imported, dry_run or rejected.
    pub status: &'static str,
    pub import_id: Option<i64>,
    #[serde(flatten)]
    pub preview: Prepared,
}

/// `POST /api/v1/imports/{kind}`: the CSV is the body. HR tokens (or an HR session with the
/// `X-CSRF-Token` header).
pub async fn api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    Query(params): Query<ApiParams>,
    headers: axum::http::HeaderMap,
    body: Bytes,
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
    };
    let file_name = params
        .file_name
        .unwrap_or_else(|| format!("{}.csv", kind.name()));
    let known = Known::load(&state.pool, kind).await?;
    let prepared = import::prepare(kind, &file_name, &body[..], options, &known)
        .map_err(|e| AppError::BadRequest(format!("{file_name}: {e}")))?;
    let (status, code, import_id) = if params.dry_run.unwrap_or(false) {
        ("dry_run", StatusCode::OK, None)
    } else {
        match import::commit(&state.pool, &prepared, options, &user.actor()).await? {
            Outcome::Imported { import_id, .. } => ("imported", StatusCode::OK, Some(import_id)),
            Outcome::AlreadyImported { import_id } => {
                ("already_imported", StatusCode::OK, Some(import_id))
            }
            Outcome::Rejected => ("rejected", StatusCode::UNPROCESSABLE_ENTITY, None),
        }
    };
    let result = ApiResult {
        status,
        import_id,
        preview: prepared,
    };
    Ok((code, axum::Json(result)).into_response())
}
