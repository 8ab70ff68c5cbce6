//! The kinds of data Attune imports, one file each. A kind's file holds everything that sets it
//! apart: its columns and the names exports give them (as a [`Spec`]), how one row is read and
//! checked, how a valid row is shown in the preview, and how a batch of rows is written (as an
//! [`ImportKind`]). Reading the file, deciding date orders and decimal separators, the preview
//! and the transaction are the same for every kind (`prepare` and `commit`).
//!
//! [`Kind::rules`] is the one place that lists the files.

pub mod absences;
pub mod csat;
pub mod customers;
pub mod employees;
pub mod measures;
pub mod promotions;
pub mod pulse;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;

use super::UndoError;
use super::cells::{Cells, RowState};
use super::columns::Column;
use super::effect::Tally;
use crate::db;
use crate::db::staging::{Line, Stage};
use crate::scoring::DataKind;

/// The kinds of data Attune imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The roster: one row per employee (HRIS export).
    Employees,
    /// Absences: one row per absence of an employee.
    Absences,
    /// Promotions: one row per promotion.
    Promotions,
    /// Customer satisfaction responses (helpdesk export).
    Csat,
    /// Anonymous employee pulse survey responses.
    Pulse,
    /// Customer activity: revenue by customer and date or period.
    Customers,
    /// Any other team KPI by date or period.
    Measures,
}

impl Kind {
    /// Every kind, in the order HR usually imports them (the roster first).
    pub const ALL: [Kind; 7] = [
        Kind::Employees,
        Kind::Absences,
        Kind::Promotions,
        Kind::Csat,
        Kind::Pulse,
        Kind::Customers,
        Kind::Measures,
    ];

    /// What reads, checks and writes this kind's rows: the one place that lists the kinds'
    /// files.
    pub(crate) fn rules(self) -> &'static dyn Rules {
        match self {
            Kind::Employees => &employees::Employees,
            Kind::Absences => &absences::Absences,
            Kind::Promotions => &promotions::Promotions,
            Kind::Csat => &csat::Csat,
            Kind::Pulse => &pulse::Pulse,
            Kind::Customers => &customers::Customers,
            Kind::Measures => &measures::Measures,
        }
    }

    /// The kind's columns, date columns, number columns and other reading rules.
    pub(crate) fn spec(self) -> Spec {
        self.rules().spec()
    }

    /// The name used in URLs, on the command line and in the import history.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What HR's pages call it.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The kind named `name` (as in URLs and on the command line).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn columns(self) -> &'static [Column] {
        self.spec().columns
    }

    /// The data this kind brings, as coverage and scoring name it.
    pub fn data(self) -> DataKind {
        match self {
            Kind::Employees => DataKind::Employees,
            Kind::Absences => DataKind::Absences,
            Kind::Promotions => DataKind::Promotions,
            Kind::Csat => DataKind::Csat,
            Kind::Pulse => DataKind::Pulse,
            Kind::Customers => DataKind::Customers,
            Kind::Measures => DataKind::Measures,
        }
    }
}

/// Where a row lies in time, for the coverage of its import: the column that places it and its
/// first and last day (one day, or a period's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dated {
    pub column: &'static str,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Dated {
    pub(crate) fn on(column: &'static str, day: NaiveDate) -> Dated {
        Dated {
            column,
            first: day,
            last: day,
        }
    }

    /// A row dated by a `date` (one day) or a `period` (its first to last day).
    pub(crate) fn span(first: NaiveDate, last: NaiveDate) -> Dated {
        Dated {
            column: if first == last { "date" } else { "period" },
            first,
            last,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What sets a kind apart, as data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    /// The name used in URLs, on the command line and in the import history (the same as the
    /// `Kind` variant's serde and command-line name).
    pub name: &'static str,
    /// What HR's pages call it.
    pub label: &'static str,
    /// The canonical columns and the names exports give them, in matching order.
    pub columns: &'static [Column],
    /// The columns holding dates: their day/month order is decided per column.
    pub date_columns: &'static [&'static str],
    /// The columns holding amounts: their decimal separator is decided per column.
    pub number_columns: &'static [&'static str],
    /// Headers (normalized) that reject the whole file, and why.
    pub forbidden: Option<Forbidden>,
    /// Rows are placed in time by a `date` or a `period` column; the file must have one of them.
    pub date_or_period: bool,
    /// Rows name employees or teams of the roster, so `Known::load` must read them first.
    pub refers_to_roster: bool,
    /// The writer stores exactly one row per valid row of the file, so that writing fewer
    /// means a row's employee or team disappeared meanwhile (see `ImportError::RosterChanged`).
    pub writes_every_row: bool,
}

/// Headers a file of a kind must not have (normalized), and why.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Forbidden {
    pub headers: &'static [&'static str],
    pub why: &'static str,
}

/// A kind's rows: how one is read, shown and written. Implemented once per file of this folder.
pub(crate) trait ImportKind: Sync + 'static {
    /// A valid row, as it will be stored.
    type Row: Clone + fmt::Debug + Send + Sync + 'static;

    /// The kind's columns and reading rules.
    const SPEC: Spec;

    /// Read and check one row, recording its errors in `cells`. The row is kept only when
    /// `cells` has no errors, so a reader may return it as soon as its required parts were read.
    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<Self::Row>;

    /// The row as it will be stored, for the preview: (column, value) pairs.
    fn preview(row: &Self::Row) -> Vec<(&'static str, String)>;

    /// Where the row lies in time: what the import's coverage is made from.
    fn dated(row: &Self::Row) -> Dated;

    /// Count the row into what the import will change (the preview's "what will change"); only
    /// the roster says more than its row count.
    fn tally(_row: &Self::Row, _tally: &mut Tally<'_>) {}

    /// Where rows are staged to be written through COPY (see `db::staging`), for the kinds
    /// written that way; a streamed import then copies every row into it and writes them with
    /// one statement. Other kinds are written batch by batch with [`ImportKind::write`].
    fn stage() -> Option<&'static Stage> {
        None
    }

    /// The row as a line of [`ImportKind::stage`]'s table.
    fn encode(_row: &Self::Row, _line: &mut Line<'_>) {}

    /// Write a batch of rows in one statement, returning how many database rows it wrote.
    fn write(
        to: Target<'_>,
        rows: &[Self::Row],
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    /// Remove what a succeeded import of this kind wrote. Fact rows carry their import's id;
    /// the roster overrides this.
    fn undo(
        conn: &mut PgConnection,
        import_id: i64,
    ) -> impl Future<Output = Result<(), UndoError>> + Send {
        async move {
            db::imports::delete_facts(conn, import_id).await?;
            Ok(())
        }
    }
}

/// Where a batch of rows is written.
pub(crate) struct Target<'a> {
    /// The import's transaction.
    pub conn: &'a mut PgConnection,
    pub import_id: i64,
    /// The canonical columns the file has: an update changes only these.
    pub columns: &'a [&'static str],
}

/// A future that may be kept across `.await`s in a web handler.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A kind with its row type hidden, so that `prepare` and `commit` are written once.
pub(crate) trait Rules: Sync {
    fn spec(&self) -> Spec;

    /// An empty batch of this kind's rows.
    fn batch(&self) -> Box<dyn Batch>;

    fn undo<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        import_id: i64,
    ) -> BoxFuture<'a, Result<(), UndoError>>;
}

impl<K: ImportKind> Rules for K {
    fn spec(&self) -> Spec {
        K::SPEC
    }

    fn batch(&self) -> Box<dyn Batch> {
        Box::new(Rows::<K>(Vec::new()))
    }

    fn undo<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        import_id: i64,
    ) -> BoxFuture<'a, Result<(), UndoError>> {
        Box::pin(K::undo(conn, import_id))
    }
}

/// Checked rows of one kind, in file order, kept until they are written.
pub(crate) trait Batch: fmt::Debug + Send + Sync {
    /// Read and check one row; keep it and return true if it is valid.
    fn read(&mut self, cells: &mut Cells<'_>, state: &mut RowState) -> bool;

    /// The preview of the last row kept.
    fn last_preview(&self) -> Option<Vec<(&'static str, String)>>;

    /// Count the last row kept into what the import will change.
    fn tally_last(&self, tally: &mut Tally<'_>);

    /// Where the last row kept lies in time.
    fn last_dated(&self) -> Option<Dated>;

    /// Forget the last row kept (it turned out to be invalid).
    fn drop_last(&mut self);

    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn clear(&mut self);

    /// Where the rows are staged when they are written through COPY (see
    /// [`ImportKind::stage`]).
    fn stage(&self) -> Option<&'static Stage>;

    /// The rows as COPY lines of the staging table, at the end of `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Write the rows (see [`ImportKind::write`]).
    fn write<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        import_id: i64,
        columns: &'a [&'static str],
    ) -> BoxFuture<'a, Result<u64, sqlx::Error>>;
}

struct Rows<K: ImportKind>(Vec<K::Row>);

impl<K: ImportKind> fmt::Debug for Rows<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple(K::SPEC.name).field(&self.0).finish()
    }
}

impl<K: ImportKind> Batch for Rows<K> {
    fn read(&mut self, cells: &mut Cells<'_>, state: &mut RowState) -> bool {
        match K::read_row(cells, state).filter(|_| !cells.has_errors()) {
            Some(row) => {
                self.0.push(row);
                true
            }
            None => false,
        }
    }

    fn last_preview(&self) -> Option<Vec<(&'static str, String)>> {
        self.0.last().map(K::preview)
    }

    fn tally_last(&self, tally: &mut Tally<'_>) {
        if let Some(row) = self.0.last() {
            K::tally(row, tally);
        }
    }

    fn last_dated(&self) -> Option<Dated> {
        self.0.last().map(K::dated)
    }

    fn drop_last(&mut self) {
        self.0.pop();
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn stage(&self) -> Option<&'static Stage> {
        K::stage()
    }

    fn encode(&self, out: &mut Vec<u8>) {
        for row in &self.0 {
            K::encode(row, &mut Line::new(out));
        }
    }

    fn write<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        import_id: i64,
        columns: &'a [&'static str],
    ) -> BoxFuture<'a, Result<u64, sqlx::Error>> {
        let to = Target {
            conn,
            import_id,
            columns,
        };
        Box::pin(K::write(to, &self.0))
    }
}

/// The employee id column: named alike in every kind that refers to employees.
pub(crate) const EMPLOYEE_ID: Column = Column {
    name: "employee_id",
    required: true,
    aliases: &[
        "empid",
        "employeenumber",
        "employeeno",
        "employee",
        "workerid",
        "associateid",
        "personnelnumber",
        "personid",
        "staffid",
        "id",
    ],
};

/// The team column of the kinds that name a team of the roster (the roster's own team column
/// knows more HRIS names).
pub(crate) const fn team(required: bool) -> Column {
    Column {
        name: "team",
        required,
        aliases: &["department", "departmentname", "teamname", "group", "dept"],
    }
}

/// An optional cell as shown in the preview: empty when absent.
pub(crate) fn shown<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(T::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn every_kind_is_named_as_on_the_command_line_and_in_json() {
        for kind in Kind::ALL {
            let value = clap::ValueEnum::to_possible_value(&kind).unwrap();
            assert_eq!(value.get_name(), kind.name());
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert_eq!(kind.data().key(), kind.name(), "coverage names it alike");
        }
    }
}
