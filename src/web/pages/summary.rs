//! The executive's quarterly summary at `/summary`, and its exports: `/summary.pdf` (a clean A4
//! document), `/summary.csv` (the figures, escaped for spreadsheets) and, through
//! `standalone_html`, the one-file HTML that `attune report --format html` writes.
//!
//! It names every team, so HR and executives read it; a manager gets 403, as for the HR pages.
//! Every export is recorded in the audit log (action `export`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::Role;
use crate::cache::Snapshot;
use crate::db;
use crate::period::Period;
use crate::report::ReportError;
use crate::summary::{self, Summary, SummaryError};
use crate::web::auth::{CurrentUser, Nav};
use crate::web::extract::Query;
use crate::web::periods;
use crate::web::view::{self, KeptPage};
use crate::web::{AppError, AppState};

/// The stylesheet, inlined into the one-file HTML.
const STYLESHEET: &str = include_str!("../../../static/app.css");

#[derive(Debug, Deserialize)]
pub struct Params {
    pub period: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "summary.html")]
pub struct SummaryPage {
    pub nav: Nav,
    pub s: Summary,
    pub attention_rule: String,
}

/// The summary as one self-contained HTML file: the stylesheet inlined, the charts inline SVG,
/// no reference to anything outside the file.
#[derive(Template)]
#[template(path = "summary_file.html")]
struct SummaryFile<'a> {
    s: &'a Summary,
    css: &'static str,
    attention_rule: String,
}

/// `GET /summary?period=2025-Q1` (by default the latest complete quarter); also an executive's
/// `/`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Html<String>, AppError> {
    let at = state.reports.at(user.data_version, &state.pool);
    render(&state, &at, &user, &params).await
}

/// The summary page for this user and `?period=`, as of `at`: kept rendered for readers who
/// see the same (`web::view`).
pub async fn render(
    state: &AppState,
    at: &Snapshot,
    user: &CurrentUser,
    params: &Params,
) -> Result<Html<String>, AppError> {
    let period = chosen(user, params, at)?;
    let name = format!("summary {period} {:?} {:?}", user.role, user.teams);
    let page = state
        .reports
        .kept(at, name, KeptPage::weight, || async {
            let mut s = load(state, at, user, period).await?;
            s.team_links = true;
            let page = SummaryPage {
                nav: view::nav(user.role),
                s,
                attention_rule: summary::attention_rule(),
            };
            KeptPage::render(&page).map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(page.for_user(user))
}

/// `GET /summary.pdf?period=2025-Q1`: the same summary as an A4 PDF, kept until the data
/// changes for readers who see the same (`cache::ReportCache::kept`).
pub async fn pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let at = state.reports.at(user.data_version, &state.pool);
    let period = chosen(&user, &params, &at)?;
    let name = format!("summary.pdf {period} {:?} {:?}", user.role, user.teams);
    let bytes = state
        .reports
        .kept(&at, name, Vec::len, || async {
            let s = load(&state, &at, &user, period).await?;
            tokio::task::spawn_blocking(move || summary::pdf::render(&s))
                .await
                .map_err(|e| AppError::Internal(format!("the PDF task failed: {e}")))?
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    audit_export(&state, &user, period, "pdf").await?;
    Ok(download(
        bytes.to_vec(),
        "application/pdf",
        &file_name(period, "pdf"),
    ))
}

/// `GET /summary.csv?period=2025-Q1`: one row per scope and metric.
pub async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let at = state.reports.at(user.data_version, &state.pool);
    let period = chosen(&user, &params, &at)?;
    let s = load(&state, &at, &user, period).await?;
    let bytes = summary::csv::render(&s.report);
    audit_export(&state, &user, period, "csv").await?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        &file_name(period, "csv"),
    ))
}

/// The summary as one HTML file (for `attune report --format html`).
pub fn standalone_html(s: &Summary) -> Result<String, askama::Error> {
    SummaryFile {
        s,
        css: STYLESHEET,
        attention_rule: summary::attention_rule(),
    }
    .render()
}

/// Check the role and parse the period.
fn chosen(user: &CurrentUser, params: &Params, at: &Snapshot) -> Result<Period, AppError> {
    if user.role == Role::Manager {
        return Err(AppError::Forbidden(
            "The quarterly summary names every team, so it is for HR and executives. Your \
             dashboard shows your teams."
                .to_string(),
        ));
    }
    periods::chosen(params.period.as_deref(), at.today)
}

/// The summary of `period` as this user may see it, as of `at`.
async fn load(
    state: &AppState,
    at: &Snapshot,
    user: &CurrentUser,
    period: Period,
) -> Result<Summary, AppError> {
    let summary = async {
        let quarters = summary::trend_quarters(period)?;
        let mut reports = state
            .reports
            .reports_at(at, &state.pool, &quarters)
            .await?
            .to_vec();
        user.redact_all(&mut reports);
        let mut conn = state.pool.acquire().await.map_err(ReportError::from)?;
        summary::complete(&mut conn, period, reports).await
    };
    summary.await.map_err(|e| match e {
        SummaryError::NotAQuarter(asked) => AppError::BadRequest(format!(
            "The quarterly summary covers a quarter, not \"{asked}\": choose a quarter \
                 such as 2025-Q1 (YYYY-Qn)."
        )),
        SummaryError::Report(ReportError::Database(e)) => e.into(),
        SummaryError::Report(e) => AppError::from(e),
    })
}

async fn audit_export(
    state: &AppState,
    user: &CurrentUser,
    period: Period,
    format: &str,
) -> Result<(), AppError> {
    let mut conn = state.pool.acquire().await?;
    db::audit::record(
        &mut conn,
        &user.actor(),
        "export",
        serde_json::json!({
            "what": "quarterly summary",
            "format": format,
            "period": period.to_string(),
        }),
    )
    .await?;
    Ok(())
}

fn file_name(period: Period, extension: &str) -> String {
    format!("attune-summary-{period}.{extension}")
}

fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
