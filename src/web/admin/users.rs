//! HR manages accounts: list, add (with a typed or generated password), assign teams, set a
//! password, disable and enable.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::password::{self, NewPassword};
use crate::accounts::{Email, Role};
use crate::db::{self, users::User};
use crate::web::auth::{self, CurrentUser, EmptyForm, Nav, VerifiedForm};
use crate::web::extract::Path;
use crate::web::pages::login::see_other;
use crate::web::{AppError, AppState};

/// A user as the list shows them.
pub struct UserView {
    pub user_id: i64,
    pub email: String,
    pub role: &'static str,
    pub teams: String,
    pub status: &'static str,
    pub disabled: bool,
}

impl From<&User> for UserView {
    fn from(user: &User) -> UserView {
        UserView {
            user_id: user.user_id,
            email: user.email.clone(),
            role: user.role.label(),
            teams: if user.role.sees_all_teams() {
                "all".to_string()
            } else if user.teams.is_empty() {
                "none yet".to_string()
            } else {
                user.teams.join(", ")
            },
            status: if user.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            },
            disabled: user.disabled_at.is_some(),
        }
    }
}

/// A team checkbox.
pub struct TeamChoice {
    pub name: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub users: Vec<UserView>,
    pub teams: Vec<TeamChoice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub user: UserView,
    pub teams: Vec<TeamChoice>,
    pub is_self: bool,
    /// A password just generated, shown once.
    pub generated_password: Option<String>,
}

async fn team_choices(
    conn: &mut sqlx::PgConnection,
    checked: &[String],
) -> Result<Vec<TeamChoice>, sqlx::Error> {
    Ok(db::teams::list(conn)
        .await?
        .into_iter()
        .map(|t| TeamChoice {
            checked: checked.contains(&t.name),
            name: t.name,
        })
        .collect())
}

/// `GET /admin/users`
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<UsersPage, AppError> {
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let users = db::users::list(&mut conn).await?;
    Ok(UsersPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        users: users.iter().map(UserView::from).collect(),
        teams: team_choices(&mut conn, &[]).await?,
    })
}

async fn user_page(
    state: &AppState,
    hr: &CurrentUser,
    user_id: i64,
    generated_password: Option<String>,
) -> Result<UserPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let user = db::users::find(&mut conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(UserPage {
        nav: hr.nav(),
        nav_csrf: hr.csrf_token.clone().unwrap_or_default(),
        teams: team_choices(&mut conn, &user.teams).await?,
        is_self: user.user_id == hr.user_id,
        user: UserView::from(&user),
        generated_password,
    })
}

/// `GET /admin/users/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(user_id): Path<i64>,
) -> Result<UserPage, AppError> {
    user.require(Role::Hr)?;
    user_page(&state, &user, user_id, None).await
}

/// A form with repeatable `team` fields (serde_urlencoded cannot collect those into a struct).
pub struct TeamsForm {
    pub user: CurrentUser,
    pub fields: Vec<(String, String)>,
}

impl TeamsForm {
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn teams(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == "team")
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl FromRequest<AppState> for TeamsForm {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let (user, bytes) = auth::verified_body(request, state).await?;
        Ok(TeamsForm {
            user,
            fields: auth::form_pairs(&bytes),
        })
    }
}

async fn check_teams(conn: &mut sqlx::PgConnection, names: &[String]) -> Result<(), AppError> {
    let unknown = db::users::unknown_teams(conn, names).await?;
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "There is no team named {}.",
            unknown.join(", ")
        )))
    }
}

/// `POST /admin/users`: add an account. A generated password is shown once on the answer
/// page (the only POST answered with a page rather than a redirect, since it cannot be shown
/// again).
pub async fn create(State(state): State<AppState>, form: TeamsForm) -> Result<Response, AppError> {
    form.user.require(Role::Hr)?;
    let email: Email = form.field("email").parse().map_err(AppError::BadRequest)?;
    let role: Role = form.field("role").parse().map_err(AppError::BadRequest)?;
    let typed = form.field("password");
    let (new_password, generated) = if typed.is_empty() {
        let generated = NewPassword::generate();
        let text = generated.expose().to_string();
        (generated, Some(text))
    } else {
        let parsed = NewPassword::parse(&typed, email.as_str())
            .map_err(|e| AppError::BadRequest(capitalize(&e.to_string())))?;
        (parsed, None)
    };
    let teams = form.teams();
    let mut conn = state.pool.acquire().await?;
    check_teams(&mut conn, &teams).await?;
    let hash = password::hash(new_password).await;
    let user_id = db::users::create(&mut conn, email.as_str(), &hash, role)
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("There is already an account for {email}.")))?;
    db::users::set_teams(&mut conn, user_id, &teams).await?;
    db::audit::record(
        &mut conn,
        &form.user.actor(),
        "user.create",
        json!({ "user_id": user_id, "email": email.as_str(), "role": role.as_str(), "teams": teams }),
    )
    .await?;
    drop(conn);
    match generated {
        Some(text) => Ok(user_page(&state, &form.user, user_id, Some(text))
            .await?
            .into_response()),
        None => Ok(see_other(&format!("/admin/users/{user_id}"))),
    }
}

/// `POST /admin/users/{id}/teams`
pub async fn set_teams(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    form: TeamsForm,
) -> Result<Response, AppError> {
    form.user.require(Role::Hr)?;
    let teams = form.teams();
    let mut conn = state.pool.acquire().await?;
    let user = db::users::find(&mut conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_teams(&mut conn, &teams).await?;
    db::users::set_teams(&mut conn, user_id, &teams).await?;
    db::audit::record(
        &mut conn,
        &form.user.actor(),
        "user.set_teams",
        json!({ "user_id": user_id, "email": user.email, "teams": teams }),
    )
    .await?;
    Ok(see_other(&format!("/admin/users/{user_id}")))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{id}/password`: a typed or generated password (shown once).
pub async fn set_password(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    submitted: VerifiedForm<PasswordForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user: hr, form } = submitted;
    hr.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let user = db::users::find(&mut conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (new_password, generated) = if form.password.is_empty() {
        let generated = NewPassword::generate();
        let text = generated.expose().to_string();
        (generated, Some(text))
    } else {
        let parsed = NewPassword::parse(&form.password, &user.email)
            .map_err(|e| AppError::BadRequest(capitalize(&e.to_string())))?;
        (parsed, None)
    };
    let hash = password::hash(new_password).await;
    db::users::set_password(&mut conn, user_id, &hash).await?;
    db::audit::record(
        &mut conn,
        &hr.actor(),
        "user.set_password",
        json!({ "user_id": user_id, "email": user.email }),
    )
    .await?;
    drop(conn);
    match generated {
        Some(text) => Ok(user_page(&state, &hr, user_id, Some(text))
            .await?
            .into_response()),
        None => Ok(see_other(&format!("/admin/users/{user_id}"))),
    }
}

/// `POST /admin/users/{id}/disable`: ends the user's sessions and stops their tokens.
pub async fn disable(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    submitted: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    let hr = submitted.user;
    hr.require(Role::Hr)?;
    if user_id == hr.user_id {
        return Err(AppError::BadRequest(
            "You cannot disable your own account.".to_string(),
        ));
    }
    set_disabled(&state, user_id, &hr, true).await
}

/// `POST /admin/users/{id}/enable`
pub async fn enable(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    submitted: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    let hr = submitted.user;
    hr.require(Role::Hr)?;
    set_disabled(&state, user_id, &hr, false).await
}

/// Disable or enable an account (HR's role already checked), then back to its page.
async fn set_disabled(
    state: &AppState,
    user_id: i64,
    hr: &CurrentUser,
    disabled: bool,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let user = db::users::find(&mut conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::users::set_disabled(&mut conn, &hr.actor(), &user, disabled).await?;
    Ok(see_other(&format!("/admin/users/{user_id}")))
}

/// "the password is too short" → "The password is too short."
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
