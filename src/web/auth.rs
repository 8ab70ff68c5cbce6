//! Who is asking: the `CurrentUser` extractor (a session cookie, or an API token in
//! `Authorization: Bearer`), the teams they may see, CSRF-checked forms, cookies and the
//! client's address.
//!
//! Every handler that shows or changes data takes a `CurrentUser` (or a `VerifiedForm`, which
//! carries one), so authentication cannot be forgotten on a route: without it, a page request
//! is sent to the sign-in page (303) and an API request gets 401.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use serde::de::DeserializeOwned;

use super::{AppError, AppState, WebConfig};
use crate::accounts::{Role, secret};
use crate::db::version::DataVersion;
use crate::db::{self, audit::Actor};

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "attune_session";
/// The double-submit cookie that protects the sign-in form (there is no session yet).
pub const LOGIN_CSRF_COOKIE: &str = "attune_login_csrf";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// The teams someone may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamScope {
    /// Every team (HR and executives).
    All,
    /// Only these, by name (a manager's teams and the teams under them).
    Only(BTreeSet<String>),
}

impl TeamScope {
    /// Whether the team with this exact name is among them.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            TeamScope::All => true,
            TeamScope::Only(names) => names.contains(name),
        }
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    pub teams: TeamScope,
    /// The session's CSRF token; `None` when the request came with an API token (which can
    /// only read).
    pub csrf_token: Option<String>,
    /// The client's address (see `client_addr`).
    pub client_addr: String,
    /// The data version when the request was authenticated (read in the same statement): what
    /// the request reads computed reports and kept pages at (`ReportCache::at`).
    pub data_version: DataVersion,
}

impl CurrentUser {
    /// Whether this user may see the team with this exact name.
    pub fn can_see_team(&self, name: &str) -> bool {
        self.teams.includes(name)
    }

    /// The name of a visible team matching `wanted` (ignoring case and surrounding spaces).
    pub fn visible_team(&self, wanted: &str) -> Option<String> {
        match &self.teams {
            TeamScope::All => Some(wanted.trim().to_string()),
            TeamScope::Only(names) => names
                .iter()
                .find(|name| name.to_lowercase() == wanted.trim().to_lowercase())
                .cloned(),
        }
    }

    /// 403 unless the user has this role.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role == role {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Your account does not have access to this page.".to_string(),
            ))
        }
    }

    /// The user as the audit log names them.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user_id, &self.email, Some(self.client_addr.clone()))
    }

    /// What the page layout shows about the user.
    pub fn nav(&self) -> Nav {
        Nav::signed_in(
            &self.email,
            self.role,
            self.csrf_token.clone().unwrap_or_default(),
        )
    }
}

/// What `base.html` needs to draw the navigation: every page struct has a `nav`.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user: Option<NavUser>,
}

/// The signed-in user, as the navigation shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub email: String,
    pub role: &'static str,
    pub is_hr: bool,
    /// The navigation links to the quarterly summary (it names every team): HR's. An
    /// executive's home is the summary.
    pub sees_summary: bool,
    /// HR and executives read the organization heatmap (every team side by side).
    pub sees_organization: bool,
    /// What `/` is to this user: "My team" for managers, "Summary" for executives, "Dashboard"
    /// for HR.
    pub home_label: &'static str,
    /// The same in a sentence: "my team", "the summary", "the dashboard".
    pub home_words: &'static str,
    /// For the sign-out form.
    pub csrf_token: String,
}

impl Nav {
    /// Whether the reader is HR (pages tell HR how to fix missing data, and others whom to ask).
    pub fn is_hr(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_hr)
    }

    /// The navigation for someone not signed in.
    pub fn anonymous() -> Nav {
        Nav::default()
    }

    /// The navigation for a signed-in user with this role (and their session's CSRF token,
    /// for the sign-out form).
    pub fn signed_in(email: &str, role: Role, csrf_token: String) -> Nav {
        Nav {
            user: Some(NavUser {
                email: email.to_string(),
                role: role.label(),
                is_hr: role == Role::Hr,
                sees_summary: role == Role::Hr,
                sees_organization: role.sees_all_teams(),
                home_label: match role {
                    Role::Manager => "My team",
                    Role::Executive => "Summary",
                    Role::Hr => "Dashboard",
                },
                home_words: match role {
                    Role::Manager => "my team",
                    Role::Executive => "the summary",
                    Role::Hr => "the dashboard",
                },
                csrf_token,
            }),
        }
    }

    /// The navigation for whoever sent this request: the user of its session cookie, if it
    /// carries a live one (for pages that are shown before or without a `CurrentUser`, such as
    /// error pages).
    pub async fn of_request(headers: &HeaderMap, state: &AppState) -> Result<Nav, sqlx::Error> {
        let Some(secret) = cookie(headers, SESSION_COOKIE) else {
            return Ok(Nav::anonymous());
        };
        let mut conn = state.pool.acquire().await?;
        Ok(
            match db::sessions::authenticate(&mut conn, &secret, state.config.session).await? {
                Some(s) => Nav::signed_in(&s.email, s.role, s.csrf_token),
                None => Nav::anonymous(),
            },
        )
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<CurrentUser, AppError> {
        let client_addr = client_addr(parts, &state.config);
        let api = parts.uri.path().starts_with("/api/");
        let mut conn = state.pool.acquire().await?;
        let (user_id, email, role, csrf_token, visible, data_version) =
            if let Some(token) = bearer_token(&parts.headers) {
                let user = db::tokens::authenticate(&mut conn, &token)
                    .await?
                    .ok_or(AppError::Unauthorized)?;
                (
                    user.user_id,
                    user.email,
                    user.role,
                    None,
                    user.teams,
                    user.data_version,
                )
            } else {
                let session = match cookie(&parts.headers, SESSION_COOKIE) {
                    Some(secret) => {
                        db::sessions::authenticate(&mut conn, &secret, state.config.session).await?
                    }
                    None => None,
                };
                match session {
                    Some(s) => (
                        s.user_id,
                        s.email,
                        s.role,
                        Some(s.csrf_token),
                        s.teams,
                        s.data_version,
                    ),
                    None if api => return Err(AppError::Unauthorized),
                    None => {
                        let next = parts
                            .uri
                            .path_and_query()
                            .map_or("/".to_string(), |pq| pq.as_str().to_string());
                        return Err(AppError::LoginRequired { next });
                    }
                }
            };
        let teams = if role.sees_all_teams() {
            TeamScope::All
        } else {
            TeamScope::Only(visible.into_iter().collect())
        };
        Ok(CurrentUser {
            user_id,
            email,
            role,
            teams,
            csrf_token,
            client_addr,
            data_version,
        })
    }
}

/// A form with nothing to say but its CSRF token (a confirmation button).
#[derive(Debug, serde::Deserialize)]
pub struct EmptyForm {}

/// A submitted form whose CSRF token matched the session's: only then is it parsed and handed
/// to the handler, so a forged request changes nothing (403).
pub struct VerifiedForm<T> {
    pub user: CurrentUser,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for VerifiedForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let (user, bytes) = verified_body(request, state).await?;
        let form = parse_form(&bytes)?;
        Ok(VerifiedForm { user, form })
    }
}

/// The signed-in user and the body of a form request, once its CSRF token has been checked
/// against the session's (for forms that `VerifiedForm` cannot parse, e.g. repeated fields).
pub async fn verified_body(
    request: Request,
    state: &AppState,
) -> Result<(CurrentUser, Bytes), AppError> {
    let (mut parts, body) = request.into_parts();
    let user = CurrentUser::from_request_parts(&mut parts, state).await?;
    let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(|_| AppError::BadRequest("The form could not be read.".to_string()))?;
    let submitted = form_field(&bytes, CSRF_FIELD).unwrap_or_default();
    let expected = user.csrf_token.as_deref().unwrap_or_default();
    if expected.is_empty() || !secret::equal(&submitted, expected) {
        return Err(AppError::csrf());
    }
    Ok((user, bytes))
}

/// Parse a URL-encoded form body into `T`, as a 400 that says what is wrong.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(bytes)
        .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}.")))
}

/// Every (name, value) pair of a URL-encoded form body, in order (fields may repeat).
pub fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

/// The first value of a field in a URL-encoded form body.
pub fn form_field(bytes: &[u8], name: &str) -> Option<String> {
    form_pairs(bytes)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// The token of an `Authorization: Bearer …` header.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The value of a cookie sent with the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site, Secure when configured.
/// `max_age` of `None` deletes the cookie.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<u64>,
    config: &WebConfig,
) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    match max_age {
        Some(seconds) => text.push_str(&format!("; Max-Age={seconds}")),
        None => text.push_str("; Max-Age=0"),
    }
    if config.secure_cookies {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).expect("cookie names and hex values are valid header text")
}

/// The client's address: the TCP peer, or, behind a trusted reverse proxy (`--trust-proxy`),
/// the last address the proxy appended to `X-Forwarded-For`.
pub fn client_addr(parts: &Parts, config: &WebConfig) -> String {
    if config.trust_proxy
        && let Some(forwarded) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| !a.is_empty())
    {
        return forwarded.chars().take(64).collect();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "unknown".to_string(),
            |ConnectInfo(addr)| addr.ip().to_string(),
        )
}

/// A safe place to go after signing in: a path on this site, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_sign_in_only_paths_on_this_site_are_followed() {
        assert_eq!(safe_next(Some("/?period=2025-Q1")), "/?period=2025-Q1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; attune_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_case_of_the_scheme() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer attune_x"),
        );
        assert_eq!(bearer_token(&headers).as_deref(), Some("attune_x"));
    }
}
