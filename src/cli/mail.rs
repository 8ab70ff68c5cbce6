//! `attune mail run-due`: create the scheduled messages that are due, send what the outbox
//! holds, and exit (for cron, and for tests that set the day with `--as-of`).

use clap::{Args, Subcommand};

use super::{Failure, MailArgs};
use crate::db::{Database, Location, audit::Actor};
use crate::mail::due::{self, Clock};
use crate::mail::worker::{self, Step, WorkerConfig};
use crate::period::Period;

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Create the scheduled messages due today (in the organization's time zone) or on
    /// --as-of, then send every due message of the outbox and exit. Each message is created
    /// once per kind, period and recipient, however often this runs. Exit status 1 when a
    /// message could not be sent (it is retried at the next run).
    RunDue(RunDueArgs),
}

#[derive(Debug, Args)]
pub struct RunDueArgs {
    /// Act as if today were this day (YYYY-MM-DD, in the organization's time zone).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Send the quarterly summary even though some of its data does not cover the quarter
    /// (it otherwise waits for the data, and HR is told what is missing). Audited.
    #[arg(long)]
    pub send_anyway: bool,
    #[command(flatten)]
    pub mail: MailArgs,
}

pub async fn run(location: &Location, command: MailCommand) -> Result<(), Failure> {
    let MailCommand::RunDue(args) = command;
    let mailer = args
        .mail
        .mailer()
        .map_err(|error| Failure { code: 2, error })?;
    args.mail
        .public_url()
        .map_err(|error| Failure { code: 2, error })?;
    let db = Database::open(location, 2).await?;
    let result = run_due(&db, &args, mailer).await;
    db.close().await?;
    result
}

async fn run_due(
    db: &Database,
    args: &RunDueArgs,
    mailer: Option<crate::mail::Mailer>,
) -> Result<(), Failure> {
    args.mail.record_public_url(&db.pool, None).await?;
    let today = match args.as_of {
        Some(day) => day,
        None => due::today(&mut *db.pool.acquire().await?, &Clock::System).await?,
    };
    if args.send_anyway {
        let quarter = Period::latest_complete_quarter(today);
        due::send_summary_anyway(&mut *db.pool.acquire().await?, quarter, &Actor::cli()).await?;
        println!("The quarterly summary of {quarter} goes out even if data is missing.");
    }
    let ran = due::run(&db.pool, today).await?;
    for (kind, period, count) in &ran.created {
        println!(
            "Created {count} message{} ({kind}, {period}).",
            if *count == 1 { "" } else { "s" }
        );
    }
    for note in &ran.notes {
        println!("{note}");
    }
    let Some(mailer) = mailer else {
        println!(
            "E-mail is off (ATTUNE_SMTP_URL is not set): messages wait in the outbox until \
             Attune runs with an SMTP server."
        );
        return Ok(());
    };
    let config = WorkerConfig::default();
    let (mut sent, mut failed) = (0, 0);
    loop {
        match worker::step(&db.pool, &mailer, &config).await? {
            Step::Sent { .. } => sent += 1,
            Step::Failed { error, .. } => {
                failed += 1;
                eprintln!("A message could not be sent: {error}");
            }
            Step::Idle => break,
            Step::Throttled { wait_ms } => {
                tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
            }
        }
    }
    println!(
        "Sent {sent} message{} through {}.",
        if sent == 1 { "" } else { "s" },
        mailer.server
    );
    if failed > 0 {
        return Err(anyhow::anyhow!(
            "{failed} message{} could not be sent; {} retried at the next run",
            if failed == 1 { "" } else { "s" },
            if failed == 1 { "it is" } else { "they are" }
        )
        .into());
    }
    Ok(())
}
