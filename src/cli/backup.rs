//! `attune backup FILE` and `attune restore FILE`: the whole database as one file, written by
//! PostgreSQL's own `pg_dump` (one consistent snapshot, so it can run while Attune serves) and
//! read back by `pg_restore` from the same installed binaries.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clap::Args;
use sqlx::{Connection, PgConnection};

use super::{Failure, Progress};
use crate::cluster;
use crate::db::{Database, Location};

/// The database a restore is written into before it replaces Attune's.
const RESTORING: &str = "attune_restoring";
/// Attune's database while a restore replaces it (dropped once the restore is in place).
const REPLACED: &str = "attune_replaced";

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (PostgreSQL's custom format; `attune restore` reads it).
    pub file: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `attune backup`.
    pub file: PathBuf,
    /// Do not ask for confirmation (required when not run from a terminal).
    #[arg(long)]
    pub yes: bool,
}

fn usage(error: anyhow::Error) -> Failure {
    Failure { code: 2, error }
}

/// Ask a yes/no question on the terminal; false for anything but yes.
fn confirm(question: &str) -> Result<bool, Failure> {
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Where pg_dump and pg_restore are: beside the embedded cluster's binaries (or beside what
/// its `postgres` links to, so the versions match), else where the server binaries are found
/// (PATH, pg_config, the usual install folders), else on PATH.
fn client_tool(db: &Database, bindir: Option<&Path>, program: &str) -> Result<Command, Failure> {
    let dir = match db.cluster() {
        Some(cluster) => cluster.bindir().to_path_buf(),
        None => cluster::find_bindir(bindir).unwrap_or_default(),
    };
    let linked = std::fs::canonicalize(dir.join("postgres"))
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let on_path =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect::<Vec<_>>();
    let path = std::iter::once(dir.clone())
        .chain(linked)
        .chain(on_path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{program} was not found (looked beside the PostgreSQL binaries in {} and on \
                 PATH): install the PostgreSQL client tools",
                dir.display()
            )
        })?;
    let mut command = Command::new(path);
    command.env("LC_ALL", "C").stdin(Stdio::null());
    Ok(command)
}

/// Point a PostgreSQL tool at `database`: the embedded cluster's socket and password, or the
/// URL (with its database replaced when another is named).
fn connect_tool(command: &mut Command, location: &Location, db: &Database, database: &str) {
    match (db.cluster(), location) {
        (Some(cluster), _) => {
            command
                .env("PGHOST", cluster.data_dir().join("run"))
                .env("PGUSER", cluster::DATABASE_NAME)
                .env("PGDATABASE", database);
            if let Some(password) = cluster.password() {
                command.env("PGPASSWORD", password);
            }
        }
        (None, Location::Url(url)) => {
            command.arg(format!("--dbname={url}"));
        }
        (None, Location::Embedded { .. }) => unreachable!("an embedded database has a cluster"),
    }
}

/// Run a tool with `--verbose`, showing each line it reports as progress (on a terminal); its
/// last lines are the error when it fails.
fn run_with_progress(
    mut command: Command,
    progress: &Progress,
    shown: impl Fn(&str) -> Option<String>,
) -> Result<(), String> {
    command
        .arg("--verbose")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| e.to_string())?;
    let mut tail: Vec<String> = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(message) = shown(&line) {
                progress.say(message);
            }
            tail.push(line);
            if tail.len() > 8 {
                tail.remove(0);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        let errors: Vec<&String> = tail
            .iter()
            .filter(|l| l.contains("error") || l.contains("FATAL"))
            .collect();
        Err(if errors.is_empty() {
            tail.join("\n")
        } else {
            errors
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}

/// `pg_dump: dumping contents of table "public.employee"` → `employee`.
fn table_of(line: &str) -> Option<String> {
    let (_, rest) = line.split_once(" table \"")?;
    let name = rest.trim_end_matches('"');
    Some(name.rsplit('.').next().unwrap_or(name).to_string())
}

fn size(path: &Path) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} kB", (bytes as f64 / 1024.0).ceil())
    }
}

/// `attune backup FILE`.
pub async fn backup(
    location: &Location,
    bindir: Option<&Path>,
    args: BackupArgs,
) -> Result<(), Failure> {
    let file = args.file;
    if file.is_dir() {
        return Err(usage(anyhow::anyhow!(
            "{} is a folder: name the backup file to write, e.g. {}/attune.backup",
            file.display(),
            file.display()
        )));
    }
    if file.exists() && !args.force {
        if !std::io::stdin().is_terminal() {
            return Err(usage(anyhow::anyhow!(
                "{} exists: add --force to replace it",
                file.display()
            )));
        }
        if !confirm(&format!("{} exists. Replace it?", file.display()))? {
            println!("Nothing was written.");
            return Ok(());
        }
    }
    let partial = partial_name(&file);
    let db = Database::open(location, 2).await?;
    let result = async {
        let mut command = client_tool(&db, bindir, "pg_dump")?;
        command
            .args(["--format=custom", "--no-owner", "--no-privileges"])
            .arg(format!("--file={}", partial.display()));
        connect_tool(&mut command, location, &db, cluster::DATABASE_NAME);
        let started = Instant::now();
        let progress = Progress::start("Backing up…".to_string());
        let dumped = tokio::task::spawn_blocking({
            let progress = progress.clone();
            move || {
                run_with_progress(command, &progress, |line| {
                    line.contains("dumping contents of table")
                        .then(|| table_of(line))
                        .flatten()
                        .map(|t| format!("Backing up {t}…"))
                })
            }
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
        progress.finish();
        if let Err(why) = dumped {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow::anyhow!("the backup failed; nothing was written:\n{why}").into());
        }
        std::fs::rename(&partial, &file).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            anyhow::anyhow!("cannot write {}: {e}", file.display())
        })?;
        println!(
            "Backed up the database to {} ({}) in {:.1} s. Restore it with: attune restore {}",
            file.display(),
            size(&file),
            started.elapsed().as_secs_f64(),
            file.display()
        );
        Ok::<(), Failure>(())
    }
    .await;
    db.close().await?;
    result
}

/// `backup.dump` → `backup.dump.partial`, beside it.
fn partial_name(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}

/// What `pg_restore --list` says of the file: when it was made, whether it holds Attune's
/// tables.
struct Archive {
    created: Option<String>,
}

fn inspect(db: &Database, bindir: Option<&Path>, file: &Path) -> Result<Archive, Failure> {
    let mut command = client_tool(db, bindir, "pg_restore")?;
    command.arg("--list").arg(file);
    let output = command.output()?;
    let listing = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(anyhow::anyhow!(
            "{} is not a backup made by attune backup: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    if !listing.contains("TABLE public _sqlx_migrations") {
        return Err(anyhow::anyhow!(
            "{} is a PostgreSQL backup, but not of an Attune database",
            file.display()
        )
        .into());
    }
    let created = listing
        .lines()
        .find_map(|l| l.strip_prefix(";     Archive created at "))
        .map(|s| s.trim().to_string());
    Ok(Archive { created })
}

/// `attune restore FILE`: into a database of its own first, then swapped in place of Attune's
/// in one step, so that a failed restore changes nothing and attune processes still running
/// reconnect to the restored data.
pub async fn restore(
    location: &Location,
    bindir: Option<&Path>,
    args: RestoreArgs,
) -> Result<(), Failure> {
    let file = args.file;
    if let Location::Url(_) = location {
        return Err(usage(anyhow::anyhow!(
            "attune restore replaces the embedded PostgreSQL's database; with DATABASE_URL, \
             restore with pg_restore (see docs/operations.md)"
        )));
    }
    if let Err(err) = std::fs::File::open(&file) {
        return Err(usage(anyhow::anyhow!(
            "cannot read {}: {err}",
            file.display()
        )));
    }
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(usage(anyhow::anyhow!(
            "restore replaces all of Attune's data and asks for confirmation: add --yes to \
             confirm"
        )));
    }
    let db = Database::open(location, 2).await?;
    let result = restore_into(&db, bindir, &file, args.yes).await;
    db.close().await?;
    result
}

async fn restore_into(
    db: &Database,
    bindir: Option<&Path>,
    file: &Path,
    confirmed: bool,
) -> Result<(), Failure> {
    let Some(cluster) = db.cluster() else {
        unreachable!("restore runs on the embedded cluster")
    };
    let archive = inspect(db, bindir, file)?;
    if !confirmed {
        let taken = archive
            .created
            .as_deref()
            .map(|t| format!(" (taken {t})"))
            .unwrap_or_default();
        let question = format!(
            "Replace all of Attune's data in {} with the backup {}{taken}? What is there now \
             is lost.",
            cluster.data_dir().display(),
            file.display()
        );
        if !confirm(&question)? {
            println!("Nothing was changed.");
            return Ok(());
        }
    }
    let started = Instant::now();
    let mut admin = PgConnection::connect_with(&cluster.maintenance_options()).await?;
    drop_database(&mut admin, RESTORING).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {RESTORING}")))
        .execute(&mut admin)
        .await?;

    let mut command = client_tool(db, bindir, "pg_restore")?;
    command
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
        ])
        .arg(format!("--dbname={RESTORING}"))
        .arg(file);
    connect_tool(
        &mut command,
        &Location::Embedded {
            data_dir: cluster.data_dir().to_path_buf(),
            bindir: None,
        },
        db,
        RESTORING,
    );
    let progress = Progress::start("Restoring…".to_string());
    let restored = tokio::task::spawn_blocking({
        let progress = progress.clone();
        move || {
            run_with_progress(command, &progress, |line| {
                line.contains("processing data for table")
                    .then(|| table_of(line))
                    .flatten()
                    .map(|t| format!("Restoring {t}…"))
            })
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?;
    progress.finish();
    if let Err(why) = restored {
        drop_database(&mut admin, RESTORING).await?;
        return Err(anyhow::anyhow!("the restore failed; nothing was changed:\n{why}").into());
    }

    // A backup from a newer Attune has migrations this one does not know: refuse it before
    // anything is replaced.
    let restored_options = cluster.maintenance_options().database(RESTORING);
    let mut restored_db = PgConnection::connect_with(&restored_options).await?;
    let versions: Vec<i64> = sqlx::query_scalar("select version from _sqlx_migrations")
        .fetch_all(&mut restored_db)
        .await?;
    restored_db.close().await?;
    let known: Vec<i64> = crate::db::MIGRATOR.iter().map(|m| m.version).collect();
    if let Some(unknown) = versions.iter().find(|v| !known.contains(v)) {
        drop_database(&mut admin, RESTORING).await?;
        return Err(anyhow::anyhow!(
            "{} comes from a newer version of Attune (its schema has migration {unknown}): \
             restore it with that version; nothing was changed",
            file.display()
        )
        .into());
    }

    swap(&mut admin, db).await?;
    // Bring a backup from an older Attune up to date.
    let pool = sqlx::PgPool::connect_with(cluster.connect_options()).await?;
    crate::db::MIGRATOR.run(&pool).await.map_err(|e| {
        anyhow::anyhow!("the restored database could not be brought up to date: {e}")
    })?;
    pool.close().await;
    admin.close().await?;
    println!(
        "Restored {}{} in {:.1} s.",
        file.display(),
        archive
            .created
            .map(|t| format!(" (taken {t})"))
            .unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Put the restored database in place of Attune's: no new connections to the old one, end the
/// ones open (attune processes reconnect, to the restored data), rename both, drop the old.
async fn swap(admin: &mut PgConnection, db: &Database) -> Result<(), Failure> {
    let name = cluster::DATABASE_NAME;
    db.pool.close().await;
    drop_database(admin, REPLACED).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter database {name} with allow_connections false"
    )))
    .execute(&mut *admin)
    .await?;
    let renamed = async {
        sqlx::query(
            "select pg_terminate_backend(pid) from pg_stat_activity \
             where datname = $1 and pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut *admin)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter database {name} rename to {REPLACED}"
        )))
        .execute(&mut *admin)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter database {RESTORING} rename to {name}"
        )))
        .execute(&mut *admin)
        .await
    }
    .await;
    if let Err(err) = renamed {
        // Put things back as they were.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter database {REPLACED} rename to {name}"
        )))
        .execute(&mut *admin)
        .await;
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter database {name} with allow_connections true"
        )))
        .execute(&mut *admin)
        .await;
        let _ = drop_database(admin, RESTORING).await;
        return Err(anyhow::anyhow!("the restored data could not be put in place: {err}").into());
    }
    drop_database(admin, REPLACED).await?;
    Ok(())
}

async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "drop database if exists {name} with (force)"
    )))
    .execute(admin)
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::{partial_name, table_of};
    use std::path::Path;

    #[test]
    fn the_progress_names_the_table() {
        assert_eq!(
            table_of("pg_dump: dumping contents of table \"public.employee\"").as_deref(),
            Some("employee")
        );
        assert_eq!(
            table_of("pg_restore: processing data for table \"public.absence\"").as_deref(),
            Some("absence")
        );
        assert_eq!(table_of("pg_dump: reading schemas"), None);
    }

    #[test]
    fn the_backup_is_written_beside_its_final_name() {
        assert_eq!(
            partial_name(Path::new("/tmp/x/attune.backup")),
            Path::new("/tmp/x/attune.backup.partial")
        );
    }
}
