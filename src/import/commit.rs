//! Writing a prepared file in one transaction — all of it or nothing — and undoing an import.
//! Imports and undos take the same advisory lock, so they happen one at a time.

use serde::Serialize;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use super::kinds::{Batch, Kind};
use super::prepare::{self, Checker, Pass, Prepared};
use super::reader::{self, Source};
use super::{FileError, Known, Options};
use crate::db;
use crate::db::audit::Actor;
use crate::db::imports::{Import, ImportStatus};

/// What happened to a file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Written; `rows_written` counts rows that changed something.
    Imported {
        import_id: i64,
        rows_imported: usize,
        rows_skipped: usize,
        rows_written: u64,
    },
    /// The same content was imported before: nothing changed.
    AlreadyImported { import_id: i64 },
    /// The file had invalid rows and --skip-invalid was not given: nothing was written.
    Rejected,
}

/// Why a checked file could not be written. Nothing was written; the file itself may be fine,
/// so trying again may work.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Rows' employees or teams disappeared between checking and writing (an undo or an
    /// erasure meanwhile): writing fewer rows would drop some silently.
    #[error(
        "the roster changed while {file_name} was being imported ({written} of {expected} rows \
         could be matched); nothing was imported, please try again"
    )]
    RosterChanged {
        file_name: String,
        written: u64,
        expected: usize,
    },
    /// The file on disk was changed (or became unreadable) between checking and writing.
    #[error("{file_name} changed while it was imported{}; nothing was imported",
        .reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    FileChanged {
        file_name: String,
        reason: Option<reader::ReadError>,
    },
    /// `commit` was given a file read from disk, whose rows were not kept: a mistake in the
    /// caller, which should have used `commit_streaming`.
    #[error("{0} was read from disk; it is written with commit_streaming")]
    NotInMemory(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Why an import cannot be undone.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("there is no import #{0}")]
    NotFound(i64),
    #[error("import #{0} is {1}, so there is nothing to undo")]
    NotUndoable(i64, ImportStatus),
    #[error("later imports ({}) changed the same employees; undo them first",
        .1.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", "))]
    LaterImports(i64, Vec<i64>),
    #[error(
        "{1} employees that import #{0} created have absences or promotions now; undo those imports first"
    )]
    InUse(i64, i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Write a prepared file that is in memory, in one transaction. A file with invalid rows is
/// written only with `skip_invalid`; the same content twice is written once.
pub async fn commit(
    pool: &PgPool,
    prepared: &Prepared,
    options: Options,
    actor: &Actor,
) -> Result<Outcome, ImportError> {
    let Some(records) = &prepared.records else {
        return Err(ImportError::NotInMemory(prepared.file_name.clone()));
    };
    let (mut tx, import_id) = match begin(pool, prepared, options, actor).await? {
        Ok(started) => started,
        Err(outcome) => return Ok(outcome),
    };
    let rows_written = write(&mut tx, import_id, prepared, records.as_ref()).await?;
    finish(tx, prepared, import_id, rows_written, actor).await
}

/// How many rows a streamed file writes per statement (kinds not written through COPY).
const BATCH_ROWS: usize = 5_000;

/// Write a prepared file from its source, reading it again row by row — all in one
/// transaction, so memory stays bounded whatever the file size and a failure (or a killed
/// process) leaves nothing behind. Kinds with a staging table copy their rows into it and write
/// them with one statement; the others are written in batches. `known` must be what `prepare`
/// used. ([`import`] reads the file once less.)
pub async fn commit_streaming<S: Source + ?Sized>(
    pool: &PgPool,
    prepared: &Prepared,
    source: &S,
    known: &Known,
    options: Options,
    actor: &Actor,
) -> Result<Outcome, ImportError> {
    if prepared.records.is_some() {
        return commit(pool, prepared, options, actor).await;
    }
    let (mut tx, import_id) = match begin(pool, prepared, options, actor).await? {
        Ok(started) => started,
        Err(outcome) => return Ok(outcome),
    };
    let changed = |reason: Option<reader::ReadError>| ImportError::FileChanged {
        file_name: prepared.file_name.clone(),
        reason,
    };
    let mut checker = Checker::new(&prepared.layout, known);
    let mut batch = prepared.kind.rules().batch();
    let mut rows_valid = 0;
    let rows = reader::rows(source, &prepared.layout.scan).map_err(|e| changed(Some(e)))?;
    let rows_written = if let Some(stage) = batch.stage() {
        {
            let mut copying = stage.open(&mut tx).await?;
            for row in rows {
                let row = row.map_err(|e| changed(Some(e)))?;
                if let (true, _) = checker.check(&row, batch.as_mut()) {
                    rows_valid += 1;
                    batch.encode(copying.buffer());
                    batch.clear();
                    copying.send_if_full().await?;
                }
            }
            copying.finish().await?;
        }
        if rows_valid != prepared.rows_valid {
            return Err(changed(None));
        }
        let written = stage.insert(&mut tx, Some(import_id)).await?;
        all_written(prepared, written, rows_valid)?
    } else {
        let mut rows_written = 0;
        for row in rows {
            let row = row.map_err(|e| changed(Some(e)))?;
            if let (true, _) = checker.check(&row, batch.as_mut()) {
                rows_valid += 1;
            }
            if batch.len() == BATCH_ROWS {
                rows_written += write(&mut tx, import_id, prepared, batch.as_ref()).await?;
                batch.clear();
            }
        }
        if rows_valid != prepared.rows_valid {
            return Err(changed(None));
        }
        rows_written + write(&mut tx, import_id, prepared, batch.as_ref()).await?
    };
    finish(tx, prepared, import_id, rows_written, actor).await
}

/// Read, check and write a file in one go, in one transaction: what `prepare` and then
/// `commit_streaming` do, with the file read once less. For the kinds written through COPY,
/// each valid row is copied into the staging table as soon as it is checked, and one
/// statement writes them all at the end — unless the file turns out to be rejected (then
/// nothing is), or was imported before. Other kinds are prepared, then committed.
///
/// Gives the file's preview with what happened, or why the whole file cannot be read.
pub async fn import<S: Source + ?Sized>(
    pool: &PgPool,
    kind: Kind,
    file_name: &str,
    source: &S,
    options: Options,
    known: &Known,
    actor: &Actor,
) -> Result<Result<(Prepared, Outcome), FileError>, ImportError> {
    let Some(stage) = kind.rules().batch().stage() else {
        let prepared = match prepare::prepare(kind, file_name, source, options, known) {
            Ok(prepared) => prepared,
            Err(error) => return Ok(Err(error)),
        };
        let outcome = commit_streaming(pool, &prepared, source, known, options, actor).await?;
        return Ok(Ok((prepared, outcome)));
    };
    let layout = match prepare::layout(kind, source, options) {
        Ok(layout) => layout,
        Err(error) => return Ok(Err(error)),
    };
    let mut tx = pool.begin().await?;
    // Two identical files arriving together must not both be written.
    db::imports::lock(&mut tx).await?;
    let previous = db::imports::find_succeeded(&mut tx, kind.name(), &layout.scan.content_hash)
        .await?
        .map(|previous| previous.import_id);
    let mut pass = Pass::new(kind, &layout, known);
    {
        let mut copying = match previous {
            None => Some(stage.open(&mut tx).await?),
            Some(_) => None,
        };
        let rows = match reader::rows(source, &layout.scan) {
            Ok(rows) => rows,
            Err(error) => return Ok(Err(error.into())),
        };
        for row in rows {
            let row = match row {
                Ok(row) => row,
                Err(error) => return Ok(Err(error.into())),
            };
            if pass.row(&row) {
                if let Some(copying) = copying.as_mut() {
                    pass.records.encode(copying.buffer());
                    copying.send_if_full().await?;
                }
                pass.records.clear();
            }
        }
        if let Some(copying) = copying {
            copying.finish().await?;
        }
    }
    let prepared = pass.finish(file_name, options, false);
    if let Some(import_id) = previous {
        return Ok(Ok((prepared, Outcome::AlreadyImported { import_id })));
    }
    if (prepared.errors_total > 0 && !options.skip_invalid) || prepared.has_nothing_to_write() {
        return Ok(Ok((prepared, Outcome::Rejected)));
    }
    let import_id = db::imports::start(
        &mut tx,
        kind.name(),
        &prepared.file_name,
        &prepared.content_hash,
        &actor.name,
    )
    .await?;
    let written = stage.insert(&mut tx, Some(import_id)).await?;
    let rows_written = all_written(&prepared, written, prepared.rows_valid)?;
    let outcome = finish(tx, &prepared, import_id, rows_written, actor).await?;
    Ok(Ok((prepared, outcome)))
}

/// `written` rows, when the kind writes every row and `expected` were to be (see [`write`]).
fn all_written(prepared: &Prepared, written: u64, expected: usize) -> Result<u64, ImportError> {
    if prepared.kind.spec().writes_every_row && written != expected as u64 {
        return Err(ImportError::RosterChanged {
            file_name: prepared.file_name.clone(),
            written,
            expected,
        });
    }
    Ok(written)
}

/// Open the import's transaction: one import at a time, the same content only once, and only a
/// file that may be written. `Err(outcome)` when nothing is to be written.
async fn begin(
    pool: &PgPool,
    prepared: &Prepared,
    options: Options,
    actor: &Actor,
) -> Result<Result<(Transaction<'static, Postgres>, i64), Outcome>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Two identical files arriving together must not both be written.
    db::imports::lock(&mut tx).await?;
    if let Some(previous) =
        db::imports::find_succeeded(&mut tx, prepared.kind.name(), &prepared.content_hash).await?
    {
        return Ok(Err(Outcome::AlreadyImported {
            import_id: previous.import_id,
        }));
    }
    if (prepared.errors_total > 0 && !options.skip_invalid) || prepared.has_nothing_to_write() {
        return Ok(Err(Outcome::Rejected));
    }
    let import_id = db::imports::start(
        &mut tx,
        prepared.kind.name(),
        &prepared.file_name,
        &prepared.content_hash,
        &actor.name,
    )
    .await?;
    Ok(Ok((tx, import_id)))
}

/// Write a batch of checked rows with its kind's writer. Where the writer stores one row per
/// row of the file, every row must have been written: a row whose employee or team
/// disappeared between checking and writing (an undo or an erasure meanwhile) would otherwise
/// be dropped silently. The error rolls the whole import back.
async fn write(
    conn: &mut PgConnection,
    import_id: i64,
    prepared: &Prepared,
    batch: &dyn Batch,
) -> Result<u64, ImportError> {
    if batch.is_empty() {
        return Ok(0);
    }
    let columns = prepared.present_columns();
    let written = batch.write(conn, import_id, &columns).await?;
    all_written(prepared, written, batch.len())
}

/// Past this many rows written, an import refreshes the statistics of the facts reports read.
const ANALYZE_AFTER_ROWS: u64 = 10_000;

/// Audit the import, record its counts and commit.
async fn finish(
    mut tx: Transaction<'static, Postgres>,
    prepared: &Prepared,
    import_id: i64,
    rows_written: u64,
    actor: &Actor,
) -> Result<Outcome, ImportError> {
    let rows_skipped = prepared.rows_total - prepared.rows_valid;
    db::audit::record(
        &mut tx,
        actor,
        "import.commit",
        serde_json::json!({
            "import_id": import_id,
            "kind": prepared.kind.name(),
            "file_name": prepared.file_name,
            "rows_imported": prepared.rows_valid,
            "rows_skipped": rows_skipped,
        }),
    )
    .await?;
    db::coverage::record(&mut tx, Some(import_id), &prepared.coverage).await?;
    db::imports::finish(&mut tx, import_id, prepared.rows_total, prepared.rows_valid).await?;
    if rows_written >= ANALYZE_AFTER_ROWS {
        db::facts::analyze(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Imported {
        import_id,
        rows_imported: prepared.rows_valid,
        rows_skipped,
        rows_written,
    })
}

/// Undo a succeeded import in one transaction: remove what it wrote (for employees: restore each
/// employee as it was before and remove those it created), mark it undone, and audit it.
pub async fn undo(pool: &PgPool, import_id: i64, actor: &Actor) -> Result<Import, UndoError> {
    let mut tx = pool.begin().await?;
    // Only imports and undos change an import's row, and they all hold this lock.
    db::imports::lock(&mut tx).await?;
    let import = db::imports::find(&mut tx, import_id)
        .await?
        .ok_or(UndoError::NotFound(import_id))?;
    if import.status != ImportStatus::Succeeded {
        return Err(UndoError::NotUndoable(import_id, import.status));
    }
    match Kind::from_name(&import.kind) {
        Some(kind) => kind.rules().undo(&mut tx, import_id).await?,
        // Not a kind of this version: whatever it wrote are fact rows that carry its id.
        None => {
            db::imports::delete_facts(&mut tx, import_id).await?;
        }
    }
    db::coverage::delete_of_import(&mut tx, import_id).await?;
    db::imports::mark_undone(&mut tx, import_id).await?;
    db::facts::analyze(&mut tx).await?;
    db::audit::record(
        &mut tx,
        actor,
        "import.undo",
        serde_json::json!({"import_id": import_id, "kind": import.kind, "file_name": import.file_name}),
    )
    .await?;
    tx.commit().await?;
    Ok(import)
}
