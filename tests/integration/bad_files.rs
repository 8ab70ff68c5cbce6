//! The corpus of bad files (`tests/fixtures/bad/`, issue #12): each one, imported through the
//! command line and through the API, is rejected with its documented message (docs/importing.md,
//! "Messages"), naming its line and column, and changes nothing.

use std::path::PathBuf;

use attune::accounts::Role;
use serde_json::Value;

use crate::import_web::{api_token, upload};
use crate::support::TestApp;

/// What a bad file is answered.
enum Expected<'a> {
    /// Rejected as a whole: `error: FILE was rejected: <message>`; 400 from the API, with
    /// `FILE: <message>`.
    File(&'a str),
    /// Rejected for these row errors, in order (as the command line prints them); 422 from the
    /// API.
    Rows(&'a [&'a str]),
}

struct Case {
    file: &'static str,
    kind: &'static str,
    expected: Expected<'static>,
}

const CORPUS: &[Case] = &[
    Case {
        file: "empty.csv",
        kind: "employees",
        expected: Expected::File("the file is empty"),
    },
    Case {
        file: "header_only.csv",
        kind: "employees",
        expected: Expected::File("the file has a header line but no data rows"),
    },
    Case {
        file: "zip_renamed.csv",
        kind: "employees",
        expected: Expected::File(
            "the file is a ZIP archive (an Excel .xlsx workbook is one), not CSV text; open it \
             and save or export it as CSV",
        ),
    },
    Case {
        file: "gzip_renamed.csv",
        kind: "employees",
        expected: Expected::File(
            "the file is gzip-compressed, not CSV text; decompress it first (gunzip)",
        ),
    },
    Case {
        file: "nul_bytes.csv",
        kind: "employees",
        expected: Expected::Rows(&[
            "line 2, team \"Alpha\": contains a control character (such as NUL) that cannot be \
             stored",
        ]),
    },
    Case {
        file: "unterminated_quote.csv",
        kind: "employees",
        expected: Expected::File(
            "line 2: a quoted cell starts here and is never closed (its closing \" is missing), \
             so the rest of the file would be read as that one cell",
        ),
    },
    Case {
        file: "ragged_rows.csv",
        kind: "employees",
        expected: Expected::Rows(&[
            "line 2, hire_date: is empty; it is required",
            "line 4, team: is empty; it is required",
            "line 4, hire_date: is empty; it is required",
        ]),
    },
    Case {
        file: "duplicate_headers.csv",
        kind: "csat",
        expected: Expected::File(
            "line 1: columns 3 and 4 have the same name (\"score\", ignoring case, spaces and \
             punctuation), so which one to read would be a guess; rename or remove one",
        ),
    },
    Case {
        file: "duplicate_ids.csv",
        kind: "employees",
        expected: Expected::Rows(&["line 4, employee_id \"E2\": appears again (first on line 2)"]),
    },
    Case {
        file: "impossible_dates.csv",
        kind: "employees",
        expected: Expected::Rows(&[
            "line 2, hire_date \"2019-02-30\": not a date",
            "line 3, hire_date \"2024-13-01\": not a date",
            "line 4, hire_date \"2023-02-29\": not a date",
            "line 5, termination_date \"2024-01-09\": is before hire_date 2024-01-10",
        ]),
    },
    Case {
        file: "csat_scores_out_of_range.csv",
        kind: "csat",
        expected: Expected::Rows(&[
            "line 2, score \"6\": not a whole number from 1 to 5",
            "line 3, score \"0\": not a whole number from 1 to 5",
            "line 4, score \"4.5\": not a whole number from 1 to 5",
        ]),
    },
    Case {
        file: "pulse_scores_out_of_range.csv",
        kind: "pulse",
        expected: Expected::Rows(&[
            "line 2, heard \"0\": not a whole number from 1 to 5",
            "line 3, enps \"11\": not a whole number from 0 to 10",
            "line 4, enps \"-1\": not a whole number from 0 to 10",
        ]),
    },
    Case {
        file: "formula_payloads.csv",
        kind: "employees",
        expected: Expected::Rows(&[
            "line 2, hire_date \"=HYPERLINK(\"http://x.test\",\"y\")\": not a date",
        ]),
    },
    Case {
        file: "mixed_encodings.csv",
        kind: "employees",
        expected: Expected::File(
            "line 2: is not UTF-8 text, but line 3 is: the file mixes two encodings (lines \
             pasted from another export?); save it again as UTF-8",
        ),
    },
];

fn fixture(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/bad/{file}"))
}

/// A roster with one team for the other kinds to refer to, and an HR token.
async fn arrange() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.import(
        attune::import::Kind::Employees,
        "employee_id,team,hire_date,full_name\nE1,Alpha,2020-01-01,Zoë Example\n",
    )
    .await;
    let token = api_token(&app, "hr-bot@example.com", Role::Hr).await;
    (app, token)
}

/// Everything an import could change, in one string.
async fn stored(app: &TestApp) -> String {
    sqlx::query_scalar(
        "select concat_ws(' | ',
            (select string_agg(e::text, ', ' order by e::text) from employee e),
            (select string_agg(t.name, ', ' order by t.name) from team t),
            (select count(*) from import), (select count(*) from import_upload),
            (select count(*) from csat_response), (select count(*) from pulse_response))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// A row error of the API's answer, written as the command line prints it.
fn as_printed(error: &Value) -> String {
    let line = &error["line"];
    let message = error["message"].as_str().unwrap();
    match (error["column"].as_str(), error["value"].as_str()) {
        (Some(column), Some(value)) => format!("line {line}, {column} \"{value}\": {message}"),
        (Some(column), None) => format!("line {line}, {column}: {message}"),
        _ => format!("line {line}: {message}"),
    }
}

/// Import `bytes` as `kind` through the command line and through the API, and check both
/// answers against `expected`.
async fn check(
    app: &TestApp,
    token: &str,
    file: &str,
    kind: &str,
    bytes: &[u8],
    expected: &Expected<'_>,
) {
    let output = app.cli_with_file(&["import", kind], file, bytes);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{file}: {stderr}");
    let printed: Vec<&str> = stderr.lines().collect();
    let (last, errors) = printed.split_last().expect("a verdict");
    match expected {
        Expected::File(message) => {
            assert_eq!(
                *last,
                format!("error: {file} was rejected: {message}"),
                "{file}"
            );
            assert!(errors.is_empty(), "{file}: {stderr}");
        }
        Expected::Rows(lines) => {
            assert_eq!(errors, *lines, "{file}");
            assert!(
                last.starts_with(&format!(
                    "error: {file} was rejected: {} error",
                    lines.len()
                )),
                "{file}: {last}"
            );
        }
    }

    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/imports/{kind}?file_name={file}")))
        .bearer_auth(token)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap();
    match expected {
        Expected::File(message) => {
            assert_eq!(status, 400, "{file}: {answer}");
            assert_eq!(answer["error"], format!("{file}: {message}"), "{file}");
        }
        Expected::Rows(lines) => {
            assert_eq!(status, 422, "{file}: {answer}");
            assert_eq!(answer["status"], "rejected");
            let errors: Vec<String> = answer["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(as_printed)
                .collect();
            assert_eq!(errors, *lines, "{file}");
        }
    }
}

#[tokio::test]
async fn every_bad_file_is_rejected_with_its_documented_error_and_changes_nothing() {
    let (app, token) = arrange().await;
    let before = stored(&app).await;

    for case in CORPUS {
        let bytes = std::fs::read(fixture(case.file)).unwrap();
        check(&app, &token, case.file, case.kind, &bytes, &case.expected).await;
        assert_eq!(
            stored(&app).await,
            before,
            "{} changed something",
            case.file
        );
    }
}

#[tokio::test]
async fn a_one_megabyte_cell_is_refused_and_shown_cut_short() {
    let (app, token) = arrange().await;
    let before = stored(&app).await;
    let mut file = b"employee_id,team,hire_date,full_name\nE2,Alpha,2024-01-01,".to_vec();
    file.extend(std::iter::repeat_n(b'x', 1 << 20));
    file.extend(b"\nE3,Alpha,2024-01-01,Bob\n");

    let shown = "x".repeat(40);
    let expected = format!("line 2, full_name \"{shown}\": is longer than 1000 characters");
    check(
        &app,
        &token,
        "large_field.csv",
        "employees",
        &file,
        &Expected::Rows(&[expected.as_str()]),
    )
    .await;
    assert_eq!(stored(&app).await, before);
}

/// A formula in a cell is only text: the errors' CSV download writes it so that a spreadsheet
/// never runs it.
#[tokio::test]
async fn a_formula_in_a_cell_is_never_run_by_a_spreadsheet() {
    let (app, _) = arrange().await;
    let hr = app.login_hr().await;
    let bytes = std::fs::read(fixture("formula_payloads.csv")).unwrap();
    let uploaded = upload(&hr, "employees", "formula_payloads.csv", &bytes).await;
    assert_eq!(uploaded.status(), 303);
    let preview = uploaded.headers()["location"].to_str().unwrap().to_string();

    let csv = hr
        .get(&format!("{preview}/errors.csv"))
        .await
        .text()
        .await
        .unwrap();

    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "line,column,value,problem",
            "2,hire_date,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\",not a date",
        ]
    );
}
