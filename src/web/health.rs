//! Liveness and readiness probes for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use crate::db;

/// The process is up and can recover by itself: 503 only when it cannot (say the embedded
/// PostgreSQL cannot be started again), so that a supervisor restarts it.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, String) {
    match state.health.unrecoverable() {
        None => (StatusCode::OK, "ok".to_string()),
        Some(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("unhealthy: {why}")),
    }
}

/// The database answers: only then should a load balancer send traffic here. While the watcher
/// knows it does not, the answer is immediate.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if !state.health.is_available() {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
    }
    match db::ping(&state.pool).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!("readiness check failed: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
