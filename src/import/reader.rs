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
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
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
/// sequence is valid, else Windows-1252) and the delimiter of the header line.
pub fn scan<S: Source + ?Sized>(source: &S) -> Result<Scan, ReadError> {
    use sha2::{Digest, Sha256};
    let mut input = source.open().map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut first = Vec::new();
    let mut utf8 = encoding_rs::UTF_8.new_decoder_without_bom_handling();
    let mut valid_utf8 = true;
    let mut scratch = String::new();
    loop {
        let n = input.read(&mut buffer).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
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
    let (encoding, encoding_label) = match Encoding::for_bom(&first) {
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
/// text editor does (csv's own count is one short after CRLF line ends).
struct LineTracking<R> {
    inner: R,
    offset: u64,
    newlines: Rc<RefCell<VecDeque<u64>>>,
}

impl<R: Read> Read for LineTracking<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, byte) in buf[..n].iter().enumerate() {
            if *byte == b'\n' {
                newlines.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
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
        .map(str::to_string)
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
                Ok(false) => return None,
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
}
