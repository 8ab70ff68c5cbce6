//! The web layer: the router, shared state, and one module per page or endpoint.
//!
//! Handlers orchestrate: they read the request, ask `report`/`db` for data, and hand fully
//! computed view structs to askama templates. The web tier keeps no state of its own between
//! requests, so several instances can serve one database.

mod assets;
mod charts;
mod dashboard;
mod error;
mod health;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::get;
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;

/// What every handler may use. Cheap to clone: the pool is shared.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
}

/// No inline script or style, nothing from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// The largest request body accepted (uploads included).
pub const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

/// The whole application, exactly as production serves it (tests build the same router).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{file}", get(assets::serve))
        .fallback(|| async { AppError::NotFound })
        .with_state(state)
        // Headers on every response: no inline script, no framing, no sniffing.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
}
