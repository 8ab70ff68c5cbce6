//! The web layer: the router, shared state and middleware. The pages people read are in
//! `pages/`, HR's administration pages in `admin/`, the JSON API in `api/`; the modules at this
//! level are the infrastructure they share (sign-in and CSRF, errors, redaction, periods,
//! static files, health probes).
//!
//! Handlers orchestrate: they read the request, ask `report`/`db` for data, and hand fully
//! computed view structs to askama templates. The web tier keeps nothing between requests but
//! computed reports (`crate::cache`), checked against PostgreSQL's data version on every
//! request, so several instances can serve one database.

pub mod admin;
pub mod api;
mod assets;
pub mod auth;
mod error;
pub mod extract;
mod health;
pub mod hygiene;
pub mod pages;
mod periods;
pub mod redact;
pub mod server;
pub mod view;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::{AppError, ErrorMessage, error_pages_name_the_user};

use admin::{audit, data, imports, settings, surveys};
use pages::{
    dashboard, help, login, notifications, organization, participation, respond, summary, team,
};

use crate::cache::ReportCache;
use crate::db::monitor::Health;
use crate::db::sessions::Timeouts;

/// What every handler may use. Cheap to clone: the pool is shared.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: WebConfig,
    /// Whether the database answers (kept up to date by `db::monitor::watch` while serving).
    pub health: Health,
    /// The reports computed so far, until the data changes (`crate::cache`).
    pub reports: ReportCache,
}

impl AppState {
    /// The state with the default configuration.
    pub fn new(pool: PgPool) -> AppState {
        AppState {
            pool,
            config: WebConfig::default(),
            health: Health::new(),
            reports: ReportCache::default().warming(periods_asked),
        }
    }
}

/// The sets of periods the pages ask for unless a period is chosen, on `today`: the team pages,
/// the dashboard and the summary the trend up to the latest complete quarter, the heatmap and
/// the API that quarter alone. What the cache computes ahead when the data changes
/// (`ReportCache::warming`).
pub fn periods_asked(today: chrono::NaiveDate) -> Vec<Vec<crate::period::Period>> {
    let quarter = crate::period::Period::latest_complete_quarter(today);
    let mut asked = vec![
        quarter.trailing(team::TREND_LENGTH),
        quarter.trailing(dashboard::TREND_LENGTH),
        quarter.trailing(crate::summary::TREND_QUARTERS),
        vec![quarter],
    ];
    asked.dedup();
    asked
}

/// How the web tier is deployed (`attune serve` options).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Cookies carry `Secure` and responses carry HSTS: Attune is reached over HTTPS (usually
    /// through a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// The client address is taken from `X-Forwarded-For`, set by a reverse proxy in front.
    pub trust_proxy: bool,
    /// Session idle and absolute timeouts.
    pub session: Timeouts,
    /// The largest request body (uploads included) accepted; larger ones get 413.
    pub max_upload_bytes: usize,
    /// Serving the demo company (`attune demo`): the sign-in page lists the demo accounts.
    pub demo: bool,
    /// How long an upload waits for its confirmation before it is dropped.
    pub upload_expiry: Duration,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            session: Timeouts::default(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            demo: false,
            upload_expiry: crate::db::uploads::DEFAULT_EXPIRY,
        }
    }
}

/// Sent with every response when cookies are Secure: one year, this host.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// No inline script or style, nothing from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// A request still running after this long is answered 503 (and its SQL, which stops at the
/// serving pool's `statement_timeout`, stops before it: see `db::PoolSettings::serving`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest request body accepted (uploads included).
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// The whole application, exactly as production serves it (tests build the same router).
pub fn app(state: AppState) -> Router {
    let secure = state.config.secure_cookies;
    let max_upload = state.config.max_upload_bytes;
    Router::new()
        .route("/", get(dashboard::show))
        .route("/teams/{name}", get(team::show))
        .route("/teams/{name}/people", get(team::people::show))
        .route("/organization", get(organization::show))
        .route("/participation", get(participation::show))
        .route("/admin/data", get(data::show))
        .route("/summary", get(summary::show))
        .route("/summary.pdf", get(summary::pdf))
        .route("/summary.csv", get(summary::csv))
        .route("/help/{topic}", get(help::show))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/s/{token}", get(respond::show).post(respond::submit))
        .route("/api/v1/metrics", get(api::metrics::metrics))
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
        .route("/admin/imports", get(imports::list).post(imports::upload))
        .route("/admin/imports/uploads/{id}", get(imports::preview))
        .route(
            "/admin/imports/uploads/{id}/errors.csv",
            get(imports::errors_csv),
        )
        .route("/admin/imports/uploads/{id}/commit", post(imports::commit))
        .route(
            "/admin/imports/uploads/{id}/discard",
            post(imports::discard),
        )
        .route(
            "/admin/imports/{id}/undo",
            get(imports::confirm_undo).post(imports::undo),
        )
        .route("/api/v1/imports/{kind}", post(api::imports::api))
        .route("/api/openapi.json", get(api::openapi::show))
        .route("/admin/audit", get(audit::show))
        .route("/admin/settings", get(settings::show).post(settings::save))
        .route("/admin/email", get(admin::email::show))
        .route("/admin/email/schedule", post(admin::email::save_schedule))
        .route("/admin/email/test", post(admin::email::send_test))
        .route("/admin/email/send-anyway", post(admin::email::send_anyway))
        .route(
            "/notifications",
            get(notifications::show).post(notifications::save),
        )
        .route(
            "/unsubscribe/{user_id}/{kind}/{signature}",
            get(notifications::confirm).post(notifications::unsubscribe),
        )
        .route("/admin/settings/figures", post(settings::save_figures))
        .route("/admin/employees/erase", post(settings::erase))
        .route("/admin/surveys", get(surveys::list).post(surveys::create))
        .route(
            "/admin/surveys/{id}",
            get(surveys::show).post(surveys::edit),
        )
        .route("/admin/surveys/{id}/open", post(surveys::open))
        .route(
            "/admin/surveys/{id}/close",
            get(surveys::confirm_close).post(surveys::close),
        )
        .route("/admin/surveys/{id}/links.csv", get(surveys::links_csv))
        .route("/admin/surveys/{id}/preview", get(surveys::preview))
        .route("/admin/outbox", get(surveys::outbox))
        .route("/admin/outbox/{id}/retry", post(surveys::retry))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{file}", get(assets::serve))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error_pages_name_the_user,
        ))
        .layer(middleware::from_fn_with_state(
            state.health.clone(),
            unavailable_while_the_database_is,
        ))
        .with_state(state)
        .layer(middleware::from_fn(hygiene::refuse_control_characters))
        .layer(middleware::from_fn(api_errors_as_json))
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(RequestBodyLimitLayer::new(max_upload))
        // Uploads larger than the limit are answered 413 with a message that says the limit.
        .layer(middleware::from_fn_with_state(
            max_upload,
            explain_payload_too_large,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        // The headers come outside every layer that can answer by itself (the 413 of the body
        // limit, the 503 of the timeout), so that they are on every response.
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
        .layer(TraceLayer::new_for_http())
}

/// While the database does not answer, every request but the probes and static files is
/// answered 503 at once (a page, or JSON under `/api/`), instead of waiting for a connection.
async fn unavailable_while_the_database_is(
    axum::extract::State(health): axum::extract::State<Health>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let exempt = matches!(path, "/healthz" | "/readyz") || path.starts_with("/static/");
    if exempt || health.is_available() {
        return next.run(request).await;
    }
    AppError::Unavailable.into_response()
}

/// A 413 from the body limit (which knows nothing of pages) becomes a page or JSON error that
/// says what the limit is.
async fn explain_payload_too_large(
    axum::extract::State(limit_bytes): axum::extract::State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE
        || response.extensions().get::<ErrorMessage>().is_some()
    {
        return response;
    }
    let error = AppError::PayloadTooLarge { limit_bytes };
    if api {
        let body = serde_json::json!({ "error": error.to_string() }).to_string();
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    error.into_response()
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
