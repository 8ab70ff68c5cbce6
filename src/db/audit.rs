//! The audit log: who did what, when and from where. Sign-ins (failed ones too), sign-outs,
//! changes to users, tokens and settings, erasures and imports are recorded; HR reads it.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Who acted: a signed-in user, or the command line (whoever can run it owns the database).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// An e-mail address, or `cli`.
    pub name: String,
    /// Where the request came from (none for the command line).
    pub client_addr: Option<String>,
}

impl Actor {
    /// The command line.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            name: "cli".to_string(),
            client_addr: None,
        }
    }

    /// A user, acting from `client_addr`.
    pub fn user(user_id: i64, email: &str, client_addr: Option<String>) -> Actor {
        Actor {
            user_id: Some(user_id),
            name: email.to_string(),
            client_addr,
        }
    }
}

/// One recorded event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub audit_event_id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub detail: serde_json::Value,
    pub client_addr: Option<String>,
}

/// Record an event. `action` is a short dotted name such as `user.create` or `import.commit`;
/// `detail` says to what (ids and names, never secrets or personal data of employees).
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into audit_event (actor_user_id, actor, action, detail, client_addr)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(action)
    .bind(detail)
    .bind(&actor.client_addr)
    .execute(conn)
    .await?;
    Ok(())
}

/// One page of events, newest first: `limit` events after skipping `offset`.
pub async fn page(
    conn: &mut PgConnection,
    limit: i64,
    offset: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "select audit_event_id, at, actor, action, detail, client_addr from audit_event
         order by at desc, audit_event_id desc
         limit $1 offset $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
}

/// How many events there are.
pub async fn count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from audit_event")
        .fetch_one(conn)
        .await
}
