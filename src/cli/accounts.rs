//! The account commands: `attune user …`, `attune token …` and `attune employee erase`.
//! Whoever can run these owns the database, so they need no sign-in; the audit log names the
//! actor `cli`.

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use serde_json::json;

use super::Failure;
use crate::accounts::password::{self, NewPassword};
use crate::accounts::{Email, Role};
use crate::db::{self, Database, audit::Actor, users::User};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read as one line from standard input when it is not
    /// a terminal, and prompted for (twice) otherwise; or use --generate-password.
    Add(UserAddArgs),
    /// List every account with its role, teams and status.
    List,
    /// Disable an account: it can no longer sign in, its sessions end at once and its API
    /// tokens are revoked for good (enabling it again does not bring them back). Nothing is
    /// deleted.
    Disable(EmailArg),
    /// Enable a disabled account again.
    Enable(EmailArg),
    /// Set a new password (read like `user add` does), ending the account's sessions.
    SetPassword(EmailArg),
    /// Replace the teams a manager sees (their child teams are included automatically).
    SetTeams(SetTeamsArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The e-mail address the person signs in with.
    #[arg(long)]
    pub email: String,
    /// hr (manages users, data and settings; sees all), manager (sees their teams and the
    /// organization) or executive (reads all).
    #[arg(long)]
    pub role: Role,
    /// A team the user sees (repeat for several). Mostly for managers.
    #[arg(long = "team", value_name = "NAME")]
    pub teams: Vec<String>,
    /// Generate a strong password and print it, once, instead of reading one.
    #[arg(long)]
    pub generate_password: bool,
}

#[derive(Debug, Args)]
pub struct EmailArg {
    /// The account's e-mail address.
    pub email: String,
}

#[derive(Debug, Args)]
pub struct SetTeamsArgs {
    /// The account's e-mail address.
    pub email: String,
    /// A team the user sees (repeat for several; give none to remove all).
    #[arg(long = "team", value_name = "NAME")]
    pub teams: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it, once (only its hash is stored). It acts
    /// with the user's role and teams: `Authorization: Bearer <token>`.
    Create(TokenCreateArgs),
    /// Revoke a user's token, given its id (as `token list` shows) or its name; all of the
    /// user's live tokens with that name are revoked.
    Revoke(TokenRevokeArgs),
    /// List a user's tokens (never the tokens themselves).
    List(TokenListArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Whose token it is.
    #[arg(long)]
    pub email: String,
    /// What it is for, e.g. "monthly report script" (default: "token <date>").
    #[arg(long, value_name = "LABEL")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id or name.
    #[arg(value_name = "TOKEN_ID_OR_NAME")]
    pub token: String,
    /// Whose token it is.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Whose tokens to list.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Subcommand)]
pub enum EmployeeCommand {
    /// Erase a person: remove their name, e-mail, salary, job title and leaving reason, and
    /// replace their employee id with a random one, so that past counts stay right but nothing
    /// identifies them. Cannot be undone; recorded in the audit log.
    Erase(EraseArgs),
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    /// The employee id, as in the HR system and the imported files.
    pub employee_id: String,
}

fn usage(message: String) -> Failure {
    Failure {
        code: 2,
        error: anyhow::anyhow!(message),
    }
}

async fn find_user(conn: &mut sqlx::PgConnection, email: &str) -> Result<User, Failure> {
    db::users::find_by_email(conn, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no account for {}", email.trim()).into())
}

async fn check_teams(conn: &mut sqlx::PgConnection, teams: &[String]) -> Result<(), Failure> {
    let unknown = db::users::unknown_teams(conn, teams).await?;
    if unknown.is_empty() {
        return Ok(());
    }
    let existing: Vec<String> = db::teams::list(conn)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    Err(anyhow::anyhow!(
        "there is no team named {}; teams: {}",
        unknown
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(", "),
        if existing.is_empty() {
            "none yet (import employees first)".to_string()
        } else {
            existing.join(", ")
        }
    )
    .into())
}

/// A new password: generated, or read from standard input (a pipe) or the terminal.
fn read_password(email: &str, generate: bool) -> Result<(NewPassword, bool), Failure> {
    if generate {
        return Ok((NewPassword::generate(), true));
    }
    let text = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {email}: "))?;
        let again = rpassword::prompt_password("The same password again: ")?;
        if first != again {
            return Err(usage("the two passwords differ".to_string()));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    let password = NewPassword::parse(&text, email).map_err(|e| usage(e.to_string()))?;
    Ok((password, false))
}

pub async fn user(db: &Database, command: UserCommand) -> Result<(), Failure> {
    let mut conn = db.pool.acquire().await?;
    let actor = Actor::cli();
    match command {
        UserCommand::Add(args) => {
            let email: Email = args.email.parse().map_err(usage)?;
            check_teams(&mut conn, &args.teams).await?;
            if db::users::find_by_email(&mut conn, email.as_str())
                .await?
                .is_some()
            {
                return Err(anyhow::anyhow!("there is already an account for {email}").into());
            }
            let (password, generated) = read_password(email.as_str(), args.generate_password)?;
            let shown = generated.then(|| password.expose().to_string());
            let hash = password::hash(password).await;
            let user_id = db::users::create(&mut conn, email.as_str(), &hash, args.role)
                .await?
                .ok_or_else(|| anyhow::anyhow!("there is already an account for {email}"))?;
            db::users::set_teams(&mut conn, user_id, &args.teams).await?;
            db::audit::record(
                &mut conn,
                &actor,
                "user.create",
                json!({ "user_id": user_id, "email": email.as_str(), "role": args.role.as_str(), "teams": args.teams }),
            )
            .await?;
            println!("Created {} account {email}.", args.role);
            if let Some(text) = shown {
                println!("Password (shown only now): {text}");
            }
            if args.role == Role::Manager && args.teams.is_empty() {
                println!(
                    "They see no team yet: assign some with `attune user set-teams {email} --team NAME`."
                );
            }
        }
        UserCommand::List => {
            let users = db::users::list(&mut conn).await?;
            if users.is_empty() {
                println!(
                    "No accounts yet. Create the first HR account with:\n  attune user add --email you@example.com --role hr"
                );
            }
            for user in users {
                let teams = if user.role.sees_all_teams() {
                    "all teams".to_string()
                } else if user.teams.is_empty() {
                    "no teams".to_string()
                } else {
                    user.teams.join(", ")
                };
                let status = if user.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!("{:<40} {:<10} {:<9} {teams}", user.email, user.role, status);
            }
        }
        UserCommand::Disable(EmailArg { email }) => {
            let user = find_user(&mut conn, &email).await?;
            if db::users::set_disabled(&mut conn, &actor, &user, true).await? {
                println!("Disabled {}; their sessions have ended.", user.email);
            } else {
                println!("{} was already disabled.", user.email);
            }
        }
        UserCommand::Enable(EmailArg { email }) => {
            let user = find_user(&mut conn, &email).await?;
            if db::users::set_disabled(&mut conn, &actor, &user, false).await? {
                println!("Enabled {}.", user.email);
            } else {
                println!("{} was already enabled.", user.email);
            }
        }
        UserCommand::SetPassword(EmailArg { email }) => {
            let user = find_user(&mut conn, &email).await?;
            let (password, _) = read_password(&user.email, false)?;
            let hash = password::hash(password).await;
            db::users::set_password(&mut conn, user.user_id, &hash).await?;
            db::audit::record(
                &mut conn,
                &actor,
                "user.set_password",
                json!({ "user_id": user.user_id, "email": user.email }),
            )
            .await?;
            println!(
                "Set a new password for {}; their sessions have ended.",
                user.email
            );
        }
        UserCommand::SetTeams(args) => {
            let user = find_user(&mut conn, &args.email).await?;
            check_teams(&mut conn, &args.teams).await?;
            db::users::set_teams(&mut conn, user.user_id, &args.teams).await?;
            db::audit::record(
                &mut conn,
                &actor,
                "user.set_teams",
                json!({ "user_id": user.user_id, "email": user.email, "teams": args.teams }),
            )
            .await?;
            let user = find_user(&mut conn, &args.email).await?;
            println!(
                "{} now sees: {}.",
                user.email,
                if user.teams.is_empty() {
                    "no teams".to_string()
                } else {
                    user.teams.join(", ")
                }
            );
        }
    }
    Ok(())
}

pub async fn token(db: &Database, command: TokenCommand) -> Result<(), Failure> {
    let mut conn = db.pool.acquire().await?;
    let actor = Actor::cli();
    match command {
        TokenCommand::Create(args) => {
            let user = find_user(&mut conn, &args.email).await?;
            let name = args
                .name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("token {}", chrono::Local::now().format("%Y-%m-%d")));
            let (id, token) = db::tokens::create(&mut conn, user.user_id, &name).await?;
            db::audit::record(
                &mut conn,
                &actor,
                "token.create",
                json!({ "token_id": id, "name": name, "user_id": user.user_id, "email": user.email }),
            )
            .await?;
            eprintln!(
                "Created token {id} \"{name}\" for {}. It is shown only now; use it as \
                 \"Authorization: Bearer <token>\":",
                user.email
            );
            println!("{token}");
        }
        TokenCommand::Revoke(args) => {
            let user = find_user(&mut conn, &args.email).await?;
            let revoked = db::tokens::revoke(&mut conn, user.user_id, &args.token).await?;
            if revoked.is_empty() {
                return Err(anyhow::anyhow!(
                    "{} has no live token with the id or name \"{}\" (see `attune token list --email {}`)",
                    user.email,
                    args.token.trim(),
                    user.email
                )
                .into());
            }
            for id in &revoked {
                db::audit::record(
                    &mut conn,
                    &actor,
                    "token.revoke",
                    json!({ "token_id": id, "user_id": user.user_id, "email": user.email }),
                )
                .await?;
            }
            let ids: Vec<String> = revoked.iter().map(i64::to_string).collect();
            println!("Revoked token {} of {}.", ids.join(", "), user.email);
        }
        TokenCommand::List(args) => {
            let user = find_user(&mut conn, &args.email).await?;
            for t in db::tokens::list(&mut conn, user.user_id).await? {
                let status = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d")),
                    None => "active".to_string(),
                };
                let used = t.last_used_at.map_or("never used".to_string(), |at| {
                    format!("last used {}", at.format("%Y-%m-%d %H:%M"))
                });
                println!(
                    "{:>5}  {:<30} {:<18} {used}",
                    t.api_token_id, t.name, status
                );
            }
        }
    }
    Ok(())
}

pub async fn employee(db: &Database, command: EmployeeCommand) -> Result<(), Failure> {
    let mut conn = db.pool.acquire().await?;
    match command {
        EmployeeCommand::Erase(args) => {
            match crate::web::admin::settings::erase_employee(
                &mut conn,
                &Actor::cli(),
                &args.employee_id,
            )
            .await?
            {
                Some(new_id) => println!(
                    "Erased employee {}: personal fields removed, now known as {new_id}.",
                    args.employee_id.trim()
                ),
                None => {
                    return Err(anyhow::anyhow!(
                        "there is no employee with the id \"{}\"",
                        args.employee_id.trim()
                    )
                    .into());
                }
            }
        }
    }
    Ok(())
}
