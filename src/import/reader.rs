//! Reading a CSV export as HR tools write it: detecting the encoding and the delimiter, then
//! splitting it into trimmed fields with their line numbers.

use std::borrow::Cow;

use encoding_rs::{Encoding, WINDOWS_1252};

/// A decoded, parsed file: its header and its non-blank rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub encoding: &'static str,
    pub delimiter: u8,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

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

/// Decode and parse a whole file.
pub fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| malformed(&e, 1))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| malformed(&e, 0))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = lines.line_at(record.position().map_or(0, |p| p.byte() as usize));
        rows.push(Row {
            line,
            fields: record.iter().map(str::to_string).collect(),
        });
    }
    if rows.is_empty() {
        return Err(ReadError::NoRows);
    }
    Ok(Table {
        encoding,
        delimiter,
        headers,
        rows,
    })
}

/// Line numbers from byte offsets. (csv's own line count is one short after CRLF line ends.)
struct LineCounter<'a> {
    text: &'a [u8],
    position: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            position: 0,
            line: 1,
        }
    }

    /// The line of the record starting at `byte` (offsets only grow). A record's reported start
    /// may sit on the end of the previous line; it begins after it.
    fn line_at(&mut self, mut byte: usize) -> u64 {
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        let end = byte.min(self.text.len());
        if end > self.position {
            self.line += self.text[self.position..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.position = end;
        }
        self.line
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
            let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 6]);
        }
        let table = read(b"id,name\r\n1,\"two\nlines\"\r\n\r\n,\r\n3, x \r\n").unwrap();
        assert_eq!(table.rows[0].get(1), "two\nlines");
        assert_eq!(table.rows[1].get(1), "x");
    }
}
