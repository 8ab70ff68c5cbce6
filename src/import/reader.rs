//! Reading a CSV export as HR tools write it: detecting the encoding and the delimiter, then
//! splitting it into trimmed fields with their line numbers.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

use encoding_rs::{Encoding, WINDOWS_1252};

/// One data row and the line it starts on, counted as a spreadsheet shows it (header = line 1).
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

impl Row {
    /// The field at `index`, or "" where the row is shorter than the header.
    pub fn get(&self, index: usize) -> &str {
        self.fields.get(index).map(String::as_str).unwrap_or("")
    }
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header line but no data rows")]
    NoRows,
    #[error("the file is {what}, not CSV text; {advice}")]
    NotText {
        what: &'static str,
        advice: &'static str,
    },
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

/// Files people save by mistake instead of a CSV export, told by their first bytes:
/// (signature, what it is, what to do).
const NOT_TEXT: [(&[u8], &str, &str); 3] = [
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel .xlsx workbook is one)",
        "open it and save or export it as CSV",
    ),
    (
        b"\x1f\x8b",
        "gzip-compressed",
        "decompress it first (gunzip)",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel .xls workbook",
        "open it and save or export it as CSV",
    ),
];

/// Where a file's bytes are and are not UTF-8, by line: a file with both is two encodings
/// mixed (lines pasted from another export), which no single decoding reads right.
#[derive(Debug, Default)]
struct Utf8Lines {
    line: u64,
    /// Continuation bytes still expected by the current multi-byte sequence.
    pending: u8,
    first_invalid: Option<u64>,
    first_multibyte: Option<u64>,
}

impl Utf8Lines {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.pending > 0 {
                if byte & 0xC0 == 0x80 {
                    self.pending -= 1;
                    if self.pending == 0 {
                        self.first_multibyte.get_or_insert(self.line + 1);
                    }
                    continue;
                }
                self.first_invalid.get_or_insert(self.line + 1);
                self.pending = 0;
            }
            match byte {
                b'\n' => self.line += 1,
                0x00..=0x7F => {}
                0xC2..=0xDF => self.pending = 1,
                0xE0..=0xEF => self.pending = 2,
                0xF0..=0xF4 => self.pending = 3,
                _ => {
                    self.first_invalid.get_or_insert(self.line + 1);
                }
            }
        }
    }

    /// The file mixes encodings: (a line that is not UTF-8, a line that is).
    fn mixed(&self) -> Option<(u64, u64)> {
        let invalid = if self.pending > 0 {
            self.first_invalid.or(Some(self.line + 1))
        } else {
            self.first_invalid
        };
        Some((invalid?, self.first_multibyte?))
    }
}

/// Decode `bytes`: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        let name = match encoding.name() {
            "UTF-8" => "UTF-8 (with BOM)",
            "UTF-16LE" => "UTF-16LE",
            _ => "UTF-16BE",
        };
        return (text, name);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "UTF-8"),
        Err(_) => (
            WINDOWS_1252.decode_without_bom_handling(bytes).0,
            "Windows-1252",
        ),
    }
}

/// The delimiter of the header line: the most frequent of comma, semicolon and tab outside
/// quotes (comma when none appears).
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in text.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                for (delimiter, count) in counts.iter_mut() {
                    if byte == *delimiter {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .filter(|(_, count)| *count > 0)
        .max_by_key(|(_, count)| *count)
        .map_or(b',', |(delimiter, _)| *delimiter)
}

/// A file to import, which can be read more than once: scanned first, then read row by row,
/// so that memory stays bounded whatever its size.
pub trait Source {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>>;

    /// Whether the content is already in memory (then its rows may be kept too).
    fn in_memory(&self) -> bool;
}

impl Source for [u8] {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self))
    }

    fn in_memory(&self) -> bool {
        true
    }
}

impl Source for Vec<u8> {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.as_slice()))
    }

    fn in_memory(&self) -> bool {
        true
    }
}

impl<const N: usize> Source for [u8; N] {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(&self[..]))
    }

    fn in_memory(&self) -> bool {
        true
    }
}

/// Bytes in memory read as a file on disk is: row by row, without keeping the rows, so that an
/// upload already in memory is not held a second time as parsed rows (the web's uploads).
#[derive(Debug, Clone, Copy)]
pub struct Streamed<'a>(pub &'a [u8]);

impl Source for Streamed<'_> {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.0))
    }

    fn in_memory(&self) -> bool {
        false
    }
}

impl Source for std::path::Path {
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(self)?,
        )))
    }

    fn in_memory(&self) -> bool {
        false
    }
}

/// What a first pass over the raw bytes tells: the encoding, the delimiter and the content hash.
#[derive(Debug, Clone)]
pub struct Scan {
    pub encoding: &'static Encoding,
    pub encoding_label: &'static str,
    pub delimiter: u8,
    pub content_hash: String,
}

/// Read the raw bytes once: hash them, detect the encoding (a BOM, else UTF-8 if every byte
/// sequence is valid, else Windows-1252) and the delimiter of the header line. A workbook or a
/// compressed file saved as `.csv`, and a file mixing UTF-8 lines with lines in another
/// encoding, are refused.
pub fn scan<S: Source + ?Sized>(source: &S) -> Result<Scan, ReadError> {
    use sha2::{Digest, Sha256};
    let mut input = source.open().map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut first = Vec::new();
    let mut utf8 = encoding_rs::UTF_8.new_decoder_without_bom_handling();
    let mut valid_utf8 = true;
    let mut scratch = String::new();
    let mut lines = Utf8Lines::default();
    loop {
        let n = input.read(&mut buffer).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        lines.feed(&buffer[..n]);
        if first.len() < (1 << 16) {
            let take = n.min((1 << 16) - first.len());
            first.extend_from_slice(&buffer[..take]);
        }
        if valid_utf8 {
            scratch.clear();
            scratch.reserve(n * 3 + 16);
            let (result, _) =
                utf8.decode_to_string_without_replacement(&buffer[..n], &mut scratch, false);
            valid_utf8 = !matches!(result, encoding_rs::DecoderResult::Malformed(_, _));
        }
    }
    if valid_utf8 {
        scratch.clear();
        scratch.reserve(16);
        let (result, _) = utf8.decode_to_string_without_replacement(&[], &mut scratch, true);
        valid_utf8 = !matches!(result, encoding_rs::DecoderResult::Malformed(_, _));
    }
    if let Some((_, what, advice)) = NOT_TEXT
        .iter()
        .find(|(signature, _, _)| first.starts_with(signature))
    {
        return Err(ReadError::NotText { what, advice });
    }
    let bom = Encoding::for_bom(&first);
    if bom.is_none()
        && !valid_utf8
        && let Some((legacy, utf8)) = lines.mixed()
    {
        return Err(ReadError::Malformed {
            line: legacy,
            message: format!(
                "is not UTF-8 text, but line {utf8} is: the file mixes two encodings \
                 (lines pasted from another export?); save it again as UTF-8"
            ),
        });
    }
    let (encoding, encoding_label) = match bom {
        Some((e, _)) if e == encoding_rs::UTF_8 => (e, "UTF-8 (with BOM)"),
        Some((e, _)) if e == encoding_rs::UTF_16LE => (e, "UTF-16LE"),
        Some((e, _)) => (e, "UTF-16BE"),
        None if valid_utf8 => (encoding_rs::UTF_8, "UTF-8"),
        None => (WINDOWS_1252, "Windows-1252"),
    };
    let (head, _) = decode(&first);
    Ok(Scan {
        encoding,
        encoding_label,
        delimiter: detect_delimiter(&head),
        content_hash: hex::encode(hasher.finalize()),
    })
}

fn unreadable(err: std::io::Error) -> ReadError {
    ReadError::Malformed {
        line: 0,
        message: format!("cannot be read ({err})"),
    }
}

/// Newline offsets of the decoded text as the CSV reader pulls it, to number lines the way a
/// text editor does (csv's own count is one short after CRLF line ends); and the quotes, as
/// the CSV reader reads them, so that a quoted cell still open at the end of the file (which
/// the reader takes as one long cell) can be told.
struct LineTracking<R> {
    inner: R,
    offset: u64,
    newlines: Rc<RefCell<VecDeque<u64>>>,
    quotes: Quotes,
}

impl<R: Read> Read for LineTracking<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, byte) in buf[..n].iter().enumerate() {
            if *byte == b'\n' {
                newlines.push_back(self.offset + i as u64);
            }
            self.quotes.feed(*byte);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Where a cell stands, by the rules of the CSV reader: a quote opens a quoted cell only as its
/// first character; inside, a doubled quote is a quote and a single one closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: it closes it, unless another quote follows.
    QuoteInQuoted,
}

#[derive(Debug)]
struct Quotes {
    delimiter: u8,
    cell: Cell,
    line: u64,
    /// The line where the open quoted cell started.
    opened_on: u64,
}

impl Quotes {
    fn new(delimiter: u8) -> Quotes {
        Quotes {
            delimiter,
            cell: Cell::Start,
            line: 1,
            opened_on: 1,
        }
    }

    fn feed(&mut self, byte: u8) {
        self.cell = match (self.cell, byte) {
            (Cell::Quoted, b'"') => Cell::QuoteInQuoted,
            (Cell::Quoted, _) => Cell::Quoted,
            (Cell::QuoteInQuoted, b'"') => Cell::Quoted,
            (Cell::Start, b'"') => {
                self.opened_on = self.line;
                Cell::Quoted
            }
            (_, b'\n' | b'\r') => Cell::Start,
            (_, byte) if byte == self.delimiter => Cell::Start,
            _ => Cell::Unquoted,
        };
        if byte == b'\n' {
            self.line += 1;
        }
    }

    /// The line of a quoted cell still open (at the end of the file).
    fn open(&self) -> Option<u64> {
        (self.cell == Cell::Quoted).then_some(self.opened_on)
    }
}

/// The rows of a scanned file, one at a time, with their line numbers.
pub struct Rows<'a> {
    reader: csv::Reader<LineTracking<Box<dyn Read + 'a>>>,
    newlines: Rc<RefCell<VecDeque<u64>>>,
    line: u64,
    record: csv::StringRecord,
    pub headers: Vec<String>,
}

/// Open the file again and read its header.
pub fn rows<'a, S: Source + ?Sized>(source: &'a S, scan: &Scan) -> Result<Rows<'a>, ReadError> {
    let raw = source.open().map_err(unreadable)?;
    let decoded: Box<dyn Read + 'a> = Box::new(
        encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(scan.encoding))
            .bom_override(true)
            .build(raw),
    );
    let newlines = Rc::new(RefCell::new(VecDeque::new()));
    let tracking = LineTracking {
        inner: decoded,
        offset: 0,
        newlines: Rc::clone(&newlines),
        quotes: Quotes::new(scan.delimiter),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(scan.delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(tracking);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| malformed(&e, 1))?
        .iter()
        // Headers are shown everywhere (terminal, pages, API); a control character in one is
        // noise, which matching ignores anyway.
        .map(|header| header.chars().filter(|c| !c.is_control()).collect())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ReadError::Empty);
    }
    Ok(Rows {
        reader,
        newlines,
        line: 1,
        record: csv::StringRecord::new(),
        headers,
    })
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, ReadError>;

    /// The next row that is not blank.
    fn next(&mut self) -> Option<Result<Row, ReadError>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Err(e) => return Some(Err(malformed(&e, self.line + 1))),
                Ok(false) => {
                    // Once: a further call finds the reader at its end again.
                    return self.reader.get_mut().quotes.open().map(|line| {
                        self.reader.get_mut().quotes.cell = Cell::Start;
                        Err(ReadError::Malformed {
                            line,
                            message: "a quoted cell starts here and is never closed (its \
                                      closing \" is missing), so the rest of the file would \
                                      be read as that one cell"
                                .to_string(),
                        })
                    });
                }
                Ok(true) => {}
            }
            // A record's reported start may sit on the end of the line before it: newlines at
            // or before it belong to earlier lines.
            let start = self.record.position().map_or(0, |p| p.byte());
            {
                let mut newlines = self.newlines.borrow_mut();
                while newlines.front().is_some_and(|at| *at <= start) {
                    newlines.pop_front();
                    self.line += 1;
                }
            }
            if self.record.iter().all(str::is_empty) {
                continue;
            }
            return Some(Ok(Row {
                line: self.line,
                fields: self.record.iter().map(str::to_string).collect(),
            }));
        }
    }
}

fn malformed(err: &csv::Error, fallback_line: u64) -> ReadError {
    let line = err.position().map_or(fallback_line, |p| p.line());
    ReadError::Malformed {
        line,
        message: match err.kind() {
            csv::ErrorKind::Utf8 { .. } => "contains text that is not valid UTF-8".into(),
            _ => format!("cannot be read as CSV ({err})"),
        },
    }
}

/// The delimiter as people name it.
pub fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a file in memory, as `prepare` reads them.
    fn read(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
        let scan = scan(bytes)?;
        rows(bytes, &scan)?.collect()
    }

    #[test]
    fn the_delimiter_is_the_most_frequent_one_outside_quotes() {
        assert_eq!(detect_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(detect_delimiter("a;b;\"c,d,e\"\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn utf16_with_bom_and_windows_1252_are_decoded() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "id;Zoë".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(
            decode(&utf16),
            (Cow::Owned("id;Zoë".to_string()), "UTF-16LE")
        );
        let mut utf16_be = vec![0xFE, 0xFF];
        for unit in "id;Zoë".encode_utf16() {
            utf16_be.extend(unit.to_be_bytes());
        }
        assert_eq!(
            decode(&utf16_be),
            (Cow::Owned("id;Zoë".to_string()), "UTF-16BE")
        );
        assert_eq!(decode(b"Zo\xEB").0, "Zoë");
        assert_eq!(decode(b"Zo\xEB").1, "Windows-1252");
        assert_eq!(decode(b"\xEF\xBB\xBFid").0, "id");
    }

    #[test]
    fn rows_keep_their_spreadsheet_line_numbers() {
        for text in [
            &b"id,name\r\n1,\"two\nlines\"\r\n\r\n,\r\n3, x \r\n"[..],
            b"id,name\n1,\"two\nlines\"\n\n,\n3, x \n",
        ] {
            let table = read(text).unwrap();
            let lines: Vec<u64> = table.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 6]);
        }
        let table = read(b"id,name\r\n1,\"two\nlines\"\r\n\r\n,\r\n3, x \r\n").unwrap();
        assert_eq!(table[0].get(1), "two\nlines");
        assert_eq!(table[1].get(1), "x");
    }

    #[test]
    fn a_quoted_cell_never_closed_is_refused_at_the_line_it_opens() {
        let err = read(b"id,name\n1,ok\n2,\"Ann\n3,Bob\n").unwrap_err();
        assert_eq!(
            err,
            ReadError::Malformed {
                line: 3,
                message: "a quoted cell starts here and is never closed (its closing \" is \
                          missing), so the rest of the file would be read as that one cell"
                    .into()
            }
        );
        // Quotes that close, doubled quotes, and quotes inside an unquoted cell are fine.
        for fine in [
            &b"id,name\n1,\"A \"\"B\"\" C\"\n2,\"x\ny\"\n"[..],
            b"id,name\n1,5\" screen\n2,a\"b\n",
            b"id;name\r\n1;\"a;b\"\r\n",
        ] {
            assert!(read(fine).is_ok(), "{:?}", String::from_utf8_lossy(fine));
        }
    }

    #[test]
    fn archives_and_workbooks_are_not_read_as_text() {
        for (bytes, what) in [
            (&b"PK\x03\x04\x14\x00rest"[..], "a ZIP archive"),
            (b"\x1f\x8b\x08\x00rest", "gzip-compressed"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "an Excel .xls"),
        ] {
            let err = scan(bytes).unwrap_err().to_string();
            assert!(err.starts_with(&format!("the file is {what}")), "{err}");
        }
    }

    #[test]
    fn utf8_lines_mixed_with_another_encoding_are_refused_naming_both() {
        let err = read(b"id,name\n1,Zo\xc3\xab\n2,Zo\xeb\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 3: is not UTF-8 text, but line 2 is"),
            "{err}"
        );
        // All Windows-1252: read as such.
        let rows = read(b"id,name\n1,Zo\xeb\n2,caf\xe9\n").unwrap();
        assert_eq!(rows[1].get(1), "café");
    }
}
