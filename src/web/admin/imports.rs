//! Imports in the web UI (HR); the JSON API's import is in `web::api::imports`.
//!
//! The page flow is upload → preview → confirm: the uploaded file is kept in PostgreSQL
//! (`import_upload`), so the preview and the confirmation may be served by different instances.
//! Reading, validating and writing are the same as on the command line (`crate::import`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts::{Role, secret};
use crate::db;
use crate::db::coverage::Range;
use crate::db::imports::ImportStatus;
use crate::import::covers::Covers;
use crate::import::{
    self, FileError, Kind, Known, Options, Outcome, Prepared, Streamed, dates::DateOrder,
};
use crate::present::spreadsheet;
use crate::web::auth::{CurrentUser, EmptyForm, Nav, VerifiedForm};
use crate::web::extract::{Multipart, Path, Query};
use crate::web::{AppError, AppState};

/// One row of the import history.
pub struct HistoryRow {
    pub import_id: i64,
    pub when: String,
    pub kind: String,
    pub file_name: String,
    pub hash: String,
    pub status: ImportStatus,
    pub rows_accepted: i32,
    pub rows_rejected: i32,
    pub by: String,
    pub undoable: bool,
    /// What the import covers, in words (nothing once undone).
    pub covers: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/imports.html")]
pub struct ImportsPage {
    pub nav: Nav,
    pub csrf: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub max_upload_mb: usize,
    pub message: Option<String>,
    pub history: Vec<HistoryRow>,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    imported: Option<i64>,
    already: Option<i64>,
    undone: Option<i64>,
}

/// `GET /admin/imports`: the upload form and the history.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> Result<ImportsPage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let imports = db::imports::list(&mut conn, 200).await?;
    let ids: Vec<i64> = imports.iter().map(|i| i.import_id).collect();
    let coverage = db::coverage::of_imports(&mut conn, &ids).await?;
    let message = if let Some(id) = params.imported {
        imports.iter().find(|i| i.import_id == id).map(|i| {
            format!(
                "Import #{id} is done: {} rows of {} from {} imported{}.",
                i.rows_accepted,
                i.kind,
                i.file_name,
                if i.rows_rejected > 0 {
                    format!(", {} invalid rows skipped", i.rows_rejected)
                } else {
                    String::new()
                }
            )
        })
    } else if let Some(id) = params.already {
        Some(format!(
            "This file was already imported (import #{id}); nothing changed."
        ))
    } else {
        params.undone.map(|id| format!("Import #{id} was undone."))
    };
    Ok(ImportsPage {
        nav: user.nav(),
        csrf: user.csrf_token.clone().unwrap_or_default(),
        kinds: Kind::ALL.iter().map(|k| (k.name(), k.label())).collect(),
        max_upload_mb: state.config.max_upload_bytes / (1024 * 1024),
        message,
        history: imports
            .into_iter()
            .map(|i| HistoryRow {
                covers: coverage
                    .iter()
                    .filter(|(id, _)| *id == i.import_id)
                    .map(|(_, range)| range.to_string())
                    .collect(),
                undoable: i.status == ImportStatus::Succeeded,
                import_id: i.import_id,
                when: i.created_at.format("%Y-%m-%d %H:%M").to_string(),
                kind: i.kind,
                file_name: i.file_name,
                hash: i.content_hash.chars().take(12).collect(),
                status: i.status,
                rows_accepted: i.rows_accepted,
                rows_rejected: i.rows_rejected,
                by: i.created_by.unwrap_or_default(),
            })
            .collect(),
    })
}

/// `POST /admin/imports` (multipart): store the file, then show its preview.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Multipart(mut multipart): Multipart,
) -> Result<Response, AppError> {
    let limit_bytes = state.config.max_upload_bytes;
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge { limit_bytes }
        } else {
            AppError::BadRequest(format!("The upload could not be read: {}.", e.body_text()))
        }
    };
    let (mut csrf, mut kind, mut date_format, mut skip_invalid, mut file) =
        (String::new(), String::new(), String::new(), false, None);
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name =
                    crate::web::hygiene::clean_file_name(field.file_name().unwrap_or_default());
                let bytes = field.bytes().await.map_err(too_large)?;
                file = Some((file_name, bytes));
            }
            _ => {
                let value = field.text().await.map_err(too_large)?;
                match name.as_str() {
                    "csrf_token" => csrf = value,
                    "kind" => kind = value,
                    "date_format" => date_format = value,
                    "skip_invalid" => skip_invalid = !value.is_empty(),
                    _ => {}
                }
            }
        }
    }
    // The CSRF check comes before anything is stored.
    let expected = user.csrf_token.clone().unwrap_or_default();
    if expected.is_empty() || !secret::equal(&csrf, &expected) {
        return Err(AppError::csrf());
    }
    user.require(Role::Hr)?;
    let kind = Kind::from_name(&kind)
        .ok_or_else(|| AppError::BadRequest("Choose what the file holds.".to_string()))?;
    let date_format = parse_date_format(&date_format)?.map(|_| date_format.clone());
    let (file_name, bytes) = file
        .filter(|(_, bytes)| !bytes.is_empty())
        .ok_or_else(|| AppError::BadRequest("Choose a CSV file to upload.".to_string()))?;
    let mut conn = state.pool.acquire().await?;
    let id = db::uploads::create(
        &mut conn,
        kind.name(),
        &file_name,
        &bytes,
        skip_invalid,
        date_format.as_deref(),
        user.user_id,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/imports/uploads/{id}")).into_response())
}

pub(crate) fn parse_date_format(text: &str) -> Result<Option<DateOrder>, AppError> {
    match text.trim() {
        "" | "auto" => Ok(None),
        "dmy" => Ok(Some(DateOrder::DayFirst)),
        "mdy" => Ok(Some(DateOrder::MonthFirst)),
        other => Err(AppError::BadRequest(format!(
            "\"{other}\" is not a date format: use dmy or mdy."
        ))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/import_preview.html")]
pub struct PreviewPage {
    pub nav: Nav,
    pub csrf: String,
    pub upload_id: i64,
    pub kind: String,
    pub file_name: String,
    pub skip_invalid: bool,
    /// A whole-file problem: nothing can be imported.
    pub file_error: Option<String>,
    pub preview: Option<Prepared>,
    pub already_imported: Option<i64>,
    /// The sample as a table: header, then rows.
    pub sample_header: Vec<&'static str>,
    pub sample_rows: Vec<Vec<String>>,
    /// What the import will record as covered, in words, and as the confirm form's `covers`
    /// field is prefilled (FROM..TO; FROM.. when open-ended).
    pub coverage: Vec<String>,
    pub covers: String,
}

async fn load_upload(
    state: &AppState,
    id: i64,
) -> Result<(db::uploads::Upload, Kind, Options), AppError> {
    let mut conn = state.pool.acquire().await?;
    let upload = db::uploads::find(&mut conn, id, state.config.upload_expiry)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = Kind::from_name(&upload.kind).ok_or(AppError::NotFound)?;
    let options = Options {
        skip_invalid: upload.skip_invalid,
        date_order: parse_date_format(upload.date_format.as_deref().unwrap_or(""))?,
        covers: None,
    };
    Ok((upload, kind, options))
}

async fn prepare_upload(
    state: &AppState,
    upload: &db::uploads::Upload,
    kind: Kind,
    options: Options,
) -> Result<Result<Prepared, FileError>, AppError> {
    let known = Known::load(&state.pool, kind).await?;
    Ok(prepare_known(upload, kind, options, &known))
}

/// Check an upload against what rows may refer to. Its rows are not kept: the file is read
/// again, row by row, when it is written (`commit_streaming`).
fn prepare_known(
    upload: &db::uploads::Upload,
    kind: Kind,
    options: Options,
    known: &Known,
) -> Result<Prepared, FileError> {
    import::prepare(
        kind,
        &upload.file_name,
        &Streamed(&upload.content),
        options,
        known,
    )
}

/// `GET /admin/imports/uploads/{id}`: what the file holds and every problem in it.
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<PreviewPage, AppError> {
    user.require(Role::Hr)?;
    let (upload, kind, options) = load_upload(&state, id).await?;
    let prepared = prepare_upload(&state, &upload, kind, options).await?;
    let mut page = PreviewPage {
        nav: user.nav(),
        csrf: user.csrf_token.clone().unwrap_or_default(),
        upload_id: id,
        kind: kind.name().to_string(),
        file_name: upload.file_name.clone(),
        skip_invalid: options.skip_invalid,
        file_error: None,
        preview: None,
        already_imported: None,
        sample_header: Vec::new(),
        sample_rows: Vec::new(),
        coverage: Vec::new(),
        covers: String::new(),
    };
    match prepared {
        Err(err) => page.file_error = Some(err.to_string()),
        Ok(prepared) => {
            let mut conn = state.pool.acquire().await?;
            page.already_imported =
                db::imports::find_succeeded(&mut conn, kind.name(), &prepared.content_hash)
                    .await?
                    .map(|i| i.import_id);
            (page.sample_header, page.sample_rows) = sample_table(&prepared);
            page.coverage = prepared.coverage.iter().map(Range::to_string).collect();
            page.covers = prepared
                .coverage
                .first()
                .map(|range| Covers::from(range).to_string())
                .unwrap_or_default();
            page.preview = Some(prepared);
        }
    }
    Ok(page)
}

/// The preview's sample as a table: the columns the file has, and those Attune works out for
/// it (e.g. an absence's `counts_as`); columns the file lacks and that stay empty are left out,
/// so a four-column file previews as four columns, not the kind's thirteen.
fn sample_table(prepared: &Prepared) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let Some(first) = prepared.sample.first() else {
        return (Vec::new(), Vec::new());
    };
    let shown: Vec<usize> = (0..first.len())
        .filter(|&i| {
            let column = first[i].0;
            prepared.columns.iter().any(|(c, _)| *c == column)
                || prepared
                    .sample
                    .iter()
                    .any(|row| row.get(i).is_some_and(|(_, v)| !v.is_empty()))
        })
        .collect();
    let header = shown.iter().map(|&i| first[i].0).collect();
    let rows = prepared
        .sample
        .iter()
        .map(|row| {
            shown
                .iter()
                .map(|&i| row.get(i).map(|(_, v)| v.clone()).unwrap_or_default())
                .collect()
        })
        .collect();
    (header, rows)
}

/// `GET /admin/imports/uploads/{id}/errors.csv`: every row error, for a spreadsheet.
pub async fn errors_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(Role::Hr)?;
    let (upload, kind, options) = load_upload(&state, id).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write_error =
        |e: csv::Error| AppError::BadRequest(format!("The error list could not be written: {e}"));
    writer
        .write_record(["line", "column", "value", "problem"])
        .map_err(write_error)?;
    match prepare_upload(&state, &upload, kind, options).await? {
        Err(err) => {
            writer
                .write_record(["1", "", "", &spreadsheet::escape(&err.to_string())])
                .map_err(write_error)?;
        }
        Ok(prepared) => {
            for e in &prepared.errors {
                writer
                    .write_record([
                        e.line.to_string(),
                        spreadsheet::escape(e.column.as_deref().unwrap_or("")),
                        spreadsheet::escape(e.value.as_deref().unwrap_or("")),
                        spreadsheet::escape(&e.message),
                    ])
                    .map_err(write_error)?;
            }
        }
    }
    let body = writer
        .into_inner()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let download = format!(
        "attachment; filename=\"{}\"",
        problems_file_name(&upload.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, download),
        ],
        body,
    )
        .into_response())
}

/// The name of the problems download for an uploaded file: `roster.csv` → `roster-problems.csv`
/// (never `….csv.csv`), without characters that would end the header's quoted name.
fn problems_file_name(uploaded: &str) -> String {
    let name = uploaded.replace(['"', '\\', '\r', '\n'], "");
    let name = name.trim();
    let stem = [".csv", ".tsv", ".txt"]
        .iter()
        .find_map(|ext| {
            let cut = name.len().checked_sub(ext.len())?;
            (name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(ext))
                .then(|| &name[..cut])
        })
        .unwrap_or(name);
    let stem = if stem.is_empty() { "upload" } else { stem };
    format!("{stem}-problems.csv")
}

/// The confirmation of a preview.
#[derive(Debug, Deserialize)]
pub struct CommitForm {
    /// "Import the N valid rows" on a preview with problems: skip the invalid rows, as if the
    /// file had been uploaded with "Import the valid rows" ticked.
    #[serde(default)]
    valid_rows_only: Option<String>,
    /// The range the file covers, prefilled with the default (FROM..TO; see `import::covers`).
    /// Left as prefilled, the default is recorded.
    #[serde(default)]
    covers: Option<String>,
    /// The prefilled range, to tell a change from the default.
    #[serde(default)]
    covers_default: Option<String>,
}

/// `POST /admin/imports/uploads/{id}/commit`: import the previewed file.
pub async fn commit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    VerifiedForm { user, form }: VerifiedForm<CommitForm>,
) -> Result<Response, AppError> {
    user.require(Role::Hr)?;
    let (upload, kind, mut options) = load_upload(&state, id).await?;
    if form.valid_rows_only.is_some_and(|v| !v.is_empty()) {
        options.skip_invalid = true;
    }
    let stated = form.covers.as_deref().map(str::trim).unwrap_or_default();
    if !stated.is_empty() && Some(stated) != form.covers_default.as_deref().map(str::trim) {
        options.covers = Some(stated.parse::<Covers>().map_err(|e| {
            AppError::BadRequest(format!(
                "Covers: {e}. Nothing was imported; go back to the preview to correct it."
            ))
        })?);
    }
    let known = Known::load(&state.pool, kind).await?;
    let prepared = match prepare_known(&upload, kind, options, &known) {
        Ok(prepared) => prepared,
        Err(err) => {
            return Err(AppError::BadRequest(format!(
                "{} cannot be imported: {err}",
                upload.file_name
            )));
        }
    };
    if let (Some(covers), Some(first)) = (options.covers, prepared.errors.first())
        && prepared.errors_total > prepared_errors_without(&state, &upload, kind, options).await?
    {
        return Err(AppError::BadRequest(format!(
            "Covers {covers}: some rows lie outside it ({first}), so nothing was imported. Go \
             back to the preview and widen the range, or leave it as suggested."
        )));
    }
    // The upload is read again as it is written; its reader is not `Send`, so this runs on a
    // thread of its own, as the API's imports do.
    let file_name = upload.file_name.clone();
    let (pool, actor, runtime) = (
        state.pool.clone(),
        user.actor(),
        tokio::runtime::Handle::current(),
    );
    let (outcome, prepared) = tokio::task::spawn_blocking(move || {
        let source = Streamed(&upload.content);
        let written = runtime.block_on(import::commit_streaming(
            &pool, &prepared, &source, &known, options, &actor,
        ));
        written.map(|outcome| (outcome, prepared))
    })
    .await
    .map_err(|e| AppError::Internal(format!("the import task failed: {e}")))??;
    let target = match outcome {
        Outcome::Imported { import_id, .. } => format!("/admin/imports?imported={import_id}"),
        Outcome::AlreadyImported { import_id } => format!("/admin/imports?already={import_id}"),
        Outcome::Rejected => {
            return Err(AppError::BadRequest(format!(
                "{} has {} invalid rows, so nothing was imported. Fix the file, or upload it again \
                 with \"Import the valid rows\" ticked.",
                file_name, prepared.errors_total
            )));
        }
    };
    let mut conn = state.pool.acquire().await?;
    db::uploads::delete(&mut conn, id).await?;
    Ok(Redirect::to(&target).into_response())
}

/// How many row errors the file has without a stated range: more with it means rows lie
/// outside the range.
async fn prepared_errors_without(
    state: &AppState,
    upload: &db::uploads::Upload,
    kind: Kind,
    options: Options,
) -> Result<usize, AppError> {
    let without = Options {
        covers: None,
        ..options
    };
    Ok(prepare_upload(state, upload, kind, without)
        .await?
        .map_or(0, |p| p.errors_total))
}

/// `POST /admin/imports/uploads/{id}/discard`: forget an upload.
pub async fn discard(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    VerifiedForm { user, .. }: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    db::uploads::delete(&mut conn, id).await?;
    Ok(Redirect::to("/admin/imports").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/import_undo.html")]
pub struct UndoPage {
    pub nav: Nav,
    pub csrf: String,
    pub import_id: i64,
    pub kind: String,
    pub file_name: String,
    pub rows: i32,
    pub when: String,
}

/// `GET /admin/imports/{id}/undo`: ask before undoing.
pub async fn confirm_undo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<UndoPage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let import = db::imports::find(&mut conn, id)
        .await?
        .filter(|i| i.status == ImportStatus::Succeeded)
        .ok_or(AppError::NotFound)?;
    Ok(UndoPage {
        nav: user.nav(),
        csrf: user.csrf_token.clone().unwrap_or_default(),
        import_id: id,
        kind: import.kind,
        file_name: import.file_name,
        rows: import.rows_accepted,
        when: import.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    })
}

/// `POST /admin/imports/{id}/undo`
pub async fn undo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    VerifiedForm { user, .. }: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    user.require(Role::Hr)?;
    import::undo(&state.pool, id, &user.actor()).await?;
    Ok(Redirect::to(&format!("/admin/imports?undone={id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::problems_file_name;

    #[test]
    fn the_problems_download_is_named_after_the_file_once() {
        assert_eq!(problems_file_name("roster.csv"), "roster-problems.csv");
        assert_eq!(problems_file_name("Export.CSV"), "Export-problems.csv");
        assert_eq!(problems_file_name("absences.tsv"), "absences-problems.csv");
        assert_eq!(problems_file_name("people"), "people-problems.csv");
        assert_eq!(problems_file_name("a\"b.csv"), "ab-problems.csv");
        assert_eq!(problems_file_name(".csv"), "upload-problems.csv");
        assert_eq!(problems_file_name("zoë.csv"), "zoë-problems.csv");
    }
}
