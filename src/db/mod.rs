//! The database layer: connecting (to an external server or the embedded cluster), migrations,
//! and one module of small query functions per domain noun. Handlers and importers orchestrate;
//! the SQL lives here.

pub mod absences;
pub mod audit;
pub mod coverage;
pub mod csat;
pub mod customers;
pub mod employees;
pub mod facts;
pub mod imports;
pub mod login_failures;
pub mod measures;
pub mod monitor;
pub mod notifications;
pub mod outbox;
pub mod people;
pub mod promotions;
pub mod pulse;
pub mod sessions;
pub mod settings;
pub mod staging;
pub mod surveys;
pub mod teams;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod version;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::cluster::{self, EmbeddedCluster};

/// The migrations in migrations/, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Where the database is: an external server, or Attune's own cluster under a data directory.
#[derive(Debug, Clone)]
pub enum Location {
    /// A `postgres://` URL (`DATABASE_URL`).
    Url(String),
    /// The embedded cluster under this data directory, from these binaries (None: search).
    Embedded {
        data_dir: PathBuf,
        bindir: Option<PathBuf>,
    },
}

/// How the connection pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a query waits for a free connection (or for the database to answer a new one)
    /// before failing.
    pub acquire_timeout: Duration,
    /// PostgreSQL cancels any statement running longer than this (`statement_timeout` on every
    /// connection); None: no limit.
    pub statement_timeout: Option<Duration>,
}

impl PoolSettings {
    /// A command-line command: a couple of connections, no limit on how long a statement runs.
    pub fn command(max_connections: u32) -> PoolSettings {
        PoolSettings {
            max_connections,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: None,
        }
    }

    /// `attune serve`: a request that waits for a connection fails within a few seconds (a
    /// 503, not a hang), and a statement stops before the request's own timeout, so a request
    /// that timed out leaves no SQL running.
    pub fn serving(request_timeout: Duration) -> PoolSettings {
        PoolSettings {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: Some(request_timeout.mul_f64(0.9)),
        }
    }
}

/// An open database: a connection pool and, in embedded mode, the cluster it runs on.
pub struct Database {
    pub pool: PgPool,
    options: PgConnectOptions,
    cluster: Option<Arc<EmbeddedCluster>>,
}

impl Database {
    /// Connect (starting or attaching to the embedded cluster when there is no URL) and bring
    /// the schema up to date.
    pub async fn open(location: &Location, max_connections: u32) -> anyhow::Result<Database> {
        Database::open_with(location, PoolSettings::command(max_connections)).await
    }

    /// Like [`Database::open`], with these pool settings.
    pub async fn open_with(
        location: &Location,
        settings: PoolSettings,
    ) -> anyhow::Result<Database> {
        let (options, cluster) = match location {
            Location::Url(url) => {
                let options: PgConnectOptions = url
                    .parse()
                    .map_err(|e| anyhow::anyhow!("DATABASE_URL is not a PostgreSQL URL: {e}"))?;
                (options, None)
            }
            Location::Embedded { data_dir, bindir } => {
                let (data_dir, bindir) = (data_dir.clone(), bindir.clone());
                let cluster = tokio::task::spawn_blocking(move || {
                    EmbeddedCluster::start(&data_dir, bindir.as_deref())
                })
                .await??;
                create_database_if_missing(&cluster).await?;
                (cluster.connect_options(), Some(Arc::new(cluster)))
            }
        };
        // Attune's statements are many and short: compiling them just in time costs more than
        // running them (hundreds of milliseconds where the plan's estimates are large).
        let mut pool_options = options.clone().options([("jit", "off")]);
        if let Some(limit) = settings.statement_timeout {
            pool_options =
                pool_options.options([("statement_timeout", format!("{}ms", limit.as_millis()))]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(pool_options.log_statements(tracing::log::LevelFilter::Debug))
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("cannot bring the database schema up to date: {e}"))?;
        Ok(Database {
            pool,
            options,
            cluster,
        })
    }

    /// The embedded cluster, when there is no `DATABASE_URL`.
    pub fn cluster(&self) -> Option<&EmbeddedCluster> {
        self.cluster.as_deref()
    }

    /// The task that watches the database while serving (see [`monitor::watch`]): it keeps
    /// `health` up to date and starts the embedded cluster again if its PostgreSQL dies.
    pub fn watch(
        &self,
        health: monitor::Health,
        stopping: tokio::sync::watch::Receiver<bool>,
    ) -> impl Future<Output = ()> + Send + 'static {
        monitor::watch(self.options.clone(), self.cluster.clone(), health, stopping)
    }

    /// Close every connection, then leave the embedded cluster (stopping it when this was the
    /// last attune process using it). Call it after the watcher has stopped.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(cluster) = self.cluster {
            tokio::task::spawn_blocking(move || match Arc::try_unwrap(cluster) {
                Ok(cluster) => cluster.release(),
                // Still watched: the last reference to go stops it (see its Drop).
                Err(shared) => {
                    drop(shared);
                    Ok(())
                }
            })
            .await??;
        }
        Ok(())
    }
}

async fn create_database_if_missing(cluster: &EmbeddedCluster) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(&cluster.maintenance_options()).await?;
    let exists: bool =
        sqlx::query_scalar("select exists (select from pg_database where datname = $1)")
            .bind(cluster::DATABASE_NAME)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        // Two processes may race here; the loser's "already exists" is harmless.
        if let Err(err) = sqlx::query("create database attune")
            .execute(&mut conn)
            .await
        {
            let duplicate = err
                .as_database_error()
                .and_then(|e| e.code())
                .is_some_and(|code| code == "42P04");
            if !duplicate {
                return Err(err.into());
            }
        }
    }
    conn.close().await?;
    Ok(())
}

/// Whether the database answers (for `/readyz`), within [`monitor::PING_TIMEOUT`].
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    match tokio::time::timeout(monitor::PING_TIMEOUT, sqlx::query("select 1").execute(pool)).await {
        Ok(result) => result.map(|_| ()),
        Err(_) => Err(sqlx::Error::PoolTimedOut),
    }
}
