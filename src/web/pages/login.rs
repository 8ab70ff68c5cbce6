//! Signing in and out. The sign-in form is protected against CSRF by a double-submit cookie
//! (there is no session yet); failed attempts are throttled per account and per client address,
//! and only a few passwords are checked at a time.

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::accounts::{password, secret};
use crate::db::{self, audit::Actor};
use crate::web::auth::{
    self, CSRF_FIELD, CurrentUser, LOGIN_CSRF_COOKIE, Nav, SESSION_COOKIE, VerifiedForm,
};
use crate::web::extract::Query;
use crate::web::{AppError, AppState};

/// From this many recent failures (of the account, or from the address), each failure is
/// answered late.
const SLOW_FROM: i64 = 5;
/// After this many recent failures from an address, sign-in from it is refused (429) until
/// some of them expire. An account is never refused: that would let anyone lock its owner out.
const REFUSE_AFTER: i64 = 10;
/// How long a failure is held back once failures are frequent …
const SLOWDOWN: Duration = Duration::from_secs(1);
/// … and at most, for an account failing from many addresses (one more second per failure
/// beyond what one address may make).
const MAX_SLOWDOWN: Duration = Duration::from_secs(10);

/// How long a failed attempt is held back, given the recent failures (this one included).
fn slowdown(recent: &db::login_failures::Recent) -> Duration {
    if recent.by_account.max(recent.by_address) < SLOW_FROM {
        return Duration::ZERO;
    }
    let extra = u32::try_from((recent.by_account - REFUSE_AFTER).max(0)).unwrap_or(u32::MAX);
    (SLOWDOWN * extra.saturating_add(1)).min(MAX_SLOWDOWN)
}
/// How long the sign-in form stays usable.
const LOGIN_CSRF_MAX_AGE: u64 = 60 * 60;
/// How many passwords are checked at once (each argon2id check takes 19 MiB and tens of
/// milliseconds of CPU): anyone may send sign-in requests, so they must not be able to make
/// the server check without bound. Further attempts wait their turn.
const CONCURRENT_VERIFICATIONS: usize = 4;
static VERIFICATIONS: Semaphore = Semaphore::const_new(CONCURRENT_VERIFICATIONS);

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub nav: Nav,
    pub csrf_token: String,
    pub next: String,
    pub email: String,
    pub error: Option<String>,
    /// In demo mode, the demo accounts (e-mail, what they see) and their password.
    pub demo_accounts: &'static [(&'static str, &'static str)],
    pub demo_password: &'static str,
}

impl LoginPage {
    fn new(config: &crate::web::WebConfig, csrf_token: String, next: String) -> LoginPage {
        LoginPage {
            nav: Nav::anonymous(),
            csrf_token,
            next,
            email: String::new(),
            error: None,
            demo_accounts: if config.demo {
                crate::demo::accounts::LOGINS
            } else {
                &[]
            },
            demo_password: crate::demo::accounts::PASSWORD,
        }
    }
}

/// The sign-in form (or, when already signed in, on to where the user was going).
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let next = auth::safe_next(query.next.as_deref());
    if let Some(secret) = auth::cookie(&headers, SESSION_COOKIE) {
        let mut conn = state.pool.acquire().await?;
        if db::sessions::authenticate(&mut conn, &secret, state.config.session)
            .await?
            .is_some()
        {
            return Ok(see_other(&next));
        }
    }
    let token = auth::cookie(&headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(secret::random_hex);
    let page = LoginPage::new(&state.config, token.clone(), next);
    Ok((
        [(
            header::SET_COOKIE,
            auth::set_cookie(
                LOGIN_CSRF_COOKIE,
                &token,
                Some(LOGIN_CSRF_MAX_AGE),
                &state.config,
            ),
        )],
        page,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Check the credentials; on success open a new session (a new id every time) and go on.
pub async fn submit(
    State(state): State<AppState>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, AppError> {
    let cookie_token = auth::cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let form_token = auth::form_field(&body, CSRF_FIELD).unwrap_or_default();
    if cookie_token.is_empty() || !secret::equal(&cookie_token, &form_token) {
        return Err(AppError::csrf());
    }
    let form: LoginForm = auth::parse_form(&body)?;
    let email: String = form.email.trim().chars().take(254).collect();
    let next = auth::safe_next(form.next.as_deref());
    let client_addr = auth::client_addr(&parts, &state.config);

    let mut conn = state.pool.acquire().await?;
    // The attempt counts as a failure from the start (this one included in `recent`), so that
    // attempts sent together cannot all pass the limit before any of them is recorded.
    let (attempt, recent) = db::login_failures::begin(&mut conn, &email, &client_addr).await?;
    if recent.by_address > REFUSE_AFTER {
        db::login_failures::withdraw(&mut conn, attempt).await?;
        return Err(AppError::TooManyRequests {
            retry_after_secs: recent.address_expires_in.max(1) as u64,
        });
    }
    let credentials = db::users::credentials(&mut conn, &email).await?;
    let user_id = credentials.as_ref().map(|(id, _)| *id);
    // No connection is held while waiting for the hash, nor more than a few hashes at once.
    drop(conn);
    let verified = {
        let _permit = VERIFICATIONS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        password::verify(form.password, credentials.map(|(_, hash)| hash)).await
    };
    let mut conn = state.pool.acquire().await?;

    let Some(user_id) = user_id.filter(|_| verified) else {
        let actor = Actor {
            user_id: None,
            name: email.clone(),
            client_addr: Some(client_addr),
        };
        db::audit::record(
            &mut conn,
            &actor,
            "login.failed",
            serde_json::json!({ "email": email }),
        )
        .await?;
        drop(conn);
        tokio::time::sleep(slowdown(&recent)).await;
        let page = LoginPage {
            email,
            error: Some(
                "The e-mail address or the password is not right, or the account is disabled."
                    .to_string(),
            ),
            ..LoginPage::new(&state.config, form_token, next)
        };
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };

    db::login_failures::clear(&mut conn, &email).await?;
    let session = db::sessions::create(&mut conn, user_id, state.config.session).await?;
    let actor = Actor::user(user_id, &email, Some(client_addr));
    db::audit::record(&mut conn, &actor, "login", serde_json::json!({})).await?;
    let mut response = see_other(&next);
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        auth::set_cookie(
            SESSION_COOKIE,
            &session.secret,
            Some(state.config.session.absolute.as_secs()),
            &state.config,
        ),
    );
    headers.append(
        header::SET_COOKIE,
        auth::set_cookie(LOGIN_CSRF_COOKIE, "", None, &state.config),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {}

/// End this session.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    submitted: VerifiedForm<LogoutForm>,
) -> Result<Response, AppError> {
    let user: CurrentUser = submitted.user;
    let mut conn = state.pool.acquire().await?;
    if let Some(secret) = auth::cookie(&headers, SESSION_COOKIE) {
        db::sessions::delete(&mut conn, &secret).await?;
    }
    db::audit::record(&mut conn, &user.actor(), "logout", serde_json::json!({})).await?;
    let mut response = see_other("/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(SESSION_COOKIE, "", None, &state.config),
    );
    Ok(response)
}

/// 303 See Other to `location` (post/redirect/get).
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::slowdown;
    use crate::db::login_failures::Recent;

    fn recent(by_account: i64, by_address: i64) -> Duration {
        slowdown(&Recent {
            by_account,
            by_address,
            address_expires_in: 0,
        })
    }

    #[test]
    fn failures_are_answered_late_from_the_fifth_and_later_still_for_an_account_under_attack() {
        assert_eq!(recent(4, 4), Duration::ZERO);
        assert_eq!(recent(5, 1), Duration::from_secs(1), "the fifth");
        assert_eq!(recent(1, 5), Duration::from_secs(1));
        assert_eq!(recent(10, 10), Duration::from_secs(1));
        assert_eq!(recent(11, 1), Duration::from_secs(2), "from many addresses");
        assert_eq!(recent(14, 1), Duration::from_secs(5));
        assert_eq!(recent(500, 1), Duration::from_secs(10), "capped");
    }
}
