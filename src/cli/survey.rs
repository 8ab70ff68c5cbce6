//! `attune survey …`: pulse survey rounds from the command line (the audit log names the actor
//! `cli`).

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Failure, PublicUrlArg};
use crate::db::{self, Database, audit::Actor, surveys::NewRound};
use crate::survey::{self, Repeat, SurveyError};

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Create a round. It opens on its opening day (at once if that is today): everyone on the
    /// roster that day with an e-mail address is invited with a single-use link, sent by e-mail
    /// when `attune serve` has SMTP (else see `attune survey links`).
    Create(CreateArgs),
    /// List the rounds: dates, status and participation.
    List,
    /// Open a scheduled round now instead of on its opening day.
    Open(OpenArgs),
    /// Close an open round now: its links stop working and its answers count.
    Close(RoundArg),
    /// Print the links of an open round as CSV (email,link), one per person invited, to send
    /// through your own mail, chat or intranet when Attune sends no e-mail.
    Links(OpenArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The first day answers are accepted, YYYY-MM-DD (today or later).
    #[arg(long)]
    pub opens: NaiveDate,
    /// The last day answers are accepted, YYYY-MM-DD (at most 92 days after it opens).
    #[arg(long)]
    pub closes: NaiveDate,
    /// Invite only this team (repeat for several) [default: everyone].
    #[arg(long = "team", value_name = "NAME")]
    pub teams: Vec<String>,
    /// Create the next round by itself when this one closes: none, monthly or quarterly.
    #[arg(long, default_value = "none", value_parser = Repeat::parse)]
    pub repeat: Repeat,
    /// Remind those who have not answered this many days before the closing day (0: never).
    #[arg(long, default_value_t = survey::DEFAULT_REMINDER_DAYS)]
    pub reminder_days: i32,
    /// Reword "I feel heard by my manager."
    #[arg(long)]
    pub heard: Option<String>,
    /// Reword "My manager supports me when I need it."
    #[arg(long)]
    pub supported: Option<String>,
    /// Reword "I feel valued by my manager."
    #[arg(long)]
    pub valued: Option<String>,
    /// Reword "How likely are you to recommend working here to a friend?" (0–10).
    #[arg(long)]
    pub enps: Option<String>,
    #[command(flatten)]
    pub public_url: PublicUrlArg,
}

#[derive(Debug, Args)]
pub struct RoundArg {
    /// The round's number, as `attune survey list` shows it.
    pub round: i64,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The round's number, as `attune survey list` shows it.
    pub round: i64,
    #[command(flatten)]
    pub public_url: PublicUrlArg,
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn failure(err: SurveyError) -> Failure {
    let code = match err {
        SurveyError::Invalid(_) => 2,
        _ => 1,
    };
    Failure {
        code,
        error: anyhow::anyhow!(err),
    }
}

/// The address links start with; a malformed `--public-url` is a usage error (status 2).
async fn public_url(conn: &mut sqlx::PgConnection, arg: &PublicUrlArg) -> Result<String, Failure> {
    let given = arg.given().map_err(|error| Failure { code: 2, error })?;
    match given {
        Some(url) => Ok(url),
        None => Ok(crate::mail::choices::public_url(conn).await?),
    }
}

fn opened_line(round_id: i64, opened: survey::Opened) -> String {
    let mut line = format!(
        "Round {round_id} is open: {} invited.",
        plural(opened.invited as i64, "person", "people")
    );
    if opened.without_email > 0 {
        line.push_str(&format!(
            " {} on the roster without an e-mail address {} not invited (add an email column \
             to the roster).",
            plural(opened.without_email, "person", "people"),
            if opened.without_email == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    line
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub async fn run(db: &Database, command: SurveyCommand) -> Result<(), Failure> {
    let mut conn = db.pool.acquire().await?;
    let actor = Actor::cli();
    match command {
        SurveyCommand::Create(args) => {
            let mut team_ids = Vec::new();
            for name in &args.teams {
                match db::teams::find(&mut conn, name).await? {
                    Some(team) => team_ids.push(team.team_id),
                    None => {
                        return Err(Failure {
                            code: 2,
                            error: anyhow::anyhow!("there is no team named \"{}\"", name.trim()),
                        });
                    }
                }
            }
            let defaults = survey::default_items();
            let round = NewRound {
                opens_on: args.opens,
                closes_on: args.closes,
                items: db::surveys::Items {
                    heard: args.heard.unwrap_or(defaults.heard),
                    supported: args.supported.unwrap_or(defaults.supported),
                    valued: args.valued.unwrap_or(defaults.valued),
                    enps: args.enps.unwrap_or(defaults.enps),
                },
                team_ids: (!team_ids.is_empty()).then_some(team_ids),
                repeat: args.repeat.as_str().into(),
                reminder_days: args.reminder_days,
            };
            let base = public_url(&mut conn, &args.public_url).await?;
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let (round_id, opened) = survey::create(&mut tx, &actor, &round, today(), &base)
                .await
                .map_err(failure)?;
            tx.commit().await?;
            match opened {
                Some(opened) => println!("{}", opened_line(round_id, opened)),
                None => println!(
                    "Round {round_id} is scheduled: it opens on {} and closes on {}.",
                    round.opens_on, round.closes_on
                ),
            }
        }
        SurveyCommand::List => {
            let rounds = db::surveys::list(&mut conn).await?;
            if rounds.is_empty() {
                println!(
                    "No survey rounds yet. Create one with: attune survey create --opens YYYY-MM-DD --closes YYYY-MM-DD"
                );
            }
            let min_group = db::settings::min_group_size(&mut conn).await?;
            for round in rounds {
                let rows = db::surveys::participation(&mut conn, round.survey_round_id).await?;
                let org = &survey::participation(&rows, min_group)[0];
                let answered = match (org.answered, org.rate) {
                    (Some(answered), Some(rate)) => {
                        format!("{answered} answered ({:.0} %)", rate * 100.0)
                    }
                    _ if round.status == "scheduled" => String::new(),
                    _ => "answers withheld (too few invited)".into(),
                };
                let invited = if round.status == "scheduled" {
                    String::new()
                } else {
                    format!("{} invited, ", org.invited)
                };
                let repeat = Repeat::parse(&round.repeat).map_or("", |r| match r {
                    Repeat::None => "",
                    Repeat::Monthly => ", monthly",
                    Repeat::Quarterly => ", quarterly",
                });
                println!(
                    "{:>5}  {} to {}  {:<9}  {invited}{answered}{repeat}",
                    round.survey_round_id, round.opens_on, round.closes_on, round.status
                );
            }
        }
        SurveyCommand::Open(args) => {
            let base = public_url(&mut conn, &args.public_url).await?;
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let opened = survey::open(&mut tx, &actor, args.round, today(), &base)
                .await
                .map_err(failure)?;
            tx.commit().await?;
            println!("{}", opened_line(args.round, opened));
        }
        SurveyCommand::Close(args) => {
            let closed = survey::close(&mut conn, &actor, args.round, today())
                .await
                .map_err(failure)?;
            print!("Round {} is closed.", args.round);
            if let Some(next) = closed.next_round_id {
                let next = db::surveys::get(&mut conn, next).await?;
                if let Some(next) = next {
                    print!(
                        " The next round, {}, opens on {} and closes on {}.",
                        next.survey_round_id, next.opens_on, next.closes_on
                    );
                }
            }
            println!();
        }
        SurveyCommand::Links(args) => {
            let Some(round) = db::surveys::get(&mut conn, args.round).await? else {
                return Err(failure(SurveyError::NotFound(args.round)));
            };
            if round.status != "open" {
                return Err(failure(SurveyError::WrongStatus(
                    args.round,
                    round.status,
                    "links exist only while a round is open",
                )));
            }
            let base = public_url(&mut conn, &args.public_url).await?;
            let mut out = csv::Writer::from_writer(std::io::stdout());
            out.write_record(["email", "link"])?;
            for (email, token) in db::surveys::links(&mut conn, args.round).await? {
                out.write_record([email, survey::link(&base, &token)])?;
            }
            out.flush()?;
        }
    }
    Ok(())
}
