//! Writing many rows at PostgreSQL's own speed: the rows are sent with `COPY` (text format)
//! into a temporary staging table, and one `insert … select … on conflict …` moves them into the
//! real table. The real table is written by an ordinary statement, so its constraints, its
//! upsert rules and its statement-level triggers apply as for any insert, once per import.
//!
//! A [`Stage`] is one kind's staging table and its insert; [`Line`] writes one row in COPY's
//! text format. A staging table lives until its transaction ends (`on commit drop`) and is
//! dropped as soon as its rows are moved, so a transaction may stage the same kind again.

use std::fmt::Display;

use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

/// How much COPY data is gathered before it is sent (one message per buffer).
pub const SEND_BYTES: usize = 1 << 20;

/// A kind's staging table and how its rows reach the real table.
#[derive(Debug)]
pub struct Stage {
    /// The temporary table's name.
    pub table: &'static str,
    /// Its columns, as in `create table` (the order [`Line`]s are written in).
    pub columns: &'static str,
    /// The statement moving the staged rows into the real table, with `$1` the import's id
    /// (null for rows not written by an import); its row count is what was written.
    pub insert: &'static str,
}

impl Stage {
    /// Create the staging table and start copying into it. Must run inside a transaction.
    pub async fn open<'c>(
        &'static self,
        conn: &'c mut PgConnection,
    ) -> Result<Copying<'c>, sqlx::Error> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "create temp table {} ({}) on commit drop",
            self.table, self.columns
        )))
        .execute(&mut *conn)
        .await?;
        let copy = conn
            .copy_in_raw(&format!("copy {} from stdin", self.table))
            .await?;
        Ok(Copying {
            copy,
            buffer: Vec::with_capacity(SEND_BYTES + (SEND_BYTES >> 3)),
        })
    }

    /// Move the staged rows into the real table and drop the staging table; how many rows the
    /// insert wrote.
    pub async fn insert(
        &self,
        conn: &mut PgConnection,
        import_id: Option<i64>,
    ) -> Result<u64, sqlx::Error> {
        let written = sqlx::query(self.insert)
            .bind(import_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("drop table {}", self.table)))
            .execute(&mut *conn)
            .await?;
        Ok(written)
    }

    /// Stage `rows` (each written by `encode`) and insert them: the whole write of a slice.
    pub async fn write<T>(
        &'static self,
        conn: &mut PgConnection,
        import_id: Option<i64>,
        rows: &[T],
        encode: fn(&T, &mut Line<'_>),
    ) -> Result<u64, sqlx::Error> {
        let mut copying = self.open(conn).await?;
        for row in rows {
            encode(row, &mut copying.line());
            copying.send_if_full().await?;
        }
        copying.finish().await?;
        self.insert(conn, import_id).await
    }
}

/// A COPY into a staging table under way. It must be [`finish`](Copying::finish)ed (or dropped,
/// which fails the COPY and so the transaction).
pub struct Copying<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buffer: Vec<u8>,
}

impl Copying<'_> {
    /// The next row, written into the buffer.
    pub fn line(&mut self) -> Line<'_> {
        Line {
            out: &mut self.buffer,
            first: true,
        }
    }

    /// The buffer, to write several rows into (see [`Line::new`]).
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buffer
    }

    /// Send the buffer once it holds [`SEND_BYTES`].
    pub async fn send_if_full(&mut self) -> Result<(), sqlx::Error> {
        if self.buffer.len() >= SEND_BYTES {
            self.copy.send(self.buffer.as_slice()).await?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Send what is left and end the COPY; how many rows were staged.
    pub async fn finish(mut self) -> Result<u64, sqlx::Error> {
        if !self.buffer.is_empty() {
            self.copy.send(self.buffer.as_slice()).await?;
        }
        self.copy.finish().await
    }
}

/// One row in COPY's text format: values separated by tabs, `\N` for null, and backslash,
/// tab, line feed and carriage return escaped. The line ends when the `Line` is dropped.
pub struct Line<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Line<'a> {
    /// A row written at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Line<'a> {
        Line { out, first: true }
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push(b'\t');
        }
        self.first = false;
    }

    /// A text value.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for byte in value.bytes() {
            match byte {
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                byte => self.out.push(byte),
            }
        }
        self
    }

    /// A value whose text form needs no escaping: a number, a date, a boolean.
    pub fn value(&mut self, value: impl Display) -> &mut Self {
        use std::io::Write;
        self.separate();
        write!(self.out, "{value}").expect("writing to a Vec cannot fail");
        self
    }

    /// A text value or null.
    pub fn optional_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    /// A plain value (as [`Line::value`]) or null.
    pub fn optional<T: Display>(&mut self, value: Option<T>) -> &mut Self {
        match value {
            Some(value) => self.value(value),
            None => self.null(),
        }
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.out.extend_from_slice(b"\\N");
        self
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        self.out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::Line;

    #[test]
    fn a_line_escapes_what_copy_text_format_reads_specially() {
        let mut out = Vec::new();
        Line::new(&mut out)
            .text("a\\b\tc\nd\re")
            .value(3)
            .optional::<i16>(None)
            .optional_text(Some("x"));
        Line::new(&mut out).text("");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\\\\b\\tc\\nd\\re\t3\t\\N\tx\n\n"
        );
    }
}
