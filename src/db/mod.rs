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
pub mod notifications;
pub mod outbox;
pub mod people;
pub mod promotions;
pub mod pulse;
pub mod sessions;
pub mod settings;
pub mod teams;
pub mod tokens;
pub mod uploads;
pub mod users;

use std::path::PathBuf;
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

/// An open database: a connection pool and, in embedded mode, the cluster it runs on.
pub struct Database {
    pub pool: PgPool,
    cluster: Option<EmbeddedCluster>,
}

impl Database {
    /// Connect (starting or attaching to the embedded cluster when there is no URL) and bring
    /// the schema up to date.
    pub async fn open(location: &Location, max_connections: u32) -> anyhow::Result<Database> {
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
                (cluster.connect_options(), Some(cluster))
            }
        };
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(
                options
                    .clone()
                    .log_statements(tracing::log::LevelFilter::Debug),
            )
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("cannot bring the database schema up to date: {e}"))?;
        Ok(Database { pool, cluster })
    }

    /// Close every connection, then leave the embedded cluster (stopping it when this was the
    /// last attune process using it).
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(cluster) = self.cluster {
            tokio::task::spawn_blocking(move || cluster.release()).await??;
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

/// Whether the database answers (for `/readyz`).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("select 1").execute(pool).await.map(|_| ())
}
