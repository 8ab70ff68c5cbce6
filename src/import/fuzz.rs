//! Property tests of reading files (issue #12): the CSV reader and every kind's row reader,
//! through [`prepare`], on files generated to look like exports gone wrong (headers of the
//! kind, cells from a pool of awkward values, any delimiter, quoting, line ends and encoding)
//! and on arbitrary bytes. Whatever the file: no panic; every row error names a line of the
//! file; every file error names a line, except those about the whole file; no message carries
//! a control character (they are printed on terminals).

use proptest::prelude::*;

use super::reader::{self, ReadError};
use super::{FileError, Kind, Known, Options, prepare};
use crate::import::dates::DateOrder;

/// Cells worth trying in any column: valid and invalid dates, numbers, scores, periods, ids of
/// the roster and not, quotes, delimiters, line breaks, control characters, formulas, long text.
const CELLS: &[&str] = &[
    "",
    " ",
    "E1",
    "E2",
    "E404",
    "Alpha",
    "alpha ",
    "Gamma",
    "2024-01-31",
    "2019-02-30",
    "31/12/2024",
    "12/31/2024",
    "03/04/2024",
    "5.3.24",
    "45292",
    "2024-03-05T14:30:00Z",
    "2025-Q1",
    "2025-Q5",
    "2025-03",
    "0",
    "1",
    "3",
    "5",
    "6",
    "10",
    "11",
    "-1",
    "4.5",
    "4,0",
    "$62,506.50",
    "EUR 48.000,25",
    "1e400",
    "99999999999999",
    "NaN",
    "voluntary",
    "Resigned",
    "N/A - Still Employed",
    "yes",
    "maybe",
    "a@b.example",
    "=HYPERLINK(\"http://x.test\",\"y\")",
    "\"",
    "\"\"",
    "\"quoted, with comma\"",
    "\"unclosed",
    "a\"b",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\u{1b}[2J",
    "\u{7f}",
    "Zoë",
    "日本語",
    "\u{feff}",
    "🙂",
];

/// Header names: each kind's own and aliases come from its spec; these are the rest.
const HEADERS: &[&str] = &[
    "", "id", "Notes", "Score", "date", "period", "\"team\"", "x\0",
];

fn known() -> Known {
    Known {
        employees: ["E1", "E2"].iter().map(|s| s.to_string()).collect(),
        teams: [("alpha".to_string(), "Alpha".to_string())]
            .into_iter()
            .collect(),
        absence_types: vec![("Sick".to_string(), false)],
        roster: Default::default(),
        left: [(
            "E2".to_string(),
            chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
        )]
        .into_iter()
        .collect(),
    }
}

/// Every header a kind knows, canonical names and aliases.
fn kind_headers() -> Vec<String> {
    let mut all: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    for kind in Kind::ALL {
        for column in kind.columns() {
            all.push(column.name.to_string());
            all.extend(column.aliases.iter().map(|a| a.to_string()));
        }
    }
    all
}

/// A file that looks like an export: a header, rows of cells, a delimiter, line ends, maybe a
/// BOM, maybe in Windows-1252 or UTF-16.
fn export() -> impl Strategy<Value = Vec<u8>> {
    let headers = kind_headers();
    (
        prop::collection::vec(prop::sample::select(headers), 0..8),
        prop::collection::vec(
            prop::collection::vec(prop::sample::select(CELLS), 0..9),
            0..6,
        ),
        prop::sample::select(&[",", ";", "\t"][..]),
        prop::sample::select(&["\n", "\r\n"][..]),
        0u8..4,
    )
        .prop_map(|(header, rows, delimiter, end, encoding)| {
            let mut text = header.join(delimiter);
            for row in rows {
                text.push_str(end);
                text.push_str(&row.join(delimiter));
            }
            match encoding {
                0 => text.into_bytes(),
                1 => [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat(),
                2 => encoding_rs::WINDOWS_1252.encode(&text).0.into_owned(),
                _ => {
                    let mut bytes = vec![0xFF, 0xFE];
                    for unit in text.encode_utf16() {
                        bytes.extend(unit.to_le_bytes());
                    }
                    bytes
                }
            }
        })
}

/// A valid header of some kind followed by arbitrary bytes.
fn noise() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(&Kind::ALL[..]),
        prop::collection::vec(any::<u8>(), 0..160),
    )
        .prop_map(|(kind, tail)| {
            let names: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
            let mut bytes = names.join(",").into_bytes();
            bytes.push(b'\n');
            bytes.extend(tail);
            bytes
        })
}

fn options() -> impl Strategy<Value = Options> {
    prop::sample::select(&[None, Some(DateOrder::DayFirst), Some(DateOrder::MonthFirst)][..])
        .prop_map(|date_order| Options {
            skip_invalid: false,
            date_order,
            covers: None,
        })
}

fn printable(message: &str) -> bool {
    !message.chars().any(char::is_control)
}

/// Errors about the file as a whole, which no one line is the cause of.
fn about_the_whole_file(err: &FileError) -> bool {
    matches!(
        err,
        FileError::Unreadable(ReadError::Empty | ReadError::NoRows | ReadError::NotText { .. })
            | FileError::AmbiguousDates { .. }
    )
}

/// Read `bytes` as every kind and check what is said about them.
fn check_every_kind(bytes: &[u8], options: Options) -> Result<(), TestCaseError> {
    let (text, _) = reader::decode(bytes);
    let lines = text.matches('\n').count() as u64 + 1;
    let known = known();
    for kind in Kind::ALL {
        match prepare(kind, "fuzz.csv", bytes, options, &known) {
            Ok(prepared) => {
                prop_assert!(prepared.rows_valid <= prepared.rows_total);
                prop_assert!(prepared.errors.len() <= prepared.errors_total);
                for note in &prepared.notes {
                    prop_assert!(printable(note), "{kind:?}: note {note:?}");
                }
                for error in &prepared.errors {
                    prop_assert!(
                        (1..=lines).contains(&error.line),
                        "{kind:?}: {error} is not a line of a file of {lines} lines"
                    );
                    prop_assert!(printable(&error.to_string()), "{kind:?}: {error:?}");
                }
            }
            Err(err) => {
                let message = err.to_string();
                prop_assert!(printable(&message), "{kind:?}: {message:?}");
                if !about_the_whole_file(&err) {
                    prop_assert!(
                        message.contains("line "),
                        "{kind:?}: names no line: {message}"
                    );
                }
                if let FileError::Unreadable(ReadError::Malformed { line, .. }) = err {
                    prop_assert!((1..=lines).contains(&line), "{kind:?}: {message}");
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn files_that_look_like_exports_never_panic_and_name_their_lines(
        bytes in export(),
        options in options(),
    ) {
        check_every_kind(&bytes, options)?;
    }

    #[test]
    fn arbitrary_bytes_after_a_header_never_panic_and_name_their_lines(
        bytes in noise(),
        options in options(),
    ) {
        check_every_kind(&bytes, options)?;
    }
}
