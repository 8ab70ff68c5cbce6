//! `/admin/settings`: HR sets the minimum group size; the figures' settings (turnover cost
//! factor, empathy index weights, currency, work week); and erases a person. Every change is
//! audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{Role, secret};
use crate::db::{self, settings};
use crate::web::auth::{CurrentUser, Nav, VerifiedForm};
use crate::web::extract::Query;
use crate::web::pages::login::see_other;
use crate::web::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub min_group_size: i64,
    pub default: i64,
    pub floor: i64,
    pub message: Option<&'static str>,
    pub figures: FiguresForm,
    /// Why the figures form was refused (it is shown again with what was typed).
    pub figures_error: Option<String>,
    pub default_turnover_cost_factor: String,
    pub work_weeks: Vec<WorkWeekChoice>,
}

/// The figures form, as shown and as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FiguresForm {
    #[serde(default)]
    pub turnover_cost_factor: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub work_week: String,
    #[serde(default)]
    pub weight_empathy_favorability: String,
    #[serde(default)]
    pub weight_enps: String,
    #[serde(default)]
    pub weight_voluntary_turnover: String,
    #[serde(default)]
    pub weight_absenteeism: String,
    #[serde(default)]
    pub weight_promotion: String,
    #[serde(default)]
    pub weight_csat: String,
}

/// One option of the work week choice.
pub struct WorkWeekChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
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
    let figures = stored_figures(&mut conn).await?;
    settings_page(&mut conn, &user, message, figures, None).await
}

/// The settings page with the figures form showing `figures`.
async fn settings_page(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    message: Option<&'static str>,
    figures: FiguresForm,
    figures_error: Option<String>,
) -> Result<SettingsPage, AppError> {
    let work_weeks = settings::WorkWeek::ALL
        .into_iter()
        .map(|w| WorkWeekChoice {
            value: w.as_str(),
            label: w.label(),
            selected: w.as_str() == figures.work_week,
        })
        .collect();
    Ok(SettingsPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        min_group_size: settings::min_group_size(conn).await?,
        default: settings::DEFAULT_MIN_GROUP_SIZE,
        floor: settings::MIN_GROUP_SIZE_FLOOR,
        message,
        figures,
        figures_error,
        default_turnover_cost_factor: crate::scoring::Settings::default()
            .turnover_cost_factor
            .to_string(),
        work_weeks,
    })
}

/// The figures' settings in force, as the form shows them.
async fn stored_figures(conn: &mut sqlx::PgConnection) -> Result<FiguresForm, AppError> {
    let scoring = settings::scoring(conn).await?;
    let w = scoring.empathy_weights;
    Ok(FiguresForm {
        turnover_cost_factor: scoring.turnover_cost_factor.to_string(),
        currency: settings::currency(conn).await?,
        work_week: settings::work_week(conn).await?.as_str().to_string(),
        weight_empathy_favorability: w.empathy_favorability.to_string(),
        weight_enps: w.enps.to_string(),
        weight_voluntary_turnover: w.voluntary_turnover.to_string(),
        weight_absenteeism: w.absenteeism.to_string(),
        weight_promotion: w.promotion.to_string(),
        weight_csat: w.csat.to_string(),
    })
}

/// The figures form, checked: every field or the first thing wrong.
fn parse_figures(
    form: &FiguresForm,
) -> Result<
    (
        f64,
        crate::scoring::EmpathyWeights,
        String,
        settings::WorkWeek,
    ),
    String,
> {
    let factor = settings::parse_turnover_cost_factor(&form.turnover_cost_factor)?;
    let weights = settings::parse_empathy_weights([
        (
            "empathy favorability",
            form.weight_empathy_favorability.as_str(),
        ),
        ("eNPS", form.weight_enps.as_str()),
        (
            "voluntary turnover",
            form.weight_voluntary_turnover.as_str(),
        ),
        ("absenteeism", form.weight_absenteeism.as_str()),
        ("promotions", form.weight_promotion.as_str()),
        ("customer satisfaction", form.weight_csat.as_str()),
    ])?;
    let currency = settings::parse_currency(&form.currency)?;
    let work_week = settings::WorkWeek::parse(&form.work_week)?;
    Ok((factor, weights, currency, work_week))
}

/// `POST /admin/settings/figures`: the turnover cost factor, the empathy index weights, the
/// currency and the work week. Each changed setting is stored and audited; a refused form is
/// shown again (400) with what was typed and why, and changes nothing.
pub async fn save_figures(
    State(state): State<AppState>,
    submitted: VerifiedForm<FiguresForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let (factor, weights, currency, work_week) = match parse_figures(&form) {
        Ok(parsed) => parsed,
        Err(e) => {
            let error = super::users::capitalize(&e);
            let page = settings_page(&mut conn, &user, None, form, Some(error)).await?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let before = settings::scoring(&mut conn).await?;
    let changes = [
        (
            settings::TURNOVER_COST_FACTOR,
            json!(before.turnover_cost_factor),
            json!(factor),
        ),
        (
            settings::EMPATHY_WEIGHTS,
            json!(before.empathy_weights),
            json!(weights),
        ),
        (
            settings::CURRENCY,
            json!(settings::currency(&mut conn).await?),
            json!(currency),
        ),
        (
            settings::WORK_WEEK,
            json!(settings::work_week(&mut conn).await?.as_str()),
            json!(work_week.as_str()),
        ),
    ];
    settings::change_all(&mut conn, &user.actor(), &changes).await?;
    Ok(see_other("/admin/settings?saved=1"))
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
        .map_err(|e| AppError::BadRequest(super::users::capitalize(&e)))?;
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
    // Their survey invitations go too (their answers carry nothing of them).
    db::surveys::erase_employee(conn, employee_id).await?;
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
