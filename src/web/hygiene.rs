//! Input hygiene at the edge: control characters (NUL above all, which PostgreSQL cannot store
//! in text) are refused in the address, the query string and form fields, with a 400 that names
//! where they were, before any handler runs. Tab, line feed and carriage return are allowed in
//! form fields (a text area sends line breaks); nowhere else. Uploaded files are checked by the
//! import itself, and an uploaded file's name has its control characters removed
//! (`clean_file_name`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppError;

/// Requests larger than this are not form posts worth checking in memory; the body limit
/// applies as usual.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The first control character of `text` that is not allowed there.
fn forbidden(text: &str, line_breaks_allowed: bool) -> Option<char> {
    text.chars()
        .find(|&c| c.is_control() && !(line_breaks_allowed && matches!(c, '\t' | '\n' | '\r')))
}

fn refused(place: &str, c: char) -> AppError {
    AppError::BadRequest(format!(
        "{place} contains a control character (U+{:04X}), which Attune does not accept. \
         Remove it and try again.",
        u32::from(c)
    ))
}

/// The address, the query string and, for forms, the body: refused with a 400 naming the field
/// when they carry a control character.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    match check(request).await {
        Ok(request) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

async fn check(request: Request) -> Result<Request, AppError> {
    let uri = request.uri();
    let path = percent_decode(uri.path());
    if let Some(c) = forbidden(&String::from_utf8_lossy(&path), false) {
        return Err(refused("The address", c));
    }
    if let Some(query) = uri.query() {
        check_fields(query, false, "parameter")?;
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::BadRequest("The form could not be read.".to_string()))?;
    check_fields(&String::from_utf8_lossy(&bytes), true, "field")?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// `a=1&b=2` (query string or form body), each name and value checked.
fn check_fields(encoded: &str, line_breaks_allowed: bool, what: &str) -> Result<(), AppError> {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(encoded) else {
        return Err(AppError::BadRequest(format!(
            "The request's {what}s are not valid URL-encoded text."
        )));
    };
    for (name, value) in &pairs {
        let shown: String = name.chars().filter(|c| !c.is_control()).collect();
        if let Some(c) = forbidden(name, false) {
            return Err(refused(&format!("The name of the {what} \"{shown}\""), c));
        }
        if let Some(c) = forbidden(value, line_breaks_allowed) {
            return Err(refused(&format!("The {what} \"{shown}\""), c));
        }
    }
    Ok(())
}

/// `%XX` sequences as bytes (the rest as it is).
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// An uploaded file's name as stored and shown: control characters removed, trimmed; empty
/// becomes `upload.csv`.
pub fn clean_file_name(name: &str) -> String {
    let cleaned: String = name.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "upload.csv".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Text printed to a terminal: control characters shown as `\u{…}` escapes, so a stored value
/// can never move the cursor, clear the screen or change colours.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{clean_file_name, forbidden, percent_decode, printable};

    #[test]
    fn control_characters_are_found_except_line_breaks_where_allowed() {
        assert_eq!(forbidden("a\0b", true), Some('\0'));
        assert_eq!(forbidden("a\u{1b}[2J", true), Some('\u{1b}'));
        assert_eq!(forbidden("two\r\nlines\tand a tab", true), None);
        assert_eq!(forbidden("two\nlines", false), Some('\n'));
        assert_eq!(forbidden("Zoë Łukasz 日本", false), None);
        assert_eq!(forbidden("\u{85}", true), Some('\u{85}'));
    }

    #[test]
    fn percent_decoding_reads_escapes_and_leaves_the_rest() {
        assert_eq!(percent_decode("/teams/Finance%00"), b"/teams/Finance\0");
        assert_eq!(percent_decode("/a%2"), b"/a%2");
        assert_eq!(percent_decode("/a%zz"), b"/a%zz");
        assert_eq!(percent_decode("/R%26D"), b"/R&D");
    }

    #[test]
    fn file_names_and_terminal_text_carry_no_control_characters() {
        assert_eq!(clean_file_name("x\u{1b}[31m.csv\r\n"), "x[31m.csv");
        assert_eq!(clean_file_name("\0"), "upload.csv");
        assert_eq!(printable("a\u{1b}[2Jb\r"), "a\\u{1b}[2Jb\\u{d}");
        assert_eq!(printable("plain.csv"), "plain.csv");
    }
}
