//! HR's own API tokens: list, create (shown once), revoke.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::Role;
use crate::db;
use crate::web::auth::{CurrentUser, EmptyForm, Nav, VerifiedForm};
use crate::web::extract::Path;
use crate::web::pages::login::see_other;
use crate::web::{AppError, AppState};

/// A token as the list shows it.
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub status: &'static str,
    pub live: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub tokens: Vec<TokenView>,
    /// A token just created, shown once.
    pub new_token: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    new_token: Option<String>,
) -> Result<TokensPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let tokens = db::tokens::list(&mut conn, user.user_id).await?;
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    Ok(TokensPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.api_token_id,
                name: t.name,
                created: when(t.created_at),
                last_used: t.last_used_at.map_or("never".to_string(), when),
                status: if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                },
                live: t.revoked_at.is_none(),
            })
            .collect(),
        new_token,
    })
}

/// `GET /admin/tokens`
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<TokensPage, AppError> {
    user.require(Role::Hr)?;
    page(&state, &user, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/tokens`: answered with the page showing the new token once (it cannot be
/// shown after a redirect, since only its hash is kept).
pub async fn create(
    State(state): State<AppState>,
    submitted: VerifiedForm<CreateForm>,
) -> Result<Response, AppError> {
    let VerifiedForm { user, form } = submitted;
    user.require(Role::Hr)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "Give the token a name of 1 to 100 characters, saying what it is for.".to_string(),
        ));
    }
    let mut conn = state.pool.acquire().await?;
    let (id, token) = db::tokens::create(&mut conn, user.user_id, name).await?;
    db::audit::record(
        &mut conn,
        &user.actor(),
        "token.create",
        json!({ "token_id": id, "name": name, "user_id": user.user_id }),
    )
    .await?;
    drop(conn);
    Ok(page(&state, &user, Some(token)).await?.into_response())
}

/// `POST /admin/tokens/{id}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    Path(token_id): Path<i64>,
    submitted: VerifiedForm<EmptyForm>,
) -> Result<Response, AppError> {
    let user = submitted.user;
    user.require(Role::Hr)?;
    let mut conn = state.pool.acquire().await?;
    let revoked = db::tokens::revoke(&mut conn, user.user_id, &token_id.to_string()).await?;
    if revoked.is_empty() {
        return Err(AppError::NotFound);
    }
    db::audit::record(
        &mut conn,
        &user.actor(),
        "token.revoke",
        json!({ "token_id": token_id, "user_id": user.user_id }),
    )
    .await?;
    Ok(see_other("/admin/tokens"))
}
