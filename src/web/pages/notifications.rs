//! `/notifications`: each person chooses which scheduled messages they receive; and
//! `/unsubscribe/{user_id}/{kind}/{signature}`, the one-click link every scheduled message
//! carries (no sign-in: the signature is the permission, and it can only turn that one kind
//! off for that one person). Every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::db::{self, audit::Actor, notifications};
use crate::mail::choices;
use crate::web::auth::{CurrentUser, Nav, form_pairs, verified_body};
use crate::web::extract::{Path, Query};
use crate::web::pages::login::see_other;
use crate::web::{AppError, AppState};

/// One kind of message, as the page offers it.
pub struct Choice {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub on: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub nav: Nav,
    pub nav_csrf: String,
    pub choices: Vec<Choice>,
    pub message: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    saved: Option<String>,
}

/// `GET /notifications`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<NotificationsPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let off = notifications::opted_out(&mut conn, user.user_id).await?;
    Ok(NotificationsPage {
        nav: user.nav(),
        nav_csrf: user.csrf_token.clone().unwrap_or_default(),
        choices: choices::kinds_for(user.role)
            .into_iter()
            .map(|k| Choice {
                key: k.key,
                label: k.label,
                description: k.description,
                on: !off.iter().any(|o| o == k.key),
            })
            .collect(),
        message: params.saved.is_some().then_some("Saved."),
    })
}

/// `POST /notifications`: the kinds checked (`on`, repeated) are received, the others not.
pub async fn save(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let (user, body) = verified_body(request, &state).await?;
    let checked: Vec<String> = form_pairs(&body)
        .into_iter()
        .filter(|(name, _)| name == "on")
        .map(|(_, value)| value)
        .collect();
    let kinds: Vec<&'static str> = choices::kinds_for(user.role)
        .into_iter()
        .map(|k| k.key)
        .collect();
    let off: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| !checked.iter().any(|c| c == k))
        .collect();
    let mut conn = state.pool.acquire().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let before = notifications::opted_out(&mut tx, user.user_id).await?;
    notifications::set_opted_out(&mut tx, user.user_id, &kinds, &off).await?;
    let turned_off: Vec<&str> = off
        .iter()
        .copied()
        .filter(|k| !before.iter().any(|b| b == k))
        .collect();
    let turned_on: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| before.iter().any(|b| b == k) && !off.contains(k))
        .collect();
    if !turned_off.is_empty() || !turned_on.is_empty() {
        db::audit::record(
            &mut tx,
            &user.actor(),
            "mail.preferences",
            json!({ "on": turned_on, "off": turned_off }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(see_other("/notifications?saved=1"))
}

#[derive(Template, WebTemplate)]
#[template(path = "unsubscribe.html")]
pub struct UnsubscribePage {
    pub nav: Nav,
    /// The kind's name, when the link is valid.
    pub label: Option<&'static str>,
    /// Already off (or just turned off).
    pub done: bool,
    pub action: String,
}

/// The user and kind of a link, if its signature holds and both still exist.
async fn check_link(
    state: &AppState,
    user_id: i64,
    kind: &str,
    signature: &str,
) -> Result<Option<(db::users::User, &'static choices::Kind)>, AppError> {
    let Some(found) = choices::kind(kind) else {
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await?;
    let key = choices::signing_key(&mut conn).await?;
    if !choices::verify(&key, user_id, kind, signature) {
        return Ok(None);
    }
    Ok(db::users::find(&mut conn, user_id)
        .await?
        .map(|user| (user, found)))
}

fn invalid_link() -> Response {
    (
        StatusCode::NOT_FOUND,
        UnsubscribePage {
            nav: Nav::anonymous(),
            label: None,
            done: false,
            action: String::new(),
        },
    )
        .into_response()
}

/// `GET /unsubscribe/{user_id}/{kind}/{signature}`: asks to confirm with one button (a link
/// opened by a mail scanner changes nothing).
pub async fn confirm(
    State(state): State<AppState>,
    Path((user_id, kind, signature)): Path<(i64, String, String)>,
) -> Result<Response, AppError> {
    let Some((user, found)) = check_link(&state, user_id, &kind, &signature).await? else {
        return Ok(invalid_link());
    };
    let mut conn = state.pool.acquire().await?;
    let off = notifications::opted_out(&mut conn, user.user_id).await?;
    Ok(UnsubscribePage {
        nav: Nav::anonymous(),
        label: Some(found.label),
        done: off.iter().any(|k| k == found.key),
        action: format!("/unsubscribe/{user_id}/{kind}/{signature}"),
    }
    .into_response())
}

/// `POST /unsubscribe/{user_id}/{kind}/{signature}`: the button of the page above, and the
/// one-click unsubscribe of mail programs (RFC 8058). Audited as the person.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path((user_id, kind, signature)): Path<(i64, String, String)>,
) -> Result<Response, AppError> {
    let Some((user, found)) = check_link(&state, user_id, &kind, &signature).await? else {
        return Ok(invalid_link());
    };
    let mut conn = state.pool.acquire().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    if notifications::opt_out(&mut tx, user.user_id, found.key).await? {
        db::audit::record(
            &mut tx,
            &Actor::user(user.user_id, &user.email, None),
            "mail.unsubscribe",
            json!({ "kind": found.key }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(UnsubscribePage {
        nav: Nav::anonymous(),
        label: Some(found.label),
        done: true,
        action: String::new(),
    }
    .into_response())
}
