//! The sending worker of `attune serve`: takes due messages from the outbox one at a time and
//! sends them, within the rate limit HR sets, retrying failures with a growing delay.
//!
//! Each message is taken with `for update skip locked` in a transaction that stays open while
//! the SMTP server is spoken to; the transaction marks the message sent before the SMTP
//! exchange and commits right after the server accepts it (or rolls back if it does not). So:
//! - several instances never take the same message;
//! - a process killed before the server accepted a message leaves it queued (PostgreSQL rolls
//!   the transaction back when the connection drops), and it is sent after the restart;
//! - the only window for a second copy is between the server storing the message (then
//!   answering "250 OK") and the `commit` reaching PostgreSQL (one write on an open connection):
//!   RFC 1047's window, which no SMTP client can close. Such a copy carries the same Message-ID.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;

use super::Mailer;
use crate::db::{self, outbox};

/// The setting that caps how many messages are sent per minute (by all instances together).
pub const PER_MINUTE: &str = "mail_per_minute";
/// The rate limit when HR has not set one.
pub const DEFAULT_PER_MINUTE: i64 = 120;
/// The largest rate limit HR may set.
pub const MAX_PER_MINUTE: i64 = 10_000;

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// How often an idle worker looks for due messages (it is also woken by `enqueue`).
    pub idle_poll: Duration,
    /// The delay before the first retry of a failed message; it doubles with each attempt, up
    /// to an hour.
    pub retry_after: Duration,
    /// After this many failed attempts a message is marked failed (HR can retry it).
    pub max_attempts: i32,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            idle_poll: Duration::from_secs(5),
            retry_after: Duration::from_secs(60),
            max_attempts: 8,
        }
    }
}

/// What one step of the worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A message was sent.
    Sent { mail_outbox_id: i64 },
    /// A message could not be sent (it will be retried, or is now failed).
    Failed { mail_outbox_id: i64, error: String },
    /// Nothing is due.
    Idle,
    /// The rate limit is reached; the next message may go in this many milliseconds.
    Throttled { wait_ms: u64 },
}

/// The messages-per-minute limit in force.
pub async fn per_minute(conn: &mut sqlx::PgConnection) -> Result<i64, sqlx::Error> {
    Ok(db::settings::get_i64(conn, PER_MINUTE, DEFAULT_PER_MINUTE)
        .await?
        .clamp(1, MAX_PER_MINUTE))
}

/// Send the next due message, if any and if the rate limit allows.
pub async fn step(
    pool: &PgPool,
    mailer: &Mailer,
    config: &WorkerConfig,
) -> Result<Step, sqlx::Error> {
    let limit = per_minute(&mut *pool.acquire().await?).await?;
    let mut tx = pool.begin().await?;
    let Some(message) = outbox::take_due(&mut tx).await? else {
        tx.rollback().await?;
        return Ok(Step::Idle);
    };
    let (sent, oldest_leaves_in_ms) = outbox::sent_last_minute(&mut tx).await?;
    if sent >= limit {
        tx.rollback().await?;
        return Ok(Step::Throttled {
            wait_ms: oldest_leaves_in_ms.clamp(50, 60_000) as u64,
        });
    }
    outbox::mark_sent(&mut tx, message.mail_outbox_id).await?;
    match mailer.send(&message).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Step::Sent {
                mail_outbox_id: message.mail_outbox_id,
            })
        }
        Err(error) => {
            tx.rollback().await?;
            outbox::record_failure(
                &mut *pool.acquire().await?,
                message.mail_outbox_id,
                &error.message,
                error.permanent,
                config.retry_after,
                config.max_attempts,
            )
            .await?;
            tracing::warn!(
                mail_outbox_id = message.mail_outbox_id,
                kind = %message.kind,
                permanent = error.permanent,
                "a message could not be sent: {}",
                error.message
            );
            Ok(Step::Failed {
                mail_outbox_id: message.mail_outbox_id,
                error: error.message,
            })
        }
    }
}

/// Send due messages until `shutdown` turns true. A message being sent when it does is
/// finished first.
pub async fn run(
    pool: PgPool,
    mailer: Mailer,
    config: WorkerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    tracing::info!(server = %mailer.server, "sending e-mail from the outbox");
    let mut listener = match PgListener::connect_with(&pool).await {
        Ok(mut listener) => match listener.listen(outbox::CHANNEL).await {
            Ok(()) => Some(listener),
            Err(err) => {
                tracing::warn!("the mail worker polls only: {err}");
                None
            }
        },
        Err(err) => {
            tracing::warn!("the mail worker polls only: {err}");
            None
        }
    };
    while !*shutdown.borrow() {
        let pause = match step(&pool, &mailer, &config).await {
            Ok(Step::Sent { .. } | Step::Failed { .. }) => continue,
            Ok(Step::Throttled { wait_ms }) => Some(Duration::from_millis(wait_ms)),
            Ok(Step::Idle) => None,
            Err(err) => {
                tracing::warn!("the mail worker could not reach the database: {err}");
                Some(Duration::from_secs(5))
            }
        };
        let wait = pause.unwrap_or(config.idle_poll);
        let woken = async {
            match (&mut listener, pause) {
                // Idle: a new message (a notification) ends the wait early.
                (Some(listener), None) => {
                    if listener.recv().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                _ => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = woken => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::info!("the mail worker stopped");
}
