//! The one error type of the web layer. 4xx errors explain themselves to the user; 5xx errors
//! are logged here, once, and shown as a generic page that leaks nothing internal.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::report::ReportError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page, or one the user may not know exists.
    #[error("not found")]
    NotFound,
    /// The request itself is wrong; the text tells the user how.
    #[error("{0}")]
    BadRequest(String),
    /// The database failed: a 500, logged.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<ReportError> for AppError {
    fn from(err: ReportError) -> AppError {
        match err {
            ReportError::UnknownTeam(_) => AppError::NotFound,
            ReportError::Database(e) => AppError::Database(e),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
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
            AppError::Database(err) => {
                tracing::error!("internal error: {err}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Attune could not complete this request. Please try again; if it keeps \
                     happening, the server log says why."
                        .to_string(),
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title).into_response(),
        }
    }
}
