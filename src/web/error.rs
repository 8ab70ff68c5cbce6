//! The one error type of the web layer. 4xx errors explain themselves to the user; 5xx errors
//! are logged here, once, and shown as a generic page that leaks nothing internal.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use super::auth::Nav;
use crate::import::{ImportError, UndoError};
use crate::report::ReportError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page, or one the user may not know exists.
    #[error("not found")]
    NotFound,
    /// The request itself is wrong; the text tells the user how.
    #[error("{0}")]
    BadRequest(String),
    /// A page needs a signed-in user and there is none: 303 to the sign-in page, which comes
    /// back to `next` afterwards.
    #[error("sign-in required")]
    LoginRequired { next: String },
    /// An API request without a valid token (or a sign-in that failed): 401.
    #[error("not authenticated")]
    Unauthorized,
    /// Signed in, but not allowed; or a form without a valid CSRF token: 403.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins: 429, with when to try again.
    #[error("too many failed sign-ins")]
    TooManyRequests { retry_after_secs: u64 },
    /// The request body is larger than the configured upload limit.
    #[error("the upload is larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    /// The request conflicts with the current state (e.g. an undo that later imports block, or
    /// an import whose roster changed while it was written): 409, with the reason.
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached just now (down, restarting, or every connection busy):
    /// a friendly 503 that says to try again shortly.
    #[error("the database is unavailable")]
    Unavailable,
    /// PostgreSQL cancelled the request's query after `statement_timeout`: a 503.
    #[error("the request took too long")]
    TooSlow,
    /// The database failed: a 500, logged.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Anything else that failed on our side (e.g. writing a PDF): a 500, logged; the text is
    /// for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The answer to a form whose CSRF token is missing or wrong.
    pub fn csrf() -> AppError {
        AppError::Forbidden(
            "This form has expired or did not come from Attune, so nothing was changed. Go \
             back, reload the page and try again."
                .to_string(),
        )
    }
}

/// The message of an error response, kept in the response's extensions so that responses to
/// `/api/…` can be rewritten as JSON (see `web::api_errors_as_json`).
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

/// Errors that mean "the database is not reachable now" (it comes back by itself) are 503s; the
/// others are 500s.
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> AppError {
        match &err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Io(_) => {
                tracing::warn!("database unavailable: {err}");
                AppError::Unavailable
            }
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // query_canceled: statement_timeout.
                Some("57014") => {
                    tracing::warn!("a query was cancelled: {err}");
                    AppError::TooSlow
                }
                // Text PostgreSQL cannot store (a NUL byte) that got past the edge's checks.
                Some("22021" | "22P05") => AppError::BadRequest(
                    "The request contains a character Attune cannot store (a NUL byte or \
                     another control character). Remove it and try again."
                        .to_string(),
                ),
                // Connection exceptions, and the server shutting down or starting up.
                Some(code) if code.starts_with("08") || code.starts_with("57P") => {
                    tracing::warn!("database unavailable: {err}");
                    AppError::Unavailable
                }
                _ => AppError::Database(err),
            },
            _ => AppError::Database(err),
        }
    }
}

impl From<ReportError> for AppError {
    fn from(err: ReportError) -> AppError {
        match err {
            ReportError::UnknownTeam(_) => AppError::NotFound,
            ReportError::Database(e) => e.into(),
        }
    }
}

impl From<crate::mail::due::DueError> for AppError {
    fn from(err: crate::mail::due::DueError) -> AppError {
        match err {
            crate::mail::due::DueError::Database(e) => e.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<ImportError> for AppError {
    fn from(err: ImportError) -> AppError {
        match err {
            ImportError::RosterChanged { .. } | ImportError::FileChanged { .. } => {
                AppError::Conflict(err.to_string())
            }
            ImportError::NotInMemory(_) => AppError::Internal(err.to_string()),
            ImportError::Database(e) => e.into(),
        }
    }
}

impl From<UndoError> for AppError {
    fn from(err: UndoError) -> AppError {
        match err {
            UndoError::NotFound(_) => AppError::NotFound,
            UndoError::Database(e) => e.into(),
            UndoError::NotUndoable(..) | UndoError::LaterImports(..) | UndoError::InUse(..) => {
                AppError::Conflict(err.to_string())
            }
        }
    }
}

/// The `Retry-After` of a 503 while the database is unavailable (it is checked every second).
pub const RETRY_AFTER_SECS: u64 = 10;

#[derive(Template, Clone)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
    nav: Nav,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address.".to_string(),
            ),
            AppError::BadRequest(text) => {
                (StatusCode::BAD_REQUEST, "That did not work", text.clone())
            }
            AppError::LoginRequired { next } => {
                let location = format!(
                    "/login?{}",
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
                );
                return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
            }
            AppError::Unauthorized => {
                let mut response = error_page(
                    StatusCode::UNAUTHORIZED,
                    "Sign-in required",
                    "Sign in first. API requests need a valid token in an \
                     \"Authorization: Bearer …\" header."
                        .to_string(),
                );
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"attune\""),
                );
                return response;
            }
            AppError::Forbidden(text) => (StatusCode::FORBIDDEN, "Not allowed", text.clone()),
            AppError::PayloadTooLarge { limit_bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "File too large",
                format!(
                    "The upload is larger than the limit of {} MiB. Split the file, or ask the \
                     administrator to raise --max-upload-mb.",
                    limit_bytes / (1024 * 1024)
                ),
            ),
            AppError::Conflict(text) => (StatusCode::CONFLICT, "Not possible now", text.clone()),
            AppError::TooManyRequests { retry_after_secs } => {
                let mut response = error_page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts",
                    format!(
                        "There were too many failed sign-ins for this account or from this \
                         address. Try again in {} minute(s).",
                        retry_after_secs.div_ceil(60)
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                return response;
            }
            AppError::Unavailable => {
                let mut response = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Back in a moment",
                    "Attune cannot reach its database just now. It reconnects by itself; try \
                     again in a minute."
                        .to_string(),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
                return response;
            }
            AppError::TooSlow => (
                StatusCode::SERVICE_UNAVAILABLE,
                "This took too long",
                "Attune stopped this request because it took too long. Try again in a moment, \
                 or choose a shorter period."
                    .to_string(),
            ),
            AppError::Database(_) | AppError::Internal(_) => {
                tracing::error!("internal error: {self}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Attune could not complete this request. Please try again; if it keeps \
                     happening, the server log says why."
                        .to_string(),
                )
            }
        };
        error_page(status, title, message)
    }
}

fn error_page(status: StatusCode, title: &'static str, message: String) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message: message.clone(),
        nav: Nav::anonymous(),
    };
    let mut response = render(&page);
    response.extensions_mut().insert(ErrorMessage(message));
    response.extensions_mut().insert(page);
    response
}

fn render(page: &ErrorPage) -> Response {
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, page.title).into_response(),
    }
}

/// Error pages are rendered where the error arises, often before anyone asked who is signed
/// in; this middleware draws them again with the signed-in user's navigation (their name and
/// Sign out), so an error never looks like being signed out. JSON errors under `/api/` are
/// left alone.
pub async fn error_pages_name_the_user(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    if api {
        return response;
    }
    let nav = match Nav::of_request(&headers, &state).await {
        Ok(nav) if nav.user.is_some() => nav,
        // Signed out, or the database failed (the page as it is explains the error).
        _ => return response,
    };
    let (parts, _) = response.into_parts();
    let redrawn = render(&ErrorPage { nav, ..page });
    let (_, body) = redrawn.into_parts();
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    use super::{AppError, ErrorMessage};
    use crate::db::imports::ImportStatus;
    use crate::import::{ImportError, UndoError};

    /// The status and the message a user sees for an error.
    fn shown(err: impl Into<AppError>) -> (StatusCode, String) {
        let response = err.into().into_response();
        let message = response.extensions().get::<ErrorMessage>().unwrap();
        (response.status(), message.0.clone())
    }

    #[test]
    fn an_import_that_met_a_changed_roster_is_a_conflict_that_says_why() {
        let err = ImportError::RosterChanged {
            file_name: "absences.csv".into(),
            written: 1,
            expected: 2,
        };
        assert_eq!(
            shown(err),
            (
                StatusCode::CONFLICT,
                "the roster changed while absences.csv was being imported (1 of 2 rows could be \
                 matched); nothing was imported, please try again"
                    .to_string()
            )
        );
        let changed = ImportError::FileChanged {
            file_name: "big.csv".into(),
            reason: None,
        };
        assert_eq!(shown(changed).0, StatusCode::CONFLICT);
    }

    #[test]
    fn import_failures_on_our_side_show_no_internal_text() {
        let (status, message) = shown(ImportError::Database(sqlx::Error::RowNotFound));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!message.contains("row"), "{message}");
        let (status, _) = shown(ImportError::NotInMemory("roster.csv".into()));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn an_unreachable_database_is_a_503_that_says_to_try_again() {
        for err in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            let (status, message) = shown(ImportError::Database(err));
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert!(message.contains("cannot reach its database"), "{message}");
            assert!(!message.contains("pool"), "{message}");
        }
    }

    #[test]
    fn an_undo_that_cannot_happen_is_a_conflict_and_an_unknown_import_is_not_found() {
        assert_eq!(
            shown(UndoError::LaterImports(3, vec![4, 6])),
            (
                StatusCode::CONFLICT,
                "later imports (#4, #6) changed the same employees; undo them first".to_string()
            )
        );
        assert_eq!(
            shown(UndoError::NotUndoable(3, ImportStatus::Undone)),
            (
                StatusCode::CONFLICT,
                "import #3 is undone, so there is nothing to undo".to_string()
            )
        );
        assert_eq!(shown(UndoError::NotFound(9)).0, StatusCode::NOT_FOUND);
    }
}
