//! The command line (a contract: scripts and acceptance checks rely on these names).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use tokio::net::TcpListener;

mod accounts;
mod backup;
mod mail;
mod survey;

use crate::db::{Database, Location, PoolSettings};
use crate::import::{self, Kind, Outcome, dates::DateOrder};
use crate::period::Period;
use crate::report::{self, ReportError};
use crate::web::{self, AppState};

/// Attune shows how empathetic leadership is through outcomes: turnover, absenteeism,
/// promotions, customer satisfaction and pulse surveys.
#[derive(Debug, Parser)]
#[command(name = "attune", version, propagate_version = true)]
#[command(
    after_help = "Without DATABASE_URL, Attune runs its own PostgreSQL cluster under \
    --data-dir, using the PostgreSQL binaries installed on this machine."
)]
pub struct Cli {
    /// PostgreSQL server to use, e.g. postgres://attune@db.internal/attune. When not set,
    /// Attune runs its own private PostgreSQL under --data-dir.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where the embedded PostgreSQL keeps its data (ignored with DATABASE_URL).
    #[arg(
        long,
        env = "ATTUNE_DATA_DIR",
        global = true,
        default_value = "attune-data"
    )]
    pub data_dir: PathBuf,

    /// Folder with the PostgreSQL server binaries (initdb, pg_ctl, postgres). By default they
    /// are searched on PATH, via pg_config and in the usual install locations.
    #[arg(long, env = "ATTUNE_PG_BINDIR", global = true)]
    pub pg_bindir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app.
    Serve(ServeArgs),
    /// Load a fictional demo company (idempotent), print the URL, then serve.
    Demo(ServeArgs),
    /// Bring the database schema up to date (also done at every start).
    Migrate,
    /// Import a CSV export. Exit status: 0 imported (or already imported), 1 rejected,
    /// 2 usage error.
    Import(ImportArgs),
    /// List recent imports, or undo one.
    #[command(subcommand)]
    Imports(ImportsCommand),
    /// Print every metric of a period, for the organization and each team.
    Report(ReportArgs),
    /// Manage user accounts (HR, managers, executives).
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Manage personal API tokens for GET /api/v1/metrics.
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    /// Act on one employee's personal data.
    #[command(subcommand)]
    Employee(accounts::EmployeeCommand),
    /// Write the whole database to a file (pg_dump's custom format), consistent even while
    /// Attune serves.
    Backup(backup::BackupArgs),
    /// Replace all of the embedded PostgreSQL's data with a file written by `attune backup`
    /// (asks first). Running attune processes carry on with the restored data.
    Restore(backup::RestoreArgs),
    /// Write a synthetic company as CSV files, one per data kind, to try Attune or measure it
    /// (the database is not touched). Import the files in the order printed.
    Generate(GenerateArgs),
    /// Scheduled e-mail: create and send what is due (for cron and tests).
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Pulse survey rounds: create, list, open, close, and their links.
    #[command(subcommand)]
    Survey(survey::SurveyCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ATTUNE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Attune is reached over HTTPS (e.g. behind a TLS proxy): mark cookies Secure and send
    /// Strict-Transport-Security.
    #[arg(long, env = "ATTUNE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A reverse proxy in front sets X-Forwarded-For: take the client address from it (for
    /// sign-in throttling and the audit log). Only use this behind a proxy.
    #[arg(long, env = "ATTUNE_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Sign a browser out after this many minutes without a request.
    #[arg(long, env = "ATTUNE_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_minutes: u64,
    /// Sign a browser out this many hours after it signed in, whatever its activity.
    #[arg(long, env = "ATTUNE_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_max_hours: u64,
    /// The largest upload accepted, in MiB (larger files are refused with 413).
    #[arg(long, env = "ATTUNE_MAX_UPLOAD_MB", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_upload_mb: u64,
    /// Hours an uploaded file waits for HR's confirmation before it is dropped (it holds
    /// personal data).
    #[arg(long, env = "ATTUNE_UPLOAD_EXPIRY_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub upload_expiry_hours: u64,
    /// The most connections open at once; more are answered 503 and closed. Lowered to fit
    /// the open-file limit (which Attune raises to its maximum at start-up).
    #[arg(long, env = "ATTUNE_MAX_CONNECTIONS", default_value_t = web::server::DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    #[command(flatten)]
    pub mail: MailArgs,
}

impl ServeArgs {
    fn web_config(&self) -> web::WebConfig {
        web::WebConfig {
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            session: crate::db::sessions::Timeouts {
                idle: std::time::Duration::from_secs(self.session_idle_minutes * 60),
                absolute: std::time::Duration::from_secs(self.session_max_hours * 60 * 60),
            },
            max_upload_bytes: (self.max_upload_mb * 1024 * 1024) as usize,
            demo: false,
            upload_expiry: std::time::Duration::from_secs(self.upload_expiry_hours * 60 * 60),
        }
    }
}

/// The SMTP settings (`serve`, `demo` and `mail run-due`).
#[derive(Debug, Args)]
pub struct MailArgs {
    /// The SMTP server that sends Attune's e-mail: smtps://user:password@host:465 (TLS),
    /// smtp://user:password@host:587?tls=required (STARTTLS) or smtp://host:25 (no TLS). Not
    /// set: no e-mail is sent (survey links can be downloaded instead). Prefer the environment
    /// variable: a password on the command line is visible to other users of the machine.
    #[arg(long, env = "ATTUNE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Who Attune's e-mail comes from, e.g. "Attune <attune@example.com>" (required with
    /// ATTUNE_SMTP_URL).
    #[arg(long, env = "ATTUNE_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// A PEM certificate to trust for the SMTP server beyond the usual authorities (e.g. the
    /// company's own certificate authority).
    #[arg(long, env = "ATTUNE_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,
    #[command(flatten)]
    pub public_url: PublicUrlArg,
}

/// `--public-url`: the address people reach Attune at. Every link Attune makes starts with it
/// (in e-mail, and survey links); one setting holds it (`crate::mail::choices::PUBLIC_URL`).
#[derive(Debug, Args)]
pub struct PublicUrlArg {
    /// The address people reach Attune at, for the links in e-mail (unsubscribe, pages) and
    /// survey links, e.g. https://attune.example.com/. Not set: `serve` uses the address it
    /// listens on, the other commands the one `serve` last used.
    #[arg(long = "public-url", env = "ATTUNE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl PublicUrlArg {
    /// The address given, checked (ending with `/`); None when not given.
    pub fn given(&self) -> anyhow::Result<Option<String>> {
        self.public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(crate::mail::choices::parse_public_url)
            .transpose()
            .map_err(|e| anyhow::anyhow!(e))
    }
}

impl MailArgs {
    /// `--public-url`, checked; None when not given.
    fn public_url(&self) -> anyhow::Result<Option<String>> {
        self.public_url.given()
    }

    /// Record the address links use: `--public-url`, or `fallback` (`serve`'s own address);
    /// with neither, what was recorded before stays.
    async fn record_public_url(
        &self,
        pool: &sqlx::PgPool,
        fallback: Option<String>,
    ) -> anyhow::Result<()> {
        if let Some(url) = self.public_url()?.or(fallback) {
            crate::db::settings::set(
                &mut *pool.acquire().await?,
                crate::mail::choices::PUBLIC_URL,
                &url,
            )
            .await?;
        }
        Ok(())
    }

    /// The SMTP settings, checked; None when e-mail is off.
    fn mailer(&self) -> anyhow::Result<Option<crate::mail::Mailer>> {
        let url = self
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let from = self
            .mail_from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        match (url, from) {
            (None, _) => Ok(None),
            (Some(_), None) => Err(anyhow::anyhow!(
                "ATTUNE_SMTP_URL is set but ATTUNE_MAIL_FROM is not: set it to the address \
                 Attune's e-mail comes from, e.g. \"Attune <attune@example.com>\""
            )),
            (Some(url), Some(from)) => {
                crate::mail::Mailer::new(url, from, self.smtp_ca_file.as_deref())
                    .map(Some)
                    .map_err(|e| anyhow::anyhow!(e))
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The CSV file (comma, semicolon or tab separated; UTF-8, UTF-16 or Windows-1252).
    pub file: PathBuf,
    /// Check the file and show what would be imported, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows and report the invalid ones, instead of rejecting the file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Day/month order of dates like 03/04/2024, when the file does not make it clear.
    #[arg(long, value_enum)]
    pub date_format: Option<DateFormat>,
    /// The days the file covers, FROM..TO: days (2025-01-01..2025-03-31) or whole months
    /// (2025-01..2025-03). Every row must lie in it. Default: the whole months from the
    /// file's earliest to its latest date (a roster: from its earliest hire date on).
    #[arg(long, value_name = "FROM..TO")]
    pub covers: Option<import::covers::Covers>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// About how many people the company employs (it hires and loses people over the years).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    pub employees: u64,
    /// Years of history.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub years: u32,
    /// The same seed (with the same other options) writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The last day of the history, YYYY-MM-DD [default: today].
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// The folder to write employees.csv, absences.csv, … into (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace files of these names already in the folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportsCommand {
    /// The newest imports first: who, when, kind, file, rows.
    List {
        /// How many to show.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Remove what an import wrote (employees: restore them as they were before it).
    Undo {
        /// The import's number, as `attune imports list` shows it.
        import_id: i64,
        /// Do not ask for confirmation (required when not run from a terminal).
        #[arg(long)]
        yes: bool,
    },
}

/// The order of day and month in slash dates.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DateFormat {
    /// day/month/year
    Dmy,
    /// month/day/year
    Mdy,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period: YYYY (2025), YYYY-Qn (2025-Q1) or YYYY-MM (2025-03).
    #[arg(long)]
    pub period: Period,
    /// Only this team (the organization figures stay).
    #[arg(long)]
    pub team: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// The JSON report (the same shape as GET /api/v1/metrics).
    Json,
    /// A readable table.
    Text,
    /// The quarterly summary as one self-contained HTML file (a quarter, the whole
    /// organization), e.g. to attach to an e-mail.
    Html,
}

/// A failure with the exit status it should give.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
}

/// Run a parsed command line and return the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    let serving = matches!(cli.command, Command::Serve(_) | Command::Demo(_));
    init_tracing(if serving { "info" } else { "warn" });
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    // `serve` and `demo` shut down gracefully on their own. Other commands are cut short by
    // Ctrl-C or SIGTERM: dropping their work closes the database, and so stops an embedded
    // PostgreSQL they started. (Not while a terminal prompt is open: the terminal's own Ctrl-C
    // must end it, or the prompt would keep the terminal without echo.)
    let interruptible = !serving && !prompts_on_terminal(&cli.command);
    let result = runtime.block_on(async {
        if interruptible {
            tokio::select! {
                result = dispatch(cli) => result,
                () = shutdown_signal() => Err(Failure {
                    code: 130,
                    error: anyhow::anyhow!("interrupted; nothing more was done"),
                }),
            }
        } else {
            dispatch(cli).await
        }
    });
    // An interrupted command may leave the embedded PostgreSQL starting or stopping on a
    // blocking thread: let that finish, so that no server is left behind.
    runtime.shutdown_timeout(std::time::Duration::from_secs(60));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, error }) => {
            eprintln!("error: {error:#}");
            ExitCode::from(code)
        }
    }
}

/// Whether the command may ask something on the terminal (a password, a confirmation).
fn prompts_on_terminal(command: &Command) -> bool {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return false;
    }
    match command {
        Command::User(accounts::UserCommand::Add(args)) => !args.generate_password,
        Command::User(accounts::UserCommand::SetPassword(_)) => true,
        Command::Imports(ImportsCommand::Undo { yes, .. }) => !yes,
        Command::Restore(args) => !args.yes,
        Command::Backup(args) => !args.force && args.file.exists(),
        _ => false,
    }
}

fn init_tracing(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ATTUNE_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("{default_level},sqlx=warn"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(log_colours(
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
            std::env::var_os("NO_COLOR"),
        ))
        .try_init();
}

/// Colours in the log only where a person reads it: on a terminal, unless `NO_COLOR` is set to
/// anything non-empty (<https://no-color.org>). A log written to a file or a pipe stays plain
/// text.
fn log_colours(stderr_is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|value| value.is_empty())
}

fn location(cli: &Cli) -> Location {
    match cli
        .database_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(url) => Location::Url(url.to_string()),
        None => Location::Embedded {
            data_dir: cli.data_dir.clone(),
            bindir: cli.pg_bindir.clone(),
        },
    }
}

async fn dispatch(cli: Cli) -> Result<(), Failure> {
    let location = location(&cli);
    match cli.command {
        Command::Generate(args) => generate(args).await,
        Command::Backup(args) => backup::backup(&location, cli.pg_bindir.as_deref(), args).await,
        Command::Restore(args) => backup::restore(&location, cli.pg_bindir.as_deref(), args).await,
        Command::Serve(args) => {
            let db =
                Database::open_with(&location, PoolSettings::serving(web::REQUEST_TIMEOUT)).await?;
            serve(db, &args, None).await
        }
        Command::Demo(args) => {
            let db =
                Database::open_with(&location, PoolSettings::serving(web::REQUEST_TIMEOUT)).await?;
            println!("Loading the demo company…");
            let summary = tokio::select! {
                summary = crate::demo::load(&db.pool) => summary,
                () = shutdown_signal() => {
                    db.close().await?;
                    return Err(Failure {
                        code: 130,
                        error: anyhow::anyhow!("interrupted while loading the demo company"),
                    });
                }
            };
            let summary = match summary {
                Ok(summary) => summary,
                Err(err) => {
                    db.close().await?;
                    return Err(err.into());
                }
            };
            if let Err(err) = crate::demo::accounts::ensure(&db.pool).await {
                db.close().await?;
                return Err(err.into());
            }
            serve(db, &args, Some(summary)).await
        }
        Command::Migrate => {
            let db = Database::open(&location, 2).await?;
            println!("The database schema is up to date.");
            db.close().await?;
            Ok(())
        }
        Command::Import(args) => {
            // Opened now only to report an unreadable file as a usage error; it is read (in a
            // streaming way, twice or three times) by the import itself.
            std::fs::File::open(&args.file).map_err(|err| Failure {
                code: 2,
                error: anyhow::anyhow!("cannot read {}: {err}", args.file.display()),
            })?;
            let db = Database::open(&location, 2).await?;
            let result = import_file(&db, &args).await;
            db.close().await?;
            result
        }
        Command::Imports(command) => {
            let db = Database::open(&location, 2).await?;
            let result = imports_command(&db, command).await;
            db.close().await?;
            result
        }
        Command::Report(args) => {
            let db = Database::open(&location, 2).await?;
            let result = print_report(&db, &args).await;
            db.close().await?;
            result
        }
        Command::User(command) => {
            let db = Database::open(&location, 2).await?;
            let result = accounts::user(&db, command).await;
            db.close().await?;
            result
        }
        Command::Token(command) => {
            let db = Database::open(&location, 2).await?;
            let result = accounts::token(&db, command).await;
            db.close().await?;
            result
        }
        Command::Employee(command) => {
            let db = Database::open(&location, 2).await?;
            let result = accounts::employee(&db, command).await;
            db.close().await?;
            result
        }
        Command::Mail(command) => mail::run(&location, command).await,
        Command::Survey(command) => {
            let db = Database::open(&location, 2).await?;
            let result = survey::run(&db, command).await;
            db.close().await?;
            result
        }
    }
}

async fn serve(
    db: Database,
    args: &ServeArgs,
    demo: Option<crate::demo::Summary>,
) -> Result<(), Failure> {
    let addr = args.addr;
    let config = web::WebConfig {
        demo: demo.is_some(),
        ..args.web_config()
    };
    let mailer = match args
        .mail
        .mailer()
        .and_then(|m| args.mail.public_url().map(|_| m))
    {
        Ok(mailer) => mailer,
        Err(err) => {
            db.close().await?;
            return Err(Failure {
                code: 2,
                error: err,
            });
        }
    };
    let listener = match TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(err) => {
            db.close().await?;
            return Err(anyhow::anyhow!(
                "cannot listen on {addr}: {err} (choose another address with --addr)"
            )
            .into());
        }
    };
    let url = format!("http://{}/", listener.local_addr()?);
    args.mail
        .record_public_url(&db.pool, Some(url.clone()))
        .await?;
    let public_url = args.mail.public_url()?.unwrap_or_else(|| url.clone());
    if let Some(summary) = &demo {
        println!(
            "Demo company loaded: {} employees in {} teams, {} to {}.",
            summary.employees, summary.teams, summary.from, summary.to
        );
    }
    println!("Attune is running at {url}  (Ctrl-C stops it)");
    if demo.is_some() {
        println!(
            "Sign in with one of the demo accounts (password: {}):",
            crate::demo::accounts::PASSWORD
        );
        for (email, what) in crate::demo::accounts::LOGINS {
            println!("  {email:<36} {what}");
        }
        if let Some(round) = demo.as_ref().and_then(|d| d.open_survey) {
            let unanswered =
                crate::db::surveys::unanswered(&mut *db.pool.acquire().await?, round).await?;
            println!(
                "Pulse survey round {round} is open. Answer it as one of the employees (every link \
                 is on HR's page /admin/surveys/{round}):"
            );
            for (_, email, token) in unanswered.iter().take(3) {
                println!("  {email:<36} {}", crate::survey::link(&public_url, token));
            }
        }
    } else if crate::db::users::count(&mut *db.pool.acquire().await?).await? == 0 {
        println!(
            "There are no user accounts yet. Create the first HR account in another terminal:\n  \
             attune user add --email you@example.com --role hr\nthen sign in at {url}login"
        );
    }
    let _ = std::io::stdout().flush();
    let state = AppState {
        pool: db.pool.clone(),
        config,
        health: crate::db::monitor::Health::new(),
        reports: crate::cache::ReportCache::default().warming(web::periods_asked),
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut background = tokio::task::JoinSet::new();
    background.spawn(
        state
            .reports
            .clone()
            .watch(db.pool.clone(), stopping.clone()),
    );
    background.spawn(db.watch(state.health.clone(), stopping.clone()));
    background.spawn(expire_uploads(
        db.pool.clone(),
        state.config.upload_expiry,
        stopping.clone(),
    ));
    match mailer {
        Some(mailer) => {
            background.spawn(crate::mail::worker::run(
                db.pool.clone(),
                mailer,
                crate::mail::worker::WorkerConfig::default(),
                stopping.clone(),
            ));
            background.spawn(crate::mail::due::run_periodically(
                db.pool.clone(),
                state.reports.clone(),
                stopping.clone(),
            ));
        }
        None => tracing::info!("e-mail is off (ATTUNE_SMTP_URL is not set)"),
    }
    background.spawn(crate::survey::schedule(
        db.pool.clone(),
        public_url,
        stopping.clone(),
    ));
    let mut web_stopping = stopping.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let limits = web::server::Limits {
        max_connections: web::server::raise_open_file_limit(args.max_connections as usize),
        ..web::server::Limits::default()
    };
    web::server::serve(
        listener,
        web::app(state),
        limits,
        async move {
            let _ = web_stopping.wait_for(|stop| *stop).await;
        },
        web::REQUEST_TIMEOUT + std::time::Duration::from_secs(5),
    )
    .await;
    // The background tasks finish what they are doing (a message being sent is sent and
    // recorded) before the database closes.
    while background.join_next().await.is_some() {}
    db.close().await?;
    println!("Attune stopped.");
    Ok(())
}

/// Every few minutes, drop the uploads that waited longer than `expiry` for a confirmation.
async fn expire_uploads(
    pool: sqlx::PgPool,
    expiry: std::time::Duration,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Ok(mut conn) = pool.acquire().await {
            match crate::db::uploads::expire(&mut conn, expiry).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("dropped {n} upload(s) never confirmed"),
                Err(err) => tracing::warn!("could not drop expired uploads: {err}"),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(5 * 60)) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn import_file(db: &Database, args: &ImportArgs) -> Result<(), Failure> {
    let source: &std::path::Path = &args.file;
    let file_name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let options = import::Options {
        skip_invalid: args.skip_invalid,
        date_order: args.date_format.map(|f| match f {
            DateFormat::Dmy => DateOrder::DayFirst,
            DateFormat::Mdy => DateOrder::MonthFirst,
        }),
        covers: args.covers,
    };
    let known = import::Known::load(&db.pool, args.kind).await?;
    let actor = crate::db::audit::Actor::cli();
    // A dry run only reads and checks; an import reads, checks and writes in one pass over the
    // rows (`import::import`), and its outcome is told after the file's errors, as before.
    let (prepared, outcome) = if args.dry_run {
        let progress = Progress::start(format!("Reading and checking {file_name}…"));
        let prepared = import::prepare(args.kind, &file_name, source, options, &known);
        progress.finish();
        (prepared, None)
    } else {
        let progress = Progress::start(format!("Reading, checking and writing {file_name}…"));
        let imported = import::import(
            &db.pool, args.kind, &file_name, source, options, &known, &actor,
        )
        .await;
        progress.finish();
        match imported? {
            Ok((prepared, outcome)) => (Ok(prepared), Some(outcome)),
            Err(error) => (Err(error), None),
        }
    };
    let prepared = prepared.map_err(|err| anyhow::anyhow!("{file_name} was rejected: {err}"))?;
    if args.dry_run {
        print_preview(&prepared);
    }
    for error in &prepared.errors {
        eprintln!("{error}");
    }
    if prepared.errors_total > prepared.errors.len() {
        eprintln!(
            "… and {} more errors",
            prepared.errors_total - prepared.errors.len()
        );
    }
    let rejected =
        (prepared.errors_total > 0 && !args.skip_invalid) || prepared.has_nothing_to_write();
    if args.dry_run {
        return if rejected {
            Err(anyhow::anyhow!(
                "dry run: {file_name} would be rejected ({} errors in {} rows)",
                prepared.errors_total,
                prepared.rows_total
            )
            .into())
        } else {
            println!("Dry run: nothing was written.");
            Ok(())
        };
    }
    if rejected && args.skip_invalid {
        return Err(anyhow::anyhow!(
            "{file_name} was rejected: none of its {} rows is valid; nothing was imported.",
            prepared.rows_total
        )
        .into());
    }
    if rejected {
        let fix = match args.covers {
            Some(covers) => format!("the file, or the range --covers {covers}"),
            None => "the file, or import the valid rows with --skip-invalid".to_string(),
        };
        return Err(anyhow::anyhow!(
            "{file_name} was rejected: {} error{} in {} rows; nothing was imported. Fix {fix}.",
            prepared.errors_total,
            if prepared.errors_total == 1 { "" } else { "s" },
            prepared.rows_total
        )
        .into());
    }
    let outcome = outcome.ok_or_else(|| anyhow::anyhow!("{file_name} was not written"))?;
    match outcome {
        Outcome::Imported {
            import_id,
            rows_imported,
            rows_skipped,
            ..
        } => {
            print!(
                "Imported {rows_imported} rows of {} from {file_name} (import #{import_id})",
                args.kind
            );
            if rows_skipped > 0 {
                print!("; skipped {rows_skipped} invalid rows");
            }
            println!(".");
            for range in &prepared.coverage {
                println!("Covers {range}.");
            }
        }
        Outcome::AlreadyImported { import_id } => {
            println!("{file_name} was already imported (import #{import_id}); nothing changed.");
        }
        Outcome::Rejected => unreachable!("rejected files are handled above"),
    }
    Ok(())
}

/// A spinner with elapsed time on standard error while a long step runs — only on a terminal,
/// so scripts and logs get clean output.
#[derive(Clone)]
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn start(message: String) -> Progress {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(message);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Say what is happening now.
    fn say(&self, message: String) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn print_preview(prepared: &import::Prepared) {
    println!("File:      {}", prepared.file_name);
    println!("Kind:      {}", prepared.kind);
    println!("Encoding:  {}", prepared.encoding);
    println!("Delimiter: {}", prepared.delimiter);
    println!(
        "Rows:      {} ({} valid)",
        prepared.rows_total, prepared.rows_valid
    );
    println!("Columns:");
    for (column, header) in &prepared.columns {
        println!("  {column:<20} ← {header}");
    }
    if !prepared.ignored_columns.is_empty() {
        println!(
            "Ignored columns (not stored): {}",
            prepared.ignored_columns.join(", ")
        );
    }
    for (column, order) in &prepared.date_orders {
        println!("Dates in {column} read as {order}");
    }
    for note in &prepared.notes {
        println!("Note: {note}");
    }
    if prepared.coverage.is_empty() {
        println!("Covers:    nothing");
    }
    for range in &prepared.coverage {
        println!("Covers:    {range}");
    }
    for warning in &prepared.warnings {
        println!("Warning: {warning}");
    }
    if let Some(effect) = &prepared.effect {
        println!("What the import will change:");
        for (_, sentence) in effect.sentences() {
            println!("  {sentence}");
        }
    }
    println!("First rows as they will be stored:");
    for row in prepared.sample.iter().take(5) {
        let cells: Vec<String> = row
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!("  {}", cells.join(", "));
    }
}

/// `attune generate`: write the files on a blocking thread, with a progress bar on a terminal;
/// Ctrl-C stops it between two months and removes what was written.
async fn generate(args: GenerateArgs) -> Result<(), Failure> {
    use std::io::IsTerminal;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let spec = crate::generate::Spec {
        employees: args.employees as usize,
        years: args.years,
        seed: args.seed,
        until: args
            .until
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn({
        let stop = stop.clone();
        async move {
            shutdown_signal().await;
            stop.store(true, Ordering::Relaxed);
        }
    });
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg:<28} {wide_bar} {pos}/{len} {elapsed}")
        {
            bar.set_style(style);
        }
        bar.set_message("Generating the roster…");
        bar
    });
    let out = args.out.clone();
    let written = tokio::task::spawn_blocking({
        let (stop, bar) = (stop.clone(), bar.clone());
        move || {
            crate::generate::write(&spec, &out, args.force, &stop, &mut |step| {
                if let Some(bar) = &bar {
                    bar.set_length(u64::from(step.total));
                    bar.set_position(u64::from(step.done));
                    if let Some(month) = step.month {
                        bar.set_message(format!("Generated {}", month.format("%Y-%m")));
                    }
                }
            })
        }
    })
    .await;
    watcher.abort();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let written = match written.context("generating the company failed")? {
        Ok(written) => written,
        Err(err) => {
            use crate::generate::GenerateError;
            let code = match err {
                GenerateError::Interrupted => 130,
                GenerateError::Write { .. } => 1,
                _ => 2,
            };
            return Err(Failure {
                code,
                error: err.into(),
            });
        }
    };
    println!(
        "Wrote a company of {} people in {} teams ({} employed at the end), {} to {}, into {}:",
        args.employees,
        written.teams,
        written.active,
        written.from,
        written.to,
        args.out.display()
    );
    for (kind, path, rows) in &written.files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<16} {rows:>10} rows  ({kind})");
    }
    println!("Import them in this order:");
    for (kind, path, _) in &written.files {
        println!("  attune import {kind} {}", path.display());
    }
    Ok(())
}

async fn imports_command(db: &Database, command: ImportsCommand) -> Result<(), Failure> {
    match command {
        ImportsCommand::List { limit } => {
            let mut conn = db.pool.acquire().await?;
            let imports = crate::db::imports::list(&mut conn, limit).await?;
            if imports.is_empty() {
                println!(
                    "No imports yet. Import a roster with: attune import employees roster.csv"
                );
                return Ok(());
            }
            println!(
                "{:>5}  {:<16}  {:<11}  {:<10}  {:>8}  {:>8}  {:<20}  file",
                "#", "when (UTC)", "kind", "status", "imported", "skipped", "by"
            );
            let ids: Vec<i64> = imports.iter().map(|i| i.import_id).collect();
            let coverage = crate::db::coverage::of_imports(&mut conn, &ids).await?;
            for i in imports {
                println!(
                    "{:>5}  {:<16}  {:<11}  {:<10}  {:>8}  {:>8}  {:<20}  {}",
                    i.import_id,
                    i.created_at.format("%Y-%m-%d %H:%M"),
                    i.kind,
                    i.status,
                    i.rows_accepted,
                    i.rows_rejected,
                    web::hygiene::printable(&i.created_by.unwrap_or_default()),
                    web::hygiene::printable(&i.file_name)
                );
                for (_, range) in coverage.iter().filter(|(id, _)| *id == i.import_id) {
                    println!(
                        "{:>7}covers {}",
                        "",
                        web::hygiene::printable(&range.to_string())
                    );
                }
            }
            Ok(())
        }
        ImportsCommand::Undo { import_id, yes } => {
            use std::io::IsTerminal;
            if !yes {
                if !std::io::stdin().is_terminal() {
                    return Err(Failure {
                        code: 2,
                        error: anyhow::anyhow!("undo asks for confirmation: add --yes to confirm"),
                    });
                }
                print!("Undo import #{import_id}? Its rows will be removed. [y/N] ");
                let _ = std::io::stdout().flush();
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    println!("Nothing was changed.");
                    return Ok(());
                }
            }
            let undone = import::undo(&db.pool, import_id, &crate::db::audit::Actor::cli()).await?;
            println!(
                "Undid import #{} ({} from {}).",
                undone.import_id, undone.kind, undone.file_name
            );
            Ok(())
        }
    }
}

async fn print_report(db: &Database, args: &ReportArgs) -> Result<(), Failure> {
    if let ReportFormat::Html = args.format {
        return print_summary_html(db, args).await;
    }
    let mut conn = db.pool.acquire().await?;
    let report = match report::build(&mut conn, args.period, args.team.as_deref()).await {
        Ok(report) => report,
        Err(ReportError::UnknownTeam(name)) => {
            let teams = crate::db::teams::list(&mut conn).await?;
            let names: Vec<String> = teams.into_iter().map(|t| t.name).collect();
            return Err(anyhow::anyhow!(
                "there is no team named \"{name}\"; teams: {}",
                if names.is_empty() {
                    "none yet (import employees first)".to_string()
                } else {
                    names.join(", ")
                }
            )
            .into());
        }
        Err(err) => return Err(err.into()),
    };
    match args.format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Text => print!("{}", crate::present::text::render(&report)),
        ReportFormat::Html => unreachable!("handled by print_summary_html"),
    }
    Ok(())
}

/// `attune report --format html`: the quarterly summary the web page shows, as one file with its
/// stylesheet inlined and its charts as inline SVG. Audited as an export.
async fn print_summary_html(db: &Database, args: &ReportArgs) -> Result<(), Failure> {
    if args.team.is_some() {
        return Err(anyhow::anyhow!(
            "--format html writes the whole organization's quarterly summary: leave out --team"
        )
        .into());
    }
    let mut conn = db.pool.acquire().await?;
    let summary = crate::summary::build(&mut conn, args.period)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let html = web::pages::summary::standalone_html(&summary)
        .map_err(|e| anyhow::anyhow!("the summary could not be written: {e}"))?;
    crate::db::audit::record(
        &mut conn,
        &crate::db::audit::Actor::cli(),
        "export",
        serde_json::json!({
            "what": "quarterly summary",
            "format": "html",
            "period": summary.period.to_string(),
        }),
    )
    .await?;
    print!("{html}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::log_colours;

    #[test]
    fn logs_are_coloured_only_on_a_terminal_without_no_color() {
        assert!(log_colours(true, None));
        assert!(
            !log_colours(false, None),
            "a file or a pipe gets plain text"
        );
        assert!(!log_colours(true, Some("1".into())), "NO_COLOR is honoured");
        assert!(
            log_colours(true, Some("".into())),
            "an empty NO_COLOR means unset"
        );
    }
}
