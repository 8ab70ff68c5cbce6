//! axum's extractors, with their rejections turned into `AppError`: a malformed query string,
//! path or upload is answered like every other error — a page that explains it, or JSON under
//! `/api/` — instead of axum's plain-text 400. Handlers use these, never axum's own
//! (`clippy.toml` forbids those).

#![expect(
    clippy::disallowed_types,
    reason = "the one place that wraps axum's extractors"
)]

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppError;

/// The query string, deserialized into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(AppError::from)
    }
}

/// The path's parameters, deserialized into `T`.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(AppError::from)
    }
}

/// A `multipart/form-data` body, read field by field.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        axum::extract::Multipart::from_request(request, state)
            .await
            .map(Multipart)
            .map_err(AppError::from)
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> AppError {
        // axum's text names the parameter and what was wrong with its value.
        let detail = rejection.body_text();
        let detail = detail
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&detail);
        AppError::BadRequest(format!("The address's parameters are not valid: {detail}."))
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> AppError {
        match rejection {
            // `/admin/users/abc` names nothing: the page does not exist.
            PathRejection::FailedToDeserializePathParams(_) => AppError::NotFound,
            other => AppError::Internal(other.body_text()),
        }
    }
}

impl From<MultipartRejection> for AppError {
    fn from(rejection: MultipartRejection) -> AppError {
        AppError::BadRequest(format!(
            "The upload could not be read: {}. Send the file as multipart/form-data.",
            rejection.body_text()
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use serde::Deserialize;
    use tower::ServiceExt;

    use super::{Path, Query};
    use crate::web::ErrorMessage;

    #[derive(Deserialize)]
    struct Flags {
        #[expect(dead_code, reason = "only parsed")]
        dry_run: Option<bool>,
    }

    async fn answer(uri: &str) -> (StatusCode, Option<String>) {
        let router: Router = Router::new()
            .route("/flags", get(|Query(_): Query<Flags>| async { "ok" }))
            .route("/items/{id}", get(|Path(_): Path<i64>| async { "ok" }));
        let response = router
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let message = response
            .extensions()
            .get::<ErrorMessage>()
            .map(|m| m.0.clone());
        (response.status(), message)
    }

    #[tokio::test]
    async fn a_bad_query_parameter_is_the_one_error_type_and_names_the_parameter() {
        let (status, message) = answer("/flags?dry_run=yes").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let message = message.expect("an AppError, not axum's plain text");
        assert!(message.contains("dry_run"), "{message}");
        assert_eq!(answer("/flags?dry_run=true").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_path_that_names_nothing_is_not_found() {
        let (status, message) = answer("/items/abc").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(message.is_some());
        assert_eq!(answer("/items/7").await.0, StatusCode::OK);
    }
}
