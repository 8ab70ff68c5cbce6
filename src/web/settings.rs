//! `/admin/settings`: HR sets the minimum group size, and erases a person.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::auth::{CurrentUser, Nav, VerifiedForm};
use super::login::see_other;
use super::{AppError, AppState};
use crate::accounts::{Role, secret};
use crate::db::{self, settings};

#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub min_group_size: i64,
    pub default: i64,
    pub floor: i64,
    pub message: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    saved: Option<String>,
    erased: Option<String>,
}

/// `GET /admin/settings`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<SettingsPage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let message = if params.saved.is_some() {
        Some("Saved.")
    } else if params.erased.is_some() {
        Some("The person was erased.")
    } else {
        None
    };
    Ok(SettingsPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        min_group_size: settings::min_group_size(&mut conn).await?,
        default: settings::DEFAULT_MIN_GROUP_SIZE,
        floor: settings::MIN_GROUP_SIZE_FLOOR,
        message,
    })
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    min_group_size: String,
}

/// `POST /admin/settings`
pub async fn save(
    State(state): State<AppState>,
    submitted: VerifiedForm<SettingsForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    let value = settings::parse_min_group_size(&form.min_group_size)
        .map_err(|e| AppError::BadRequest(super::admin::users::capitalize(&e)))?;
    let mut conn = state.pool.acquire().await?;
    let before = settings::min_group_size(&mut conn).await?;
    settings::set_i64(&mut conn, settings::MIN_GROUP_SIZE, value).await?;
    db::audit::record(
        &mut conn,
        &user.actor(),
        "setting.change",
        json!({ "key": settings::MIN_GROUP_SIZE, "from": before, "to": value }),
    )
    .await?;
    Ok(see_other("/admin/settings?saved=1"))
}

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    employee_id: String,
    confirm: Option<String>,
}

/// `POST /admin/employees/erase`
pub async fn erase(
    State(state): State<AppState>,
    submitted: VerifiedForm<EraseForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    if form.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest(
            "Tick the box to confirm: an erasure cannot be undone.".to_string(),
        ));
    }
    let mut conn = state.pool.acquire().await?;
    let erased = erase_employee(&mut conn, &user.actor(), &form.employee_id).await?;
    if erased.is_none() {
        return Err(AppError::BadRequest(format!(
            "There is no employee with the id \"{}\".",
            form.employee_id.trim()
        )));
    }
    Ok(see_other("/admin/settings?erased=1"))
}

/// Erase a person and record it (the CLI does the same): returns the new, random employee id.
pub async fn erase_employee(
    conn: &mut sqlx::PgConnection,
    actor: &db::audit::Actor,
    external_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let new_id = format!("erased-{}", &secret::random_hex()[..16]);
    let Some(employee_id) = db::employees::erase(conn, external_id, &new_id).await? else {
        return Ok(None);
    };
    // The old employee id is not logged: it would identify the person.
    db::audit::record(
        conn,
        actor,
        "employee.erase",
        json!({ "employee": employee_id, "new_employee_id": new_id }),
    )
    .await?;
    Ok(Some(new_id))
}
