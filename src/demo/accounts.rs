//! The demo company's sign-ins: one account per role, and a manager for two of its teams, all
//! with one documented password. Created only when missing, so loading the demo again changes
//! nothing (and never touches a password someone changed).

use sqlx::PgPool;

use crate::accounts::Role;
use crate::accounts::password::{self, NewPassword};
use crate::db::{self, audit::Actor};

/// The password of every demo account.
pub const PASSWORD: &str = "empathy-in-practice";

/// (e-mail, what they see), for the start-up banner and the README.
pub const LOGINS: &[(&str, &str)] = &[
    (
        "hr@demo.attune.example",
        "HR: everything, plus users and settings",
    ),
    (
        "exec@demo.attune.example",
        "executive: every team, read-only",
    ),
    (
        "support.manager@demo.attune.example",
        "manager of Customer Support",
    ),
    ("eng.manager@demo.attune.example", "manager of Engineering"),
];

/// (e-mail, role, teams) of the demo accounts.
const ACCOUNTS: &[(&str, Role, &[&str])] = &[
    ("hr@demo.attune.example", Role::Hr, &[]),
    ("exec@demo.attune.example", Role::Executive, &[]),
    (
        "support.manager@demo.attune.example",
        Role::Manager,
        &["Customer Support"],
    ),
    (
        "eng.manager@demo.attune.example",
        Role::Manager,
        &["Engineering"],
    ),
];

/// Create the demo accounts that do not exist yet; returns how many were created.
pub async fn ensure(pool: &PgPool) -> anyhow::Result<usize> {
    let mut conn = pool.acquire().await?;
    let mut created = 0;
    for (email, role, teams) in ACCOUNTS {
        if db::users::find_by_email(&mut conn, email).await?.is_some() {
            continue;
        }
        let new_password = NewPassword::parse(PASSWORD, email)
            .map_err(|e| anyhow::anyhow!("the demo password is refused: {e}"))?;
        let hash = password::hash(new_password).await;
        let Some(user_id) = db::users::create(&mut conn, email, &hash, *role).await? else {
            continue;
        };
        let teams: Vec<String> = teams.iter().map(|t| t.to_string()).collect();
        db::users::set_teams(&mut conn, user_id, &teams).await?;
        db::audit::record(
            &mut conn,
            &Actor::cli(),
            "user.create",
            serde_json::json!({ "user_id": user_id, "email": email, "role": role.as_str(), "teams": teams, "demo": true }),
        )
        .await?;
        created += 1;
    }
    Ok(created)
}
