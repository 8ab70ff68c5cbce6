//! Third-party checkers, run on what Attune serves: axe-core (accessibility; injected into every
//! page by `browser.rs`), the Nu HTML checker (`vnu.jar`, on every page's HTML) and
//! `openapi-spec-validator` (on `/api/openapi.json`, here).
//!
//! They are installed by `.ci/run` into `tests/tools/` (`npm ci` for axe-core and vnu.jar, a
//! Python virtual environment for the validator; the Nu checker runs on the machine's Java).
//! Without them the tests fail and say how to install them; they never skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::TestApp;

/// How to install the checkers, for the failure messages.
const INSTALL: &str = "run .ci/run once, or: `npm ci --ignore-scripts --prefix tests/tools` and \
                       `python3 -m venv tests/tools/.venv && tests/tools/.venv/bin/pip install \
                       -r tests/tools/requirements.txt` (the Nu checker also needs Java: \
                       `apt-get install default-jre-headless`)";

fn tools_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tools")
}

fn installed(relative: &str) -> PathBuf {
    let path = tools_dir().join(relative);
    assert!(
        path.exists(),
        "{} is missing: the third-party checks need it; {INSTALL}",
        path.display()
    );
    path
}

/// The axe-core script, to be evaluated in a page (it defines `window.axe`).
pub fn axe_source() -> String {
    std::fs::read_to_string(installed("node_modules/axe-core/axe.min.js")).unwrap()
}

/// The JavaScript that runs axe on the whole page and answers one line per violation: the
/// rule, its impact, what it asks for, and the elements that break it. Every rule of axe's
/// default set runs (WCAG 2.0/2.1/2.2 A and AA, and best practices).
pub const AXE_RUN: &str = "axe.run(document, { resultTypes: ['violations'] }).then(r => \
     r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` + \
     v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ')).join(' | ')))";

/// The Nu HTML checker's findings (errors and warnings) for every `.html` file in `dir`, one
/// line each, naming the file, line and message.
pub fn nu_check(dir: &Path) -> Vec<String> {
    let jar = installed("node_modules/vnu-jar/build/dist/vnu.jar");
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--format", "json", "--also-check-svg", "--skip-non-html"])
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("java could not be started ({e}); {INSTALL}"));
    // vnu writes its JSON report to standard error and exits 1 when it found something.
    let report: Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "the Nu checker's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["messages"]
        .as_array()
        .expect("a list of messages")
        .iter()
        .map(|m| {
            let file = m["url"].as_str().unwrap_or_default();
            let file = file.rsplit('/').next().unwrap_or(file);
            format!(
                "{file}:{}: {} {}: {}",
                m["lastLine"],
                m["type"].as_str().unwrap_or_default(),
                m["subType"].as_str().unwrap_or_default(),
                m["message"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

/// `openapi-spec-validator` on a document: `Ok` or its complaint.
pub fn openapi_validate(document: &Value) -> Result<(), String> {
    let validator = installed(".venv/bin/openapi-spec-validator");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(document).unwrap()).unwrap();
    let output = Command::new(validator)
        .args(["--errors", "all"])
        .arg(&file)
        .output()
        .expect("openapi-spec-validator runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[tokio::test]
async fn the_served_openapi_document_is_valid_openapi() {
    let app = TestApp::spawn().await;
    let hr = app.login_hr().await;
    let response = hr.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    // The outcome links' estimates are described, old keys and new.
    let link = &document["components"]["schemas"]["OutcomeLink"]["properties"];
    for key in [
        "outcome",
        "correlation",
        "n",
        "note",
        "lag",
        "ci_low",
        "ci_high",
        "teams",
        "within_team",
        "rate_ratio_per_10_points",
        "rate_ratio_ci_low",
        "rate_ratio_ci_high",
        "evidence",
        "more_team_quarters_needed",
    ] {
        assert!(link.get(key).is_some(), "OutcomeLink lacks {key}: {link}");
    }
    if let Err(complaint) = openapi_validate(&document) {
        panic!("/api/openapi.json is not valid OpenAPI:\n{complaint}");
    }
}

#[test]
fn the_openapi_validator_rejects_a_tuple_schema() {
    // The check can fail: `items` given as a list is not OpenAPI 3.0.
    let broken = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Pair": {
            "type": "array", "items": [{"type": "string"}, {"type": "string"}]
        }}}
    });
    assert!(openapi_validate(&broken).is_err());
}

#[test]
fn the_nu_checker_finds_a_required_select_without_an_empty_first_option() {
    // The check can fail: this is the mistake it once found on the import page.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("page.html"),
        "<!doctype html><html lang=en><head><title>t</title></head><body>\
         <label for=k>Kind</label><select id=k name=k required><option value=a>A</option>\
         </select></body></html>",
    )
    .unwrap();
    let findings = nu_check(dir.path());
    assert!(
        findings.iter().any(|f| f.contains("select")),
        "{findings:?}"
    );
}
