//! Importing CSV exports: read the file, map its columns, validate every row, then write it all
//! in one transaction — or nothing at all.
//!
//! The flow is the same for the CLI, the web page and the API: [`prepare`] reads and validates
//! (that is the dry run's preview); [`commit`] (a file in memory) or [`commit_streaming`] (a
//! file read again) writes a prepared file; [`import`] does both with one read less, copying
//! each valid row into a staging table as it is checked (the CLI and the API); [`undo`] takes
//! an import back.
//!
//! - `reader`, `columns`, `dates`: reading any CSV export (encoding, delimiter, header
//!   matching, date forms);
//! - `kinds/`: one file per kind of data, with its columns, row reader, preview and writer;
//! - `cells`: reading one row's cells (dates, numbers, references to the roster);
//! - `prepare`: the two passes over a file; `commit`: the transaction, `import`, and undo;
//! - `effect`: what a roster file will change, for the preview;
//! - `covers`: what an import covers (its default, and a range HR states).

pub mod cells;
pub mod columns;
pub mod commit;
pub mod covers;
pub mod dates;
pub mod effect;
#[cfg(test)]
mod fuzz;
pub mod kinds;
pub mod prepare;
pub mod reader;

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;

use serde::Serialize;
use sqlx::PgPool;

use crate::db;
pub use commit::{ImportError, Outcome, UndoError, commit, commit_streaming, import, undo};
use dates::DateOrder;
pub use kinds::Kind;
pub use prepare::{Prepared, prepare};
pub use reader::{Source, Streamed};

/// What the database already knows that rows refer to: the roster's employee ids and teams,
/// and HR's own absence types; for a roster file, the roster itself (to tell what the file will
/// change, see `effect`).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub employees: HashSet<String>,
    /// lowercase name → name as stored
    pub teams: HashMap<String, String>,
    pub absence_types: Vec<(String, bool)>,
    /// Employee id → the employee as stored (loaded for roster files only).
    pub roster: HashMap<String, db::employees::NewEmployee>,
    /// Employee id → the last day worked, of those who left (loaded for absences only).
    pub left: HashMap<String, NaiveDate>,
}

impl Known {
    /// Load what rows of `kind` may refer to (read only).
    pub async fn load(pool: &PgPool, kind: Kind) -> Result<Known, sqlx::Error> {
        if kind == Kind::Employees {
            let mut conn = pool.acquire().await?;
            let roster = db::employees::roster(&mut conn).await?;
            let teams = db::teams::list(&mut conn)
                .await?
                .into_iter()
                .map(|t| (t.name.to_lowercase(), t.name))
                .collect();
            return Ok(Known {
                roster: roster
                    .into_iter()
                    .map(|e| (e.external_id.clone(), e))
                    .collect(),
                teams,
                ..Known::default()
            });
        }
        if !kind.spec().refers_to_roster {
            return Ok(Known::default());
        }
        let mut conn = pool.acquire().await?;
        let employees = db::employees::external_ids(&mut conn).await?;
        let teams = db::teams::list(&mut conn)
            .await?
            .into_iter()
            .map(|t| (t.name.to_lowercase(), t.name))
            .collect();
        let absence_types = db::absences::custom_types(&mut conn).await?;
        let left = if kind == Kind::Absences {
            db::employees::leaving_days(&mut conn)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Known {
            employees: employees.into_iter().collect(),
            teams,
            absence_types,
            roster: HashMap::new(),
            left,
        })
    }
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Import the valid rows and report the rest, instead of rejecting the whole file.
    pub skip_invalid: bool,
    /// The order of day and month in a/b/y dates, when the data does not tell.
    pub date_order: Option<DateOrder>,
    /// The range HR states the file covers (else the default, see `covers`); every row must
    /// lie in it.
    pub covers: Option<covers::Covers>,
}

/// A problem with one row: its line (header = line 1), the column and value, and why.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.column, &self.value) {
            (Some(column), Some(value)) => {
                write!(
                    f,
                    "line {}, {column} \"{value}\": {}",
                    self.line, self.message
                )
            }
            (Some(column), None) => write!(f, "line {}, {column}: {}", self.line, self.message),
            _ => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why a whole file cannot be imported, before any row is looked at.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Unreadable(#[from] reader::ReadError),
    #[error("line 1: missing required column{} {} (the header has: {found}){fits}",
        if .missing.len() == 1 { "" } else { "s" }, .missing.join(", "))]
    MissingColumns {
        missing: Vec<&'static str>,
        found: String,
        /// Another kind whose columns the file has.
        fits: FitsKind,
    },
    #[error("the dates in column{} {} could be day/month/year or month/day/year; \
             say which with --date-format dmy or --date-format mdy",
        if .columns.len() == 1 { "" } else { "s" }, .columns.join(", "))]
    AmbiguousDates { columns: Vec<String> },
    #[error("line 1, column {column}: {why}")]
    ForbiddenColumn { column: String, why: &'static str },
    #[error(
        "line 1: columns {first} and {second} have the same name (\"{header}\", ignoring case, \
         spaces and punctuation), so which one to read would be a guess; rename or remove one"
    )]
    DuplicateColumn {
        first: usize,
        second: usize,
        header: String,
    },
    #[error("line 1: missing required column date or period (the header has: {found}){fits}")]
    MissingDateOrPeriod { found: String, fits: FitsKind },
    #[error(
        "column {column} mixes day/month/year and month/day/year dates \
             (e.g. line {day_first_line} and line {month_first_line}); use one form"
    )]
    MixedDates {
        column: String,
        day_first_line: u64,
        month_first_line: u64,
    },
}

/// The kind a file rejected for its columns looks like, if any: said after the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitsKind(pub Option<Kind>);

impl fmt::Display for FitsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(kind) => write!(
                f,
                ". This file looks like {} — import it as kind {}",
                kind.label(),
                kind.name()
            ),
            None => Ok(()),
        }
    }
}

/// At most this many row errors are listed; the total is always given.
pub const MAX_LISTED_ERRORS: usize = 1000;
