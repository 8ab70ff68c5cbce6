//! `/admin/audit`: HR reads the audit log, newest first, a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;

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
    pub detail: String,
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
                detail: if e.detail.as_object().is_some_and(|o| o.is_empty()) {
                    String::new()
                } else {
                    e.detail.to_string()
                },
                client_addr: e.client_addr.unwrap_or_default(),
            })
            .collect(),
        page,
        pages,
        newer_page: (page > 1).then(|| (page - 1).min(pages)),
        older_page: (page < pages).then_some(page + 1),
    })
}
