//! `/admin/audit`: HR reads the audit log, newest first, a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;

use crate::accounts::Role;
use crate::db;
use crate::web::auth::{CurrentUser, Nav};
use crate::web::extract::Query;
use crate::web::{AppError, AppState};

/// Events per page.
const PAGE_SIZE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct Params {
    page: Option<String>,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The event's details as (label, value) lines, for people rather than programs.
    pub detail: Vec<(String, String)>,
    pub client_addr: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub events: Vec<EventView>,
    pub page: i64,
    pub pages: i64,
    pub newer_page: Option<i64>,
    pub older_page: Option<i64>,
}

/// `GET /admin/audit?page=N`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<AuditPage, AppError> {
    user.require(Role::Hr)?;
    let page: i64 =
        match params.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(text) => text.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                AppError::BadRequest("The page must be a number from 1.".to_string())
            })?,
        };
    let mut conn = state.pool.acquire().await?;
    let total = db::audit::count(&mut conn).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let events =
        db::audit::page(&mut conn, PAGE_SIZE, (page - 1).saturating_mul(PAGE_SIZE)).await?;
    Ok(AuditPage {
        nav: user.nav(),
        events: events
            .into_iter()
            .map(|e| EventView {
                at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor: e.actor,
                action: e.action,
                detail: detail_lines(&e.detail),
                client_addr: e.client_addr.unwrap_or_default(),
            })
            .collect(),
        page,
        pages,
        newer_page: (page > 1).then(|| (page - 1).min(pages)),
        older_page: (page < pages).then_some(page + 1),
    })
}

/// An event's details (a JSON object) as lines a person reads: `{"rows": 3, "teams": ["A",
/// "B"], "user": {"email": "x"}}` becomes "rows: 3", "teams: A, B", "user email: x". Labels
/// lose their underscores; text loses its quotes; nothing is left out.
fn detail_lines(detail: &Value) -> Vec<(String, String)> {
    fn value(v: &Value) -> String {
        match v {
            Value::Null => "–".to_string(),
            Value::String(s) => s.clone(),
            Value::Array(items) if items.is_empty() => "none".to_string(),
            Value::Array(items) => items.iter().map(value).collect::<Vec<_>>().join(", "),
            Value::Bool(true) => "yes".to_string(),
            Value::Bool(false) => "no".to_string(),
            other => other.to_string(),
        }
    }
    fn walk(prefix: &str, v: &Value, lines: &mut Vec<(String, String)>) {
        match v {
            Value::Object(fields) => {
                for (key, field) in fields {
                    let label = key.replace('_', " ");
                    let label = if prefix.is_empty() {
                        label
                    } else {
                        format!("{prefix} {label}")
                    };
                    walk(&label, field, lines);
                }
            }
            other if prefix.is_empty() => lines.push(("details".to_string(), value(other))),
            other => lines.push((prefix.to_string(), value(other))),
        }
    }
    let mut lines = Vec::new();
    walk("", detail, &mut lines);
    lines
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::detail_lines;

    fn lines(detail: serde_json::Value) -> Vec<(String, String)> {
        detail_lines(&detail)
    }

    #[test]
    fn details_read_as_labelled_lines_without_json_punctuation() {
        assert_eq!(
            lines(json!({
                "file_name": "roster.csv",
                "rows_imported": 311,
                "teams": ["Alpha", "Beta"],
                "skip_invalid": false,
                "user": {"email": "a@example.com", "role": "hr"}
            })),
            [
                ("file name", "roster.csv"),
                ("rows imported", "311"),
                ("skip invalid", "no"),
                ("teams", "Alpha, Beta"),
                ("user email", "a@example.com"),
                ("user role", "hr"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(lines(json!({})), []);
        assert_eq!(
            lines(json!({"teams": [], "manager": null})),
            [("manager", "–"), ("teams", "none")].map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(
            lines(json!("plain")),
            [("details".to_string(), "plain".to_string())]
        );
    }
}
