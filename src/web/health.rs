//! Liveness and readiness probes for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use crate::db;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers: only then should a load balancer send traffic here.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match db::ping(&state.pool).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!("readiness check failed: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
