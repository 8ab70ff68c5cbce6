//! The embedded PostgreSQL supervisor.
//!
//! With no `DATABASE_URL`, Attune runs a private PostgreSQL cluster from the PostgreSQL
//! binaries installed on the machine. Its files live under the data directory:
//!
//! ```text
//! <data-dir>/postgres/      the cluster (PGDATA), created by initdb on first start
//! <data-dir>/run/           its Unix socket and server log (no TCP port is opened)
//! <data-dir>/startup.lock   held while a process starts or stops the cluster
//! <data-dir>/users.lock     held shared by every attune process using the cluster
//! ```
//!
//! Every attune process holds `users.lock` shared while it runs. The first one starts the
//! cluster; later ones (an `attune import` while `attune serve` runs) attach to it; the last one
//! to leave — the one that can take `users.lock` exclusively — stops it. `startup.lock` makes
//! "check, then start or stop" one step, so a process arriving while another leaves never finds
//! the cluster half stopped.
//!
//! PostgreSQL refuses to run as root, so when attune runs as root the cluster runs as the
//! unprivileged system user `postgres` (or a dedicated `attune` system user where there is none).
//! The cluster is created with password authentication: the superuser password is in
//! `<data-dir>/superuser.password`, readable only by the user running attune.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{Uid, User, chown};
use sqlx::postgres::PgConnectOptions;

/// The role and database Attune uses inside its own cluster.
pub const DATABASE_NAME: &str = "attune";

/// What can go wrong while finding, creating, starting or stopping the cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No PostgreSQL server binaries were found: tell the user how to get them.
    #[error(
        "no PostgreSQL server binaries found ({searched}).\n\
         Attune runs its own private PostgreSQL from the installed binaries. Install them:\n  \
         Debian/Ubuntu:  sudo apt-get install postgresql\n  \
         macOS:          brew install postgresql@17\n\
         or point Attune at an existing server: DATABASE_URL=postgres://user@host/dbname attune …"
    )]
    BinariesNotFound { searched: String },

    /// The unprivileged cluster user cannot traverse a folder above the data directory.
    #[error(
        "the embedded PostgreSQL runs as the system user '{user}', which cannot reach {path} \
         (mode {mode:o}). Choose a data directory it can reach, e.g. --data-dir /var/lib/attune"
    )]
    Unreachable {
        user: String,
        path: PathBuf,
        mode: u32,
    },

    /// A PostgreSQL tool (initdb, pg_ctl) failed; its output says why.
    #[error("{what} failed: {output}")]
    Tool { what: String, output: String },

    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{what}: {source}")]
    Sys {
        what: String,
        #[source]
        source: Errno,
    },
}

type Result<T, E = ClusterError> = std::result::Result<T, E>;

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let what = what.into();
    move |source| ClusterError::Io { what, source }
}

/// A running embedded cluster that this process uses. Dropping it (or calling
/// [`EmbeddedCluster::release`]) stops the cluster when no other attune process still uses it.
#[derive(Debug)]
pub struct EmbeddedCluster {
    data_dir: PathBuf,
    bindir: PathBuf,
    owner: Option<User>,
    users_lock: Option<Flock<File>>,
    /// The superuser's password (clusters are created with password authentication, so that
    /// other processes of the cluster's system user cannot simply connect).
    password: Option<String>,
}

impl EmbeddedCluster {
    /// Start the cluster under `data_dir` (creating it on first use) or attach to the one another
    /// attune process already runs there. Blocking: call it from `spawn_blocking` in async code.
    pub fn start(data_dir: &Path, bindir: Option<&Path>) -> Result<Self> {
        let bindir = find_bindir(bindir)?;
        fs::create_dir_all(data_dir).map_err(io(format!(
            "cannot create data directory {}",
            data_dir.display()
        )))?;
        let data_dir = data_dir.canonicalize().map_err(io(format!(
            "cannot open data directory {}",
            data_dir.display()
        )))?;
        let owner = cluster_owner()?;
        if let Some(user) = &owner {
            check_reachable(&data_dir, user)?;
        }

        check_socket_path(&data_dir)?;
        let startup = lock(&data_dir.join("startup.lock"), FlockArg::LockExclusive)?;
        let users_lock = lock(&data_dir.join("users.lock"), FlockArg::LockShared)?;
        let mut cluster = EmbeddedCluster {
            data_dir,
            bindir,
            owner,
            users_lock: Some(users_lock),
            password: None,
        };
        if let Err(err) = cluster.bring_up() {
            // Not started: leave without the stop logic of Drop, which would wait for the
            // startup lock this function still holds.
            cluster.users_lock = None;
            return Err(err);
        }
        cluster.password = cluster.read_password()?;
        drop(startup);
        Ok(cluster)
    }

    /// Create the cluster if needed and start it unless another attune process already has.
    fn bring_up(&self) -> Result<()> {
        self.prepare_directories()?;
        if !self.pgdata().join("PG_VERSION").exists() {
            self.initdb()?;
        }
        self.write_settings()?;
        if !self.is_running()? {
            tracing::info!(data_dir = %self.data_dir.display(), "starting embedded PostgreSQL");
            self.pg_ctl_start()?;
        } else {
            tracing::info!("attaching to the embedded PostgreSQL already running");
        }
        Ok(())
    }

    /// Start the cluster again if it is not running (say its postmaster was killed), with the
    /// same locks as [`EmbeddedCluster::start`], so that several attune processes noticing it at
    /// once start it only once. True when this call started it. Blocking.
    pub fn ensure_running(&self) -> Result<bool> {
        let _startup = lock(&self.data_dir.join("startup.lock"), FlockArg::LockExclusive)?;
        if self.is_running()? {
            return Ok(false);
        }
        self.prepare_directories()?;
        self.write_settings()?;
        self.pg_ctl_start()?;
        Ok(true)
    }

    /// Connection options for the cluster's `postgres` maintenance database.
    pub fn maintenance_options(&self) -> PgConnectOptions {
        let options = PgConnectOptions::new()
            .socket(self.run_dir())
            .username(DATABASE_NAME)
            .database("postgres");
        match &self.password {
            Some(password) => options.password(password),
            None => options,
        }
    }

    /// The superuser's password, for tools that connect by URL.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Only attune (the user running it) may read the password file.
    fn password_file(&self) -> PathBuf {
        self.data_dir.join("superuser.password")
    }

    /// The stored password; None for a cluster created before passwords were used.
    fn read_password(&self) -> Result<Option<String>> {
        let path = self.password_file();
        if !path.exists() {
            return Ok(None);
        }
        let text =
            fs::read_to_string(&path).map_err(io(format!("cannot read {}", path.display())))?;
        Ok(Some(text.trim().to_string()))
    }

    /// Connection options for Attune's own database inside the cluster.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.maintenance_options().database(DATABASE_NAME)
    }

    /// The folder of the PostgreSQL binaries it runs (pg_dump and pg_restore are there too).
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// The data directory this cluster lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stop using the cluster; stop it when no other attune process uses it. Blocking.
    pub fn release(mut self) -> Result<()> {
        self.release_inner()
    }

    fn release_inner(&mut self) -> Result<()> {
        let Some(users_lock) = self.users_lock.take() else {
            return Ok(());
        };
        let startup = lock(&self.data_dir.join("startup.lock"), FlockArg::LockExclusive)?;
        drop(users_lock);
        let file = open_lock_file(&self.data_dir.join("users.lock"))?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(last_user) => {
                if self.is_running()? {
                    tracing::info!("stopping embedded PostgreSQL");
                    self.pg_ctl(
                        &["stop", "-m", "fast", "-w", "-t", "60"],
                        "stopping PostgreSQL",
                    )?;
                }
                drop(last_user);
            }
            Err((_, Errno::EWOULDBLOCK)) => {
                tracing::info!("embedded PostgreSQL stays up for the other attune processes");
            }
            Err((_, source)) => {
                return Err(ClusterError::Sys {
                    what: "cannot lock users.lock".into(),
                    source,
                });
            }
        }
        drop(startup);
        Ok(())
    }

    fn pgdata(&self) -> PathBuf {
        self.data_dir.join("postgres")
    }

    fn run_dir(&self) -> PathBuf {
        self.data_dir.join("run")
    }

    /// The cluster's own folders belong to the cluster user and nobody else (PostgreSQL insists).
    fn prepare_directories(&self) -> Result<()> {
        for dir in [self.pgdata(), self.run_dir()] {
            fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                .map_err(io(format!("cannot set permissions of {}", dir.display())))?;
            self.give_to_owner(&dir)?;
        }
        Ok(())
    }

    fn give_to_owner(&self, path: &Path) -> Result<()> {
        if let Some(user) = &self.owner {
            chown(path, Some(user.uid), Some(user.gid)).map_err(|source| ClusterError::Sys {
                what: format!("cannot hand {} to user {}", path.display(), user.name),
                source,
            })?;
        }
        Ok(())
    }

    fn initdb(&self) -> Result<()> {
        tracing::info!(pgdata = %self.pgdata().display(), "creating the embedded PostgreSQL cluster");
        // A random superuser password, readable by attune only; initdb reads it from a file the
        // cluster user can read, removed right after.
        let password: String = {
            use rand::RngExt;
            rand::rng()
                .sample_iter(rand::distr::Alphanumeric)
                .take(32)
                .map(char::from)
                .collect()
        };
        let password_file = self.password_file();
        write_private(&password_file, &password)?;
        let initdb_file = self.run_dir().join("initdb.pw");
        write_private(&initdb_file, &password)?;
        self.give_to_owner(&initdb_file)?;
        let mut cmd = self.tool("initdb");
        cmd.arg("-D")
            .arg(self.pgdata())
            .args([
                "-U",
                DATABASE_NAME,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
            ])
            .arg(format!("--pwfile={}", initdb_file.display()));
        let created = run(cmd, "initdb (creating the PostgreSQL cluster)");
        let _ = fs::remove_file(&initdb_file);
        if let Err(err) = created {
            let _ = fs::remove_file(&password_file);
            return Err(err);
        }
        let conf = self.pgdata().join("postgresql.conf");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(io(format!("cannot open {}", conf.display())))?;
        writeln!(
            file,
            "\n# Added by attune: settings it rewrites at every start\ninclude_if_exists = 'attune.conf'"
        )
        .map_err(io(format!("cannot write {}", conf.display())))?;
        Ok(())
    }

    /// Written at every start so that a moved data directory still finds its socket.
    fn write_settings(&self) -> Result<()> {
        let socket_dir = self.run_dir().to_string_lossy().replace('\'', "''");
        let mut settings = format!(
            "# Written by attune at every start; edit postgresql.conf instead.\n\
             listen_addresses = ''\n\
             unix_socket_directories = '{socket_dir}'\n\
             unix_socket_permissions = 0700\n"
        );
        // After a crash, sync the data directory with one syncfs() rather than one fsync() per
        // file: a restart after the postmaster died takes a fraction of the time (Linux,
        // PostgreSQL 14 and later).
        let major: u32 = fs::read_to_string(self.pgdata().join("PG_VERSION"))
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if cfg!(target_os = "linux") && major >= 14 {
            settings.push_str("recovery_init_sync_method = syncfs\n");
        }
        let path = self.pgdata().join("attune.conf");
        fs::write(&path, settings).map_err(io(format!("cannot write {}", path.display())))?;
        self.give_to_owner(&path)
    }

    fn is_running(&self) -> Result<bool> {
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("status").arg("-D").arg(self.pgdata());
        let output = cmd
            .output()
            .map_err(io("cannot run pg_ctl status".to_string()))?;
        Ok(output.status.success())
    }

    fn pg_ctl_start(&self) -> Result<()> {
        let log = self.run_dir().join("postgres.log");
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("start")
            .arg("-D")
            .arg(self.pgdata())
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60"]);
        run(cmd, "starting PostgreSQL").map_err(|err| match err {
            ClusterError::Tool { what, output } => ClusterError::Tool {
                what,
                output: format!("{output}\nserver log: {}", log.display()),
            },
            other => other,
        })?;
        Ok(())
    }

    fn pg_ctl(&self, args: &[&str], what: &str) -> Result<()> {
        let mut cmd = self.tool("pg_ctl");
        cmd.args(args).arg("-D").arg(self.pgdata());
        run(cmd, what)?;
        Ok(())
    }

    /// A PostgreSQL tool, run as the cluster user, in its own process group so that a Ctrl-C in
    /// the terminal reaches attune only: attune then stops the cluster itself, cleanly.
    fn tool(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        cmd.current_dir(&self.data_dir)
            .stdin(Stdio::null())
            .env_remove("PGDATA")
            .env("LC_ALL", "C")
            .process_group(0);
        if let Some(user) = &self.owner {
            cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
            cmd.env("HOME", &self.data_dir).env("USER", &user.name);
        }
        cmd
    }
}

impl Drop for EmbeddedCluster {
    fn drop(&mut self) {
        if let Err(err) = self.release_inner() {
            tracing::error!("could not stop the embedded PostgreSQL: {err}");
        }
    }
}

fn run(mut cmd: Command, what: &str) -> Result<Output> {
    let output = cmd.output().map_err(io(format!("cannot run {what}")))?;
    if output.status.success() {
        Ok(output)
    } else {
        let mut text = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if text.is_empty() {
            text = String::from_utf8_lossy(&output.stdout).trim().to_string();
        }
        Err(ClusterError::Tool {
            what: what.to_string(),
            output: text,
        })
    }
}

/// Write a file only its owner may read.
fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(io(format!("cannot write {}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(io(format!("cannot write {}", path.display())))
}

fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io(format!("cannot open {}", path.display())))
}

fn lock(path: &Path, how: FlockArg) -> Result<Flock<File>> {
    Flock::lock(open_lock_file(path)?, how).map_err(|(_, source)| ClusterError::Sys {
        what: format!("cannot lock {}", path.display()),
        source,
    })
}

/// The Unix socket path (`<data-dir>/run/.s.PGSQL.5432`) must fit the operating system's limit
/// of 107 bytes.
fn check_socket_path(data_dir: &Path) -> Result<()> {
    let socket = data_dir.join("run").join(".s.PGSQL.5432");
    let length = socket.as_os_str().len();
    if length > 107 {
        return Err(ClusterError::Tool {
            what: "checking the data directory".into(),
            output: format!(
                "the path {} is {length} bytes long, more than the 107 a Unix socket path may \
                 have; choose a shorter --data-dir",
                socket.display()
            ),
        });
    }
    Ok(())
}

/// PostgreSQL refuses to run as root: pick the unprivileged user it runs as then — the
/// PostgreSQL system user, else a dedicated `attune` system user (created if missing). Never a
/// shared account such as `nobody`, whose other processes could read the data files.
fn cluster_owner() -> Result<Option<User>> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    for name in ["postgres", "_postgres", "attune"] {
        if let Ok(Some(user)) = User::from_name(name) {
            return Ok(Some(user));
        }
    }
    let created = Command::new("useradd")
        .args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "attune",
        ])
        .output();
    if let (Ok(output), Ok(Some(user))) = (created, User::from_name("attune")) {
        tracing::info!(
            "created the system user 'attune' for the embedded PostgreSQL ({})",
            output.status
        );
        return Ok(Some(user));
    }
    Err(ClusterError::Tool {
        what: "finding an unprivileged user for PostgreSQL".into(),
        output: "attune runs as root and there is no 'postgres' or 'attune' system user, and \
                 none could be created; create one (useradd --system attune) or run attune as a \
                 normal user"
            .into(),
    })
}

/// Every folder above the data directory must let the cluster user pass through.
fn check_reachable(data_dir: &Path, user: &User) -> Result<()> {
    for dir in data_dir.ancestors() {
        let meta = fs::metadata(dir).map_err(io(format!("cannot inspect {}", dir.display())))?;
        let mode = meta.mode() & 0o7777;
        let can_pass = if meta.uid() == user.uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == user.gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        // The data directory itself is ours to adjust; the folders above it are not.
        if !can_pass && dir == data_dir {
            fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o711))
                .map_err(io(format!("cannot open up {}", dir.display())))?;
        } else if !can_pass {
            return Err(ClusterError::Unreachable {
                user: user.name.clone(),
                path: dir.to_path_buf(),
                mode,
            });
        }
    }
    Ok(())
}

/// Where the PostgreSQL server binaries are: the folder given, else PATH, `pg_config --bindir`,
/// and the usual install locations (Debian/Ubuntu, RHEL, Homebrew, Postgres.app).
pub fn find_bindir(explicit: Option<&Path>) -> Result<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = explicit {
        return if complete(dir) {
            Ok(dir.to_path_buf())
        } else {
            Err(ClusterError::BinariesNotFound {
                searched: format!("looked in {} (ATTUNE_PG_BINDIR)", dir.display()),
            })
        };
    }
    let mut candidates: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    for pattern_root in [
        "/usr/lib/postgresql",
        "/opt/homebrew/opt",
        "/usr/local/opt",
        "/Applications/Postgres.app/Contents/Versions",
    ] {
        candidates.extend(versioned_bindirs(Path::new(pattern_root)));
    }
    candidates.extend(
        versioned_bindirs(Path::new("/usr"))
            .into_iter()
            .filter(|d| d.to_string_lossy().contains("pgsql")),
    );
    candidates.extend(["/usr/local/pgsql/bin", "/opt/homebrew/bin"].map(PathBuf::from));
    candidates
        .into_iter()
        .find(|dir| complete(dir))
        .ok_or_else(|| ClusterError::BinariesNotFound {
            searched: "looked on PATH, pg_config --bindir, /usr/lib/postgresql/*/bin, \
                       Homebrew and Postgres.app"
                .into(),
        })
}

/// `<root>/<something with a version>/bin`, newest version first.
fn versioned_bindirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name: OsString = entry.file_name();
            let name = name.to_string_lossy();
            let relevant = root.starts_with("/usr/lib/postgresql")
                || root.starts_with("/Applications")
                || name.starts_with("postgresql")
                || name.starts_with("pgsql");
            let version: Vec<u32> = name
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|part| part.parse().ok())
                .collect();
            relevant.then(|| (version, entry.path().join("bin")))
        })
        .collect();
    dirs.sort_by(|a, b| b.0.cmp(&a.0));
    dirs.into_iter().map(|(_, dir)| dir).collect()
}
