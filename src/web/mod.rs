//! The web layer: the router, shared state, and one module per page or endpoint.
//!
//! Handlers orchestrate: they read the request, ask `report`/`db` for data, and hand fully
//! computed view structs to askama templates. The web tier keeps no state of its own between
//! requests, so several instances can serve one database.

pub mod admin;
pub mod api;
mod assets;
pub mod audit;
pub mod auth;
mod charts;
mod dashboard;
mod error;
mod health;
pub mod login;
pub mod settings;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::{AppError, ErrorMessage};

use crate::db::sessions::Timeouts;

/// What every handler may use. Cheap to clone: the pool is shared.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: WebConfig,
}

impl AppState {
    /// The state with the default configuration.
    pub fn new(pool: PgPool) -> AppState {
        AppState {
            pool,
            config: WebConfig::default(),
        }
    }
}

/// How the web tier is deployed (`attune serve` options).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Cookies carry `Secure` and responses carry HSTS: Attune is reached over HTTPS (usually
    /// through a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// The client address is taken from `X-Forwarded-For`, set by a reverse proxy in front.
    pub trust_proxy: bool,
    /// Session idle and absolute timeouts.
    pub session: Timeouts,
}

/// Sent with every response when cookies are Secure: one year, this host.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// No inline script or style, nothing from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// The largest request body accepted (uploads included).
pub const MAX_BODY_BYTES: usize = 50 * 1024 * 1024;

/// The whole application, exactly as production serves it (tests build the same router).
pub fn app(state: AppState) -> Router {
    let secure = state.config.secure_cookies;
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/api/v1/metrics", get(api::metrics))
        .route(
            "/admin/users",
            get(admin::users::list).post(admin::users::create),
        )
        .route("/admin/users/{id}", get(admin::users::show))
        .route("/admin/users/{id}/teams", post(admin::users::set_teams))
        .route(
            "/admin/users/{id}/password",
            post(admin::users::set_password),
        )
        .route("/admin/users/{id}/disable", post(admin::users::disable))
        .route("/admin/users/{id}/enable", post(admin::users::enable))
        .route(
            "/admin/tokens",
            get(admin::tokens::list).post(admin::tokens::create),
        )
        .route("/admin/tokens/{id}/revoke", post(admin::tokens::revoke))
        .route("/admin/audit", get(audit::show))
        .route("/admin/settings", get(settings::show).post(settings::save))
        .route("/admin/employees/erase", post(settings::erase))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{file}", get(assets::serve))
        .fallback(|| async { AppError::NotFound })
        .with_state(state)
        .layer(middleware::from_fn(api_errors_as_json))
        // Pages show personal data: no cache may keep them (static assets set their own).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| secure.then(|| HeaderValue::from_static(STRICT_TRANSPORT_SECURITY)),
        ))
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

/// Errors under `/api/` are answered as JSON (`{"error": "…"}`) with the same status and
/// headers, whichever handler, extractor or fallback produced them.
async fn api_errors_as_json(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let Some(ErrorMessage(message)) = api
        .then(|| response.extensions().get::<ErrorMessage>().cloned())
        .flatten()
    else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::json!({ "error": message }).to_string();
    Response::from_parts(parts, Body::from(body))
}
