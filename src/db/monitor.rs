//! Watching the database while Attune serves: whether it answers (so that requests are answered
//! 503 at once while it does not, instead of waiting for the pool), restarting the embedded
//! cluster when its PostgreSQL died, and retrying an external server with backoff.
//!
//! One task ([`watch`]) pings the database over a connection of its own every second, so a pool
//! busy with slow requests never makes the database look down. [`Health`] is what the web tier
//! reads: `available` for every request, `unrecoverable` for `/healthz`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};

use crate::cluster::EmbeddedCluster;

/// How often the database is pinged while it answers.
pub const INTERVAL: Duration = Duration::from_secs(1);
/// A ping that takes longer than this counts as a failure.
pub const PING_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest wait between two attempts while the database is down (so that Attune notices
/// within this long that it is back).
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// After this many failed attempts in a row to start the embedded PostgreSQL again, Attune
/// reports itself unhealthy (`/healthz` 503), so that a supervisor restarts it. It keeps trying.
pub const RESTARTS_BEFORE_UNHEALTHY: u32 = 5;

/// What the web tier knows about the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Health(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    available: AtomicBool,
    unrecoverable: Mutex<Option<String>>,
}

impl Default for Health {
    fn default() -> Health {
        Health(Arc::new(Inner {
            available: AtomicBool::new(true),
            unrecoverable: Mutex::new(None),
        }))
    }
}

impl Health {
    /// Assumed available until [`watch`] says otherwise (without a watcher it always is, and
    /// `/readyz` asks the pool itself).
    pub fn new() -> Health {
        Health::default()
    }

    /// Whether the database answered the last ping.
    pub fn is_available(&self) -> bool {
        self.0.available.load(Ordering::Relaxed)
    }

    /// Why the process cannot recover by itself, if it cannot.
    pub fn unrecoverable(&self) -> Option<String> {
        self.0.unrecoverable.lock().ok().and_then(|r| r.clone())
    }

    fn set_available(&self, available: bool) {
        self.0.available.store(available, Ordering::Relaxed);
    }

    fn set_unrecoverable(&self, why: Option<String>) {
        if let Ok(mut slot) = self.0.unrecoverable.lock() {
            *slot = why;
        }
    }
}

/// Ping the database every second until `stopping` turns true, keeping `health` up to date; when
/// it stops answering, start the embedded cluster again if it is not running (`cluster`), or
/// retry with a growing delay (up to [`MAX_BACKOFF`]).
pub async fn watch(
    options: PgConnectOptions,
    cluster: Option<Arc<EmbeddedCluster>>,
    health: Health,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let options = options.log_statements(tracing::log::LevelFilter::Trace);
    let mut conn: Option<PgConnection> = None;
    let mut down_since: Option<Instant> = None;
    let mut failed_restarts = 0u32;
    let mut backoff = Duration::from_millis(500);
    loop {
        let wait = match ping(&mut conn, &options).await {
            Ok(()) => {
                if let Some(since) = down_since.take() {
                    tracing::info!(
                        "the database answers again after {:.1} s",
                        since.elapsed().as_secs_f64()
                    );
                }
                health.set_available(true);
                health.set_unrecoverable(None);
                failed_restarts = 0;
                backoff = Duration::from_millis(500);
                INTERVAL
            }
            Err(err) => {
                if down_since.is_none() {
                    down_since = Some(Instant::now());
                    tracing::warn!(
                        "the database does not answer ({err}); requests are answered 503 until \
                         it does"
                    );
                }
                health.set_available(false);
                let mut restarted = false;
                if let Some(cluster) = &cluster {
                    match restart(cluster.clone()).await {
                        Ok(true) => {
                            tracing::warn!(
                                "the embedded PostgreSQL had stopped ({err}); it was started again"
                            );
                            failed_restarts = 0;
                            health.set_unrecoverable(None);
                            restarted = true;
                        }
                        Ok(false) => {}
                        Err(why) => {
                            failed_restarts += 1;
                            tracing::error!(
                                "the embedded PostgreSQL had stopped ({err}) and could not be \
                                 started again (attempt {failed_restarts}): {why}"
                            );
                            if failed_restarts >= RESTARTS_BEFORE_UNHEALTHY {
                                health.set_unrecoverable(Some(format!(
                                    "the embedded PostgreSQL cannot be started again: {why}"
                                )));
                            }
                        }
                    }
                }
                if restarted {
                    // It answers now: see so at once.
                    backoff = Duration::from_millis(500);
                    Duration::ZERO
                } else {
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}

/// `select 1` over the watcher's own connection, opening it if needed; a failure drops it.
async fn ping(conn: &mut Option<PgConnection>, options: &PgConnectOptions) -> Result<(), String> {
    let attempt = async {
        if conn.is_none() {
            *conn = Some(PgConnection::connect_with(options).await?);
        }
        let Some(open) = conn.as_mut() else {
            unreachable!("connected above")
        };
        open.ping().await
    };
    let result = match tokio::time::timeout(PING_TIMEOUT, attempt).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!("no answer within {} s", PING_TIMEOUT.as_secs_f64())),
    };
    if result.is_err() {
        *conn = None;
    }
    result
}

async fn restart(cluster: Arc<EmbeddedCluster>) -> Result<bool, String> {
    tokio::task::spawn_blocking(move || cluster.ensure_running())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}
